//! HTTP side: our own accept loop (so a fault can drop a connection unanswered) feeding one axum
//! fallback handler that does Django-like routing, DRF-like auth and the endpoints.

use super::faults::{self, Fault, FaultTable};
use super::query::{self, EventFilter, FieldError, InvalidPage, PageSel};
use super::render;
use super::scenario::{self, Scenario};
use super::RecordedRequest;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::{Duration, DurationRound, Utc};
use hyper_util::rt::TokioIo;
use hyper_util::service::TowerToHyperService;
use serde_json::{json, Value};
use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex, RwLock};
use tokio::net::TcpListener;
use tokio::sync::{watch, Notify};

/// State shared by the server task, the handle and the simulation.
pub(crate) struct Shared {
    pub scenario: RwLock<Scenario>,
    pub requests: Mutex<Vec<RecordedRequest>>,
    pub faults: Mutex<FaultTable>,
    pub webhook: Mutex<Option<super::WebhookTarget>>,
}

/// Per-connection kill switch handed to the handler through request extensions.
#[derive(Clone)]
struct ConnKill(Arc<Notify>);

pub(crate) async fn serve(
    listener: TcpListener,
    shared: Arc<Shared>,
    mut shutdown: watch::Receiver<bool>,
) {
    let router = super::control::routes().fallback(handle).with_state(shared);
    loop {
        let stream = tokio::select! {
            r = listener.accept() => match r {
                Ok((stream, _)) => stream,
                Err(e) => {
                    tracing::debug!(error = %e, "fake authentik: accept failed");
                    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
                    continue;
                }
            },
            _ = shutdown.changed() => break,
        };
        let _ = stream.set_nodelay(true);
        let kill = Arc::new(Notify::new());
        let svc = TowerToHyperService::new(router.clone());
        let kill_for_req = kill.clone();
        let service =
            hyper::service::service_fn(move |mut req: hyper::Request<hyper::body::Incoming>| {
                req.extensions_mut().insert(ConnKill(kill_for_req.clone()));
                hyper::service::Service::call(&svc, req)
            });
        let mut conn_shutdown = shutdown.clone();
        tokio::spawn(async move {
            let conn = hyper::server::conn::http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service);
            tokio::pin!(conn);
            tokio::select! {
                _ = conn.as_mut() => {}
                // Dropping the connection closes the socket with no response written.
                _ = kill.notified() => {}
                _ = conn_shutdown.changed() => {
                    conn.as_mut().graceful_shutdown();
                    let _ = tokio::time::timeout(std::time::Duration::from_secs(1), conn).await;
                }
            }
        });
    }
}

fn json_response(status: StatusCode, v: &Value) -> Response {
    (
        status,
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        serde_json::to_string(v).expect("serialisable"),
    )
        .into_response()
}

fn detail(status: StatusCode, msg: &str) -> Response {
    json_response(status, &json!({ "detail": msg }))
}

/// A handler result before faults are applied: status + JSON.
struct Answer {
    status: StatusCode,
    body: Value,
}

impl Answer {
    fn ok(body: Value) -> Answer {
        Answer {
            status: StatusCode::OK,
            body,
        }
    }
    fn detail(status: StatusCode, msg: &str) -> Answer {
        Answer {
            status,
            body: json!({ "detail": msg }),
        }
    }
    fn forbidden() -> Answer {
        Answer::detail(
            StatusCode::FORBIDDEN,
            "You do not have permission to perform this action.",
        )
    }
    fn invalid_page() -> Answer {
        Answer::detail(StatusCode::NOT_FOUND, "Invalid page.")
    }
    fn field_error(e: FieldError) -> Answer {
        Answer {
            status: StatusCode::BAD_REQUEST,
            body: json!({ e.field: [e.message] }),
        }
    }
}

