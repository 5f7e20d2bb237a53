//! Scenario data model (users, groups, sessions, events) and the deterministic generators.
//!
//! Events are stored compactly (shared `Arc<str>`s, no JSON) and kept sorted by `created`
//! ascending, so a million of them fit in ~110 MB and a page is rendered on demand.

use chrono::{DateTime, Utc};
use std::collections::BTreeSet;
use std::net::IpAddr;
use std::sync::Arc;

use super::generate::continent_of;
pub use super::generate::{geo_for, parsed_user_agent, unparsed_user_agent};

/// pk of guardian's "AnonymousUser" row. It is never listed by `core/users/` (authentik
/// excludes it) but shows up inside failed-login `user.authenticated_as`.
pub const ANONYMOUS_USER_PK: i64 = 1;

/// Token the standalone runner and the generators use unless told otherwise.
pub const DEFAULT_TOKEN: &str = "lookout-fake-token-0123456789abcdef";

/// Username of the service account that owns the API token in every generated scenario.
pub const TOKEN_USERNAME: &str = "lookout-svc";

pub const PERM_VIEW_EVENT: &str = "authentik_events.view_event";
pub const PERM_VIEW_USER: &str = "authentik_core.view_user";
pub const PERM_VIEW_GROUP: &str = "authentik_core.view_group";
pub const PERM_VIEW_SESSION: &str = "authentik_core.view_authenticatedsession";
pub const PERM_VIEW_REPUTATION: &str = "authentik_policies_reputation.view_reputation";

/// The view permissions a dashboard role grants; generated scenarios grant all of them.
pub const ALL_VIEW_PERMISSIONS: &[&str] = &[
    PERM_VIEW_EVENT,
    PERM_VIEW_USER,
    PERM_VIEW_GROUP,
    PERM_VIEW_SESSION,
    PERM_VIEW_REPUTATION,
];

#[derive(Debug, Clone, PartialEq)]
pub struct User {
    pub pk: i64,
    pub uuid: String,
    pub username: String,
    pub name: String,
    pub email: String,
    pub is_active: bool,
    pub is_superuser: bool,
    /// `internal` | `external` | `service_account` | `internal_service_account`.
    pub user_type: String,
    pub path: String,
    pub last_login: Option<DateTime<Utc>>,
    pub date_joined: DateTime<Utc>,
    pub password_change_date: DateTime<Utc>,
    pub last_updated: DateTime<Utc>,
}

/// Membership lives only here (`users`), so a user's `groups` can never disagree with it.
#[derive(Debug, Clone, PartialEq)]
pub struct Group {
    pub uuid: String,
    pub num_pk: i64,
    pub name: String,
    pub is_superuser: bool,
    pub users: Vec<i64>,
    pub notes: Option<String>,
}

/// ua-parser output as authentik stores it. `None` versions render as JSON null (which the
/// official 2026.8.5 client rejects for the browser version, see API.md §3a).
#[derive(Debug, Clone, PartialEq)]
pub struct UserAgent {
    pub string: String,
    pub device_family: String,
    pub device_brand: Option<String>,
    pub device_model: Option<String>,
    pub os_family: String,
    pub os_major: Option<String>,
    pub os_minor: Option<String>,
    pub browser_family: String,
    pub browser_major: Option<String>,
    pub browser_minor: Option<String>,
    pub browser_patch: Option<String>,
}

