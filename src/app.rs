//! Shared application state: the integrations and the latest snapshot of every endpoint.
//! The poller is the only writer; the server reads. Locks are std locks, held briefly and
//! never across `.await`.

use crate::integrations::registry::{Integration, RefreshOutput};
use crate::integrations::EndpointSpec;
use crate::metrics::{AlertLabels, EndpointLabels, Metrics};
use crate::storage::{HistoryEntry, Snooze, SnoozeScope, Storage, StorageError};
use crate::widgets::{Alert, WidgetData, WidgetKind};
use axum::body::Bytes;
use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::json;
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
    /// A snooze on its IP or a username silences it for now.
    pub snoozed: bool,
    #[serde(flatten)]
    pub alert: Alert,
}

/// A snapshot as stored: shared (readers clone the `Arc`, not the payload) and with its API
/// body serialised once per refresh rather than once per request.
struct Stored {
    snap: Arc<Snapshot>,
    /// The body of `GET /api/v1/integrations/{id}/endpoints/{endpoint}`.
    body: Bytes,
}

/// Snapshots by integration id, then endpoint name (two levels so a lookup borrows `&str`).
type Snapshots = HashMap<String, HashMap<&'static str, Stored>>;

/// The application: integrations, snapshots, and a change counter for live updates.
pub struct App {
    pub integrations: Vec<Arc<Integration>>,
    pub dashboard: crate::config::DashboardConfig,
    snapshots: RwLock<Snapshots>,
    acks: RwLock<HashSet<String>>,
    snoozes: RwLock<Vec<Snooze>>,
    storage: Option<Arc<Storage>>,
    pub metrics: Arc<Metrics>,
    changes: watch::Sender<u64>,
    closing: watch::Sender<bool>,
}

impl App {
    /// Builds the app; with `storage`, acknowledgements and snoozes are loaded from it.
    pub fn new(
        integrations: Vec<Integration>,
        dashboard: crate::config::DashboardConfig,
        storage: Option<Arc<Storage>>,
        metrics: Arc<Metrics>,
    ) -> Result<Arc<App>, StorageError> {
        let (changes, _) = watch::channel(0);
        let (closing, _) = watch::channel(false);
        let (acks, snoozes) = match &storage {
            Some(s) => (
                s.acknowledged()?.into_iter().collect(),
                s.active_snoozes(Utc::now())?,
            ),
            None => Default::default(),
        };
        Ok(Arc::new(App {
            integrations: integrations.into_iter().map(Arc::new).collect(),
            dashboard,
            snapshots: RwLock::default(),
            acks: RwLock::new(acks),
            snoozes: RwLock::new(snoozes),
            storage,
            metrics,
            changes,
            closing,
        }))
    }

