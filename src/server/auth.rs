//! Access control and CSRF protection, as one middleware in front of every route.
//!
//! Modes (`[server.auth]`): `password` (login form, argon2, HttpOnly SameSite=Strict session
//! cookie, rate-limited attempts), `forward-auth` (a user header trusted only from configured
//! proxy CIDRs), `none`. CSRF: state-changing requests must carry `X-Requested-With` (which a
//! cross-site form cannot send without a CORS preflight we never allow) and, when present, an
//! `Origin` matching `Host`. The webhook route has its own bearer secret.

use super::ServerState;
use crate::config::auth::{AuthConfig, AuthMode};
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::Form;
use rand::RngCore;
use serde::Deserialize;
use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::Mutex;
use std::time::{Duration, Instant};

pub const COOKIE: &str = "lookout_session";
/// The header state-changing requests must carry (any value).
pub const CSRF_HEADER: &str = "x-requested-with";

/// Failed logins allowed per IP within [`LIMIT_WINDOW`] before a lockout…
const PER_IP_FAILURES: usize = 5;
/// …and across all IPs (slows a distributed guesser too).
const GLOBAL_FAILURES: usize = 30;
const LIMIT_WINDOW: Duration = Duration::from_secs(15 * 60);

/// Sessions and the login limiter.
pub struct AuthState {
    pub config: AuthConfig,
    sessions: Mutex<HashMap<String, Instant>>,
    failures: Mutex<Vec<(IpAddr, Instant)>>,
}

impl AuthState {
    pub fn new(config: AuthConfig) -> AuthState {
        AuthState {
            config,
            sessions: Mutex::default(),
            failures: Mutex::default(),
        }
    }

    fn session_valid(&self, token: &str) -> bool {
        let mut sessions = self.sessions.lock().unwrap_or_else(|p| p.into_inner());
        let now = Instant::now();
        sessions.retain(|_, exp| *exp > now);
        sessions.contains_key(token)
    }

    fn new_session(&self) -> String {
        let mut bytes = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut bytes);
        let token: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
        let exp = Instant::now() + self.config.session_lifetime.0;
        self.sessions
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(token.clone(), exp);
        token
    }

    fn end_session(&self, token: &str) {
        self.sessions
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(token);
    }

    /// Seconds to wait before another attempt from `ip`, if it is locked out.
    fn locked_out(&self, ip: IpAddr) -> Option<u64> {
        let mut f = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        let now = Instant::now();
        f.retain(|(_, t)| now.duration_since(*t) < LIMIT_WINDOW);
        let mine: Vec<Instant> = f
            .iter()
            .filter(|(i, _)| *i == ip)
            .map(|(_, t)| *t)
            .collect();
        let oldest_relevant = if mine.len() >= PER_IP_FAILURES {
            mine.first().copied()
        } else if f.len() >= GLOBAL_FAILURES {
            f.first().map(|(_, t)| *t)
        } else {
            None
        };
        oldest_relevant.map(|t| (LIMIT_WINDOW - now.duration_since(t)).as_secs().max(1))
    }

    fn record_failure(&self, ip: IpAddr) {
        self.failures
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push((ip, Instant::now()));
    }
}

fn cookie_value(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == COOKIE)
        .map(|(_, v)| v.to_owned())
}

fn is_public(path: &str, cfg: &AuthConfig) -> bool {
    path == "/login"
        || path.starts_with("/assets/")
        || path.starts_with("/api/v1/hooks/")
        || (path == "/healthz" && cfg.public_healthz)
        || (path == "/metrics" && cfg.public_metrics)
}

/// Rejects cross-site state changes (all modes).
fn csrf_ok(method: &Method, path: &str, headers: &HeaderMap) -> bool {
    if matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
        || path.starts_with("/api/v1/hooks/")
    {
        return true;
    }
    if let (Some(origin), Some(host)) = (headers.get(header::ORIGIN), headers.get(header::HOST)) {
        let origin = origin.to_str().unwrap_or("");
        let host = host.to_str().unwrap_or("");
        let origin_host = origin.split_once("://").map(|(_, h)| h).unwrap_or(origin);
        if origin_host != host {
            return false;
        }
    }
    // The login form is a plain form post (no custom header); its Origin was checked above.
    path == "/login" || headers.contains_key(CSRF_HEADER)
}

