//! The 24 h login chart: `login-events`'s `chart` payload → SVG geometry. Successful logins rise
//! above a middle baseline, failed ones hang below it, and the detection threshold is a dashed
//! line in the failed half; each half has its own scale. Pure; both the template and
//! `assets/cards.js` only draw what this computes. The bars' SVG is stretched to the card's width,
//! so the threshold's text label lives in a second, unstretched SVG on top.

use super::text::{exact, group};
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

/// Height of the drawing in SVG units; the page shows it at this many CSS pixels.
pub const HEIGHT: f64 = 120.0;
/// Width of one bucket's slot in SVG units.
const SLOT: f64 = 6.0;
/// Space above and below the bars.
const PAD: f64 = 6.0;
/// The most buckets drawn (a day at 1 min buckets); more means a malformed payload.
const MAX_BUCKETS: usize = 1440;

/// The chart as `transform::login_list` sends it.
#[derive(Debug, Clone, Deserialize)]
struct ChartData {
    start: DateTime<Utc>,
    bucket_seconds: i64,
    success: Vec<u32>,
    failed: Vec<u32>,
    #[serde(default)]
    threshold: Option<u32>,
    #[serde(default)]
    threshold_is_per_window: bool,
}

/// What to draw.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChartView {
    pub width: f64,
    pub height: f64,
    /// The baseline between successes (above) and failures (below).
    pub mid: f64,
    /// Only buckets with logins; empty ones are blank.
    pub buckets: Vec<Bucket>,
    pub threshold: Option<Threshold>,
    pub ok_total: u64,
    pub failed_total: u64,
    /// "10 min", "1 h".
    pub bucket: String,
    /// One sentence for screen readers.
    pub summary: String,
}

/// One bucket's bars. Heights are 0 when that series is empty.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Bucket {
    pub x: f64,
    pub w: f64,
    pub ok_y: f64,
    pub ok_h: f64,
    pub failed_h: f64,
    /// The hover tooltip: `2026-03-01 14:10–14:20 UTC: 3 failed, 5 successful`.
    pub title: String,
}

/// The detection threshold line.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Threshold {
    pub y: f64,
    pub value: u32,
    /// Short label drawn beside the line: `alert > 5 / IP / 10 min`.
    pub label: String,
    /// Full sentence for the line's `<title>`.
    pub title: String,
}

/// Builds the geometry, or `None` when the payload is not a chart we understand.
pub fn build(chart: &serde_json::Value) -> Option<ChartView> {
    let c: ChartData = serde_json::from_value(chart.clone()).ok()?;
    let n = c.success.len();
    if n == 0 || n != c.failed.len() || n > MAX_BUCKETS || c.bucket_seconds <= 0 {
        return None;
    }
    let bucket = Duration::seconds(c.bucket_seconds);
    // Each half has its own scale: successes usually dwarf failures, and the threshold only
    // concerns failures. Leave headroom above the threshold so the line never sits on the edge.
    let peak_ok = c.success.iter().copied().max().unwrap_or(0).max(1);
    let peak_failed = c.failed.iter().copied().max().unwrap_or(0);
    let threshold = c.threshold.filter(|t| *t > 0);
    let top_failed = peak_failed
        .max(threshold.map_or(1, |t| t + t.div_ceil(4)))
        .max(1);
    let zone = HEIGHT / 2.0 - PAD;
    let mid = HEIGHT / 2.0;
    let bar_h = |v: u32, top: u32| {
        if v == 0 {
            0.0
        } else {
            round1((f64::from(v) * zone / f64::from(top)).max(1.5))
        }
    };
    let every = span(bucket);
    let buckets = (0..n)
        .filter(|&i| c.success[i] > 0 || c.failed[i] > 0)
        .map(|i| {
            let (ok, failed) = (c.success[i], c.failed[i]);
            let from = c.start + bucket * i as i32;
            let ok_h = bar_h(ok, peak_ok);
            Bucket {
                x: round1(i as f64 * SLOT + 0.5),
                w: SLOT - 1.0,
                ok_y: round1(mid - ok_h),
                ok_h,
                failed_h: bar_h(failed, top_failed),
                title: format!(
                    "{}–{} UTC: {} failed, {} successful",
                    exact(from).trim_end_matches(":00 UTC"),
                    (from + bucket).format("%H:%M"),
                    group(failed.into()),
                    group(ok.into()),
                ),
            }
        })
        .collect();
    let ok_total: u64 = c.success.iter().map(|&v| u64::from(v)).sum();
    let failed_total: u64 = c.failed.iter().map(|&v| u64::from(v)).sum();
    let threshold = threshold.map(|t| {
        let per = if c.threshold_is_per_window {
            every.clone()
        } else {
            "window".to_owned()
        };
        Threshold {
            y: round1(mid + f64::from(t) * zone / f64::from(top_failed)),
            value: t,
            label: format!("alert > {t} / IP / {per}"),
            title: format!(
                "Alert threshold: more than {t} failed logins from one IP within {}",
                if c.threshold_is_per_window {
                    every.clone()
                } else {
                    "the detection window".to_owned()
                }
            ),
        }
    });
    let summary = format!(
        "Logins over the last 24 hours in {every} buckets: {} successful, {} failed; \
         at most {} failed in one bucket.",
        group(ok_total as i64),
        group(failed_total as i64),
        group(peak_failed.into()),
    );
    Some(ChartView {
        width: n as f64 * SLOT,
        height: HEIGHT,
        mid,
        buckets,
        threshold,
        ok_total,
        failed_total,
        bucket: every,
        summary,
    })
}

