//! The HTTP server: every route in [`router`], security headers on every response.
//! Handlers answer from snapshots; only the connection test reaches upstream.

mod alerts_api;
mod api;
pub mod auth;
mod error;
mod hooks;
pub mod live;
pub mod page;

pub use error::ApiError;
/// The webhook body classifier and its size cap, public for the fuzz target (`fuzz/`).
pub use hooks::{classify as classify_webhook_body, MAX_BODY as WEBHOOK_MAX_BODY};

use crate::app::App;
use crate::poller::Triggers;
use axum::extract::DefaultBodyLimit;
use axum::http::{header, HeaderName, HeaderValue};
use axum::routing::{get, post};
use axum::Router;
use std::sync::Arc;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;

/// What handlers share.
#[derive(Clone)]
pub struct ServerState {
    pub app: Arc<App>,
    pub triggers: Triggers,
    pub auth: Arc<auth::AuthState>,
}

/// Every route, in one place.
pub fn router(state: ServerState) -> Router {
    let router = Router::new()
        .route("/healthz", get(api::healthz))
        .route("/metrics", get(api::metrics))
        .route("/api/v1/integrations", get(api::integrations))
        .route(
            "/api/v1/integrations/{id}/endpoints/{endpoint}",
            get(api::endpoint),
        )
        .route("/api/v1/integrations/{id}/test", post(api::test_connection))
        .route("/api/v1/alerts", get(api::alerts))
        .route("/api/v1/alerts/history", get(alerts_api::history))
        .route("/api/v1/alerts/{id}/ack", post(alerts_api::ack))
        .route("/api/v1/alerts/{id}/snooze", post(alerts_api::snooze))
        .route(
            "/api/v1/hooks/authentik/{id}",
            post(hooks::authentik).layer(DefaultBodyLimit::max(hooks::MAX_BODY)),
        )
        .route("/", get(page::index))
        .route("/history", get(page::history::page))
        .route("/assets/{name}", get(page::assets::serve))
        .route("/assets/{build}/{name}", get(page::assets::serve_versioned))
        .route(
            "/api/v1/live",
            get(live::live).layer(axum::Extension(Arc::new(live::ViewCache::default()))),
        )
        .route("/login", get(auth::login_page).post(auth::login))
        .route("/logout", post(auth::logout))
        .fallback(api::not_found)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            auth::guard,
        ))
        .layer(
            TraceLayer::new_for_http().make_span_with(|req: &axum::http::Request<_>| {
                let id = req
                    .headers()
                    .get("x-request-id")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("-");
                tracing::debug_span!("request", method = %req.method(), path = %req.uri().path(), request_id = %id)
            }),
        )
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
        .with_state(state);
    with_security_headers(router)
}

/// Strict defaults: no inline script, no framing, no sniffing, no referrer leaks.
const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
                   connect-src 'self'; font-src 'self'; base-uri 'none'; form-action 'self'; \
                   frame-ancestors 'none'";

fn with_security_headers(router: Router) -> Router {
    let headers = [
        (header::CONTENT_SECURITY_POLICY, CSP),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::REFERRER_POLICY, "no-referrer"),
        (HeaderName::from_static("x-frame-options"), "DENY"),
    ];
    headers.into_iter().fold(router, |r, (name, value)| {
        r.layer(SetResponseHeaderLayer::overriding(
            name,
            HeaderValue::from_static(value),
        ))
    })
}