impl From<InvalidPage> for Answer {
    fn from(_: InvalidPage) -> Self {
        Answer::invalid_page()
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Route {
    Me,
    Version,
    Users,
    Groups,
    Sessions,
    Events,
    EventsVolume,
    Reputation,
}

impl Route {
    fn is_paginated(self) -> bool {
        !matches!(self, Route::Me | Route::Version | Route::EventsVolume)
    }
}

fn route(rest: &str) -> Option<Route> {
    Some(match rest {
        "core/users/me/" => Route::Me,
        "admin/version/" => Route::Version,
        "core/users/" => Route::Users,
        "core/groups/" => Route::Groups,
        "core/authenticated_sessions/" => Route::Sessions,
        "events/events/" => Route::Events,
        "events/events/volume/" => Route::EventsVolume,
        "policies/reputation/scores/" => Route::Reputation,
        _ => return None,
    })
}

async fn handle(State(shared): State<Arc<Shared>>, req: Request) -> Response {
    let path = req.uri().path().to_string();
    let raw_query = req.uri().query().unwrap_or("").to_string();
    let query: Vec<(String, String)> = url::form_urlencoded::parse(raw_query.as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    let authorization = req
        .headers()
        .get(header::AUTHORIZATION)
        .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned());
    shared
        .requests
        .lock()
        .expect("requests lock")
        .push(RecordedRequest {
            method: req.method().to_string(),
            path: path.clone(),
            query: query.clone(),
            authorization: authorization.clone(),
            at: Utc::now(),
        });

    let sub_path = shared
        .scenario
        .read()
        .expect("scenario lock")
        .sub_path
        .clone();
    let prefix = format!("{}/api/v3/", normalise_sub_path(sub_path.as_deref()));
    let Some(rest) = path.strip_prefix(&prefix).map(str::to_string) else {
        return detail(StatusCode::NOT_FOUND, "Not found.");
    };

    let fault = shared
        .faults
        .lock()
        .expect("faults lock")
        .lookup(&path)
        .cloned();
    match &fault {
        Some(Fault::Delay(d)) => tokio::time::sleep(*d).await,
        Some(Fault::ResetConnection) => {
            if let Some(kill) = req.extensions().get::<ConnKill>() {
                kill.0.notify_one();
                std::future::pending::<()>().await;
            }
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        }
        Some(Fault::HtmlErrorPage) => return html(502),
        Some(Fault::Status(code)) => return status_fault(*code),
        _ => {}
    }

    // Django resolves the URL before DRF authenticates: unknown paths are 404 for everyone.
    let Some(r) = route(&rest) else {
        if !rest.ends_with('/') && route(&format!("{rest}/")).is_some() {
            let q = if raw_query.is_empty() {
                String::new()
            } else {
                format!("?{raw_query}")
            };
            return (
                StatusCode::MOVED_PERMANENTLY,
                [(header::LOCATION, format!("{path}/{q}"))],
            )
                .into_response();
        }
        return detail(StatusCode::NOT_FOUND, "Not found.");
    };

    if fault == Some(Fault::EmptyPageClaimsNext) && r.is_paginated() {
        // Any page, even one past the end, is empty and claims a next one.
        let current = match query::parse_page(get(&query, "page")) {
            Ok(PageSel::Number(n)) => n,
            _ => 1,
        };
        let body = json!({
            "pagination": {"next": current + 1, "previous": current - 1, "count": current * 20 + 1,
                           "current": current, "total_pages": current + 1, "start_index": 0, "end_index": 0},
            "results": [],
            "autocomplete": {},
        });
        return json_response(StatusCode::OK, &body);
    }

    let answer = {
        let s = shared.scenario.read().expect("scenario lock");
        match authenticate(&s, authorization.as_deref()) {
            Err(msg) => Answer::detail(StatusCode::FORBIDDEN, msg),
            Ok(()) if req.method() != Method::GET && req.method() != Method::HEAD => {
                Answer::detail(
                    StatusCode::METHOD_NOT_ALLOWED,
                    &format!("Method \"{}\" not allowed.", req.method()),
                )
            }
            Ok(()) => dispatch(&s, r, &query),
        }
    };
    apply_body_fault(answer, fault.as_ref())
}

fn normalise_sub_path(p: Option<&str>) -> String {
    match p.map(|p| p.trim_matches('/')) {
        Some(p) if !p.is_empty() => format!("/{p}"),
        _ => String::new(),
    }
}

/// Base path (sub-path, no trailing slash) of a scenario, for `base_url`.
pub(crate) fn base_path(s: &Scenario) -> String {
    normalise_sub_path(s.sub_path.as_deref())
}

fn html(status: u16) -> Response {
    let code = StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_GATEWAY);
    (
        code,
        [(header::CONTENT_TYPE, "text/html")],
        faults::html_error_page(status),
    )
        .into_response()
}

fn status_fault(code: u16) -> Response {
    if matches!(code, 502..=504) {
        return html(code);
    }
    let status = StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut resp = detail(status, faults::reason(code));
    if code == 429 {
        resp.headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
    }
    resp
}

fn apply_body_fault(a: Answer, fault: Option<&Fault>) -> Response {
    let body = match fault {
        Some(Fault::WrongTypes) if a.status.is_success() => faults::wrong_types(a.body),
        _ => a.body,
    };
    let text = serde_json::to_string(&body).expect("serialisable");
    let text = match fault {
        Some(Fault::MalformedJson) => faults::malformed(&text),
        Some(Fault::TruncatedJson) => faults::truncated(&text),
        _ => text,
    };
    let mut resp = Response::new(Body::from(text));
    *resp.status_mut() = a.status;
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    resp
}

/// authentik's `validate_auth` + token lookup, with its exact messages (API.md §1).
fn authenticate(s: &Scenario, header: Option<&str>) -> Result<(), &'static str> {
    let raw = header.unwrap_or("").trim();
    if raw.is_empty() {
        return Err("Authentication credentials were not provided.");
    }
    let (scheme, credentials) = raw.split_once(' ').unwrap_or((raw, ""));
    if !scheme.eq_ignore_ascii_case("bearer") {
        return Err("Unsupported authentication type");
    }
    let token = credentials.trim();
    if token.is_empty() {
        return Err("Malformed header");
    }
    let active = s.token_user().is_some_and(|u| u.is_active);
    if token != s.token || !active {
        return Err("Token invalid/expired");
    }
    Ok(())
}