/// The middleware.
pub async fn guard(
    State(s): State<ServerState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    req: Request,
    next: Next,
) -> Response {
    let path = req.uri().path().to_owned();
    if !csrf_ok(req.method(), &path, req.headers()) {
        return deny(
            StatusCode::FORBIDDEN,
            "cross-site request refused (CSRF protection)",
        );
    }
    let auth = &s.auth;
    if is_public(&path, &auth.config) {
        return next.run(req).await;
    }
    match auth.config.mode {
        AuthMode::None => next.run(req).await,
        AuthMode::ForwardAuth => {
            let trusted = auth
                .config
                .trusted_proxies
                .iter()
                .any(|n| n.contains(&peer.ip()));
            let user = req
                .headers()
                .get(auth.config.user_header.as_str())
                .and_then(|v| v.to_str().ok())
                .filter(|v| !v.trim().is_empty());
            match (trusted, user) {
                (true, Some(_)) => next.run(req).await,
                (false, _) => deny(
                    StatusCode::FORBIDDEN,
                    "forward-auth: this request did not come through a trusted proxy",
                ),
                (true, None) => deny(
                    StatusCode::UNAUTHORIZED,
                    "forward-auth: no user header from the proxy",
                ),
            }
        }
        AuthMode::Password => {
            let ok = cookie_value(req.headers()).is_some_and(|t| auth.session_valid(&t));
            if ok {
                next.run(req).await
            } else if path.starts_with("/api/") || path == "/metrics" {
                deny(StatusCode::UNAUTHORIZED, "log in first (POST /login)")
            } else {
                Redirect::to("/login").into_response()
            }
        }
    }
}

fn deny(status: StatusCode, message: &str) -> Response {
    (
        status,
        axum::Json(serde_json::json!({ "error": message, "status": status.as_u16() })),
    )
        .into_response()
}

/// `GET /login`: the form (no inline script or style; CSP-clean).
pub async fn login_page(State(s): State<ServerState>) -> Response {
    if s.auth.config.mode != AuthMode::Password {
        return Redirect::to("/").into_response();
    }
    Html(login_html(None)).into_response()
}

fn login_html(error: Option<&str>) -> String {
    let error = error
        .map(|e| format!("<p class=\"login-error\" role=\"alert\">{e}</p>"))
        .unwrap_or_default();
    format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>Lookout — sign in</title><link rel=\"stylesheet\" href=\"/assets/app.css\"></head>\
         <body class=\"login\"><main class=\"login-box\"><h1>Lookout</h1>{error}\
         <form method=\"post\" action=\"/login\"><label for=\"password\">Password</label>\
         <input id=\"password\" name=\"password\" type=\"password\" autocomplete=\"current-password\" required autofocus>\
         <button type=\"submit\">Sign in</button></form></main></body></html>"
    )
}

#[derive(Deserialize)]
pub struct LoginForm {
    password: String,
}

/// `POST /login`: checks the password (argon2, off the async threads), rate-limited per IP
/// and globally.
pub async fn login(
    State(s): State<ServerState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Form(form): Form<LoginForm>,
) -> Response {
    let auth = s.auth.clone();
    if auth.config.mode != AuthMode::Password {
        return Redirect::to("/").into_response();
    }
    if let Some(wait) = auth.locked_out(peer.ip()) {
        tracing::warn!(ip = %peer.ip(), "dashboard login rate-limited");
        let mut r = (
            StatusCode::TOO_MANY_REQUESTS,
            Html(login_html(Some("Too many attempts; try again later."))),
        )
            .into_response();
        r.headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(wait));
        return r;
    }
    let hash = auth.config.password_hash.clone().unwrap_or_default();
    let password = form.password;
    let ok = tokio::task::spawn_blocking(move || verify(&hash, &password))
        .await
        .unwrap_or(false);
    if !ok {
        auth.record_failure(peer.ip());
        tracing::warn!(ip = %peer.ip(), "dashboard login failed");
        return (
            StatusCode::UNAUTHORIZED,
            Html(login_html(Some("Wrong password."))),
        )
            .into_response();
    }
    let token = auth.new_session();
    let secure = auth.config.secure_cookies
        || headers
            .get("x-forwarded-proto")
            .is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"https"));
    let cookie = format!(
        "{COOKIE}={token}; Path=/; HttpOnly; SameSite=Strict; Max-Age={}{}",
        auth.config.session_lifetime.0.as_secs(),
        if secure { "; Secure" } else { "" }
    );
    let mut r = Redirect::to("/").into_response();
    *r.status_mut() = StatusCode::SEE_OTHER;
    r.headers_mut().insert(
        header::SET_COOKIE,
        HeaderValue::from_str(&cookie).expect("cookie is ASCII"),
    );
    r
}

