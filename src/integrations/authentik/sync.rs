//! Incremental fetch of login events. Authentik has no time filter on events, so we page
//! newest-first and stop at the horizon on the first load, and afterwards at the newest event
//! already held — a steady refresh with nothing new costs exactly one request.

use super::client::{Client, Walk};
use super::records::{LoginRecord, RecordStore};
use crate::integrations::http::UpstreamError;
use chrono::{DateTime, Duration, Utc};

/// Bounds one sync: 2,000 pages × 100 = 200,000 events. A busier install keeps what it read
/// and logs that the window was truncated.
pub const MAX_PAGES: u64 = 2_000;
pub const PAGE_SIZE: u64 = 100;

/// What the integration keeps between refreshes.
#[derive(Debug, Default, Clone)]
pub struct SyncState {
    pub store: RecordStore,
}

/// What one sync did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SyncStats {
    pub pages: u64,
    pub new_records: usize,
    /// The page cap was hit before reaching the horizon or known events.
    pub truncated: bool,
}

/// Fetches events newer than what `state` holds (or back to `now - horizon` when it holds
/// nothing), merges them and prunes what fell out of the horizon. Returns the stats and the
/// records that were new (for persistence).
pub async fn sync(
    client: &Client,
    state: &mut SyncState,
    exact_server_filter: bool,
    horizon: Duration,
    now: DateTime<Utc>,
) -> Result<(SyncStats, Vec<LoginRecord>), UpstreamError> {
    let cutoff = now - horizon;
    let newest = state.store.newest();
    let store = &state.store;
    let mut fresh: Vec<LoginRecord> = Vec::new();
    let mut reached_end = false;
    let pages = client
        .walk_login_events(exact_server_filter, PAGE_SIZE, MAX_PAGES, |events| {
            let mut stop = false;
            for e in &events {
                if e.created < cutoff {
                    stop = true;
                    continue;
                }
                // Known territory: an event we hold that is not newer than our newest.
                if store.contains(&e.pk) && newest.is_some_and(|n| e.created <= n) {
                    stop = true;
                    continue;
                }
                if let Some(r) = LoginRecord::from_event(e) {
                    fresh.push(r);
                }
            }
            if stop {
                reached_end = true;
                Walk::Stop
            } else {
                Walk::Continue
            }
        })
        .await?;
    let truncated = pages >= MAX_PAGES && !reached_end;
    if truncated {
        tracing::warn!(
            pages,
            "login events: page cap reached before the lookback horizon; older events are not shown"
        );
    }
    let mut seen = std::collections::HashSet::new();
    fresh.retain(|r| r.at >= cutoff && !state.store.contains(&r.pk) && seen.insert(r.pk.clone()));
    let added = fresh.clone();
    let new_records = state.store.merge(fresh, cutoff);
    Ok((
        SyncStats {
            pages,
            new_records,
            truncated,
        },
        added,
    ))
}
