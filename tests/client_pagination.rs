//! The pager over real HTTP: follows `next`, always sends `page_size` ≤ 100, stops on
//! `next == 0` / 404 `Invalid page.` / an empty page, refuses to loop; version drift (2023.x
//! `action=` substring vs 2025+ `actions=` exact) and sub-path installs.

mod common {
    pub mod client;
}

use axum::extract::Query;
use axum::http::header;
use axum::routing::get;
use common::client::*;
use lookout::fake::{FakeAuthentik, Fault, NewEvent, Scenario, STANDARD};
use lookout::integrations::authentik::check::test_connection;
use lookout::integrations::authentik::client::{
    supports_exact_actions, Walk, EVENTS, MAX_PAGE_SIZE,
};
use lookout::integrations::authentik::wire::{Event, Ignored};
use lookout::integrations::http::UpstreamError;
use std::collections::{BTreeSet, HashMap, HashSet};
use std::time::Duration;

/// Walks all events (no filter) and returns their pks in order.
async fn all_pks(fake: &FakeAuthentik, page_size: u64) -> Vec<String> {
    let c = fake_client(fake, 0);
    let mut pks = Vec::new();
    c.walk::<Event>(EVENTS, &[], page_size, 1_000, |p| {
        pks.extend(p.results.into_iter().map(|e| e.pk));
        Walk::Continue
    })
    .await
    .expect("walk");
    pks
}

#[tokio::test(flavor = "multi_thread")]
async fn walk_follows_next_across_pages_and_stops_on_next_zero() {
    let fake = standard().await;
    let pks = all_pks(&fake, 10).await;
    assert_eq!(pks.len(), STANDARD.events_total);
    assert_eq!(
        pks.iter().collect::<HashSet<_>>().len(),
        pks.len(),
        "no dupes"
    );
    let reqs = requests_to(&fake, "events/events/");
    let pages: Vec<_> = reqs.iter().map(|r| param(r, "page").unwrap()).collect();
    // 74 events / 10 → 8 pages, the last says next = 0: not one request more.
    assert_eq!(pages, ["1", "2", "3", "4", "5", "6", "7", "8"]);
    assert!(reqs.iter().all(|r| param(r, "page_size") == Some("10")));
}