/// `10 min`, `1 h`, `90 s`.
fn span(d: Duration) -> String {
    let s = d.num_seconds();
    if s % 3600 == 0 {
        format!("{} h", s / 3600)
    } else if s % 60 == 0 {
        format!("{} min", s / 60)
    } else {
        format!("{s} s")
    }
}

fn round1(v: f64) -> f64 {
    (v * 10.0).round() / 10.0
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn payload(success: Vec<u32>, failed: Vec<u32>, threshold: u32) -> serde_json::Value {
        json!({
            "start": "2026-03-01T12:00:00Z",
            "bucket_seconds": 600,
            "success": success,
            "failed": failed,
            "threshold": threshold,
            "threshold_is_per_window": true,
        })
    }

    #[test]
    fn draws_only_non_empty_buckets_with_titles() {
        let v = build(&payload(vec![0, 2, 0], vec![0, 1, 3], 5)).unwrap();
        assert_eq!(v.width, 18.0);
        assert_eq!(v.buckets.len(), 2);
        let b = &v.buckets[0];
        assert_eq!(
            b.title,
            "2026-03-01 12:10–12:20 UTC: 1 failed, 2 successful"
        );
        assert!(b.ok_h > b.failed_h);
        assert_eq!(b.ok_y + b.ok_h, v.mid);
        assert_eq!(v.ok_total, 2);
        assert_eq!(v.failed_total, 4);
        assert_eq!(v.bucket, "10 min");
    }

    #[test]
    fn threshold_sits_in_the_failed_half_and_is_labelled() {
        let v = build(&payload(vec![1; 4], vec![8, 0, 0, 0], 5)).unwrap();
        let t = v.threshold.unwrap();
        assert!(t.y > v.mid && t.y < v.height);
        assert_eq!(t.label, "alert > 5 / IP / 10 min");
        // A bar above the threshold reaches past the line.
        assert!(v.mid + v.buckets[0].failed_h > t.y);
    }

    #[test]
    fn bars_stay_inside_the_drawing() {
        let v = build(&payload(vec![500, 1], vec![1, 900], 5)).unwrap();
        for b in &v.buckets {
            assert!(b.ok_y >= 0.0);
            assert!(v.mid + b.failed_h <= v.height);
            // Tiny values stay visible next to huge ones.
            assert!(b.ok_h >= 1.5 && b.failed_h >= 1.5);
        }
    }

    #[test]
    fn an_empty_day_still_draws_the_threshold() {
        let v = build(&payload(vec![0; 144], vec![0; 144], 5)).unwrap();
        assert!(v.buckets.is_empty());
        assert!(v.threshold.is_some());
        assert_eq!(v.width, 864.0);
    }

    #[test]
    fn malformed_payloads_draw_nothing() {
        assert!(build(&payload(vec![1, 2], vec![1], 5)).is_none());
        assert!(build(&payload(vec![], vec![], 5)).is_none());
        assert!(build(&json!({"start": "nope"})).is_none());
        let mut p = payload(vec![1], vec![1], 5);
        p["bucket_seconds"] = json!(0);
        assert!(build(&p).is_none());
    }

    #[test]
    fn a_coarser_bucket_says_the_threshold_is_per_window() {
        let mut p = payload(vec![1], vec![1], 5);
        p["bucket_seconds"] = json!(1800);
        p["threshold_is_per_window"] = json!(false);
        let v = build(&p).unwrap();
        assert_eq!(v.threshold.unwrap().label, "alert > 5 / IP / window");
        assert_eq!(v.bucket, "30 min");
    }
}
