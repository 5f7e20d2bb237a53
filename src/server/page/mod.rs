//! The dashboard page (`GET /`): the [`view`] model rendered by askama from the latest
//! snapshots, and its embedded [`assets`]. The page stays current through `server::live`, which
//! streams the same view model as JSON; its buttons call the alert API (ack, snooze).

pub mod assets;
pub mod chart;
pub mod history;
pub mod text;
pub mod view;

use super::ServerState;
use askama::Template;
use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use chrono::{DateTime, Utc};
use view::{CardBody, CardState, PageView};

/// `page.html` with its view and asset URLs.
#[derive(Template)]
#[template(path = "page.html")]
pub struct PageTemplate<'a> {
    pub v: &'a PageView,
    pub assets: assets::Urls,
    pub version: &'static str,
}

// Helpers the templates call as `self.…`; askama passes arguments by reference.
impl PageTemplate<'_> {
    fn ago(&self, t: &DateTime<Utc>) -> String {
        text::ago(*t, self.v.now)
    }

    fn exact(&self, t: &DateTime<Utc>) -> String {
        text::exact(*t)
    }

    fn iso(&self, t: &DateTime<Utc>) -> String {
        text::iso(*t)
    }

    fn group(&self, n: &i64) -> String {
        text::group(*n)
    }

    fn group_u(&self, n: &u64) -> String {
        text::group(i64::try_from(*n).unwrap_or(i64::MAX))
    }

    fn state(&self, s: &CardState) -> &'static str {
        match s {
            CardState::Waiting => "waiting",
            CardState::Fresh => "fresh",
            CardState::Stale => "stale",
            CardState::Failing => "failing",
        }
    }
}

/// Renders the page for `view`.
pub fn render(view: &PageView) -> Result<String, askama::Error> {
    PageTemplate {
        v: view,
        assets: assets::Urls::current(),
        version: env!("CARGO_PKG_VERSION"),
    }
    .render()
}

/// `GET /`: the dashboard, never cached (it holds live security data).
pub async fn index(State(s): State<ServerState>) -> Response {
    let view = view::build(&s.app, Utc::now());
    match render(&view) {
        Ok(html) => ([(header::CACHE_CONTROL, "no-store")], Html(html)).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "Dashboard template failed to render");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                "dashboard failed to render",
            )
                .into_response()
        }
    }
}