fn get<'a>(q: &'a [(String, String)], key: &str) -> Option<&'a str> {
    q.iter()
        .rev()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
}

fn all<'a>(q: &'a [(String, String)], key: &'a str) -> impl Iterator<Item = &'a str> + 'a {
    q.iter()
        .filter(move |(k, _)| k == key)
        .map(|(_, v)| v.as_str())
        .filter(|v| !v.is_empty())
}

/// django-filter's BooleanFilter: unknown values are ignored.
fn parse_bool(v: Option<&str>) -> Option<bool> {
    match v? {
        "true" | "True" | "1" => Some(true),
        "false" | "False" | "0" => Some(false),
        _ => None,
    }
}

fn page_params(s: &Scenario, q: &[(String, String)]) -> Result<(PageSel, usize), InvalidPage> {
    let page = query::parse_page(get(q, "page"))?;
    let size = query::parse_page_size(get(q, "page_size"), s.default_page_size, s.max_page_size);
    Ok((page, size))
}

/// Paginates an already filtered+ordered in-memory list and renders only the page.
fn page_of<T>(
    s: &Scenario,
    q: &[(String, String)],
    rows: &[T],
    render: impl Fn(&T) -> Value,
    autocomplete: Value,
) -> Answer {
    let (page, size) = match page_params(s, q) {
        Ok(x) => x,
        Err(e) => return e.into(),
    };
    match query::paginate(rows.len(), page, size) {
        Ok((p, range)) => Answer::ok(render::paginated(
            s,
            p,
            rows[range].iter().map(render).collect(),
            autocomplete,
        )),
        Err(e) => e.into(),
    }
}

fn dispatch(s: &Scenario, r: Route, q: &[(String, String)]) -> Answer {
    let me = s.token_user().expect("authenticated token user exists");
    match r {
        Route::Me => Answer::ok(render::session_user(s, me)),
        Route::Version => Answer::ok(render::version(s)),
        Route::Users => users(s, q),
        Route::Groups => groups(s, q),
        Route::Sessions => sessions(s, q),
        Route::Events => events(s, q),
        Route::EventsVolume => volume(s, q),
        Route::Reputation => reputation(s, q),
    }
}