/// GeoIP + ASN enrichment; present only for public IPs the (fake) MaxMind databases know.
#[derive(Debug, Clone, PartialEq)]
pub struct GeoInfo {
    pub continent: String,
    pub country: String,
    pub city: String,
    pub lat: f64,
    pub long: f64,
    pub asn: Option<AsnInfo>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct AsnInfo {
    pub asn: u32,
    pub as_org: String,
    pub network: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Session {
    pub uuid: String,
    /// pk of the owning user.
    pub user: i64,
    pub last_ip: IpAddr,
    pub user_agent: UserAgent,
    pub geo: Option<Arc<GeoInfo>>,
    pub last_used: DateTime<Utc>,
    pub expires: DateTime<Utc>,
}

/// One stored event. The JSON (`user`, `context`, `brand`, …) is derived when a page is served.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    /// Source of the event's UUID (`pk`); unique per scenario.
    pub id: u64,
    pub created: DateTime<Utc>,
    pub action: Arc<str>,
    /// For `login_failed` the attempted name (`context.username`); otherwise the acting user's
    /// username; empty for system events.
    pub username: Arc<str>,
    /// The matched real user, if any. `None` on a failed login means "unknown user" and renders
    /// the `authenticated_as` merge of API.md §4.
    pub user_pk: Option<i64>,
    /// `None` for events created outside a request (system tasks).
    pub client_ip: Option<IpAddr>,
    pub user_agent: Option<Arc<str>>,
    pub geo: Option<Arc<GeoInfo>>,
    /// Login via MFA / failure at the MFA validation stage (else password stage).
    pub mfa: bool,
}

/// A live event for [`crate::fake::FakeAuthentik::add_event`].
#[derive(Debug, Clone, PartialEq)]
pub struct NewEvent {
    /// `"login"` | `"login_failed"` | any other action string.
    pub action: String,
    pub username: String,
    pub ip: Option<String>,
    pub at: DateTime<Utc>,
    pub user_agent: Option<String>,
    /// ISO country code; geo is attached only when this is set.
    pub country: Option<String>,
    pub city: Option<String>,
}

impl NewEvent {
    pub fn login(username: &str, ip: &str, at: DateTime<Utc>) -> NewEvent {
        NewEvent::new("login", username, ip, at)
    }
    pub fn login_failed(username: &str, ip: &str, at: DateTime<Utc>) -> NewEvent {
        NewEvent::new("login_failed", username, ip, at)
    }
    pub fn new(action: &str, username: &str, ip: &str, at: DateTime<Utc>) -> NewEvent {
        NewEvent {
            action: action.to_string(),
            username: username.to_string(),
            ip: Some(ip.to_string()),
            at,
            user_agent: None,
            country: None,
            city: None,
        }
    }
}

/// Everything the fake serves. All fields are public so tests can reshape a scenario freely
/// (through `FakeAuthentik::with_data`); keep `events` sorted by `created` (the server re-sorts
/// after `with_data` if needed).
#[derive(Debug, Clone)]
pub struct Scenario {
    pub users: Vec<User>,
    pub groups: Vec<Group>,
    pub sessions: Vec<Session>,
    /// Sorted by `created`, oldest first.
    pub events: Vec<Event>,
    /// `admin/version/` `version_current`.
    pub version: String,
    /// The one valid API token.
    pub token: String,
    /// pk of the token's user (must be in `users`).
    pub token_user_pk: i64,
    /// e.g. `Some("/authentik")`: everything is served under `/authentik/api/v3/`.
    pub sub_path: Option<String>,
    /// Granted to the token user (a superuser has all of them anyway).
    pub permissions: BTreeSet<String>,
    /// `false` = pre-2025 server: the `actions` query parameter is ignored entirely.
    pub supports_actions_filter: bool,
    /// `true` = 2023.x server: `tenant` instead of `brand`, no `autocomplete`, no `users` in me/.
    pub legacy_tenant: bool,
    /// `Some(100)` on 2026 (clamped silently); `None` before 2026 (unlimited).
    pub max_page_size: Option<usize>,
    pub default_page_size: usize,
    pub brand_name: String,
    pub brand_pk: String,
    /// The clock used to generate the data; reputation and volume windows count from here.
    pub now: DateTime<Utc>,
    /// Next `Event::id` for live events.
    pub next_event_id: u64,
}

/// The documented figures of [`Scenario::standard`]; "24h" means `created > now - 24h`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StandardFigures {
    pub users_total: usize,
    pub users_active: usize,
    pub users_internal: usize,
    pub users_service_account: usize,
    pub users_external: usize,
    pub groups_total: usize,
    pub sessions_total: usize,
    pub sessions_distinct_users: usize,
    /// Sessions owned by the token user (what a token without the session permission sees).
    pub sessions_of_token_user: usize,
    pub logins_24h: usize,
    pub failed_logins_24h: usize,
    pub other_events_24h: usize,
    pub logins_older: usize,
    pub failed_logins_older: usize,
    pub other_events_older: usize,
    pub events_total: usize,
    /// The brute-force burst: `burst_failures` failures from `burst_ip`, the first one
    /// `burst_starts_secs_ago` before `now`, spread over `burst_span_secs`.
    pub burst_ip: &'static str,
    pub burst_failures: usize,
    pub burst_usernames: [&'static str; 3],
    pub burst_starts_secs_ago: i64,
    pub burst_span_secs: i64,
    /// Single failures from other IPs in the last 24 h (never more than 3 per IP per hour).
    pub scattered_failures_24h: usize,
    /// All events whose user or `context.username` is `alice` (the `username=alice` filter).
    pub alice_events: usize,
    /// `login_failed` events with `context.username == "alice"`.
    pub alice_failed: usize,
    pub token_username: &'static str,
}

pub const STANDARD: StandardFigures = StandardFigures {
    users_total: 12,
    users_active: 10,
    users_internal: 10,
    users_service_account: 1,
    users_external: 1,
    groups_total: 4,
    sessions_total: 7,
    sessions_distinct_users: 5,
    sessions_of_token_user: 0,
    logins_24h: 30,
    failed_logins_24h: 15,
    other_events_24h: 11,
    logins_older: 10,
    failed_logins_older: 5,
    other_events_older: 3,
    events_total: 74,
    burst_ip: "198.51.100.23",
    burst_failures: 8,
    burst_usernames: ["admin", "root", "alice"],
    burst_starts_secs_ago: 2 * 3600,
    burst_span_secs: 210,
    scattered_failures_24h: 7,
    alice_events: 11,
    alice_failed: 4,
    token_username: TOKEN_USERNAME,
};

impl Scenario {
    /// The standard figures (same as [`STANDARD`]).
    pub fn figures() -> StandardFigures {
        STANDARD
    }

