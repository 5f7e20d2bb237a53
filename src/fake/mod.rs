//! An in-repo fake Authentik (API v3) serving the real 2026.8.5 shapes over HTTP on loopback.
//! Used by integration tests, the contract test against the official client, and `lookout demo`.
//!
//! ```no_run
//! # async fn demo() -> std::io::Result<()> {
//! use lookout::fake::{FakeAuthentik, Scenario, STANDARD};
//! let fake = FakeAuthentik::start(Scenario::standard(chrono::Utc::now())).await?;
//! let url = format!("{}/api/v3/events/events/?actions=login_failed", fake.base_url());
//! // … GET it with `Authorization: Bearer {fake.token()}`; expect STANDARD figures.
//! fake.stop().await;
//! # Ok(()) }
//! ```
//!
//! Behaviour follows the authentik API dossier (`shared/authentik/API.md`): 403 `{"detail"}` auth errors, Django
//! page-number pagination (404 `Invalid page.`), `action` substring vs `actions` exact, and the
//! failed-login `user` variants. Faults ([`Fault`]) simulate proxies and broken upstreams.

pub mod cli;
mod control;
pub mod faults;
pub mod generate;
pub mod query;
pub mod render;
pub mod scenario;
mod server;
pub mod simulate;

pub use faults::Fault;
pub use scenario::{
    Event, GeoInfo, Group, NewEvent, Scenario, Session, StandardFigures, User, UserAgent,
    DEFAULT_TOKEN, STANDARD,
};
pub use simulate::SimulationOptions;

use chrono::{DateTime, Utc};
use server::Shared;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, RwLock};
use tokio::sync::watch;
use tokio::task::JoinHandle;

/// One request as the fake received it (for asserting what a client sent).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordedRequest {
    pub method: String,
    /// Full path including any sub-path, e.g. `/authentik/api/v3/core/users/`.
    pub path: String,
    /// Decoded query pairs in order (repeated keys stay repeated).
    pub query: Vec<(String, String)>,
    /// The `Authorization` header exactly as sent.
    pub authorization: Option<String>,
    pub at: DateTime<Utc>,
}

/// A running fake. Dropping it aborts the server; [`FakeAuthentik::stop`] shuts down gracefully.
pub struct FakeAuthentik {
    addr: SocketAddr,
    shared: Arc<Shared>,
    shutdown: watch::Sender<bool>,
    task: Option<JoinHandle<()>>,
}

impl FakeAuthentik {
    /// Binds 127.0.0.1:0 (random port) and serves `scenario` in a background tokio task.
    pub async fn start(scenario: Scenario) -> std::io::Result<FakeAuthentik> {
        FakeAuthentik::start_on(SocketAddr::from(([127, 0, 0, 1], 0)), scenario).await
    }

    pub async fn start_on(addr: SocketAddr, scenario: Scenario) -> std::io::Result<FakeAuthentik> {
        let mut scenario = scenario;
        scenario.ensure_sorted();
        let listener = tokio::net::TcpListener::bind(addr).await?;
        let addr = listener.local_addr()?;
        let shared = Arc::new(Shared {
            scenario: RwLock::new(scenario),
            requests: Mutex::new(Vec::new()),
            faults: Mutex::new(Default::default()),
            webhook: Mutex::new(None),
        });
        let (shutdown, rx) = watch::channel(false);
        let task = tokio::spawn(server::serve(listener, shared.clone(), rx));
        Ok(FakeAuthentik {
            addr,
            shared,
            shutdown,
            task: Some(task),
        })
    }

    /// Base URL without `/api/v3`, with the sub-path if any; no trailing slash.
    pub fn base_url(&self) -> String {
        let path = server::base_path(&self.shared.scenario.read().expect("scenario lock"));
        format!("http://{}{}", self.addr, path)
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The valid API token.
    pub fn token(&self) -> String {
        self.shared
            .scenario
            .read()
            .expect("scenario lock")
            .token
            .clone()
    }

    /// Every request received so far, in arrival order.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.shared.requests.lock().expect("requests lock").clone()
    }

    pub fn clear_requests(&self) {
        self.shared.requests.lock().expect("requests lock").clear();
    }

    /// Applies `fault` to every API path until [`FakeAuthentik::clear_faults`].
    pub fn set_fault(&self, fault: Fault) {
        self.shared.faults.lock().expect("faults lock").global = Some(fault);
    }

    /// Applies `fault` only to requests whose path contains `path_contains` (newest wins).
    pub fn set_fault_for(&self, path_contains: &str, fault: Fault) {
        self.shared
            .faults
            .lock()
            .expect("faults lock")
            .by_path
            .push((path_contains.to_string(), fault));
    }

    pub fn clear_faults(&self) {
        *self.shared.faults.lock().expect("faults lock") = Default::default();
    }

    /// Appends a live event (`created = ev.at`), resolving the user like authentik would.
    pub fn add_event(&self, ev: NewEvent) {
        add_event(&self.shared, ev);
    }

    /// Delivers a webhook for every new `login_failed` to `target` (None stops it).
    pub fn set_webhook(&self, target: Option<WebhookTarget>) {
        *self.shared.webhook.lock().expect("webhook lock") = target;
    }

    /// Runs `f` on the live scenario (users, sessions, permissions, token, …).
    pub fn with_data<R>(&self, f: impl FnOnce(&mut Scenario) -> R) -> R {
        let mut s = self.shared.scenario.write().expect("scenario lock");
        let r = f(&mut s);
        s.ensure_sorted();
        r
    }

    /// Live traffic on the real clock for `lookout demo`; stops with the fake.
    pub fn spawn_simulation(&self, opts: SimulationOptions) -> JoinHandle<()> {
        simulate::spawn(self.shared.clone(), self.shutdown.subscribe(), opts)
    }

    /// Stops accepting, lets in-flight requests finish (≤ 1 s), then ends the server task.
    pub async fn stop(mut self) {
        let _ = self.shutdown.send(true);
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for FakeAuthentik {
    fn drop(&mut self) {
        let _ = self.shutdown.send(true);
        if let Some(task) = self.task.take() {
            task.abort();
        }
    }
}

pub(crate) fn add_event(shared: &Shared, ev: NewEvent) {
    let hook = (ev.action == "login_failed")
        .then(|| shared.webhook.lock().expect("webhook lock").clone())
        .flatten();
    let username = ev.username.clone();
    {
        let mut s = shared.scenario.write().expect("scenario lock");
        if ev.at > s.now {
            s.now = ev.at;
        }
        s.push_event(ev);
    }
    if let Some(target) = hook {
        control::send_webhook(target, username);
    }
}

/// Where the fake delivers notification webhooks, like an Authentik notification rule with a
/// webhook transport bound to a `login_failed` event matcher.
#[derive(Debug, Clone)]
pub struct WebhookTarget {
    pub url: String,
    /// Sent as `Authorization: Bearer <secret>` (a header mapping in real Authentik).
    pub secret: String,
}