const USER_TYPES: &[&str] = &[
    "internal",
    "external",
    "service_account",
    "internal_service_account",
];

fn users(s: &Scenario, q: &[(String, String)]) -> Answer {
    if !s.has_perm(scenario::PERM_VIEW_USER) {
        return Answer::forbidden();
    }
    let types: Vec<&str> = all(q, "type").collect();
    if let Some(bad) = types.iter().find(|t| !USER_TYPES.contains(t)) {
        return Answer::field_error(FieldError::invalid_choice("type", bad));
    }
    let is_active = parse_bool(get(q, "is_active"));
    let is_superuser = parse_bool(get(q, "is_superuser"));
    let username = get(q, "username").filter(|v| !v.is_empty());
    let include_groups = parse_bool(get(q, "include_groups")).unwrap_or(true);
    let mut rows: Vec<&scenario::User> = s
        .users
        .iter()
        .filter(|u| is_active.is_none_or(|a| u.is_active == a))
        .filter(|u| is_superuser.is_none_or(|a| u.is_superuser == a))
        .filter(|u| types.is_empty() || types.contains(&u.user_type.as_str()))
        .filter(|u| username.is_none_or(|n| u.username == n))
        .collect();
    match get(q, "ordering") {
        Some("pk") => rows.sort_by_key(|u| u.pk),
        Some("-pk") => rows.sort_by_key(|u| std::cmp::Reverse(u.pk)),
        Some("-username") => rows.sort_by(|a, b| b.username.cmp(&a.username)),
        _ => rows.sort_by(|a, b| a.username.cmp(&b.username)),
    }
    page_of(
        s,
        q,
        &rows,
        |u| render::user(s, u, include_groups),
        json!({}),
    )
}

fn groups(s: &Scenario, q: &[(String, String)]) -> Answer {
    if !s.has_perm(scenario::PERM_VIEW_GROUP) {
        return Answer::forbidden();
    }
    let include_users = parse_bool(get(q, "include_users")).unwrap_or(true);
    let name = get(q, "name").filter(|v| !v.is_empty());
    let mut rows: Vec<&scenario::Group> = s
        .groups
        .iter()
        .filter(|g| name.is_none_or(|n| g.name == n))
        .collect();
    rows.sort_by(|a, b| a.name.cmp(&b.name));
    page_of(
        s,
        q,
        &rows,
        |g| render::group(s, g, include_users),
        json!({}),
    )
}

fn sessions(s: &Scenario, q: &[(String, String)]) -> Answer {
    // Without the permission authentik filters to the caller's own sessions (no 403).
    let own_only = !s.has_perm(scenario::PERM_VIEW_SESSION);
    let names: HashMap<i64, &str> = s
        .users
        .iter()
        .map(|u| (u.pk, u.username.as_str()))
        .collect();
    let by_username = get(q, "user__username").filter(|v| !v.is_empty());
    let mut rows: Vec<&scenario::Session> = s
        .sessions
        .iter()
        .filter(|x| !own_only || x.user == s.token_user_pk)
        .filter(|x| by_username.is_none_or(|n| names.get(&x.user) == Some(&n)))
        .collect();
    rows.sort_by(|a, b| {
        names
            .get(&a.user)
            .cmp(&names.get(&b.user))
            .then(b.last_used.cmp(&a.last_used))
    });
    page_of(s, q, &rows, |x| render::session(x), json!({}))
}

fn events(s: &Scenario, q: &[(String, String)]) -> Answer {
    if !s.has_perm(scenario::PERM_VIEW_EVENT) {
        return Answer::forbidden();
    }
    let filter = match EventFilter::from_query(q, s.supports_actions_filter) {
        Ok(f) => f,
        Err(e) => return Answer::field_error(e),
    };
    let (page, size) = match page_params(s, q) {
        Ok(x) => x,
        Err(e) => return e.into(),
    };
    match query::select_events(&s.events, &filter, page, size) {
        Ok((p, items)) => {
            let ctx = render::EventCtx::new(s);
            let results = items.into_iter().map(|e| render::event(&ctx, e)).collect();
            Answer::ok(render::paginated(
                s,
                p,
                results,
                render::events_autocomplete(),
            ))
        }
        Err(e) => e.into(),
    }
}

