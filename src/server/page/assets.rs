//! The page's CSS, script modules and icon, compiled into the binary. They are served under a
//! build fingerprint, `/assets/{build}/{name}`, cached for a year (an upgrade changes the
//! fingerprint, so a new page never runs an old script); the script's relative imports land
//! under the same fingerprint. `/assets/{name}` serves the current file, revalidated by ETag.

use super::text::fingerprint;
use axum::extract::Path;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use std::sync::OnceLock;

/// One embedded file.
struct Asset {
    name: &'static str,
    content_type: &'static str,
    body: &'static [u8],
}

const JS: &str = "text/javascript; charset=utf-8";

/// Every embedded asset.
const ASSETS: &[Asset] = &[
    Asset {
        name: "app.css",
        content_type: "text/css; charset=utf-8",
        body: include_bytes!("../../../assets/app.css"),
    },
    Asset {
        name: "app.js",
        content_type: JS,
        body: include_bytes!("../../../assets/app.js"),
    },
    Asset {
        name: "banner.js",
        content_type: JS,
        body: include_bytes!("../../../assets/banner.js"),
    },
    Asset {
        name: "cards.js",
        content_type: JS,
        body: include_bytes!("../../../assets/cards.js"),
    },
    Asset {
        name: "dom.js",
        content_type: JS,
        body: include_bytes!("../../../assets/dom.js"),
    },
    Asset {
        name: "format.js",
        content_type: JS,
        body: include_bytes!("../../../assets/format.js"),
    },
    Asset {
        name: "favicon.svg",
        content_type: "image/svg+xml",
        body: include_bytes!("../../../assets/favicon.svg"),
    },
];

/// The fingerprint of all assets together.
fn build() -> &'static str {
    static BUILD: OnceLock<String> = OnceLock::new();
    BUILD.get_or_init(|| {
        let all: Vec<u8> = ASSETS.iter().flat_map(|a| a.body.iter().copied()).collect();
        fingerprint(&all)
    })
}

fn find(name: &str) -> Option<&'static Asset> {
    ASSETS.iter().find(|a| a.name == name)
}

/// Versioned URLs for the template.
pub struct Urls {
    pub css: String,
    pub js: String,
    pub favicon: String,
}

impl Urls {
    pub fn current() -> Urls {
        let url = |name: &str| format!("/assets/{}/{name}", build());
        Urls {
            css: url("app.css"),
            js: url("app.js"),
            favicon: url("favicon.svg"),
        }
    }
}

/// `GET /assets/{name}`: the current file, revalidated on every use.
pub async fn serve(Path(name): Path<String>, headers: HeaderMap) -> Response {
    respond(&name, false, &headers)
}

/// `GET /assets/{build}/{name}`: immutable when `build` is this build's fingerprint.
pub async fn serve_versioned(
    Path((version, name)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    respond(&name, version == build(), &headers)
}

fn respond(name: &str, immutable: bool, headers: &HeaderMap) -> Response {
    let Some(asset) = find(name) else {
        return crate::server::ApiError::not_found("no such asset").into_response();
    };
    let etag = format!("\"{}\"", fingerprint(asset.body));
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
    let cache = if immutable {
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    };
    let h = out.headers_mut();
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    if let Ok(v) = HeaderValue::from_str(&etag) {
        h.insert(header::ETAG, v);
    }
    out
}
