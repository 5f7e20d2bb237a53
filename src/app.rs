//! Shared application state: the integrations and the latest snapshot of every endpoint.
//! The poller is the only writer; the server reads. Locks are std locks, held briefly and
//! never across `.await`.

use crate::integrations::registry::{Integration, RefreshOutput};
use crate::integrations::EndpointSpec;
use crate::widgets::{Alert, WidgetData, WidgetKind};
use chrono::{DateTime, Utc};
use serde::Serialize;
use std::collections::{HashMap, HashSet};
use std::sync::{Arc, RwLock};
use tokio::sync::watch;

/// The latest known state of one endpoint. Failure is data: the last good payload stays,
/// marked stale, beside the error.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Snapshot {
    /// Last good payload; `None` only before the first successful fetch.
    pub data: Option<WidgetData>,
    /// When `data` was produced.
    pub updated_at: Option<DateTime<Utc>>,
    /// The latest refresh failed, so `data` (if any) is older than it should be.
    pub stale: bool,
    /// The latest refresh's error, for humans.
    pub error: Option<String>,
    /// The latest refresh's error class (`timeout`, `token-rejected`, …).
    pub error_class: Option<String>,
    /// When a refresh was last attempted.
    pub checked_at: Option<DateTime<Utc>>,
}

/// An alert as served across integrations: the banner's alert plus where it came from.
#[derive(Debug, Clone, Serialize)]
pub struct ActiveAlert {
    pub integration: String,
    /// The operator dismissed it (it stays listed; the banner hides it).
    pub acknowledged: bool,
    #[serde(flatten)]
    pub alert: Alert,
}

/// The application: integrations, snapshots, and a change counter for live updates.
pub struct App {
    pub integrations: Vec<Arc<Integration>>,
    pub dashboard: crate::config::DashboardConfig,
    snapshots: RwLock<HashMap<(String, &'static str), Snapshot>>,
    acks: RwLock<HashSet<String>>,
    changes: watch::Sender<u64>,
}

impl App {
    pub fn new(
        integrations: Vec<Integration>,
        dashboard: crate::config::DashboardConfig,
    ) -> Arc<App> {
        let (changes, _) = watch::channel(0);
        Arc::new(App {
            integrations: integrations.into_iter().map(Arc::new).collect(),
            dashboard,
            snapshots: RwLock::default(),
            acks: RwLock::default(),
            changes,
        })
    }

    pub fn integration(&self, id: &str) -> Option<&Arc<Integration>> {
        self.integrations.iter().find(|i| i.id() == id)
    }

    /// Looks up an endpoint spec of an integration.
    pub fn endpoint(&self, id: &str, endpoint: &str) -> Option<EndpointSpec> {
        self.integration(id)?
            .endpoints()
            .iter()
            .find(|e| e.name == endpoint)
            .copied()
    }

    pub fn snapshot(&self, id: &str, endpoint: &'static str) -> Snapshot {
        self.snapshots
            .read()
            .expect("snapshot lock poisoned")
            .get(&(id.to_owned(), endpoint))
            .cloned()
            .unwrap_or_default()
    }

    /// Records a refresh: successes replace data, failures keep it and mark it stale.
    pub fn apply(&self, id: &str, out: RefreshOutput, now: DateTime<Utc>) {
        {
            let mut map = self.snapshots.write().expect("snapshot lock poisoned");
            for (endpoint, result) in out.results {
                let snap = map.entry((id.to_owned(), endpoint)).or_default();
                snap.checked_at = Some(now);
                match result {
                    Ok(data) => {
                        snap.data = Some(data);
                        snap.updated_at = Some(now);
                        snap.stale = false;
                        snap.error = None;
                        snap.error_class = None;
                    }
                    Err(e) => {
                        snap.stale = true;
                        snap.error = Some(e.to_string());
                        snap.error_class = Some(e.class().to_owned());
                    }
                }
            }
        }
        self.changes.send_modify(|n| *n += 1);
    }

    /// A receiver that ticks whenever any snapshot changes (for live updates).
    pub fn subscribe(&self) -> watch::Receiver<u64> {
        self.changes.subscribe()
    }

    /// Every alert on every alert-banner endpoint, loudest first.
    pub fn alerts(&self) -> Vec<ActiveAlert> {
        let mut out = Vec::new();
        for integ in &self.integrations {
            for spec in integ
                .endpoints()
                .iter()
                .filter(|e| e.widget == WidgetKind::AlertBanner)
            {
                if let Some(WidgetData::AlertBanner(b)) = self.snapshot(integ.id(), spec.name).data
                {
                    let acks = self.acks.read().expect("ack lock poisoned");
                    out.extend(b.alerts.into_iter().map(|alert| ActiveAlert {
                        integration: integ.id().to_owned(),
                        acknowledged: acks.contains(&alert.id),
                        alert,
                    }));
                }
            }
        }
        out.sort_by(|a, b| {
            b.alert
                .severity
                .cmp(&a.alert.severity)
                .then(b.alert.ongoing.cmp(&a.alert.ongoing))
                .then(b.alert.last_seen.cmp(&a.alert.last_seen))
        });
        out
    }

    /// Marks alert `id` acknowledged. Returns false when no current alert has that id.
    pub fn acknowledge(&self, id: &str) -> bool {
        if !self.alerts().iter().any(|a| a.alert.id == id) {
            return false;
        }
        self.acks
            .write()
            .expect("ack lock poisoned")
            .insert(id.to_owned());
        self.changes.send_modify(|n| *n += 1);
        true
    }

    /// Health of one integration: `ok` when every endpoint has fresh data, `degraded` when
    /// some are stale, `down` when all failed, `starting` before the first refresh.
    pub fn health(&self, id: &str) -> &'static str {
        let Some(integ) = self.integration(id) else {
            return "unknown";
        };
        let snaps: Vec<Snapshot> = integ
            .endpoints()
            .iter()
            .map(|e| self.snapshot(id, e.name))
            .collect();
        if snaps.iter().all(|s| s.checked_at.is_none()) {
            "starting"
        } else if snaps.iter().all(|s| !s.stale) {
            "ok"
        } else if snaps.iter().all(|s| s.stale) {
            "down"
        } else {
            "degraded"
        }
    }
}
