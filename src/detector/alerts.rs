//! Findings → banner alerts, with stable ids and bounded, human-readable text.

use super::{Finding, Settings};
use crate::widgets::Alert;
use chrono::{DateTime, Utc};

/// Turns findings into alerts, loudest first.
pub fn to_alerts(findings: &[Finding], settings: &Settings, now: DateTime<Utc>) -> Vec<Alert> {
    let _ = (findings, settings, now);
    Vec::new()
}
