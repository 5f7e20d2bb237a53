//! Incremental login-event sync over real HTTP: the first sync reads back to the horizon and no
//! further, a steady sync costs one request, new events arrive deduplicated by pk.

mod common {
    pub mod client;
}

use chrono::{DateTime, Duration, Utc};
use common::client::*;
use lookout::fake::{FakeAuthentik, NewEvent, Scenario, STANDARD};
use lookout::integrations::authentik::client::supports_exact_actions;
use lookout::integrations::authentik::sync::{sync, SyncState, PAGE_SIZE};
use std::collections::HashSet;

/// How many `login`/`login_failed` events the fake holds at or after `cutoff`.
fn logins_since(fake: &FakeAuthentik, cutoff: DateTime<Utc>) -> usize {
    fake.with_data(|s| {
        s.events
            .iter()
            .filter(|e| e.created >= cutoff && matches!(&*e.action, "login" | "login_failed"))
            .count()
    })
}

fn total_logins(fake: &FakeAuthentik) -> usize {
    logins_since(fake, DateTime::<Utc>::MIN_UTC)
}

fn assert_unique(state: &SyncState) {
    let pks: HashSet<_> = state.store.records().iter().map(|r| &r.pk).collect();
    assert_eq!(pks.len(), state.store.records().len(), "duplicate pk");
}

#[tokio::test(flavor = "multi_thread")]
async fn first_sync_reads_back_to_the_horizon_and_stops() {
    let n = now();
    // ~1,000 events a day for 30 days; only the last 24 h matter.
    let fake = FakeAuthentik::start(Scenario::big(n, 30_000, Duration::days(30), 11))
        .await
        .unwrap();
    let c = fake_client(&fake, 0);
    let horizon = Duration::hours(24);
    let in_window = logins_since(&fake, n - horizon);
    let all = total_logins(&fake);
    assert!(
        in_window > 500 && all > 20 * in_window,
        "{in_window} / {all}"
    );

    let mut state = SyncState::default();
    let (stats, added) = sync(&c, &mut state, true, horizon, n).await.unwrap();
    // The page holding the first event older than the cutoff is the last one read.
    let expected_pages = (in_window as u64) / PAGE_SIZE + 1;
    assert_eq!(stats.pages, expected_pages);
    assert_eq!(
        requests_to(&fake, "events/events/").len() as u64,
        expected_pages
    );
    assert!(
        expected_pages * 10 < (all as u64).div_ceil(PAGE_SIZE),
        "far fewer"
    );
    assert!(!stats.truncated);
    assert_eq!(stats.new_records, in_window);
    assert_eq!(added.len(), in_window);
    assert_eq!(state.store.records().len(), in_window);
    assert!(state.store.records().iter().all(|r| r.at >= n - horizon));
    assert_unique(&state);
}