    pub fn storage(&self) -> Option<&Arc<Storage>> {
        self.storage.as_ref()
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

    /// The latest snapshot of an endpoint (empty before its first refresh).
    pub fn snapshot(&self, id: &str, endpoint: &str) -> Arc<Snapshot> {
        self.snapshots
            .read()
            .expect("snapshot lock poisoned")
            .get(id)
            .and_then(|m| m.get(endpoint))
            .map(|s| s.snap.clone())
            .unwrap_or_default()
    }

    /// The JSON body of `GET /api/v1/integrations/{id}/endpoints/{endpoint}` for `spec`,
    /// serialised when the snapshot last changed.
    pub fn endpoint_body(&self, id: &str, spec: EndpointSpec) -> Bytes {
        let cached = self
            .snapshots
            .read()
            .expect("snapshot lock poisoned")
            .get(id)
            .and_then(|m| m.get(spec.name))
            .map(|s| s.body.clone());
        cached.unwrap_or_else(|| endpoint_body(id, spec, &Snapshot::default()))
    }

    /// Records a refresh: successes replace data, failures keep it and mark it stale.
    pub fn apply(&self, id: &str, out: RefreshOutput, now: DateTime<Utc>) {
        {
            let specs = self.integration(id).map(|i| i.endpoints()).unwrap_or(&[]);
            let mut map = self.snapshots.write().expect("snapshot lock poisoned");
            let map = map.entry(id.to_owned()).or_default();
            for (endpoint, result) in out.results {
                let stored = map.entry(endpoint).or_insert_with(|| Stored {
                    snap: Arc::default(),
                    body: Bytes::new(),
                });
                let snap = Arc::make_mut(&mut stored.snap);
                snap.checked_at = Some(now);
                match result {
                    Ok(data) => {
                        if let (WidgetData::AlertBanner(b), Some(storage)) = (&data, &self.storage)
                        {
                            if let Err(e) = storage.record_alerts(id, &b.alerts, now) {
                                tracing::warn!(integration = id, error = %e, "cannot record alert history");
                            }
                        }
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
                let spec = specs.iter().find(|s| s.name == endpoint).copied();
                stored.body = match spec {
                    Some(spec) => endpoint_body(id, spec, &stored.snap),
                    None => Bytes::new(),
                };
            }
        }
        self.update_metrics(id);
        self.changes.send_modify(|n| *n += 1);
    }

    fn update_metrics(&self, id: &str) {
        let m = &self.metrics;
        let Some(integ) = self.integration(id) else {
            return;
        };
        for spec in integ.endpoints() {
            if let Some(t) = self.snapshot(id, spec.name).updated_at {
                let labels = EndpointLabels {
                    integration: id.to_owned(),
                    endpoint: spec.name.to_owned(),
                };
                m.last_success
                    .get_or_create(&labels)
                    .set(t.timestamp_millis() as f64 / 1000.0);
            }
        }
        m.up.get_or_create(&Metrics::integration(id))
            .set(i64::from(self.health(id) == "ok"));
        m.active_alerts.clear();
        for a in self.alerts() {
            let labels = AlertLabels {
                kind: a.alert.kind.clone(),
                severity: format!("{:?}", a.alert.severity).to_lowercase(),
            };
            m.active_alerts.get_or_create(&labels).inc();
        }
    }

    /// A receiver that ticks whenever any snapshot changes (for live updates).
    pub fn subscribe(&self) -> watch::Receiver<u64> {
        self.changes.subscribe()
    }

    /// Asks long-lived responses (the page's live stream) to end, so a graceful shutdown is not
    /// held open by dashboards that never disconnect.
    pub fn close(&self) {
        self.closing.send_replace(true);
    }

    /// Resolves once [`App::close`] has been called.
    pub fn closed(&self) -> impl std::future::Future<Output = ()> + Send + 'static {
        let mut rx = self.closing.subscribe();
        async move {
            let _ = rx.wait_for(|closing| *closing).await;
        }
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
                if let Some(WidgetData::AlertBanner(b)) = &self.snapshot(integ.id(), spec.name).data
                {
                    let acks = self.acks.read().expect("ack lock poisoned");
                    let now = Utc::now();
                    let snoozes = self.snoozes.read().expect("snooze lock poisoned");
                    out.extend(b.alerts.iter().cloned().map(|alert| ActiveAlert {
                        integration: integ.id().to_owned(),
                        acknowledged: acks.contains(&alert.id),
                        snoozed: snoozes.iter().any(|z| z.until > now && z.matches(&alert)),
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

    /// Marks alert `id` acknowledged — durably first when there is storage. Returns
    /// `Ok(false)` when no current alert has that id.
    pub fn acknowledge(&self, id: &str) -> Result<bool, StorageError> {
        if !self.alerts().iter().any(|a| a.alert.id == id) {
            return Ok(false);
        }
        if let Some(s) = &self.storage {
            s.acknowledge(id, Utc::now())?;
        }
        self.acks
            .write()
            .expect("ack lock poisoned")
            .insert(id.to_owned());
        self.changes.send_modify(|n| *n += 1);
        Ok(true)
    }

    /// Silences alerts on `value` (an IP, an IPv6 prefix or a username) for `duration`.
    pub fn snooze(
        &self,
        scope: SnoozeScope,
        value: &str,
        duration: chrono::Duration,
    ) -> Result<Snooze, StorageError> {
        let now = Utc::now();
        let until = now + duration;
        let snooze = match &self.storage {
            Some(s) => s.snooze(scope, value, until, now)?,
            None => Snooze {
                id: 0,
                scope,
                value: value.to_owned(),
                until,
            },
        };
        let mut all = self.snoozes.write().expect("snooze lock poisoned");
        all.retain(|z| z.until > now);
        all.push(snooze.clone());
        drop(all);
        self.changes.send_modify(|n| *n += 1);
        Ok(snooze)
    }

    /// Snoozes in force now.
    pub fn snoozes(&self) -> Vec<Snooze> {
        let now = Utc::now();
        let all = self.snoozes.read().expect("snooze lock poisoned");
        all.iter().filter(|z| z.until > now).cloned().collect()
    }

    /// Alert history from storage (empty without storage).
    pub fn history(
        &self,
        since: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<HistoryEntry>, StorageError> {
        match &self.storage {
            Some(s) => s.history(since, limit),
            None => Ok(Vec::new()),
        }
    }

    /// Health of one integration: `ok` when every endpoint has fresh data, `degraded` when
    /// some are stale, `down` when all failed, `starting` before the first refresh.
    pub fn health(&self, id: &str) -> &'static str {
        let Some(integ) = self.integration(id) else {
            return "unknown";
        };
        let snaps: Vec<Arc<Snapshot>> = integ
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

/// The body of `GET /api/v1/integrations/{id}/endpoints/{endpoint}` (field names are a
/// contract).
fn endpoint_body(id: &str, spec: EndpointSpec, snap: &Snapshot) -> Bytes {
    let body = json!({
        "integration": id,
        "endpoint": spec.name,
        "widget": spec.widget,
        "data": snap.data,
        "updated_at": snap.updated_at,
        "stale": snap.stale,
        "error": snap.error,
        "error_class": snap.error_class,
        "checked_at": snap.checked_at,
    });
    Bytes::from(serde_json::to_vec(&body).expect("a JSON value always serialises"))
}
