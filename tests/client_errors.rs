//! The Authentik client's error classes over real HTTP: each failure a deployment can produce
//! maps to one `UpstreamError` variant whose text says what to do, and never holds the token.

mod common {
    pub mod client;
}

use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use axum::routing::get;
use common::client::*;
use lookout::fake::scenario::{PERM_VIEW_EVENT, PERM_VIEW_GROUP};
use lookout::fake::Fault;
use lookout::integrations::authentik::check::test_connection;
use lookout::integrations::authentik::client::{Walk, EVENTS, GROUPS};
use lookout::integrations::authentik::wire::Event;
use lookout::integrations::http::UpstreamError;
use std::time::{Duration, Instant};

const TOKEN: &str = "tok-SECRET-9f8e7d6c5b4a39281706";

/// Display text of `e`, checked for the token.
fn text(e: &UpstreamError, token: &str) -> String {
    let s = e.to_string();
    assert_no_token(&s, token);
    assert_no_token(&format!("{e:?}"), token);
    s
}

#[tokio::test(flavor = "multi_thread")]
async fn connection_refused_is_unreachable_and_retried() {
    let base = format!("http://127.0.0.1:{}", closed_port());
    let c = client(&base, TOKEN, Duration::from_secs(2), 1);
    let e = c.me().await.unwrap_err();
    assert!(matches!(e, UpstreamError::Unreachable { .. }), "{e:?}");
    let s = text(&e, TOKEN);
    assert!(s.starts_with("core/users/me/: unreachable ("), "{s}");
    assert!(s.to_lowercase().contains("connect"), "{s}");
    assert_eq!(c.upstream().stats.requests.get(), 2, "first try + 1 retry");
    assert_eq!(c.upstream().stats.errors.get(), 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn dns_failure_is_unreachable_and_names_the_lookup() {
    let c = client(
        "http://nonexistent.invalid",
        TOKEN,
        Duration::from_secs(5),
        0,
    );
    let e = c.me().await.unwrap_err();
    assert!(matches!(e, UpstreamError::Unreachable { .. }), "{e:?}");
    let s = text(&e, TOKEN);
    assert!(s.contains("nonexistent.invalid"), "{s}");
    assert!(s.to_lowercase().contains("dns"), "{s}");
}

#[tokio::test(flavor = "multi_thread")]
async fn timeout_is_reported_with_the_limit_and_not_retried() {
    let fake = standard().await;
    fake.set_fault(Fault::Delay(Duration::from_secs(3)));
    let c = client(
        &fake.base_url(),
        &fake.token(),
        Duration::from_millis(300),
        2,
    );
    let started = Instant::now();
    let e = c.version().await.unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(2), "not retried");
    assert!(matches!(e, UpstreamError::Timeout { .. }), "{e:?}");
    let s = text(&e, &fake.token());
    assert_eq!(s, "admin/version/: timed out after 300ms");
    assert_eq!(requests_to(&fake, "admin/version/").len(), 1, "no retry");
}

#[tokio::test(flavor = "multi_thread")]
async fn tls_against_a_plain_http_port_is_a_tls_error() {
    let fake = standard().await;
    let base = fake.base_url().replace("http://", "https://");
    let c = client(&base, &fake.token(), Duration::from_secs(3), 2);
    let e = c.me().await.unwrap_err();
    assert!(matches!(e, UpstreamError::Tls { .. }), "{e:?}");
    let s = text(&e, &fake.token());
    assert!(s.starts_with("core/users/me/: TLS failure ("), "{s}");
    assert!(s.contains("http.ca-file"), "{s}");
    // A TLS failure is not transient: no retry.
    assert_eq!(c.upstream().stats.requests.get(), 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn wrong_token_is_token_rejected_with_authentiks_detail() {
    let fake = standard().await;
    let c = client(&fake.base_url(), TOKEN, Duration::from_secs(3), 2);
    let e = c.me().await.unwrap_err();
    assert_eq!(
        e,
        UpstreamError::TokenRejected {
            status: 403,
            detail: "Token invalid/expired".into()
        }
    );
    assert_eq!(
        text(&e, TOKEN),
        "token rejected (403 Token invalid/expired)"
    );
    // 4xx is never retried.
    assert_eq!(requests_to(&fake, "core/users/me/").len(), 1);
    // The token went out as a bearer token, and only in the header.
    let r = &fake.requests()[0];
    assert_eq!(
        r.authorization.as_deref(),
        Some(&*format!("Bearer {TOKEN}"))
    );
    assert!(r.query.iter().all(|(_, v)| !v.contains(TOKEN)));
}

#[tokio::test(flavor = "multi_thread")]
async fn proxy_stripping_the_header_gives_token_rejected_not_provided() {
    // A proxy that strips the Authorization header makes authentik say "not provided".
    let fake = standard().await;
    let upstream = fake.base_url();
    let app = axum::Router::new().fallback(move |req: axum::extract::Request| {
        let upstream = upstream.clone();
        async move {
            let url = format!("{upstream}{}", req.uri());
            let resp = reqwest::Client::new().get(url).send().await.unwrap();
            let status = StatusCode::from_u16(resp.status().as_u16()).unwrap();
            (
                status,
                [(header::CONTENT_TYPE, "application/json")],
                resp.text().await.unwrap(),
            )
        }
    });
    let base = serve_router(app).await;
    let c = client(&base, &fake.token(), Duration::from_secs(3), 0);
    let e = c.me().await.unwrap_err();
    assert_eq!(
        e,
        UpstreamError::TokenRejected {
            status: 403,
            detail: "Authentication credentials were not provided.".into()
        }
    );
    text(&e, &fake.token());
    assert_eq!(fake.requests()[0].authorization, None);
}

#[tokio::test(flavor = "multi_thread")]
async fn missing_events_permission_names_can_view_event() {
    let fake = standard().await;
    fake.with_data(|s| {
        s.permissions.remove(PERM_VIEW_EVENT);
    });
    let c = fake_client(&fake, 2);
    let e = c.count(EVENTS, &[]).await.unwrap_err();
    assert!(
        matches!(e, UpstreamError::PermissionMissing { .. }),
        "{e:?}"
    );
    let s = text(&e, &fake.token());
    assert_eq!(
        s,
        "events/events/: permission missing: give the token's user \
         \"Can view Event (authentik_events.view_event)\""
    );
    // The pager classifies the same way.
    let e = c
        .walk::<Event>(EVENTS, &[], 100, 10, |_| Walk::Continue)
        .await
        .unwrap_err();
    assert!(e.to_string().contains("Can view Event"), "{e}");
    assert_eq!(requests_to(&fake, "events/events/").len(), 2, "no retries");
}

#[tokio::test(flavor = "multi_thread")]
async fn missing_groups_permission_names_can_view_group() {
    let fake = standard().await;
    fake.with_data(|s| {
        s.permissions.remove(PERM_VIEW_GROUP);
    });
    let e = fake_client(&fake, 0).count(GROUPS, &[]).await.unwrap_err();
    assert!(
        matches!(e, UpstreamError::PermissionMissing { .. }),
        "{e:?}"
    );
    assert!(text(&e, &fake.token()).contains("Can view Group"));
}

#[tokio::test(flavor = "multi_thread")]
async fn wrong_base_path_is_not_found_mentioning_the_sub_path() {
    let fake = standard().await;
    let c = client(
        &format!("{}/authentik", fake.base_url()),
        &fake.token(),
        Duration::from_secs(3),
        2,
    );
    let e = c.me().await.unwrap_err();
    assert_eq!(
        e,
        UpstreamError::NotFound {
            endpoint: "core/users/me/".into()
        }
    );
    let s = text(&e, &fake.token());
    assert!(s.contains("404") && s.contains("sub-path"), "{s}");
    assert_eq!(fake.requests().len(), 1, "404 is not retried");
    assert_eq!(fake.requests()[0].path, "/authentik/api/v3/core/users/me/");
}

#[tokio::test(flavor = "multi_thread")]
async fn server_error_500_is_retried_then_unexpected_status_with_excerpt() {
    let fake = standard().await;
    fake.set_fault(Fault::Status(500));
    let c = fake_client(&fake, 2);
    let e = c.version().await.unwrap_err();
    assert_eq!(
        e,
        UpstreamError::UnexpectedStatus {
            endpoint: "admin/version/".into(),
            status: 500,
            excerpt: r#"{"detail":"Internal Server Error"}"#.into()
        }
    );
    let s = text(&e, &fake.token());
    assert!(s.contains("unexpected status 500"), "{s}");
    assert_eq!(
        requests_to(&fake, "admin/version/").len(),
        3,
        "1 + 2 retries"
    );
    assert_eq!(c.upstream().stats.errors.get(), 1, "one failed call");
}

#[tokio::test(flavor = "multi_thread")]
async fn server_error_then_recovery_succeeds_on_retry() {
    let fake = std::sync::Arc::new(standard().await);
    fake.set_fault(Fault::Status(503));
    let c = fake_client(&fake, 3);
    let f = fake.clone();
    let healer = tokio::spawn(async move {
        while f.requests().is_empty() {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        f.clear_faults();
    });
    let v = c.version().await.expect("succeeds after a retry");
    healer.await.unwrap();
    assert_eq!(v.version_current, "2026.8.5");
    let n = requests_to(&fake, "admin/version/").len();
    assert!((2..=4).contains(&n), "{n}");
}

#[tokio::test(flavor = "multi_thread")]
async fn html_502_from_a_proxy_is_a_clear_unexpected_status() {
    let fake = standard().await;
    fake.set_fault(Fault::HtmlErrorPage);
    let c = fake_client(&fake, 0);
    let e = c.me().await.unwrap_err();
    match &e {
        UpstreamError::UnexpectedStatus { status, .. } => assert_eq!(*status, 502),
        other => panic!("{other:?}"),
    }
    let s = text(&e, &fake.token());
    assert!(
        s.starts_with("core/users/me/: unexpected status 502"),
        "{s}"
    );
    assert_eq!(
        s,
        "core/users/me/: unexpected status 502: an HTML page \"502 Bad Gateway\", not \
         authentik's JSON (from a proxy in front of it? is authentik up?)"
    );
    assert!(!s.contains('\n') && !s.contains('\r'), "{s:?}");
    assert!(s.chars().count() < 250, "short: {s}");
}

#[tokio::test(flavor = "multi_thread")]
async fn too_many_requests_429_is_retried_after_the_servers_retry_after() {
    let fake = standard().await;
    fake.set_fault(Fault::Status(429)); // the fake sends `Retry-After: 1`
    let c = fake_client(&fake, 1);
    let started = std::time::Instant::now();
    let e = c.me().await.unwrap_err();
    assert!(
        started.elapsed() >= std::time::Duration::from_millis(950),
        "Retry-After honoured: {:?}",
        started.elapsed()
    );
    assert!(
        matches!(e, UpstreamError::UnexpectedStatus { status: 429, .. }),
        "{e:?}"
    );
    text(&e, &fake.token());
    assert_eq!(requests_to(&fake, "core/users/me/").len(), 2);
}

#[tokio::test(flavor = "multi_thread")]
async fn truncated_json_is_undecodable_naming_the_endpoint() {
    let fake = standard().await;
    fake.set_fault(Fault::TruncatedJson);
    let c = fake_client(&fake, 2);
    let e = c
        .walk::<Event>(EVENTS, &[], 100, 5, |_| Walk::Continue)
        .await
        .unwrap_err();
    match &e {
        UpstreamError::Undecodable {
            endpoint, detail, ..
        } => {
            assert_eq!(endpoint, "events/events/");
            assert!(detail.contains("EOF"), "{detail}");
        }
        other => panic!("{other:?}"),
    }
    let s = text(&e, &fake.token());
    assert!(
        s.starts_with("events/events/: undecodable response at `"),
        "{s}"
    );
    assert_eq!(fake.requests().len(), 1, "a bad body is not retried");
}

#[tokio::test(flavor = "multi_thread")]
async fn malformed_json_is_undecodable_naming_the_endpoint() {
    let fake = standard().await;
    fake.set_fault(Fault::MalformedJson);
    let e = fake_client(&fake, 0).version().await.unwrap_err();
    match &e {
        UpstreamError::Undecodable { endpoint, .. } => assert_eq!(endpoint, "admin/version/"),
        other => panic!("{other:?}"),
    }
    let s = text(&e, &fake.token());
    assert!(s.starts_with("admin/version/: undecodable response"), "{s}");
}

#[tokio::test(flavor = "multi_thread")]
async fn wrong_field_types_name_the_json_path() {
    let fake = standard().await;
    fake.set_fault(Fault::WrongTypes);
    let c = fake_client(&fake, 0);
    let e = c.count(EVENTS, &[]).await.unwrap_err();
    match &e {
        UpstreamError::Undecodable { endpoint, path, .. } => {
            assert_eq!(endpoint, "events/events/");
            // The first scrambled pagination number (authentik's key order starts with `next`).
            assert!(path.starts_with("pagination."), "{path}");
        }
        other => panic!("{other:?}"),
    }
    // Only `pagination.count` wrong: the path is exactly that field.
    fake.clear_faults();
    let app = axum::Router::new().route(
        "/api/v3/events/events/",
        get(|| async {
            (
                [(header::CONTENT_TYPE, "application/json")],
                r#"{"pagination":{"next":0,"previous":0,"count":"12","current":1,"total_pages":1},"results":[]}"#,
            )
        }),
    );
    let base = serve_router(app).await;
    let e = client(&base, TOKEN, Duration::from_secs(3), 0)
        .count(EVENTS, &[])
        .await
        .unwrap_err();
    match &e {
        UpstreamError::Undecodable { path, detail, .. } => {
            assert_eq!(path, "pagination.count");
            assert!(detail.contains("string"), "{detail}");
        }
        other => panic!("{other:?}"),
    }
    let s = text(&e, TOKEN);
    assert!(s.contains("`pagination.count`"), "{s}");
    // A non-paginated body names its field too.
    fake.set_fault(Fault::WrongTypes);
    match c.me().await.unwrap_err() {
        // serde_json objects iterate keys in order: `is_superuser` is the first field we read.
        UpstreamError::Undecodable { path, .. } => assert_eq!(path, "user.is_superuser"),
        other => panic!("{other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn reset_connection_is_unreachable_and_retried() {
    let fake = standard().await;
    fake.set_fault(Fault::ResetConnection);
    let c = fake_client(&fake, 1);
    let e = c.me().await.unwrap_err();
    assert!(matches!(e, UpstreamError::Unreachable { .. }), "{e:?}");
    text(&e, &fake.token());
    assert_eq!(requests_to(&fake, "core/users/me/").len(), 2);
}

#[tokio::test(flavor = "multi_thread")]
async fn redirect_is_reported_with_its_target() {
    // http → https redirect: the classic wrong-scheme `url`.
    let app = axum::Router::new().fallback(|| async {
        (
            StatusCode::MOVED_PERMANENTLY,
            [(
                header::LOCATION,
                "https://auth.example.com/api/v3/core/users/me/",
            )],
        )
            .into_response()
    });
    let base = serve_router(app).await;
    let e = client(&base, TOKEN, Duration::from_secs(3), 2)
        .me()
        .await
        .unwrap_err();
    assert!(
        matches!(e, UpstreamError::UnexpectedStatus { status: 301, .. }),
        "{e:?}"
    );
    let s = text(&e, TOKEN);
    assert!(
        s.contains("https://auth.example.com/api/v3/core/users/me/"),
        "names the target: {s}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn an_upstream_echoing_the_token_does_not_leak_it_into_errors() {
    // A debug proxy that reflects the request headers in its error pages.
    let app = axum::Router::new()
        .route(
            "/api/v3/core/users/me/",
            get(|h: axum::http::HeaderMap| async move {
                let auth = h[header::AUTHORIZATION].to_str().unwrap().to_owned();
                (
                    StatusCode::FORBIDDEN,
                    [(header::CONTENT_TYPE, "application/json")],
                    serde_json::json!({ "detail": format!("bad header: {auth}") }).to_string(),
                )
            }),
        )
        .route(
            "/api/v3/admin/version/",
            get(|h: axum::http::HeaderMap| async move {
                let auth = h[header::AUTHORIZATION].to_str().unwrap().to_owned();
                (
                    StatusCode::BAD_GATEWAY,
                    format!("upstream said no to {auth}"),
                )
            }),
        )
        .route(
            "/api/v3/events/events/",
            get(|h: axum::http::HeaderMap| async move {
                let auth = h[header::AUTHORIZATION].to_str().unwrap().to_owned();
                (
                    [(header::CONTENT_TYPE, "application/json")],
                    serde_json::json!({"pagination": {"next": auth, "count": 1}, "results": []})
                        .to_string(),
                )
            }),
        );
    let base = serve_router(app).await;
    let c = client(&base, TOKEN, Duration::from_secs(3), 0);
    let e = c.me().await.unwrap_err();
    assert!(matches!(e, UpstreamError::TokenRejected { .. }), "{e:?}");
    assert!(text(&e, TOKEN).contains("[redacted]"));
    let e = c.version().await.unwrap_err();
    assert!(matches!(e, UpstreamError::UnexpectedStatus { .. }), "{e:?}");
    text(&e, TOKEN);
    let e = c.count(EVENTS, &[]).await.unwrap_err();
    assert!(matches!(e, UpstreamError::Undecodable { .. }), "{e:?}");
    text(&e, TOKEN);
    let report = test_connection(&c).await;
    assert!(!report.ok);
    assert_no_token(&format!("{report:?}"), TOKEN);
    assert_no_token(&serde_json::to_string(&report).unwrap(), TOKEN);
}
