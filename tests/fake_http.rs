//! The fake Authentik over real HTTP: auth errors, permissions, routing, faults, sub-path,
//! live events, legacy shapes and a 1M-event scenario.

use chrono::{Duration, Utc};
use lookout::fake::scenario::{PERM_VIEW_EVENT, PERM_VIEW_SESSION, PERM_VIEW_USER};
use lookout::fake::{FakeAuthentik, Fault, NewEvent, Scenario, STANDARD};
use serde_json::Value;
use std::time::Instant;

async fn standard() -> FakeAuthentik {
    FakeAuthentik::start(Scenario::standard(Utc::now()))
        .await
        .expect("start fake")
}

fn http() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// GET `{base}/api/v3/{path}` with `auth` as the Authorization header; returns (status, body).
async fn get_raw(fake: &FakeAuthentik, path: &str, auth: Option<&str>) -> (u16, String) {
    let mut req = http().get(format!("{}/api/v3/{path}", fake.base_url()));
    if let Some(a) = auth {
        req = req.header("Authorization", a);
    }
    let resp = req.send().await.expect("response");
    let status = resp.status().as_u16();
    (status, resp.text().await.unwrap_or_default())
}

async fn get(fake: &FakeAuthentik, path: &str) -> (u16, Value) {
    let (status, body) = get_raw(fake, path, Some(&format!("Bearer {}", fake.token()))).await;
    (status, serde_json::from_str(&body).unwrap_or(Value::Null))
}

fn detail(body: &str) -> String {
    let v: Value = serde_json::from_str(body).expect("json error body");
    v["detail"].as_str().unwrap_or_default().to_string()
}

#[tokio::test]
async fn auth_failures_are_403_with_authentiks_exact_details() {
    let fake = standard().await;
    let cases: &[(Option<&str>, &str)] = &[
        (None, "Authentication credentials were not provided."),
        (Some(""), "Authentication credentials were not provided."),
        (Some("Token abc"), "Unsupported authentication type"),
        (
            Some("Basic dXNlcjpwdw=="),
            "Unsupported authentication type",
        ),
        (Some("Bearer wrong"), "Token invalid/expired"),
        (Some("Bearer"), "Malformed header"),
    ];
    for (auth, want) in cases {
        let (status, body) = get_raw(&fake, "core/users/me/", *auth).await;
        assert_eq!(status, 403, "{auth:?}");
        assert_eq!(detail(&body), *want, "{auth:?}");
    }
}

#[tokio::test]
async fn bearer_scheme_is_case_insensitive() {
    let fake = standard().await;
    let (status, body) = get_raw(
        &fake,
        "core/users/me/",
        Some(&format!("bEaReR {}", fake.token())),
    )
    .await;
    assert_eq!(status, 200);
    let v: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v["user"]["username"], "lookout-svc");
}

#[tokio::test]
async fn inactive_token_user_gets_token_invalid() {
    let fake = standard().await;
    fake.with_data(|s| s.token_user_mut().unwrap().is_active = false);
    let (status, body) = get_raw(
        &fake,
        "admin/version/",
        Some(&format!("Bearer {}", fake.token())),
    )
    .await;
    assert_eq!(
        (status, detail(&body).as_str()),
        (403, "Token invalid/expired")
    );
}

#[tokio::test]
async fn missing_permission_is_403_but_sessions_fall_back_to_own() {
    let fake = standard().await;
    fake.with_data(|s| {
        s.permissions.remove(PERM_VIEW_EVENT);
        s.permissions.remove(PERM_VIEW_USER);
        s.permissions.remove(PERM_VIEW_SESSION);
    });
    for path in ["events/events/", "core/users/", "events/events/volume/"] {
        let (status, body) = get(&fake, path).await;
        assert_eq!(status, 403, "{path}");
        assert_eq!(
            body["detail"],
            "You do not have permission to perform this action."
        );
    }
    let (status, body) = get(&fake, "core/groups/").await;
    assert_eq!(
        (status, body["pagination"]["count"].as_u64()),
        (200, Some(4))
    );
    let (status, body) = get(&fake, "core/authenticated_sessions/").await;
    assert_eq!(status, 200);
    assert_eq!(body["pagination"]["count"], STANDARD.sessions_of_token_user);
    // Give the token user a session: now exactly that one is visible.
    fake.with_data(|s| {
        let mut own = s.sessions[0].clone();
        own.user = s.token_user_pk;
        s.sessions.push(own);
    });
    let (_, body) = get(&fake, "core/authenticated_sessions/").await;
    assert_eq!(body["pagination"]["count"], 1);
    assert_eq!(body["results"][0]["user"], 3);
}

