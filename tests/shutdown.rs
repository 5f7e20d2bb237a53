//! Graceful shutdown: on SIGTERM in-flight requests finish, the process exits 0, and the
//! database is checkpointed (no WAL left behind).

mod common;

use common::*;
use lookout::fake::Fault;
use std::process::Command;
use std::time::Duration;

#[tokio::test(flavor = "multi_thread")]
async fn sigterm_lets_in_flight_requests_finish_and_closes_the_database() {
    let fake = standard_fake().await;
    let dir = tempfile::tempdir().unwrap();
    let (config, data) = write_config_file(dir.path(), &fake);
    let (mut child, addr) = spawn_lookout(&config);
    tokio::time::sleep(Duration::from_millis(500)).await;

    // The connection test goes upstream; make upstream slow so the request is in flight.
    fake.set_fault(Fault::Delay(Duration::from_millis(400)));
    let slow = tokio::spawn(async move {
        csrf_client()
            .post(format!("http://{addr}/api/v1/integrations/sso/test"))
            .send()
            .await
            .map(|r| r.status())
    });
    tokio::time::sleep(Duration::from_millis(300)).await;
    let pid = child.id().to_string();
    assert!(Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .unwrap()
        .success());

    let status = slow.await.unwrap().expect("in-flight request completes");
    assert_eq!(status, 200);
    let exit = child.wait().unwrap();
    assert!(exit.success(), "exit status {exit:?}");
    let wal = data.join("lookout.db-wal");
    let wal_len = std::fs::metadata(&wal).map(|m| m.len()).unwrap_or(0);
    assert_eq!(wal_len, 0, "WAL checkpointed at shutdown");
    // And the database opens fine afterwards.
    lookout::storage::Storage::open(&data).expect("database reopens");
}
