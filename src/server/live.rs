//! `GET /api/v1/live`: live updates for the page as server-sent events. Each event is
//! `event: view` with the whole page view model as JSON (see `page::view`): one on connect and
//! one whenever the app changes (a refresh, an acknowledgement). The page redraws from it.
//! A comment every 15 s keeps proxies from closing an idle stream; [`App::close`] ends every
//! stream so a graceful shutdown does not wait on open tabs. A change's view is built and
//! serialised once and shared by every open stream ([`ViewCache`]), so a hundred open
//! dashboards cost one build per change, not a hundred.
//!
//! [`App::close`]: crate::app::App::close

use super::page::view;
use super::ServerState;
use crate::app::App;
use axum::extract::{Extension, State};
use axum::http::{header, HeaderValue};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use futures::Stream;
use std::convert::Infallible;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How often an idle stream gets a keep-alive comment.
pub const KEEP_ALIVE: Duration = Duration::from_secs(15);
/// How long the browser waits before reconnecting a dropped stream.
const RETRY: Duration = Duration::from_secs(2);

/// The view for the latest change, serialised once, with the change number it was built for.
/// Shared by every stream of one router.
#[derive(Default)]
pub struct ViewCache(Mutex<Option<Shared>>);

struct Shared {
    change: u64,
    built: Instant,
    json: Arc<str>,
}

/// A shared view older than this is rebuilt: its `now` is what the page corrects its clock by.
const MAX_SHARED_AGE: Duration = Duration::from_secs(1);

impl ViewCache {
    /// The view as JSON for change number `change` (or later): the shared one if it is for
    /// `change` and fresh, else a new build, which becomes the shared one. The build runs
    /// outside the lock, so at most one build per worker thread races for a change.
    fn json(&self, app: &App, change: u64) -> Result<Arc<str>, serde_json::Error> {
        if let Some(s) = &*self.0.lock().expect("view cache lock poisoned") {
            if s.change == change && s.built.elapsed() < MAX_SHARED_AGE {
                return Ok(s.json.clone());
            }
        }
        let built = Instant::now();
        let json: Arc<str> = serde_json::to_string(&view::build(app, Utc::now()))?.into();
        let mut slot = self.0.lock().expect("view cache lock poisoned");
        // Built after `change` was observed, so it shows at least that change.
        if slot.as_ref().is_none_or(|s| s.change <= change) {
            *slot = Some(Shared {
                change,
                built,
                json: json.clone(),
            });
        }
        Ok(json)
    }
}

pub async fn live(
    State(s): State<ServerState>,
    Extension(cache): Extension<Arc<ViewCache>>,
) -> Response {
    let sse = Sse::new(views(s, cache))
        .keep_alive(KeepAlive::new().interval(KEEP_ALIVE).text("keep-alive"));
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
fn views(s: ServerState, cache: Arc<ViewCache>) -> impl Stream<Item = Result<Event, Infallible>> {
    let rx = s.app.subscribe();
    let closed = Box::pin(s.app.closed());
    futures::stream::unfold(
        (s, cache, rx, closed, true),
        |(s, cache, mut rx, mut closed, first)| async move {
            if !first {
                tokio::select! {
                    changed = rx.changed() => changed.ok()?,
                    () = &mut closed => return None,
                }
            }
            let change = *rx.borrow_and_update();
            let event = match cache.json(&s.app, change) {
                Ok(json) => Event::default().event("view").data(&*json),
                Err(e) => {
                    tracing::error!(error = %e, "Live view failed to serialise");
                    Event::default().comment("view unavailable")
                }
            };
            let event = if first { event.retry(RETRY) } else { event };
            Some((Ok(event), (s, cache, rx, closed, false)))
        },
    )
}
