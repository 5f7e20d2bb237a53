//! `GET /api/v1/live`: live updates for the page as server-sent events. Each event is
//! `event: view` with the whole page view model as JSON (see `page::view`): one on connect and
//! one whenever the app changes (a refresh, an acknowledgement). The page redraws from it.
//! A comment every 15 s keeps proxies from closing an idle stream; [`App::close`] ends every
//! stream so a graceful shutdown does not wait on open tabs.
//!
//! [`App::close`]: crate::app::App::close

use super::page::view;
use super::ServerState;
use axum::extract::State;
use axum::http::{header, HeaderValue};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use futures::Stream;
use std::convert::Infallible;
use std::time::Duration;

/// How often an idle stream gets a keep-alive comment.
pub const KEEP_ALIVE: Duration = Duration::from_secs(15);
/// How long the browser waits before reconnecting a dropped stream.
const RETRY: Duration = Duration::from_secs(2);

pub async fn live(State(s): State<ServerState>) -> Response {
    let sse =
        Sse::new(views(s)).keep_alive(KeepAlive::new().interval(KEEP_ALIVE).text("keep-alive"));
    let mut res = sse.into_response();
    let h = res.headers_mut();
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    // Tell nginx-style proxies not to buffer the stream.
    h.insert("x-accel-buffering", HeaderValue::from_static("no"));
    res
}

/// The current view now, then a fresh one after every change, until the app closes. Changes
/// that land while a view is being sent collapse into one (the watch channel keeps only the
/// latest).
fn views(s: ServerState) -> impl Stream<Item = Result<Event, Infallible>> {
    let rx = s.app.subscribe();
    let closed = Box::pin(s.app.closed());
    futures::stream::unfold(
        (s, rx, closed, true),
        |(s, mut rx, mut closed, first)| async move {
            if !first {
                tokio::select! {
                    changed = rx.changed() => changed.ok()?,
                    () = &mut closed => return None,
                }
            }
            rx.borrow_and_update();
            let view = view::build(&s.app, Utc::now());
            let event = match Event::default().event("view").json_data(&view) {
                Ok(e) => e,
                Err(e) => {
                    tracing::error!(error = %e, "Live view failed to serialise");
                    Event::default().comment("view unavailable")
                }
            };
            let event = if first { event.retry(RETRY) } else { event };
            Some((Ok(event), (s, rx, closed, false)))
        },
    )
}
