//! Findings → banner alerts, with stable ids and bounded, human-readable text.
//!
//! Ids hash (kind, key, first_seen to the second) with FNV-1a, so a burst keeps its id on every
//! refresh and acknowledgements stick while it grows. Two refinements: a distributed attack hashes
//! the *normalised* username (the displayed spelling may change as the burst grows), and a proxy
//! warning hashes only (kind, address) because its first_seen slides with the lookback.
//!
//! Usernames are attacker-controlled: every one shown is cleaned by `text::clean_username` and the
//! lists are capped at [`MAX_LISTED`], so nothing here can emit control characters or unbounded text.

use super::text::{clean_username, human_age, human_span, Fnv1a64};
use super::{normalize_username, Finding, FindingKind, Settings};
use crate::widgets::{Alert, Severity};
use chrono::{DateTime, Duration, Utc};

/// Most usernames (and source IPs) carried by one alert; the message says how many more exist.
pub const MAX_LISTED: usize = 20;
/// Usernames named inline in a message.
const NAMED_IN_MESSAGE: usize = 5;

/// Turns findings into alerts, loudest first: severity, then ongoing before ended, then the most
/// recent activity first (ties by id, so the order is total).
pub fn to_alerts(findings: &[Finding], settings: &Settings, now: DateTime<Utc>) -> Vec<Alert> {
    let _ = settings;
    let mut alerts: Vec<Alert> = findings.iter().map(|f| to_alert(f, now)).collect();
    mark_proxy_addresses(&mut alerts);
    alerts.sort_by(|a, b| {
        (b.severity, b.ongoing, b.last_seen)
            .cmp(&(a.severity, a.ongoing, a.last_seen))
            .then_with(|| a.id.cmp(&b.id))
    });
    alerts
}

/// When client IPs look like the reverse proxy's, a "brute force" from that address is every
/// user's failures lumped together, not one attacker: say so, and don't cry critical.
fn mark_proxy_addresses(alerts: &mut [Alert]) {
    let proxies: Vec<String> = alerts
        .iter()
        .filter(|a| a.kind == "proxy-misconfiguration")
        .filter_map(|a| a.ip.clone())
        .collect();
    for a in alerts.iter_mut() {
        if a.kind == "brute-force" && a.ip.as_ref().is_some_and(|ip| proxies.contains(ip)) {
            a.labels.push("proxy-address".into());
            a.severity = a.severity.min(Severity::Warning);
            a.message.push_str(
                " — this is the address your reverse proxy uses, so these may be many clients (see the proxy warning)",
            );
        }
    }
}

/// The `kind` string of an alert.
pub fn kind_name(kind: &FindingKind) -> &'static str {
    match kind {
        FindingKind::BruteForce => "brute-force",
        FindingKind::Distributed => "distributed",
        FindingKind::ProxyMisconfiguration => "proxy-misconfiguration",
    }
}

/// The stable id of a finding, e.g. `bf-1a2b3c4d5e6f7a8b`.
pub fn alert_id(f: &Finding) -> String {
    let (prefix, key) = match f.kind {
        FindingKind::BruteForce => ("bf", f.key.clone()),
        FindingKind::Distributed => ("dist", normalize_username(&f.key)),
        FindingKind::ProxyMisconfiguration => ("proxy", f.key.clone()),
    };
    let mut h = Fnv1a64::default()
        .field(kind_name(&f.kind).as_bytes())
        .field(key.as_bytes());
    if f.kind != FindingKind::ProxyMisconfiguration {
        h = h.field(&f.first_seen.timestamp().to_le_bytes());
    }
    format!("{prefix}-{:016x}", h.finish())
}

fn to_alert(f: &Finding, now: DateTime<Utc>) -> Alert {
    let usernames: Vec<String> = f
        .usernames
        .iter()
        .take(MAX_LISTED)
        .map(|u| clean_username(u))
        .collect();
    let severity = match (&f.kind, f.ongoing) {
        (FindingKind::ProxyMisconfiguration, _) | (_, false) => Severity::Warning,
        (_, true) => Severity::Critical,
    };
    let mut labels = Vec::new();
    if f.spraying {
        labels.push("password-spraying".to_owned());
    }
    if f.rotating {
        labels.push("ipv6-rotation".to_owned());
    }
    labels.push(if f.ongoing { "ongoing" } else { "ended" }.to_owned());
    let (title, message) = match f.kind {
        FindingKind::BruteForce => (
            format!("Brute force from {}", f.key),
            format!(
                "{} {} against {}{}",
                failed_logins(f.failures),
                span(f),
                named_usernames(&f.usernames),
                status(f, now)
            ),
        ),
        FindingKind::Distributed => (
            format!("Distributed attack on \"{}\"", clean_username(&f.key)),
            format!(
                "{} from {} {}{}",
                failed_logins(f.failures),
                plural(f.sources.len(), "source", "sources"),
                span(f),
                status(f, now)
            ),
        ),
        FindingKind::ProxyMisconfiguration => (
            "Client IPs look like your reverse proxy's".to_owned(),
            proxy_message(f),
        ),
    };
    Alert {
        id: alert_id(f),
        severity,
        kind: kind_name(&f.kind).to_owned(),
        title,
        message,
        ip: f.ip.clone(),
        usernames,
        failures: f.failures,
        first_seen: f.first_seen,
        last_seen: f.last_seen,
        ongoing: f.ongoing,
        labels,
        ips: f.sources.iter().take(MAX_LISTED).cloned().collect(),
    }
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn failed_logins(n: u32) -> String {
    plural(n as usize, "failed login", "failed logins")
}

fn span(f: &Finding) -> String {
    let d = f.last_seen.signed_duration_since(f.first_seen);
    if d < Duration::seconds(1) {
        "within a second".to_owned()
    } else {
        format!("in {}", human_span(d))
    }
}

fn status(f: &Finding, now: DateTime<Utc>) -> String {
    if f.ongoing {
        " — ongoing".to_owned()
    } else {
        format!(
            " — ended {} ago",
            human_age(now.signed_duration_since(f.last_seen))
        )
    }
}

/// `3 usernames (admin, root, alice)`, naming at most five and counting the rest.
fn named_usernames(all: &[String]) -> String {
    let mut named: Vec<String> = all
        .iter()
        .take(NAMED_IN_MESSAGE)
        .map(|u| clean_username(u))
        .collect();
    if all.len() > NAMED_IN_MESSAGE {
        named.push(format!("+{} more", all.len() - NAMED_IN_MESSAGE));
    }
    format!(
        "{} ({})",
        plural(all.len(), "username", "usernames"),
        named.join(", ")
    )
}

fn proxy_message(f: &Finding) -> String {
    format!(
        "Most logins ({} of them different users) come from {ip}, an internal address, so \
         authentik is probably recording your reverse proxy instead of the real clients and \
         per-IP brute-force detection is blind. Make the proxy send X-Forwarded-For and add its \
         address to AUTHENTIK_LISTEN__TRUSTED_PROXY_CIDRS (authentik only trusts X-Forwarded-For \
         from those CIDRs; the default is loopback and the private ranges). If {ip} really is \
         where your users log in from, add it to extra.brute-force.ignore-networks to silence this.",
        f.usernames.len(),
        ip = f.key,
    )
}
