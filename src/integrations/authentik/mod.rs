//! The Authentik integration: sessions, login events, brute-force alerts and user statistics
//! from Authentik's API v3 (2023.x–2026.x).
//!
//! `config` (schema) → `client` (I/O over `wire` types) → `records` (incremental store) →
//! `transform` (pure payloads). `sync` holds the incremental fetch; `check` the connection test.

pub mod check;
pub mod client;
pub mod config;
pub mod records;
pub mod sync;
pub mod transform;
pub mod wire;

pub use config::Config;

use crate::integrations::http::{RequestStats, Upstream, UpstreamError};
use crate::integrations::registry::{BuildContext, RefreshOutput};
use crate::integrations::{ConnectionReport, EndpointSpec};
use crate::metrics::{LoginLabels, Metrics};
use crate::storage::Storage;
use crate::widgets::{WidgetData, WidgetKind};
use chrono::{DateTime, Utc};
use client::Client;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Authentik's endpoints. Names and widget kinds are a contract.
pub const ENDPOINTS: &[EndpointSpec] = &[
    EndpointSpec {
        name: "sessions",
        widget: WidgetKind::StatCard,
        title: "Active sessions",
    },
    EndpointSpec {
        name: "login-events",
        widget: WidgetKind::List,
        title: "Logins",
    },
    EndpointSpec {
        name: "security-alerts",
        widget: WidgetKind::AlertBanner,
        title: "Security alerts",
    },
    EndpointSpec {
        name: "user-stats",
        widget: WidgetKind::StatCard,
        title: "Users",
    },
];

/// A live Authentik integration. Only the poller calls `refresh`, so the state mutex is never
/// contended; `test_connection` does not touch it.
pub struct Authentik {
    id: String,
    cfg: Config,
    client: Client,
    storage: Option<Arc<Storage>>,
    metrics: Arc<Metrics>,
    state: tokio::sync::Mutex<State>,
}

#[derive(Default)]
struct State {
    sync: sync::SyncState,
    /// Stored records were loaded (once, at the first refresh).
    restored: bool,
    version: Option<String>,
    counts: Option<Result<transform::Counts, UpstreamError>>,
    /// User pk → username from the last users page, to name session holders.
    usernames: std::collections::HashMap<i64, String>,
    sessions: Option<Result<WidgetData, UpstreamError>>,
    counts_at: Option<Instant>,
    /// Kept between refreshes so detection reuses its buffers.
    detector: crate::detector::Detector,
}

impl Authentik {
    pub fn new(id: &str, cfg: Config, ctx: &BuildContext) -> Result<Authentik, String> {
        let stats = RequestStats::registered(&ctx.metrics, id);
        let up = Upstream::new(cfg.api_base(), cfg.token.clone(), &cfg.http, stats)?;
        if cfg.http.insecure_skip_verify {
            tracing::warn!(
                integration = id,
                "TLS certificate verification is DISABLED (http.insecure-skip-verify); \
                 anyone on the network path can read the API token"
            );
        }
        Ok(Authentik {
            id: id.to_owned(),
            cfg,
            client: Client::new(up),
            storage: ctx.storage.clone(),
            metrics: ctx.metrics.clone(),
            state: tokio::sync::Mutex::default(),
        })
    }

    pub fn id(&self) -> &str {
        &self.id
    }

    pub fn client(&self) -> &Client {
        &self.client
    }

    pub fn webhook_secret(&self) -> Option<&secrecy::SecretString> {
        self.cfg.webhook_secret.as_ref()
    }

    pub fn refresh_interval(&self) -> Duration {
        self.cfg.refresh.0
    }

    /// One refresh: incremental events, counts when due, then every payload recomputed.
    pub async fn refresh(&self, now: DateTime<Utc>) -> RefreshOutput {
        let mut st = self.state.lock().await;
        if st.version.is_none() {
            match self.client.version().await {
                Ok(v) => st.version = Some(v.version_current),
                Err(e) => tracing::debug!(integration = %self.id, error = %e, "version unknown"),
            }
        }
        let exact = st
            .version
            .as_deref()
            .is_some_and(client::supports_exact_actions);
        let settings = self.cfg.detector_settings();
        let horizon = records::horizon(settings.lookback);
        if !st.restored {
            st.restored = true;
            self.restore(&mut st.sync, now - horizon).await;
        }
        let events = sync::sync(&self.client, &mut st.sync, exact, horizon, now).await;
        match &events {
            Ok((stats, added)) => {
                tracing::debug!(integration = %self.id, pages = stats.pages, new = stats.new_records, "events refreshed");
                self.count_logins(added);
                self.persist(added.clone(), now - horizon).await;
            }
            Err(e) => tracing::warn!(integration = %self.id, error = %e, "events refresh failed"),
        }

        let due = st
            .counts_at
            .is_none_or(|t| t.elapsed() + Duration::from_millis(500) >= self.cfg.counts_refresh.0);
        if due {
            st.counts_at = Some(Instant::now());
            let counts = self.fetch_counts().await;
            st.counts = Some(counts.map(|(c, names)| {
                st.usernames = names;
                c
            }));
            st.sessions = Some(self.fetch_sessions(&st.usernames, now).await);
        }

        let st = &mut *st;
        let records = st.sync.store.records();
        let limit = self.cfg.extra.login_events.limit as usize;
        let events_ok = events.as_ref().map(|_| ()).map_err(Clone::clone);
        let login_events = events_ok
            .clone()
            .map(|_| WidgetData::List(transform::login_list(records, limit, &settings, now)));
        let alerts = events_ok.clone().map(|_| {
            WidgetData::AlertBanner(transform::security_alerts_with(
                &mut st.detector,
                records,
                &settings,
                now,
            ))
        });
        let user_stats = match (&st.counts, events_ok) {
            (Some(Ok(c)), Ok(())) => Ok(WidgetData::StatCard(transform::user_stats_card(
                *c, records, now,
            ))),
            (Some(Err(e)), _) => Err(e.clone()),
            (_, Err(e)) => Err(e),
            (None, _) => Err(UpstreamError::Protocol {
                endpoint: client::USERS.into(),
                detail: "counts not fetched yet".into(),
            }),
        };
        let sessions = st.sessions.clone().unwrap_or_else(|| {
            Err(UpstreamError::Protocol {
                endpoint: client::SESSIONS.into(),
                detail: "not fetched yet".into(),
            })
        });
        RefreshOutput {
            results: vec![
                ("sessions", sessions),
                ("login-events", login_events),
                ("security-alerts", alerts),
                ("user-stats", user_stats),
            ],
        }
    }

