//! Graceful shutdown: on SIGTERM in-flight requests finish, the process exits 0, and the
//! database is checkpointed (no WAL left behind).

mod common;

use common::*;
use lookout::fake::Fault;
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Duration;

#[tokio::test(flavor = "multi_thread")]
async fn sigterm_lets_in_flight_requests_finish_and_closes_the_database() {
    let fake = standard_fake().await;
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let config = dir.path().join("lookout.toml");
    std::fs::write(
        &config,
        format!(
            "[server]\ndata-dir = {:?}\n{}",
            data.display().to_string(),
            config_text(&fake, "")
        ),
    )
    .unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_lookout"))
        .args(["serve", "--listen", "127.0.0.1:0", "--config"])
        .arg(&config)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.as_mut().unwrap())
        .read_line(&mut line)
        .unwrap();
    let addr: std::net::SocketAddr = line
        .trim()
        .rsplit("http://")
        .next()
        .unwrap()
        .parse()
        .unwrap();
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
