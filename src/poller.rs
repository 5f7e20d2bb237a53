//! Background refresh: one task per integration, refreshing on its interval with jitter, and
//! backing off (capped) while upstream fails. The server never calls upstream itself.

use crate::app::App;
use crate::integrations::registry::Integration;
use chrono::Utc;
use rand::Rng;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Notify;

/// Longest wait between tries while an upstream keeps failing.
const MAX_BACKOFF: Duration = Duration::from_secs(300);

/// Shortest gap between two refreshes, however many pokes arrive: pokes coalesce (a `Notify`
/// holds one permit), so a webhook flood costs at most one refresh per gap.
pub const MIN_GAP: Duration = Duration::from_secs(1);

/// Handles to poke pollers (e.g. a webhook asking for an immediate refresh).
#[derive(Clone, Default)]
pub struct Triggers {
    notifies: Vec<(String, Arc<Notify>)>,
}

impl Triggers {
    /// Asks integration `id` to refresh now. Returns false if there is no such integration.
    pub fn poke(&self, id: &str) -> bool {
        match self.notifies.iter().find(|(i, _)| i == id) {
            Some((_, n)) => {
                n.notify_one();
                true
            }
            None => false,
        }
    }
}

/// Starts one refresh task per integration.
pub fn spawn(app: Arc<App>) -> Triggers {
    let mut triggers = Triggers::default();
    for integ in &app.integrations {
        let notify = Arc::new(Notify::new());
        triggers
            .notifies
            .push((integ.id().to_owned(), notify.clone()));
        tokio::spawn(run(app.clone(), integ.clone(), notify));
    }
    triggers
}

async fn run(app: Arc<App>, integ: Arc<Integration>, notify: Arc<Notify>) {
    let interval = integ.refresh_interval();
    let mut failures = 0u32;
    loop {
        let out = integ.refresh(Utc::now()).await;
        let all_failed = !out.results.is_empty() && out.results.iter().all(|(_, r)| r.is_err());
        app.apply(integ.id(), out, Utc::now());
        failures = if all_failed { failures + 1 } else { 0 };
        let wait = next_wait(interval, failures);
        let last = tokio::time::Instant::now();
        tokio::select! {
            _ = tokio::time::sleep(wait) => {}
            _ = notify.notified() => {
                tokio::time::sleep_until(last + MIN_GAP).await;
            }
        }
    }
}

/// The interval ±10 % jitter; after failures, doubling up to [`MAX_BACKOFF`] (never shorter
/// than the interval).
pub fn next_wait(interval: Duration, failures: u32) -> Duration {
    let base = if failures == 0 {
        interval
    } else {
        interval
            .saturating_mul(1 << failures.min(10))
            .min(MAX_BACKOFF)
            .max(interval)
    };
    base.mul_f64(rand::thread_rng().gen_range(0.9..1.1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_the_interval_with_jitter_when_healthy() {
        for _ in 0..100 {
            let w = next_wait(Duration::from_secs(30), 0);
            assert!(
                w >= Duration::from_secs(27) && w <= Duration::from_secs(33),
                "{w:?}"
            );
        }
    }

    #[test]
    fn backs_off_on_failures_and_caps() {
        let w = next_wait(Duration::from_secs(30), 1);
        assert!(w >= Duration::from_secs(54), "{w:?}");
        let w = next_wait(Duration::from_secs(30), 30);
        assert!(w <= MAX_BACKOFF.mul_f64(1.1), "{w:?}");
        // A long interval is never shortened by the cap.
        let w = next_wait(Duration::from_secs(600), 3);
        assert!(w >= Duration::from_secs(540), "{w:?}");
    }
}