    fn count_logins(&self, added: &[records::LoginRecord]) {
        let failures = added.iter().filter(|r| !r.success).count() as u64;
        for (result, n) in [
            ("success", added.len() as u64 - failures),
            ("failure", failures),
        ] {
            self.metrics
                .logins_seen
                .get_or_create(&LoginLabels {
                    integration: self.id.clone(),
                    result: result.into(),
                })
                .inc_by(n);
        }
    }

    /// Loads the records kept from the previous run, so a restart continues incrementally.
    async fn restore(&self, sync: &mut sync::SyncState, cutoff: DateTime<Utc>) {
        let Some(storage) = self.storage.clone() else {
            return;
        };
        let id = self.id.clone();
        let loaded = tokio::task::spawn_blocking(move || storage.load_records(&id, cutoff)).await;
        match loaded {
            Ok(Ok(rows)) => {
                let records: Vec<records::LoginRecord> = rows
                    .iter()
                    .filter_map(|r| serde_json::from_str(r).ok())
                    .collect();
                tracing::info!(integration = %self.id, records = records.len(), "restored login records");
                sync.store.merge(records, cutoff);
            }
            Ok(Err(e)) => {
                tracing::warn!(integration = %self.id, error = %e, "cannot restore login records")
            }
            Err(e) => tracing::warn!(integration = %self.id, error = %e, "restore task failed"),
        }
    }

    /// Saves newly fetched records (and drops expired ones) off the async threads.
    async fn persist(&self, added: Vec<records::LoginRecord>, cutoff: DateTime<Utc>) {
        let Some(storage) = self.storage.clone() else {
            return;
        };
        let id = self.id.clone();
        let rows: Vec<_> = added.into_iter().map(|r| (r.pk.clone(), r.at, r)).collect();
        let res =
            tokio::task::spawn_blocking(move || storage.save_records(&id, &rows, cutoff)).await;
        if let Ok(Err(e)) = res {
            tracing::warn!(integration = %self.id, error = %e, "cannot save login records");
        }
    }

    /// One request: the first page of sessions gives the count and a sample for distinct users.
    async fn fetch_sessions(
        &self,
        names: &std::collections::HashMap<i64, String>,
        now: DateTime<Utc>,
    ) -> Result<WidgetData, UpstreamError> {
        let q = [
            ("page", "1".to_string()),
            ("page_size", client::MAX_PAGE_SIZE.to_string()),
        ];
        let page: wire::Page<wire::Session> = self.client.get(client::SESSIONS, &q).await?;
        Ok(WidgetData::StatCard(transform::sessions_card(
            page.pagination.count,
            &page.results,
            names,
            now,
        )))
    }

    /// Three requests: the first page of users (its count is the total; its names, most recent
    /// logins first, label session holders), then `page_size=1` counts of active users and groups.
    async fn fetch_counts(
        &self,
    ) -> Result<(transform::Counts, std::collections::HashMap<i64, String>), UpstreamError> {
        let users_q = [
            ("include_groups", "false".to_string()),
            ("ordering", "-last_login".to_string()),
            ("page", "1".to_string()),
            ("page_size", client::MAX_PAGE_SIZE.to_string()),
        ];
        let active_q = [
            ("include_groups", "false".to_string()),
            ("is_active", "true".to_string()),
        ];
        let groups_q = [("include_users", "false".to_string())];
        let (users, active, groups) = tokio::join!(
            self.client
                .get::<wire::Page<wire::UserRef>>(client::USERS, &users_q),
            self.client.count(client::USERS, &active_q),
            self.client.count(client::GROUPS, &groups_q),
        );
        let users = users?;
        let names = users
            .results
            .into_iter()
            .map(|u| (u.pk, u.username))
            .collect();
        let counts = transform::Counts {
            users: users.pagination.count,
            active_users: active?,
            groups: groups?,
        };
        Ok((counts, names))
    }

    pub async fn test_connection(&self) -> ConnectionReport {
        check::test_connection(&self.client).await
    }
}