/// `POST /logout`.
pub async fn logout(State(s): State<ServerState>, headers: HeaderMap) -> Response {
    if let Some(t) = cookie_value(&headers) {
        s.auth.end_session(&t);
    }
    let mut r = Redirect::to("/login").into_response();
    *r.status_mut() = StatusCode::SEE_OTHER;
    r.headers_mut().insert(
        header::SET_COOKIE,
        HeaderValue::from_static("lookout_session=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0"),
    );
    r
}

/// Verifies `password` against an argon2 PHC `hash`.
pub fn verify(hash: &str, password: &str) -> bool {
    use argon2::password_hash::{PasswordHash, PasswordVerifier};
    PasswordHash::new(hash)
        .map(|h| {
            argon2::Argon2::default()
                .verify_password(password.as_bytes(), &h)
                .is_ok()
        })
        .unwrap_or(false)
}

/// Makes an argon2id PHC hash for the config (`lookout hash-password`).
pub fn hash_password(password: &str) -> String {
    use argon2::password_hash::{PasswordHasher, SaltString};
    let salt = SaltString::generate(&mut rand::rngs::OsRng);
    argon2::Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .expect("argon2 with default params cannot fail")
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_verify_and_wrong_passwords_do_not() {
        let h = hash_password("correct horse");
        assert!(verify(&h, "correct horse"));
        assert!(!verify(&h, "wrong"));
        assert!(!verify("not a hash", "x"));
    }

    #[test]
    fn csrf_needs_the_custom_header_and_a_matching_origin() {
        let mut h = HeaderMap::new();
        assert!(csrf_ok(&Method::GET, "/api/v1/alerts", &h));
        assert!(!csrf_ok(&Method::POST, "/api/v1/alerts/x/ack", &h));
        h.insert(CSRF_HEADER, HeaderValue::from_static("lookout"));
        assert!(csrf_ok(&Method::POST, "/api/v1/alerts/x/ack", &h));
        h.insert(header::HOST, HeaderValue::from_static("dash.example.com"));
        h.insert(
            header::ORIGIN,
            HeaderValue::from_static("https://evil.example"),
        );
        assert!(!csrf_ok(&Method::POST, "/api/v1/alerts/x/ack", &h));
        h.insert(
            header::ORIGIN,
            HeaderValue::from_static("https://dash.example.com"),
        );
        assert!(csrf_ok(&Method::POST, "/api/v1/alerts/x/ack", &h));
        assert!(csrf_ok(
            &Method::POST,
            "/api/v1/hooks/authentik/sso",
            &HeaderMap::new()
        ));
    }

    #[test]
    fn five_failures_from_one_ip_lock_it_out_but_not_others() {
        let s = AuthState::new(AuthConfig::none());
        let ip: IpAddr = "192.0.2.1".parse().unwrap();
        for _ in 0..PER_IP_FAILURES {
            assert!(s.locked_out(ip).is_none());
            s.record_failure(ip);
        }
        assert!(s.locked_out(ip).is_some());
        assert!(s.locked_out("192.0.2.2".parse().unwrap()).is_none());
    }

    #[test]
    fn sessions_are_random_and_end_on_logout() {
        let s = AuthState::new(AuthConfig::none());
        let a = s.new_session();
        let b = s.new_session();
        assert_ne!(a, b);
        assert_eq!(a.len(), 64);
        assert!(s.session_valid(&a));
        s.end_session(&a);
        assert!(!s.session_valid(&a));
        assert!(s.session_valid(&b));
    }
}