#[tokio::test(flavor = "multi_thread")]
async fn steady_sync_with_nothing_new_costs_exactly_one_request() {
    let n = now();
    let fake = standard().await;
    let c = fake_client(&fake, 0);
    let mut state = SyncState::default();
    let (first, _) = sync(&c, &mut state, true, Duration::hours(24), n)
        .await
        .unwrap();
    assert_eq!(
        first.new_records,
        STANDARD.logins_24h + STANDARD.failed_logins_24h
    );
    for i in 1..=3 {
        fake.clear_requests();
        let (stats, added) = sync(
            &c,
            &mut state,
            true,
            Duration::hours(24),
            n + Duration::seconds(30 * i),
        )
        .await
        .unwrap();
        assert_eq!((stats.pages, stats.new_records), (1, 0));
        assert!(added.is_empty());
        assert_eq!(fake.requests().len(), 1, "sync {i}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn new_events_appear_after_the_next_sync_deduplicated_by_pk() {
    let n = now();
    let fake = standard().await;
    let c = fake_client(&fake, 0);
    let h = Duration::hours(24);
    let mut state = SyncState::default();
    sync(&c, &mut state, true, h, n).await.unwrap();
    let before = state.store.records().len();

    for (i, ip) in ["203.0.113.50", "203.0.113.51", "203.0.113.52"]
        .iter()
        .enumerate()
    {
        fake.add_event(NewEvent::login_failed(
            "admin",
            ip,
            n + Duration::seconds(i as i64 + 1),
        ));
    }
    fake.add_event(NewEvent::new(
        "logout",
        "alice",
        "192.0.2.1",
        n + Duration::seconds(5),
    ));
    fake.clear_requests();
    let (stats, added) = sync(&c, &mut state, true, h, n + Duration::seconds(10))
        .await
        .unwrap();
    assert_eq!((stats.pages, stats.new_records), (1, 3));
    assert_eq!(added.len(), 3);
    assert!(added.iter().all(|r| !r.success && r.username == "admin"));
    let newest: Vec<_> = state.store.records()[..3]
        .iter()
        .map(|r| r.ip.unwrap().to_string())
        .collect();
    assert_eq!(newest, ["203.0.113.52", "203.0.113.51", "203.0.113.50"]);
    assert_eq!(state.store.records().len(), before + 3);

    // Again: nothing new, nothing doubled.
    let (stats, _) = sync(&c, &mut state, true, h, n + Duration::seconds(20))
        .await
        .unwrap();
    assert_eq!(stats.new_records, 0);
    assert_eq!(state.store.records().len(), before + 3);
    assert_unique(&state);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_burst_bigger_than_a_page_is_read_across_pages() {
    let n = now();
    let fake = standard().await;
    let c = fake_client(&fake, 0);
    let h = Duration::hours(24);
    let mut state = SyncState::default();
    sync(&c, &mut state, true, h, n).await.unwrap();
    let before = state.store.records().len();
    for i in 0..250 {
        fake.add_event(NewEvent::login_failed(
            "root",
            "198.51.100.200",
            n + Duration::milliseconds(10 * (i + 1)),
        ));
    }
    fake.clear_requests();
    let (stats, added) = sync(&c, &mut state, true, h, n + Duration::seconds(5))
        .await
        .unwrap();
    assert_eq!(stats.pages, 3);
    assert_eq!((stats.new_records, added.len()), (250, 250));
    assert_eq!(state.store.records().len(), before + 250);
    assert_eq!(fake.requests().len(), 3);
    assert_unique(&state);
}

#[tokio::test(flavor = "multi_thread")]
async fn events_arriving_during_a_sync_are_not_duplicated() {
    // New rows shift pages down between requests, so the same event can be read twice.
    let n = now();
    let fake = std::sync::Arc::new(
        FakeAuthentik::start(Scenario::big(n, 6_000, Duration::hours(30), 5))
            .await
            .unwrap(),
    );
    let f = fake.clone();
    let writer = tokio::spawn(async move {
        for i in 0..300 {
            f.add_event(NewEvent::login_failed(
                "admin",
                "203.0.113.77",
                n + Duration::milliseconds(i + 1),
            ));
            tokio::task::yield_now().await;
        }
    });
    let c = fake_client(&fake, 0);
    let mut state = SyncState::default();
    sync(&c, &mut state, true, Duration::hours(24), n)
        .await
        .unwrap();
    writer.await.unwrap();
    assert_unique(&state);
    // A second sync picks up whatever the first missed; the store ends exactly complete.
    sync(
        &c,
        &mut state,
        true,
        Duration::hours(24),
        n + Duration::seconds(1),
    )
    .await
    .unwrap();
    assert_unique(&state);
    assert_eq!(
        state.store.records().len(),
        logins_since(&fake, n + Duration::seconds(1) - Duration::hours(24))
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn legacy_server_sync_keeps_only_exact_login_actions() {
    let n = now();
    let mut scenario = Scenario::standard(n).into_legacy("2023.8.3");
    scenario.push_event(NewEvent::new(
        "custom_login_audit",
        "alice",
        "192.0.2.9",
        n - Duration::minutes(3),
    ));
    let fake = FakeAuthentik::start(scenario).await.unwrap();
    let c = fake_client(&fake, 0);
    let v = c.version().await.unwrap().version_current;
    let mut state = SyncState::default();
    let (stats, _) = sync(
        &c,
        &mut state,
        supports_exact_actions(&v),
        Duration::hours(24),
        n,
    )
    .await
    .unwrap();
    assert_eq!(
        stats.new_records,
        STANDARD.logins_24h + STANDARD.failed_logins_24h
    );
    let ok = state.store.records().iter().filter(|r| r.success).count();
    assert_eq!(ok, STANDARD.logins_24h);
    let r = &requests_to(&fake, "events/events/")[0];
    assert_eq!(params(r, "action"), ["login"]);
}
