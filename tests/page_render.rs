//! The dashboard page through `router()` with `oneshot`: rendering from snapshots, escaping of
//! attacker-controlled strings, stale and waiting cards, acknowledgement and assets. The live
//! stream has its own file, `page_live.rs`.

mod page_support;

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use chrono::{Duration, Utc};
use lookout::widgets::Severity;
use page_support::*;
use tower::ServiceExt;

async fn get(app: &std::sync::Arc<lookout::app::App>, uri: &str) -> (StatusCode, String) {
    let res = server(app)
        .oneshot(Request::get(uri).body(Body::empty()).unwrap())
        .await
        .unwrap();
    let status = res.status();
    let body = axum::body::to_bytes(res.into_body(), 4 << 20)
        .await
        .unwrap();
    (status, String::from_utf8(body.to_vec()).unwrap())
}

async fn page(app: &std::sync::Arc<lookout::app::App>) -> String {
    let (status, html) = get(app, "/").await;
    assert_eq!(status, StatusCode::OK);
    html
}

async fn post(
    app: &std::sync::Arc<lookout::app::App>,
    uri: &str,
    headers: &[(&str, &str)],
) -> (StatusCode, axum::http::HeaderMap, String) {
    let mut req = Request::builder().method(Method::POST).uri(uri);
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let res = server(app)
        .oneshot(req.body(Body::empty()).unwrap())
        .await
        .unwrap();
    let (status, headers) = (res.status(), res.headers().clone());
    let body = axum::body::to_bytes(res.into_body(), 1 << 20)
        .await
        .unwrap();
    (status, headers, String::from_utf8(body.to_vec()).unwrap())
}

/// The part of the page between two markers, for asserting where something appears.
fn between<'a>(html: &'a str, from: &str, to: &str) -> &'a str {
    let start = html
        .find(from)
        .unwrap_or_else(|| panic!("{from:?} not in page"));
    let rest = &html[start..];
    &rest[..rest.find(to).unwrap_or(rest.len())]
}

/// ` onerror=`, ` onclick=`…: an attribute that runs script, inside a real tag (escaped text
/// and quoted values may well read `onerror=`).
fn has_handler_attribute(html: &str) -> bool {
    html.split('<').skip(1).any(|t| {
        let tag = &t[..t.find('>').unwrap_or(t.len())];
        // Attribute values are quoted; only what is outside quotes can be an attribute name.
        let tag: String = tag.split('"').step_by(2).collect::<Vec<_>>().join(" ");
        tag.match_indices(" on").any(|(i, _)| {
            let rest = &tag[i + 3..];
            let n = rest.chars().take_while(|c| c.is_ascii_alphabetic()).count();
            n > 0 && rest[n..].starts_with('=')
        })
    })
}

#[tokio::test]
async fn page_before_any_refresh_waits() {
    let app = app("");
    let html = page(&app).await;
    assert_eq!(html.matches("Waiting for first refresh").count(), 4);
    assert!(html.contains("No active alerts"));
    assert!(html.contains(
        "<section id=\"alerts\" class=\"alerts\" aria-label=\"Active security alerts\" hidden>"
    ));
}

#[tokio::test]
async fn page_is_html_never_cached_under_the_strict_csp() {
    let app = app("");
    let res = server(&app)
        .oneshot(Request::get("/").body(Body::empty()).unwrap())
        .await
        .unwrap();
    let h = res.headers();
    assert_eq!(h[header::CONTENT_TYPE], "text/html; charset=utf-8");
    assert_eq!(h[header::CACHE_CONTROL], "no-store");
    let csp = h[header::CONTENT_SECURITY_POLICY].to_str().unwrap();
    assert!(csp.contains("script-src 'self'") && csp.contains("style-src 'self'"));
}