/// `volume/`: counts per (6-hour bucket, action) over `history_days` (default 7, max 60).
fn volume(s: &Scenario, q: &[(String, String)]) -> Answer {
    if !s.has_perm(scenario::PERM_VIEW_EVENT) {
        return Answer::forbidden();
    }
    let filter = match EventFilter::from_query(q, s.supports_actions_filter) {
        Ok(f) => f,
        Err(e) => return Answer::field_error(e),
    };
    let days = get(q, "history_days")
        .and_then(|d| d.parse::<i64>().ok())
        .unwrap_or(7)
        .clamp(1, 60);
    let since = s.now - Duration::days(days);
    let start = s.events.partition_point(|e| e.created < since);
    let mut buckets: BTreeMap<(chrono::DateTime<Utc>, &str), u64> = BTreeMap::new();
    for e in s.events[start..].iter().filter(|e| filter.matches(e)) {
        let t = e
            .created
            .duration_trunc(Duration::hours(6))
            .unwrap_or(e.created);
        *buckets.entry((t, &*e.action)).or_default() += 1;
    }
    let rows: Vec<Value> = buckets
        .into_iter()
        .map(|((t, a), n)| json!({"action": a, "time": t.format("%Y-%m-%dT%H:%M:%SZ").to_string(), "count": n}))
        .collect();
    Answer::ok(Value::Array(rows))
}

/// `policies/reputation/scores/`: −1 per failure, +1 per success per (typed name, IP) over the
/// last 24 h, clamped to −5…+5 like 2025.4+.
fn reputation(s: &Scenario, q: &[(String, String)]) -> Answer {
    if !s.has_perm(scenario::PERM_VIEW_REPUTATION) {
        return Answer::forbidden();
    }
    let since = s.now - Duration::hours(24);
    let start = s.events.partition_point(|e| e.created < since);
    let mut scores: BTreeMap<(&str, std::net::IpAddr), (i64, &scenario::Event)> = BTreeMap::new();
    for e in &s.events[start..] {
        let delta = match &*e.action {
            "login" => 1,
            "login_failed" => -1,
            _ => continue,
        };
        let Some(ip) = e.client_ip else { continue };
        let entry = scores.entry((&*e.username, ip)).or_insert((0, e));
        entry.0 = (entry.0 + delta).clamp(-5, 5);
        entry.1 = e;
    }
    let identifier = get(q, "identifier").filter(|v| !v.is_empty());
    let ip_filter = get(q, "ip").filter(|v| !v.is_empty());
    let mut rows: Vec<(&str, std::net::IpAddr, i64, &scenario::Event)> = scores
        .into_iter()
        .map(|((u, ip), (score, last))| (u, ip, score, last))
        .filter(|(u, ip, _, _)| {
            identifier.is_none_or(|i| i == *u) && ip_filter.is_none_or(|f| f == ip.to_string())
        })
        .collect();
    rows.sort_by_key(|r| r.2);
    page_of(
        s,
        q,
        &rows,
        |(u, ip, score, last)| {
            let geo = last.geo.as_deref();
            json!({
                "pk": scenario::uuid_from(last.id ^ 0x00AE_0000),
                "identifier": u,
                "ip": ip.to_string(),
                "ip_geo_data": geo.map(|g| json!({"lat": g.lat, "city": g.city, "long": g.long, "country": g.country, "continent": g.continent})).unwrap_or(json!({})),
                "ip_asn_data": geo.and_then(|g| g.asn.as_ref()).map(|a| json!({"asn": a.asn, "as_org": a.as_org, "network": a.network})).unwrap_or(json!({})),
                "score": score,
                "updated": render::iso(last.created),
            })
        },
        json!({}),
    )
}
