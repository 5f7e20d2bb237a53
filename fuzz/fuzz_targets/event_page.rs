//! An `events/events/` response body → wire page → login records → record store → the widget
//! transforms and the detector → alerts. Must never panic, whatever authentik (or something in
//! front of it) answers. Also checks that attacker-controlled text leaves sanitised and bounded.
#![no_main]

use chrono::{DateTime, Utc};
use libfuzzer_sys::fuzz_target;
use lookout::detector::{self, alerts, LoginAttempt, Settings};
use lookout::integrations::authentik::records::{horizon, LoginRecord, RecordStore};
use lookout::integrations::authentik::transform;
use lookout::integrations::authentik::wire::{Event, Page};
use lookout::integrations::http::decode;
use lookout::widgets::Alert;

/// A control character or a bidi override/isolate: must never reach an alert.
fn hidden(c: char) -> bool {
    c.is_control()
        || ('\u{202A}'..='\u{202E}').contains(&c)
        || ('\u{2066}'..='\u{2069}').contains(&c)
}

fn check_alerts(alerts: &[Alert]) {
    for a in alerts {
        assert!(!a.title.chars().any(hidden), "title {:?}", a.title);
        assert!(!a.message.chars().any(hidden), "message {:?}", a.message);
        assert!(a.usernames.len() <= alerts::MAX_LISTED);
        assert!(a.ips.len() <= alerts::MAX_LISTED);
        for u in &a.usernames {
            assert!(!u.chars().any(hidden), "username {u:?}");
            assert!(u.chars().count() <= detector::MAX_USERNAME_CHARS);
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(page) = decode::<Page<Event>>("events/events/", data) else {
        return;
    };
    let records: Vec<LoginRecord> = page
        .results
        .iter()
        .filter_map(LoginRecord::from_event)
        .collect();
    for r in &records {
        assert!(!r.username.chars().any(hidden), "{:?}", r.username);
        assert!(r.username.chars().count() <= 256);
        assert!(r.pk.chars().count() <= 64);
    }

    // The integration's path, with a realistic clock (the fixtures' day).
    let settings = Settings::default();
    let now: DateTime<Utc> = "2026-09-14T09:00:00Z".parse().unwrap();
    let mut store = RecordStore::default();
    store.merge(records.clone(), now - horizon(settings.lookback));
    let kept = store.records();
    let _ = transform::login_list(kept, 20, &settings, now);
    let _ = transform::user_stats_card(Default::default(), kept, now);
    let banner = transform::security_alerts(kept, &settings, now);
    check_alerts(&banner.alerts);

    // The detector alone must take any timestamps, with `now` at the newest attempt (which may
    // be anywhere in chrono's range) and at a fixed instant.
    let attempts: Vec<LoginAttempt> = records
        .iter()
        .map(|r| LoginAttempt {
            at: r.at,
            ip: r.ip,
            username: r.username.clone(),
            success: r.success,
        })
        .collect();
    let newest = attempts.iter().map(|a| a.at).max().unwrap_or(now);
    for now in [now, newest] {
        let findings = detector::detect(&attempts, &settings, now);
        check_alerts(&alerts::to_alerts(&findings, &settings, now));
    }
});