#[tokio::test]
async fn page_shows_every_card_with_its_data() {
    let app = app("");
    healthy(&app, Utc::now());
    let html = page(&app).await;
    for id in [
        "card-sso-sessions",
        "card-sso-user-stats",
        "card-sso-security-alerts",
        "card-sso-login-events",
    ] {
        assert!(html.contains(&format!("id=\"{id}\"")), "{id}");
    }
    // Default order: stat cards, alerts, lists.
    let pos = |s: &str| html.find(s).unwrap();
    assert!(pos("card-sso-sessions") < pos("card-sso-security-alerts"));
    assert!(pos("card-sso-security-alerts") < pos("card-sso-login-events"));
    let users = between(&html, "id=\"card-sso-user-stats\"", "</section>");
    assert!(users.contains("1,234") && users.contains("Failed logins (24 h)"));
    let list = between(&html, "id=\"card-sso-login-events\"", "</section>");
    assert!(list.contains(">alice<") && list.contains("192.0.2.10"));
    assert!(list.contains("Berlin, DE"));
    assert!(list.contains(">OK<") && list.contains(">Failed<"));
    assert!(list.contains("3 min ago"));
    assert!(list.contains("<time datetime=\""));
    // The chart: bars with titles and a labelled threshold.
    assert!(list.contains("class=\"bar-fail\""));
    assert!(list.contains("class=\"threshold\""));
    assert!(list.contains("alert &gt; 5 / IP / 10 min"));
    assert!(html.matches("updated <time").count() == 4);
}

#[tokio::test]
async fn banner_shows_unacknowledged_alerts_with_details() {
    let app = app("");
    healthy(&app, Utc::now());
    let html = page(&app).await;
    let banner = between(&html, "id=\"alerts\"", "</section>");
    assert!(!between(banner, "id", ">").contains("hidden"));
    assert!(banner.contains("role=\"alert\""));
    assert!(banner.contains("198.51.100.23"));
    assert!(banner.contains(">admin<") && banner.contains(">root<"));
    assert!(banner.contains("Ended"));
    assert!(banner.contains("2 h ago"));
    // The actions call the JSON API, so they wait for the script to reveal them.
    assert!(banner.contains(
        "<button type=\"button\" class=\"btn\" data-ack aria-label=\"Dismiss alert: Brute force from 198.51.100.23\" hidden>"
    ));
    assert!(banner.contains(
        "data-snooze=\"1h\" aria-label=\"Snooze alerts from 198.51.100.23 for 1 hour\" hidden>"
    ));
    assert!(html.contains("<title>(1) Lookout</title>"));
}

#[tokio::test]
async fn many_alerts_collapse_behind_a_count() {
    let app = app("");
    let now = Utc::now();
    let alerts = (0..5)
        .map(|i| {
            alert(
                &format!("a{i}"),
                Severity::Warning,
                &format!("203.0.113.{i}"),
                now,
                true,
            )
        })
        .collect();
    apply(&app, now, vec![("security-alerts", Ok(banner(alerts)))]);
    let html = page(&app).await;
    let first = between(&html, "id=\"alert-list\"", "id=\"alerts-more\"");
    assert_eq!(first.matches("role=\"alert\"").count(), 3);
    let more = between(&html, "id=\"alerts-more\"", "</details>");
    assert!(more.contains("+2 more"));
    assert_eq!(more.matches("role=\"alert\"").count(), 2);
}

#[tokio::test]
async fn hostile_strings_are_escaped_everywhere() {
    let app = app("");
    hostile(&app);
    let html = page(&app).await;
    assert!(!html.contains(XSS_IMG), "raw <img> payload in page");
    assert!(!html.contains(XSS_SCRIPT), "raw <script> payload in page");
    assert!(!html.contains("<img"));
    assert!(!html.contains("<b>label"));
    assert_eq!(
        html.matches("<script").count(),
        1,
        "only the page's own script"
    );
    assert!(html.contains("&lt;img src=x onerror=alert(1)&gt;"));
    assert!(html.contains("&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"));
    // CSP: no inline style or handlers anywhere, SVG included.
    assert!(!html.contains("style="));
    assert!(
        !has_handler_attribute(&html),
        "an inline event handler attribute"
    );
    assert!(html.contains("data-id=\"bf-&lt;x&gt;\""));
    // The failing card's error is escaped too.
    let users = between(&html, "id=\"card-sso-user-stats\"", "</section>");
    assert!(users.contains("Refresh failing") && users.contains("&lt;img"));
}