#[tokio::test(flavor = "multi_thread")]
async fn page_size_sent_is_never_above_100() {
    let fake = FakeAuthentik::start(Scenario::big(now(), 450, chrono::Duration::days(2), 3))
        .await
        .unwrap();
    let c = fake_client(&fake, 0);
    let mut n = 0;
    let read = c
        .walk::<Event>(EVENTS, &[], 5_000, 1_000, |p| {
            n += p.results.len();
            Walk::Continue
        })
        .await
        .unwrap();
    assert_eq!((n, read), (450, 5));
    let reqs = requests_to(&fake, "events/events/");
    assert_eq!(reqs.len(), 5);
    for r in &reqs {
        assert_eq!(param(r, "page_size"), Some(&*MAX_PAGE_SIZE.to_string()));
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn page_size_clamped_by_a_2026_server_still_reads_everything() {
    // An admin lowered `pagination_max_page_size` to 7: the server silently returns 7 per page.
    let fake = standard().await;
    fake.with_data(|s| s.max_page_size = Some(7));
    let pks = all_pks(&fake, 100).await;
    assert_eq!(pks.len(), STANDARD.events_total);
    assert_eq!(pks.iter().collect::<HashSet<_>>().len(), pks.len());
    let reqs = requests_to(&fake, "events/events/");
    assert_eq!(reqs.len(), STANDARD.events_total.div_ceil(7));
    assert!(reqs.iter().all(|r| param(r, "page_size") == Some("100")));
}

#[tokio::test(flavor = "multi_thread")]
async fn server_default_page_size_is_ignored_because_page_size_is_always_sent() {
    let fake = standard().await;
    // A tiny server default would silently shrink pages if we relied on it.
    fake.with_data(|s| s.default_page_size = 3);
    let c = fake_client(&fake, 0);
    assert!(test_connection(&c).await.ok);
    let mut seen = 0;
    let pages = c
        .walk_login_events(true, 100, 100, |e| {
            seen += e.len();
            Walk::Continue
        })
        .await
        .unwrap();
    assert_eq!(pages, 1, "one page of 100, not pages of 3");
    assert_eq!(
        seen,
        STANDARD.logins_24h
            + STANDARD.failed_logins_24h
            + STANDARD.logins_older
            + STANDARD.failed_logins_older
    );
    let paginated: Vec<_> = fake
        .requests()
        .into_iter()
        .filter(|r| !r.path.ends_with("users/me/") && !r.path.ends_with("admin/version/"))
        .collect();
    assert!(paginated.len() >= 5);
    for r in paginated {
        let size: u64 = param(&r, "page_size")
            .unwrap_or_else(|| panic!("no page_size: {r:?}"))
            .parse()
            .unwrap();
        assert!((1..=100).contains(&size), "{r:?}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn invalid_page_404_mid_walk_is_the_end_not_an_error() {
    // Retention deletes events between two page requests: page 2 no longer exists.
    let fake = standard().await;
    let c = fake_client(&fake, 0);
    let mut got = 0;
    let read = c
        .walk::<Event>(EVENTS, &[], 10, 100, |p| {
            got += p.results.len();
            fake.with_data(|s| s.events.truncate(5));
            Walk::Continue
        })
        .await
        .expect("a vanished page ends the walk");
    assert_eq!((read, got), (1, 10));
    let reqs = requests_to(&fake, "events/events/");
    assert_eq!(reqs.len(), 2);
    assert_eq!(param(&reqs[1], "page"), Some("2"));
}

#[tokio::test(flavor = "multi_thread")]
async fn empty_page_claiming_next_stops_the_pager() {
    let fake = standard().await;
    fake.set_fault(Fault::EmptyPageClaimsNext);
    let c = fake_client(&fake, 0);
    let read = c
        .walk::<Event>(EVENTS, &[], 100, 2_000, |_| Walk::Continue)
        .await
        .unwrap();
    assert_eq!(read, 1);
    assert_eq!(requests_to(&fake, "events/events/").len(), 1);
    // The same through the login walk (sync's path).
    fake.clear_requests();
    c.walk_login_events(true, 100, 2_000, |_| Walk::Continue)
        .await
        .unwrap();
    assert_eq!(requests_to(&fake, "events/events/").len(), 1);
}

/// A one-event page as JSON.
fn page_json(page: u64, next: u64, pk: &str) -> String {
    serde_json::json!({
        "pagination": {"next": next, "previous": page.saturating_sub(1), "count": 1000,
                       "current": page, "total_pages": 1000, "start_index": 1, "end_index": 1},
        "results": [{"pk": pk, "action": "login", "created": "2026-09-14T08:00:00Z",
                     "user": {"username": "alice"}, "context": {}, "client_ip": "192.0.2.1"}],
    })
    .to_string()
}

/// Serves events pages from `f(requested page)` → (next, pk) and counts requests.
async fn pager_server(
    f: fn(u64) -> (u64, String),
) -> (String, std::sync::Arc<std::sync::atomic::AtomicUsize>) {
    let hits = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let h = hits.clone();
    let app = axum::Router::new().route(
        "/api/v3/events/events/",
        get(move |Query(q): Query<HashMap<String, String>>| {
            let h = h.clone();
            async move {
                h.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                let page = q.get("page").and_then(|p| p.parse().ok()).unwrap_or(1);
                let (next, pk) = f(page);
                (
                    [(header::CONTENT_TYPE, "application/json")],
                    page_json(page, next, &pk),
                )
            }
        }),
    );
    (serve_router(app).await, hits)
}

#[tokio::test(flavor = "multi_thread")]
async fn a_server_returning_the_same_page_forever_is_a_protocol_error() {
    // A caching proxy that ignores the query string: always page 1, "next is 2".
    let (base, hits) = pager_server(|_| (2, "same".into())).await;
    let c = client(&base, "t0ken-value-abcdef", Duration::from_secs(3), 0);
    let e = c
        .walk::<Event>(EVENTS, &[], 100, 2_000, |_| Walk::Continue)
        .await
        .unwrap_err();
    assert!(matches!(e, UpstreamError::Protocol { .. }), "{e:?}");
    assert_eq!(
        e.to_string(),
        "events/events/: pagination went backwards (page 2 says next is 2)"
    );
    assert_eq!(hits.load(std::sync::atomic::Ordering::SeqCst), 2);
}

#[tokio::test(flavor = "multi_thread")]
async fn next_going_backwards_is_a_protocol_error() {
    let (base, hits) = pager_server(|p| match p {
        1 => (3, "a".into()),
        _ => (2, "b".into()),
    })
    .await;
    let c = client(&base, "t0ken-value-abcdef", Duration::from_secs(3), 0);
    let e = c
        .walk::<Event>(EVENTS, &[], 100, 2_000, |_| Walk::Continue)
        .await
        .unwrap_err();
    assert!(e.to_string().contains("page 3 says next is 2"), "{e}");
    assert_eq!(hits.load(std::sync::atomic::Ordering::SeqCst), 2);
}

#[tokio::test(flavor = "multi_thread")]
async fn endless_pages_are_bounded_by_max_pages() {
    let (base, hits) = pager_server(|p| (p + 1, format!("pk-{p}"))).await;
    let c = client(&base, "t0ken-value-abcdef", Duration::from_secs(3), 0);
    let read = c
        .walk::<Event>(EVENTS, &[], 100, 25, |_| Walk::Continue)
        .await
        .unwrap();
    assert_eq!(read, 25);
    assert_eq!(hits.load(std::sync::atomic::Ordering::SeqCst), 25);
}

/// The login walk's actions, and the events it produced.
async fn login_walk(fake: &FakeAuthentik, exact: bool) -> Vec<Event> {
    let mut all = Vec::new();
    fake_client(fake, 0)
        .walk_login_events(exact, 100, 100, |e| {
            all.extend(e);
            Walk::Continue
        })
        .await
        .unwrap();
    all
}

const ALL_LOGINS: usize = STANDARD.logins_24h
    + STANDARD.failed_logins_24h
    + STANDARD.logins_older
    + STANDARD.failed_logins_older;

#[tokio::test(flavor = "multi_thread")]
async fn legacy_2023_server_still_yields_exactly_login_and_login_failed() {
    let n = now();
    let mut scenario = Scenario::standard(n).into_legacy("2023.10.7");
    // An action that contains "login": the server's `action=login` substring filter returns it.
    scenario.push_event(NewEvent::new(
        "custom_login_audit",
        "alice",
        "192.0.2.9",
        n - chrono::Duration::minutes(1),
    ));
    let fake = FakeAuthentik::start(scenario).await.unwrap();
    let c = fake_client(&fake, 0);

    let version = c.version().await.unwrap().version_current;
    assert_eq!(version, "2023.10.7");
    let exact = supports_exact_actions(&version);
    assert!(!exact);
    // The server does leak it…
    assert_eq!(
        c.count(EVENTS, &[("action", "login".into())])
            .await
            .unwrap(),
        ALL_LOGINS as u64 + 1
    );
    // …the client does not.
    let events = login_walk(&fake, exact).await;
    assert_eq!(events.len(), ALL_LOGINS);
    let actions: BTreeSet<_> = events.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(actions, BTreeSet::from(["login", "login_failed"]));
    let walked = requests_to(&fake, "events/events/");
    let last = walked.last().unwrap();
    assert_eq!(params(last, "action"), ["login"]);
    assert!(params(last, "actions").is_empty());

    // Even if we wrongly sent `actions=` the old server ignores it; the client check holds.
    let events = login_walk(&fake, true).await;
    assert_eq!(events.len(), ALL_LOGINS);

    // The connection test works on the old shapes (no `users` in me/, `tenant`, no
    // `autocomplete`) and probes with `action=`.
    fake.clear_requests();
    let report = test_connection(&c).await;
    assert!(report.ok, "{report:?}");
    assert_eq!(
        report.summary,
        "ok — authenticated as lookout-svc, authentik 2023.10.7"
    );
    let probe = &requests_to(&fake, "events/events/")[0];
    assert_eq!(params(probe, "action"), ["login"]);
    assert!(params(probe, "actions").is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn current_server_is_queried_with_exact_actions() {
    let fake = standard().await;
    fake.add_event(NewEvent::new(
        "custom_login_audit",
        "alice",
        "192.0.2.9",
        now(),
    ));
    let c = fake_client(&fake, 0);
    let version = c.version().await.unwrap().version_current;
    assert_eq!(version, "2026.8.5");
    let events = login_walk(&fake, supports_exact_actions(&version)).await;
    assert_eq!(events.len(), ALL_LOGINS);
    let r = &requests_to(&fake, "events/events/")[0];
    assert_eq!(params(r, "actions"), ["login", "login_failed"]);
    assert!(params(r, "action").is_empty());
    assert_eq!(param(r, "ordering"), Some("-created"));

    fake.clear_requests();
    assert!(test_connection(&c).await.ok);
    let probe = &requests_to(&fake, "events/events/")[0];
    assert_eq!(params(probe, "actions"), ["login_failed"]);
    assert_eq!(param(probe, "page_size"), Some("1"));
}

#[tokio::test(flavor = "multi_thread")]
async fn sub_path_install_works_from_the_config_url() {
    let mut scenario = Scenario::standard(now());
    scenario.sub_path = Some("/authentik".into());
    let fake = FakeAuthentik::start(scenario).await.unwrap();
    assert!(fake.base_url().ends_with("/authentik"));
    let root = format!("http://{}", fake.addr());
    for url in [format!("{root}/authentik"), format!("{root}/authentik/")] {
        fake.clear_requests();
        let cfg = parse_config(&config_text(&url, &fake.token(), ""));
        let c = client_from_config(&cfg);
        let report = test_connection(&c).await;
        assert!(report.ok, "{url}: {report:?}");
        let n: u64 = c
            .count(lookout::integrations::authentik::client::USERS, &[])
            .await
            .unwrap();
        assert_eq!(n, STANDARD.users_total as u64);
        let reqs = fake.requests();
        assert!(!reqs.is_empty());
        for r in reqs {
            assert!(
                r.path.starts_with("/authentik/api/v3/"),
                "{url}: {}",
                r.path
            );
        }
    }
    // Without the sub-path: a clear 404.
    let cfg = parse_config(&config_text(&root, &fake.token(), ""));
    let e = client_from_config(&cfg).me().await.unwrap_err();
    assert!(matches!(e, UpstreamError::NotFound { .. }), "{e:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn count_reads_pagination_count_with_one_request() {
    let fake = standard().await;
    let c = fake_client(&fake, 0);
    let n = c
        .count(
            lookout::integrations::authentik::client::USERS,
            &[("is_active", "true".into())],
        )
        .await
        .unwrap();
    assert_eq!(n, STANDARD.users_active as u64);
    let reqs = fake.requests();
    assert_eq!(reqs.len(), 1);
    assert_eq!(param(&reqs[0], "page_size"), Some("1"));
    // The generic pager decodes any list shape it only counts.
    let mut groups = 0;
    c.walk::<Ignored>(
        lookout::integrations::authentik::client::GROUPS,
        &[],
        2,
        10,
        |p| {
            groups += p.results.len();
            Walk::Continue
        },
    )
    .await
    .unwrap();
    assert_eq!(groups, STANDARD.groups_total);
}
