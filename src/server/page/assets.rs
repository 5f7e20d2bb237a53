//! The page's CSS, script and icon, compiled into the binary and served at `/assets/{name}`.
//! URLs carry a content hash (`?v=…`): a matching request is cached for a year, anything else
//! revalidates by ETag, so an upgrade never serves a stale script.

use axum::extract::{Path, RawQuery};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

/// One embedded file.
struct Asset {
    name: &'static str,
    content_type: &'static str,
    body: &'static [u8],
}

/// Every embedded asset.
const ASSETS: &[Asset] = &[
    Asset {
        name: "app.css",
        content_type: "text/css; charset=utf-8",
        body: include_bytes!("../../../assets/app.css"),
    },
    Asset {
        name: "app.js",
        content_type: "text/javascript; charset=utf-8",
        body: include_bytes!("../../../assets/app.js"),
    },
    Asset {
        name: "favicon.svg",
        content_type: "image/svg+xml",
        body: include_bytes!("../../../assets/favicon.svg"),
    },
];

use super::text::fingerprint as hash;

fn find(name: &str) -> Option<&'static Asset> {
    ASSETS.iter().find(|a| a.name == name)
}

fn url(name: &str) -> String {
    let a = find(name).expect("asset is embedded");
    format!("/assets/{}?v={}", a.name, hash(a.body))
}

/// Versioned URLs for the template.
pub struct Urls {
    pub css: String,
    pub js: String,
    pub favicon: String,
}

impl Urls {
    pub fn current() -> Urls {
        Urls {
            css: url("app.css"),
            js: url("app.js"),
            favicon: url("favicon.svg"),
        }
    }
}

/// `GET /assets/{name}`.
pub async fn serve(
    Path(name): Path<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    let Some(asset) = find(&name) else {
        return super::super::ApiError::not_found("no such asset").into_response();
    };
    let etag = format!("\"{}\"", hash(asset.body));
    let versioned = query.is_some_and(|q| q == format!("v={}", hash(asset.body)));
    let cache = if versioned {
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    };
    let mut out = if headers
        .get(header::IF_NONE_MATCH)
        .is_some_and(|v| v.as_bytes() == etag.as_bytes())
    {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        (
            [(
                header::CONTENT_TYPE,
                HeaderValue::from_static(asset.content_type),
            )],
            asset.body,
        )
            .into_response()
    };
    let h = out.headers_mut();
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    if let Ok(v) = HeaderValue::from_str(&etag) {
        h.insert(header::ETAG, v);
    }
    out
}