#[tokio::test]
async fn long_values_are_cut_with_the_full_value_in_a_tooltip() {
    let app = app("");
    let now = Utc::now();
    let long = format!("{}-tail", "x".repeat(60));
    apply(
        &app,
        now,
        vec![(
            "login-events",
            Ok(logins(vec![login(&long, "192.0.2.1", false, now)], now)),
        )],
    );
    let html = page(&app).await;
    assert!(html.contains(&format!("title=\"{long}\"")));
    assert!(html.contains(&format!(">{}…<", "x".repeat(39))));
}

#[tokio::test]
async fn a_stale_card_keeps_its_data_beside_the_error() {
    let app = app("");
    let now = Utc::now();
    healthy(&app, now - Duration::minutes(5));
    apply(
        &app,
        now,
        vec![
            ("sessions", Err(failure("upstream is down"))),
            ("login-events", Err(failure("upstream is down"))),
        ],
    );
    let html = page(&app).await;
    let card = between(&html, "id=\"card-sso-sessions\"", "</section>");
    assert!(card.contains("state-stale"));
    assert!(card.contains("Stale") && card.contains("upstream is down"));
    assert!(card.contains("unexpected-status"));
    assert!(
        card.contains("class=\"stat-value\">12<"),
        "last good value kept"
    );
    assert!(card.contains("Showing data from"));
    // Other cards are untouched.
    let users = between(&html, "id=\"card-sso-user-stats\"", "</section>");
    assert!(users.contains("state-fresh") && !users.contains("notice"));
}

#[tokio::test]
async fn a_card_that_never_loaded_says_so() {
    let app = app("");
    apply(
        &app,
        Utc::now(),
        vec![("sessions", Err(failure("connection refused")))],
    );
    let html = page(&app).await;
    let card = between(&html, "id=\"card-sso-sessions\"", "</section>");
    assert!(card.contains("state-failing"));
    assert!(card.contains("Refresh failing") && card.contains("connection refused"));
    assert!(card.contains("No data yet"));
}

#[tokio::test]
async fn configured_cards_pick_and_order() {
    let app =
        app("[dashboard]\ntitle = \"SOC <1>\"\ncards = [\"sso/login-events\", \"sso/sessions\"]");
    let html = page(&app).await;
    assert!(html.contains("<h1 id=\"page-title\">SOC &lt;1&gt;</h1>"));
    let pos = |s: &str| html.find(s).unwrap();
    assert!(pos("id=\"card-sso-login-events\"") < pos("id=\"card-sso-sessions\""));
    assert!(!html.contains("id=\"card-sso-user-stats\""));
}

