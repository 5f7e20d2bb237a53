//! The page's live stream (`GET /api/v1/live`) through `router()`: a view on connect, one per
//! change, keep-alive comments while idle, and an end when the app closes.

mod page_support;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use chrono::Utc;
use futures::StreamExt;
use page_support::*;
use std::time::Duration;
use tower::ServiceExt;

type Frames = axum::body::BodyDataStream;

async fn open(app: &std::sync::Arc<lookout::app::App>) -> Frames {
    let res = server(app)
        .oneshot(Request::get("/api/v1/live").body(Body::empty()).unwrap())
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()[header::CONTENT_TYPE], "text/event-stream");
    assert_eq!(res.headers()[header::CACHE_CONTROL], "no-store");
    res.into_body().into_data_stream()
}

/// The next whole SSE event (frames may split or join events) within 2 s.
async fn next_event(stream: &mut Frames, buf: &mut String) -> Option<String> {
    next_event_within(stream, buf, Duration::from_secs(2)).await
}

async fn next_event_within(
    stream: &mut Frames,
    buf: &mut String,
    limit: Duration,
) -> Option<String> {
    loop {
        if let Some(end) = buf.find("\n\n") {
            return Some(buf.drain(..end + 2).collect());
        }
        let chunk = tokio::time::timeout(limit, stream.next())
            .await
            .expect("an event in time")?
            .unwrap();
        buf.push_str(std::str::from_utf8(&chunk).unwrap());
    }
}

/// The next `view` event's JSON, skipping comments.
async fn next_view(stream: &mut Frames, buf: &mut String) -> serde_json::Value {
    loop {
        let event = next_event(stream, buf).await.expect("stream open");
        if !event.contains("event: view") {
            continue;
        }
        let data = event
            .lines()
            .find_map(|l| l.strip_prefix("data: "))
            .expect("view has data");
        return serde_json::from_str(data).unwrap();
    }
}

#[tokio::test]
async fn the_live_stream_sends_the_view_now_and_on_every_change() {
    let app = app("");
    let mut stream = open(&app).await;
    let mut buf = String::new();
    let first = next_view(&mut stream, &mut buf).await;
    assert_eq!(first["cards"][0]["state"], "waiting");
    assert!(first["alerts"].as_array().unwrap().is_empty());

    healthy(&app, Utc::now());
    let second = next_view(&mut stream, &mut buf).await;
    assert_eq!(second["alerts"][0]["id"], "bf-198.51.100.23");
    assert_eq!(second["alerts"][0]["source"]["text"], "198.51.100.23");
    assert_eq!(second["cards"][0]["state"], "fresh");

    assert!(app.acknowledge("bf-198.51.100.23").unwrap());
    let third = next_view(&mut stream, &mut buf).await;
    assert!(third["alerts"].as_array().unwrap().is_empty());
    assert_eq!(third["acknowledged"][0]["id"], "bf-198.51.100.23");
    assert_eq!(third["acknowledged_summary"], "1 acknowledged");
}

#[tokio::test]
async fn the_first_event_sets_a_reconnect_delay() {
    let app = app("");
    let mut stream = open(&app).await;
    let event = next_event(&mut stream, &mut String::new()).await.unwrap();
    assert!(event.contains("retry: 2000"), "{event}");
}

#[tokio::test(start_paused = true)]
async fn an_idle_stream_gets_a_keep_alive_comment_every_15_s() {
    let app = app("");
    let mut stream = open(&app).await;
    let mut buf = String::new();
    next_view(&mut stream, &mut buf).await;
    let before = tokio::time::Instant::now();
    // Time is paused: the runtime jumps straight to the next timer.
    let event = next_event_within(&mut stream, &mut buf, Duration::from_secs(60))
        .await
        .unwrap();
    assert_eq!(event, ": keep-alive\n\n");
    let waited = before.elapsed();
    assert!(
        waited >= Duration::from_secs(14) && waited <= Duration::from_secs(16),
        "{waited:?}"
    );
}

#[tokio::test]
async fn closing_the_app_ends_the_stream() {
    let app = app("");
    let mut stream = open(&app).await;
    let mut buf = String::new();
    next_view(&mut stream, &mut buf).await;
    app.close();
    assert_eq!(next_event(&mut stream, &mut buf).await, None);
}

#[tokio::test]
async fn the_live_view_carries_hostile_strings_as_data() {
    let app = app("");
    hostile(&app);
    let mut stream = open(&app).await;
    let view = next_view(&mut stream, &mut String::new()).await;
    let card = view["cards"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["endpoint"] == "login-events")
        .unwrap();
    assert_eq!(card["body"]["kind"], "logins");
    assert_eq!(card["body"]["rows"][0]["username"]["text"], XSS_IMG);
    assert_eq!(view["alerts"][0]["usernames"][1]["text"], XSS_SCRIPT);
}

#[tokio::test]
async fn streams_of_one_router_share_one_build_per_change() {
    let app = app("");
    let router = server(&app);
    let open_on = |router: axum::Router| async move {
        let res = router
            .oneshot(Request::get("/api/v1/live").body(Body::empty()).unwrap())
            .await
            .unwrap();
        res.into_body().into_data_stream()
    };
    let (mut a, mut b) = (open_on(router.clone()).await, open_on(router).await);
    let (mut buf_a, mut buf_b) = (String::new(), String::new());
    next_view(&mut a, &mut buf_a).await;
    next_view(&mut b, &mut buf_b).await;

    healthy(&app, Utc::now());
    let (va, vb) = (
        next_view(&mut a, &mut buf_a).await,
        next_view(&mut b, &mut buf_b).await,
    );
    assert_eq!(va["cards"][0]["state"], "fresh");
    // One build: the same `now`, to the nanosecond, in both.
    assert_eq!(va, vb);

    // A later change is a new build, not the shared one.
    assert!(app.acknowledge("bf-198.51.100.23").unwrap());
    let va2 = next_view(&mut a, &mut buf_a).await;
    let vb2 = next_view(&mut b, &mut buf_b).await;
    assert_eq!(va2["acknowledged_summary"], "1 acknowledged");
    assert_eq!(va2, vb2);
    assert_ne!(va2["now"], va["now"]);
}