    /// The token user.
    pub fn token_user(&self) -> Option<&User> {
        self.users.iter().find(|u| u.pk == self.token_user_pk)
    }

    pub fn token_user_mut(&mut self) -> Option<&mut User> {
        let pk = self.token_user_pk;
        self.users.iter_mut().find(|u| u.pk == pk)
    }

    pub fn user_by_username(&self, username: &str) -> Option<&User> {
        self.users.iter().find(|u| u.username == username)
    }

    /// Does the token user hold `perm` (superusers hold everything)?
    pub fn has_perm(&self, perm: &str) -> bool {
        self.token_user().is_some_and(|u| u.is_superuser) || self.permissions.contains(perm)
    }

    /// Older-server preset: 2023.x shapes (`tenant`, no `autocomplete`, no `actions` filter,
    /// page size 100 without a maximum).
    pub fn into_legacy(mut self, version: &str) -> Scenario {
        self.version = version.to_string();
        self.legacy_tenant = true;
        self.supports_actions_filter = false;
        self.max_page_size = None;
        self.default_page_size = 100;
        self
    }

    /// Converts and appends a live event, keeping `events` sorted by `created`.
    pub fn push_event(&mut self, ev: NewEvent) -> &Event {
        let user_pk = self.user_by_username(&ev.username).map(|u| u.pk);
        let client_ip = ev.ip.as_deref().and_then(|s| s.parse::<IpAddr>().ok());
        let geo = match (&ev.country, client_ip) {
            (Some(c), _) => Some(Arc::new(GeoInfo {
                continent: continent_of(c).to_string(),
                country: c.clone(),
                city: ev.city.clone().unwrap_or_default(),
                lat: 0.0,
                long: 0.0,
                asn: None,
            })),
            (None, Some(ip)) => geo_for(ip),
            _ => None,
        };
        let id = self.next_event_id;
        self.next_event_id += 1;
        let event = Event {
            id,
            created: ev.at,
            action: self.intern_action(&ev.action),
            username: Arc::from(ev.username.as_str()),
            user_pk,
            client_ip,
            user_agent: ev.user_agent.as_deref().map(Arc::from),
            geo,
            mfa: false,
        };
        let pos = self.events.partition_point(|e| e.created <= event.created);
        self.events.insert(pos, event);
        &self.events[pos]
    }