#[tokio::test]
async fn acknowledging_hides_the_alert_from_the_banner() {
    let app = app("");
    healthy(&app, Utc::now());
    let (status, _, body) = post(
        &app,
        "/api/v1/alerts/bf-198.51.100.23/ack",
        &[
            ("accept", "application/json"),
            ("x-requested-with", "lookout"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v["acknowledged"], true);
    let html = page(&app).await;
    let banner = between(&html, "id=\"alerts\"", "</section>");
    assert!(between(banner, "id", ">").contains("hidden"));
    assert!(!banner.contains("role=\"alert\""));
    assert!(html.contains("1 acknowledged"));
    assert!(html.contains("<title>Lookout</title>"));
    // The alerts card still lists it, marked.
    let card = between(&html, "id=\"card-sso-security-alerts\"", "</section>");
    assert!(card.contains("is-acked") && card.contains("Dismissed"));
}

#[tokio::test]
async fn acknowledging_needs_the_header_the_page_script_sends() {
    let app = app("");
    healthy(&app, Utc::now());
    let uri = "/api/v1/alerts/bf-198.51.100.23/ack";
    let (status, _, _) = post(&app, uri, &[("accept", "application/json")]).await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "a plain form post is refused"
    );
    assert!(!app.alerts()[0].acknowledged);
    let (status, _, _) = post(&app, uri, &[("x-requested-with", "lookout")]).await;
    assert_eq!(status, StatusCode::OK);
    assert!(app.alerts()[0].acknowledged);
}

#[tokio::test]
async fn assets_are_embedded_typed_and_cached_by_build() {
    let app = app("");
    let html = page(&app).await;
    let tag = "<script type=\"module\" src=\"";
    let start = html.find(tag).unwrap() + tag.len();
    let url = &html[start..start + html[start..].find('"').unwrap()];
    let build = url
        .strip_prefix("/assets/")
        .and_then(|u| u.strip_suffix("/app.js"))
        .unwrap();
    assert!(html.contains(&format!("href=\"/assets/{build}/app.css\"")));
    assert!(html.contains(&format!("href=\"/assets/{build}/favicon.svg\"")));
    for (name, ctype) in [
        ("app.css", "text/css; charset=utf-8"),
        ("app.js", "text/javascript; charset=utf-8"),
        ("banner.js", "text/javascript; charset=utf-8"),
        ("cards.js", "text/javascript; charset=utf-8"),
        ("dom.js", "text/javascript; charset=utf-8"),
        ("format.js", "text/javascript; charset=utf-8"),
        ("favicon.svg", "image/svg+xml"),
    ] {
        let res = server(&app)
            .oneshot(
                Request::get(format!("/assets/{build}/{name}"))
                    .body(Body::empty())
                    .unwrap(),
            )
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK, "{name}");
        let h = res.headers().clone();
        assert_eq!(h[header::CONTENT_TYPE], ctype);
        assert_eq!(
            h[header::CACHE_CONTROL],
            "public, max-age=31536000, immutable"
        );
        assert_eq!(h[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
        let body = axum::body::to_bytes(res.into_body(), 1 << 20)
            .await
            .unwrap();
        assert!(!body.is_empty());
        // Another build's URL or none: revalidate, and a matching ETag gets 304.
        for url in [format!("/assets/{name}"), format!("/assets/0123/{name}")] {
            let res = server(&app)
                .oneshot(
                    Request::get(url)
                        .header(header::IF_NONE_MATCH, h[header::ETAG].clone())
                        .body(Body::empty())
                        .unwrap(),
                )
                .await
                .unwrap();
            assert_eq!(res.status(), StatusCode::NOT_MODIFIED);
            assert_eq!(res.headers()[header::CACHE_CONTROL], "no-cache");
        }
    }
    let (status, _) = get(&app, "/assets/nope.js").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = get(&app, &format!("/assets/{build}/nope.js")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_sessions_card_lists_who_holds_sessions_with_names_escaped() {
    let app = app("");
    let now = Utc::now();
    let mut data = sessions(3);
    if let lookout::widgets::WidgetData::StatCard(card) = &mut data {
        card.items = vec![
            serde_json::json!({"username": XSS_IMG, "ip": "192.0.2.9", "country": "DE", "city": "Berlin",
                "last_used": (now - Duration::minutes(3)).to_rfc3339()}),
            serde_json::json!({"username": "alice", "ip": "2001:db8::1", "last_used": null}),
        ];
    }
    apply(&app, now, vec![("sessions", Ok(data))]);
    let html = page(&app).await;
    let card = between(&html, "id=\"card-sso-sessions\"", "</section>");
    assert!(card.contains("<ul class=\"who\""), "{card}");
    assert_eq!(card.matches("<li>").count(), 2);
    assert!(card.contains("Berlin, DE · 192.0.2.9"));
    assert!(card.contains("alice") && card.contains("2001:db8::1"));
    assert!(!card.contains(XSS_IMG) && card.contains("&lt;img"));
}