#[tokio::test]
async fn superuser_token_sees_everything_without_explicit_permissions() {
    let fake = standard().await;
    fake.with_data(|s| {
        s.permissions.clear();
        s.token_user_mut().unwrap().is_superuser = true;
    });
    let (status, body) = get(&fake, "core/authenticated_sessions/").await;
    assert_eq!(
        (status, body["pagination"]["count"].as_u64()),
        (200, Some(7))
    );
    let (status, _) = get(&fake, "events/events/").await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn unknown_paths_404_and_missing_trailing_slash_redirects_301() {
    let fake = standard().await;
    let (status, body) = get(&fake, "core/sessions/").await;
    assert_eq!((status, body["detail"].as_str()), (404, Some("Not found.")));
    let resp = http()
        .get(format!(
            "{}/api/v3/events/events?actions=login&page=2",
            fake.base_url()
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 301);
    assert_eq!(
        resp.headers()["location"],
        "/api/v3/events/events/?actions=login&page=2"
    );
}

#[tokio::test]
async fn pagination_edges_over_http() {
    let fake = standard().await;
    let (s, b) = get(&fake, "events/events/?page=0").await;
    assert_eq!((s, b["detail"].as_str()), (404, Some("Invalid page.")));
    let (s, _) = get(&fake, "events/events/?page=abc").await;
    assert_eq!(s, 404);
    let (s, b) = get(&fake, "events/events/?page=last&page_size=20").await;
    assert_eq!(s, 200);
    assert_eq!(b["pagination"]["current"], 4);
    assert_eq!(b["pagination"]["end_index"], STANDARD.events_total);
    let (_, b) = get(&fake, "events/events/?page_size=0").await;
    assert_eq!(
        b["results"].as_array().unwrap().len(),
        20,
        "≤0 → default 20"
    );
    let (_, b) = get(&fake, "events/events/?page_size=1000").await;
    assert_eq!(
        b["results"].as_array().unwrap().len(),
        STANDARD.events_total,
        "clamped to 100"
    );
    let (s, b) = get(&fake, "events/events/?actions=foo").await;
    assert_eq!(s, 400);
    assert_eq!(
        b["actions"][0],
        "Select a valid choice. foo is not one of the available choices."
    );
}

#[tokio::test]
async fn requests_are_recorded_in_order_with_auth_as_sent() {
    let fake = standard().await;
    get_raw(&fake, "core/users/me/", Some("bearer xyz")).await;
    get(
        &fake,
        "events/events/?actions=login&actions=login_failed&page_size=5",
    )
    .await;
    let reqs = fake.requests();
    assert_eq!(reqs.len(), 2);
    assert_eq!(reqs[0].authorization.as_deref(), Some("bearer xyz"));
    assert_eq!(reqs[1].method, "GET");
    assert_eq!(reqs[1].path, "/api/v3/events/events/");
    let actions: Vec<&str> = reqs[1]
        .query
        .iter()
        .filter(|(k, _)| k == "actions")
        .map(|(_, v)| v.as_str())
        .collect();
    assert_eq!(actions, ["login", "login_failed"]);
    fake.clear_requests();
    assert!(fake.requests().is_empty());
}

#[tokio::test]
async fn sub_path_scenario_serves_only_under_the_sub_path() {
    let mut s = Scenario::standard(Utc::now());
    s.sub_path = Some("/authentik/".into());
    let fake = FakeAuthentik::start(s).await.unwrap();
    assert_eq!(fake.base_url(), format!("http://{}/authentik", fake.addr()));
    let (status, body) = get(&fake, "admin/version/").await;
    assert_eq!(
        (status, body["version_current"].as_str()),
        (200, Some("2026.8.5"))
    );
    let resp = http()
        .get(format!("http://{}/api/v3/admin/version/", fake.addr()))
        .bearer_auth(fake.token())
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 404);
    assert_eq!(fake.requests()[0].path, "/authentik/api/v3/admin/version/");
}

#[tokio::test]
async fn status_faults_answer_json_detail_or_proxy_html() {
    let fake = standard().await;
    fake.set_fault(Fault::Status(500));
    let (s, body) = get_raw(&fake, "core/users/", Some("Bearer x")).await;
    assert_eq!((s, detail(&body).as_str()), (500, "Internal Server Error"));
    fake.set_fault(Fault::Status(429));
    let (s, _) = get_raw(&fake, "core/users/", None).await;
    assert_eq!(s, 429);
    fake.set_fault(Fault::Status(503));
    let (s, body) = get_raw(&fake, "core/users/", None).await;
    assert_eq!(s, 503);
    assert!(body.contains("<html>") && body.contains("503 Service Unavailable"));
    fake.set_fault(Fault::HtmlErrorPage);
    let (s, body) = get_raw(&fake, "events/events/", None).await;
    assert!(s == 502 && body.starts_with("<html>"));
    fake.clear_faults();
    let (s, _) = get(&fake, "core/users/").await;
    assert_eq!(s, 200);
}

#[tokio::test]
async fn body_faults_break_parsing_in_the_documented_ways() {
    let fake = standard().await;
    let auth = format!("Bearer {}", fake.token());
    for fault in [Fault::MalformedJson, Fault::TruncatedJson] {
        fake.set_fault(fault.clone());
        let (s, body) = get_raw(&fake, "events/events/", Some(&auth)).await;
        assert_eq!(s, 200);
        assert!(
            serde_json::from_str::<Value>(&body).is_err(),
            "{fault:?} must not parse"
        );
    }
    fake.set_fault(Fault::WrongTypes);
    let (_, v) = get(&fake, "events/events/").await;
    assert_eq!(
        v["pagination"]["count"],
        Value::String(STANDARD.events_total.to_string())
    );
    assert!(v["results"].is_object());
    fake.set_fault(Fault::EmptyPageClaimsNext);
    for page in [1, 2, 50] {
        let (s, v) = get(&fake, &format!("events/events/?page={page}")).await;
        assert_eq!(s, 200);
        assert_eq!(v["results"], serde_json::json!([]));
        assert_eq!(
            v["pagination"]["next"],
            page + 1,
            "claims a next page forever"
        );
    }
}

#[tokio::test]
async fn path_specific_fault_leaves_other_paths_alone() {
    let fake = standard().await;
    fake.set_fault_for("events/events/", Fault::Status(500));
    assert_eq!(get(&fake, "events/events/").await.0, 500);
    assert_eq!(get(&fake, "core/users/").await.0, 200);
    fake.clear_faults();
    assert_eq!(get(&fake, "events/events/").await.0, 200);
}

#[tokio::test]
async fn reset_connection_drops_without_response_then_recovers() {
    let fake = standard().await;
    fake.set_fault(Fault::ResetConnection);
    let err = http()
        .get(format!("{}/api/v3/core/users/me/", fake.base_url()))
        .bearer_auth(fake.token())
        .timeout(std::time::Duration::from_secs(5))
        .send()
        .await
        .expect_err("no response");
    assert!(
        !err.is_timeout(),
        "the connection is closed, not left hanging: {err}"
    );
    fake.clear_faults();
    assert_eq!(get(&fake, "core/users/me/").await.0, 200);
}

#[tokio::test]
async fn delay_fault_delays_but_answers() {
    let fake = standard().await;
    fake.set_fault(Fault::Delay(std::time::Duration::from_millis(300)));
    let t = Instant::now();
    assert_eq!(get(&fake, "admin/version/").await.0, 200);
    assert!(t.elapsed() >= std::time::Duration::from_millis(300));
}

#[tokio::test]
async fn live_events_appear_newest_first_with_authentik_user_variants() {
    let fake = standard().await;
    let now = Utc::now() + Duration::seconds(1);
    fake.add_event(NewEvent::login_failed("alice", "203.0.113.5", now));
    let mut unknown = NewEvent::login_failed(
        "<img src=x onerror=alert(1)>",
        "2001:db8:bad::1",
        now + Duration::seconds(1),
    );
    unknown.country = Some("VN".into());
    unknown.city = Some("Hanoi".into());
    fake.add_event(unknown);
    let (_, v) = get(&fake, "events/events/?actions=login_failed&page_size=2").await;
    let r = &v["results"];
    assert_eq!(r[0]["context"]["username"], "<img src=x onerror=alert(1)>");
    assert_eq!(
        r[0]["user"]["authenticated_as"]["username"],
        "AnonymousUser"
    );
    assert_eq!(r[0]["user"]["pk"], Value::Null);
    assert_eq!(r[0]["client_ip"], "2001:db8:bad::1");
    assert_eq!(r[0]["context"]["geo"]["country"], "VN");
    assert_eq!(r[0]["context"]["password"], "********************");
    assert_eq!(r[1]["user"]["username"], "alice");
    assert_eq!(r[1]["user"]["pk"], 4);
    assert_eq!(
        v["pagination"]["count"],
        STANDARD.failed_logins_24h + STANDARD.failed_logins_older + 2
    );
    let created = r[0]["created"].as_str().unwrap();
    assert!(
        created.ends_with('Z') && created.len() == "2026-09-14T08:21:07.512345Z".len(),
        "{created}"
    );
}

#[tokio::test]
async fn legacy_server_uses_tenant_no_autocomplete_and_ignores_actions() {
    let s = Scenario::standard(Utc::now()).into_legacy("2023.10.7");
    let fake = FakeAuthentik::start(s).await.unwrap();
    let (_, v) = get(&fake, "events/events/?actions=login&page_size=500").await;
    assert!(v.get("autocomplete").is_none());
    assert_eq!(
        v["pagination"]["count"], STANDARD.events_total,
        "actions ignored"
    );
    assert_eq!(
        v["results"].as_array().unwrap().len(),
        STANDARD.events_total,
        "no max page size"
    );
    assert!(v["results"][0].get("tenant").is_some() && v["results"][0].get("brand").is_none());
    let (_, v) = get(&fake, "events/events/").await;
    assert_eq!(
        v["results"].as_array().unwrap().len(),
        STANDARD.events_total,
        "default 100"
    );
    let (_, me) = get(&fake, "core/users/me/").await;
    assert!(me.get("users").is_none());
}

#[tokio::test]
async fn stop_closes_the_listener() {
    let fake = standard().await;
    let addr = fake.addr();
    fake.stop().await;
    let err = http()
        .get(format!("http://{addr}/api/v3/admin/version/"))
        .send()
        .await;
    assert!(err.is_err());
}

#[tokio::test]
async fn empty_scenario_has_one_user_and_no_events() {
    let fake = FakeAuthentik::start(Scenario::empty(Utc::now()))
        .await
        .unwrap();
    let (_, users) = get(&fake, "core/users/").await;
    assert_eq!(users["pagination"]["count"], 1);
    let (_, ev) = get(&fake, "events/events/").await;
    let p = &ev["pagination"];
    assert_eq!(
        (
            p["count"].as_u64(),
            p["total_pages"].as_u64(),
            p["start_index"].as_u64()
        ),
        (Some(0), Some(1), Some(0))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn million_event_scenario_serves_filtered_newest_first_pages() {
    let now = Utc::now();
    let s = Scenario::big(now, 1_000_000, Duration::days(30), 42);
    let newest = s.events.last().unwrap().created;
    let fake = FakeAuthentik::start(s).await.unwrap();
    let (status, v) = get(
        &fake,
        "events/events/?actions=login_failed&ordering=-created&page_size=100",
    )
    .await;
    assert_eq!(status, 200);
    let count = v["pagination"]["count"].as_u64().unwrap();
    assert!(
        (150_000..300_000).contains(&count),
        "≈22% failures, got {count}"
    );
    let results = v["results"].as_array().unwrap();
    assert_eq!(results.len(), 100);
    assert!(results.iter().all(|e| e["action"] == "login_failed"));
    let first =
        chrono::DateTime::parse_from_rfc3339(results[0]["created"].as_str().unwrap()).unwrap();
    assert!(first <= newest && newest - first.with_timezone(&Utc) < Duration::minutes(30));
    let (status, v) = get(&fake, "events/events/?page=last&page_size=100").await;
    assert_eq!(
        (status, v["pagination"]["total_pages"].as_u64()),
        (200, Some(10_000))
    );
    let (status, v) = get(&fake, "events/events/?username=admin&page_size=1").await;
    assert_eq!(status, 200);
    assert!(v["pagination"]["count"].as_u64().unwrap() > 1000);
}