    /// Reuses a recent event's `Arc` for the same action (keeps filter memoisation effective).
    fn intern_action(&self, action: &str) -> Arc<str> {
        self.events
            .iter()
            .rev()
            .take(64)
            .find(|e| &*e.action == action)
            .map(|e| e.action.clone())
            .unwrap_or_else(|| Arc::from(action))
    }

    /// Re-establishes the sorted-by-`created` invariant (cheap when already sorted).
    pub fn ensure_sorted(&mut self) {
        if !events_sorted(&self.events) {
            self.events.sort_by_key(|e| e.created);
        }
    }

    pub(crate) fn base(now: DateTime<Utc>, users: Vec<User>) -> Scenario {
        Scenario {
            users,
            groups: Vec::new(),
            sessions: Vec::new(),
            events: Vec::new(),
            version: "2026.8.5".to_string(),
            token: DEFAULT_TOKEN.to_string(),
            token_user_pk: 3,
            sub_path: None,
            permissions: ALL_VIEW_PERMISSIONS.iter().map(|p| p.to_string()).collect(),
            supports_actions_filter: true,
            legacy_tenant: false,
            max_page_size: Some(100),
            default_page_size: 20,
            brand_name: "Default brand".to_string(),
            brand_pk: "6f1c2f3f0d4c4e58a1e1b6b0a9b2c3d4".to_string(),
            now,
            next_event_id: 1,
        }
    }
}

/// Is `events` sorted by `created` (oldest first)?
pub fn events_sorted(events: &[Event]) -> bool {
    events.windows(2).all(|w| w[0].created <= w[1].created)
}

/// Small, fast, stable PRNG (the generators must not change with the `rand` version).
#[derive(Debug, Clone)]
pub struct SplitMix64(pub u64);

impl SplitMix64 {
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        mix64(self.0)
    }
}

pub(crate) fn mix64(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// A v4-looking UUID derived from `seed` (bijective in the high half, hence unique per seed).
pub fn uuid_from(seed: u64) -> String {
    let hi = mix64(seed);
    let lo = mix64(seed ^ 0xA5A5_A5A5_5A5A_5A5A);
    let hi = (hi & 0xFFFF_FFFF_FFFF_0FFF) | 0x0000_0000_0000_4000;
    let lo = (lo & 0x3FFF_FFFF_FFFF_FFFF) | 0x8000_0000_0000_0000;
    format!(
        "{:08x}-{:04x}-{:04x}-{:04x}-{:012x}",
        hi >> 32,
        (hi >> 16) & 0xFFFF,
        hi & 0xFFFF,
        lo >> 48,
        lo & 0xFFFF_FFFF_FFFF
    )
}

/// 32 hex chars derived from `seed` (request ids, stage pks).
pub fn hex32(seed: u64) -> String {
    format!("{:016x}{:016x}", mix64(seed ^ 0x1111), mix64(seed ^ 0x2222))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{Duration, TimeZone};

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 9, 14, 10, 0, 0).unwrap()
    }

    #[test]
    fn push_event_keeps_order_and_resolves_known_users() {
        let mut s = Scenario::standard(now());
        let early = now() - Duration::days(30);
        s.push_event(NewEvent::login_failed("alice", "198.51.100.7", early));
        assert_eq!(s.events[0].user_pk, Some(4));
        s.push_event(NewEvent::login_failed("nobody", "198.51.100.7", now()));
        assert_eq!(s.events.last().unwrap().user_pk, None);
        assert!(events_sorted(&s.events));
    }

    #[test]
    fn uuids_are_hyphenated_v4_and_distinct() {
        let a = uuid_from(1);
        assert_eq!(a.len(), 36);
        assert_eq!(&a[14..15], "4");
        assert_ne!(a, uuid_from(2));
    }
}
