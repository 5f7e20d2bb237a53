//! `POST /api/v1/alerts/{id}/ack`: dismiss an alert from the banner. The page posts it with
//! `fetch` (JSON answer) or, without script, as a plain form (answered with a redirect back).
//! Cross-site posts are refused, so another site cannot silently dismiss an attack's alert.

use crate::integrations::http::sanitize;
use crate::server::{ApiError, ServerState};
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Json;
use serde_json::json;

pub async fn acknowledge(
    State(s): State<ServerState>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    if !same_origin(&headers) {
        return ApiError::new(StatusCode::FORBIDDEN, "cross-site request refused").into_response();
    }
    match s.app.acknowledge(&id) {
        Ok(true) => {}
        Ok(false) => {
            return ApiError::not_found(format!("no current alert {:?}", sanitize(&id, 80)))
                .into_response()
        }
        Err(e) => {
            tracing::error!(alert = %sanitize(&id, 80), error = %e, "Acknowledgement not saved");
            return ApiError::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                format!("acknowledgement not saved: {e}"),
            )
            .into_response();
        }
    }
    if wants_html(&headers) {
        return Redirect::to("/").into_response();
    }
    Json(json!({ "id": id, "acknowledged": true })).into_response()
}

/// A browser says where a request comes from (`Sec-Fetch-Site`, else `Origin`); only the
/// page's own origin may post. Clients that send neither (curl, scripts) are not browsers
/// riding a user's session and are let through.
pub fn same_origin(h: &HeaderMap) -> bool {
    if let Some(site) = h.get("sec-fetch-site") {
        return matches!(site.as_bytes(), b"same-origin" | b"none");
    }
    let Some(origin) = h.get(header::ORIGIN) else {
        return true;
    };
    let host = h.get(header::HOST).and_then(|v| v.to_str().ok());
    let origin_host = origin
        .to_str()
        .ok()
        .and_then(|o| o.split_once("://"))
        .map(|(_, rest)| rest);
    host.is_some() && origin_host == host
}

/// A form post (no script) wants to land back on the page.
fn wants_html(h: &HeaderMap) -> bool {
    let accept = h
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    accept.contains("text/html")
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        pairs
            .iter()
            .map(|(k, v)| {
                (
                    header::HeaderName::from_static(k),
                    HeaderValue::from_static(v),
                )
            })
            .collect()
    }

    #[test]
    fn origin_checks() {
        let cases = [
            (vec![], true),
            (vec![("sec-fetch-site", "same-origin")], true),
            (vec![("sec-fetch-site", "cross-site")], false),
            (vec![("sec-fetch-site", "same-site")], false),
            (
                vec![
                    ("origin", "http://127.0.0.1:8080"),
                    ("host", "127.0.0.1:8080"),
                ],
                true,
            ),
            (
                vec![
                    ("origin", "http://evil.example"),
                    ("host", "127.0.0.1:8080"),
                ],
                false,
            ),
            (vec![("origin", "null"), ("host", "127.0.0.1:8080")], false),
            (vec![("origin", "http://127.0.0.1:8080")], false),
        ];
        for (pairs, want) in cases {
            assert_eq!(same_origin(&headers(&pairs)), want, "{pairs:?}");
        }
    }

    #[test]
    fn forms_get_a_redirect_and_scripts_json() {
        assert!(wants_html(&headers(&[(
            "accept",
            "text/html,application/xhtml+xml"
        )])));
        assert!(!wants_html(&headers(&[("accept", "application/json")])));
        assert!(!wants_html(&headers(&[])));
    }
}
