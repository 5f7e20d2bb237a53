//! Deterministic generators: the documented `standard` scenario, `empty`, and `big` (a million
//! events in linear time), plus the fake GeoIP table and parsed user agents they use.

use super::scenario::*;
use chrono::{DateTime, Duration, TimeZone, Utc};
use std::net::IpAddr;
use std::sync::Arc;

impl Scenario {
    /// Empty install: only the token user, no groups, sessions or events.
    pub fn empty(now: DateTime<Utc>) -> Scenario {
        let token_user = mk_user(
            3,
            TOKEN_USERNAME,
            "Lookout service account",
            "",
            "service_account",
            now,
        );
        Scenario::base(now, vec![token_user])
    }

    /// Deterministic data with the figures in [`STANDARD`], relative to `now`.
    pub fn standard(now: DateTime<Utc>) -> Scenario {
        let mut s = Scenario::base(now, standard_users(now));
        s.groups = standard_groups(&s.users);
        s.sessions = standard_sessions(now);
        s.events = standard_events(now, &s.users);
        s.next_event_id = s.events.len() as u64 + 1;
        s
    }

    /// `n` events over the last `span` (≈70% login, 22% login_failed, 8% other), plus the
    /// standard users, groups and sessions. Linear time, no sorting: timestamps are generated in
    /// order.
    pub fn big(now: DateTime<Utc>, n: usize, span: Duration, seed: u64) -> Scenario {
        let mut s = Scenario::base(now, standard_users(now));
        s.groups = standard_groups(&s.users);
        s.sessions = standard_sessions(now);
        let mut rng = SplitMix64(seed ^ 0x5eed_1234_abcd_0001);

        let login: Arc<str> = Arc::from("login");
        let failed: Arc<str> = Arc::from("login_failed");
        let others: Vec<Arc<str>> = ["logout", "model_updated", "secret_view", "user_write"]
            .iter()
            .map(|a| Arc::from(*a))
            .collect();
        let system: Arc<str> = Arc::from("system_task_execution");
        let known: Vec<(Arc<str>, i64)> = s
            .users
            .iter()
            .filter(|u| u.is_active && u.user_type == "internal")
            .map(|u| (Arc::from(u.username.as_str()), u.pk))
            .collect();
        let unknown: Vec<Arc<str>> = ["admin", "root", "test", "oracle", "guest", "ubuntu"]
            .iter()
            .map(|u| Arc::from(*u))
            .collect();
        let ips: Vec<(IpAddr, Option<Arc<GeoInfo>>)> = (0..256u64)
            .map(|i| {
                let r = SplitMix64(seed.wrapping_add(i)).next_u64();
                let ip: IpAddr = match i % 5 {
                    0 => format!("203.0.113.{}", r % 254 + 1),
                    1 => format!("198.51.100.{}", r % 254 + 1),
                    2 => format!("192.0.2.{}", r % 254 + 1),
                    3 => format!("10.{}.{}.{}", r % 250, (r >> 8) % 250, (r >> 16) % 250 + 1),
                    _ => format!("2001:db8:85a3::{:x}", r & 0xffff),
                }
                .parse()
                .expect("generated ip");
                (ip, geo_for(ip))
            })
            .collect();
        let uas: Vec<Arc<str>> = BROWSER_UAS.iter().map(|u| Arc::from(*u)).collect();
        let bot_ua: Arc<str> = Arc::from("python-requests/2.31.0");

        let start = now - span;
        let span_us = span.num_microseconds().unwrap_or(i64::MAX).max(1) as u128;
        let mut events = Vec::with_capacity(n);
        for i in 0..n {
            // Strictly increasing position in [0, span): i/n of the way plus jitter < 1/n.
            let lo = span_us * i as u128 / n as u128;
            let hi = span_us * (i as u128 + 1) / n as u128;
            let off = lo + (rng.next_u64() as u128) % (hi - lo).max(1);
            let created = start + Duration::microseconds(off as i64);
            let roll = rng.next_u64() % 100;
            let (ip, geo) = ips[(rng.next_u64() % ips.len() as u64) as usize].clone();
            let ev = if roll < 70 {
                let (name, pk) = known[(rng.next_u64() % known.len() as u64) as usize].clone();
                Event {
                    id: i as u64 + 1,
                    created,
                    action: login.clone(),
                    username: name,
                    user_pk: Some(pk),
                    client_ip: Some(ip),
                    user_agent: Some(uas[i % uas.len()].clone()),
                    geo,
                    mfa: roll.is_multiple_of(3),
                }
            } else if roll < 92 {
                let (name, pk) = if roll < 80 {
                    let (n, p) = known[(rng.next_u64() % known.len() as u64) as usize].clone();
                    (n, Some(p))
                } else {
                    (
                        unknown[(rng.next_u64() % unknown.len() as u64) as usize].clone(),
                        None,
                    )
                };
                Event {
                    id: i as u64 + 1,
                    created,
                    action: failed.clone(),
                    username: name,
                    user_pk: pk,
                    client_ip: Some(ip),
                    user_agent: Some(if pk.is_none() {
                        bot_ua.clone()
                    } else {
                        uas[i % uas.len()].clone()
                    }),
                    geo,
                    mfa: false,
                }
            } else if roll < 98 {
                let (name, pk) = known[(rng.next_u64() % known.len() as u64) as usize].clone();
                Event {
                    id: i as u64 + 1,
                    created,
                    action: others[(roll % 4) as usize].clone(),
                    username: name,
                    user_pk: Some(pk),
                    client_ip: Some(ip),
                    user_agent: Some(uas[i % uas.len()].clone()),
                    geo,
                    mfa: false,
                }
            } else {
                Event {
                    id: i as u64 + 1,
                    created,
                    action: system.clone(),
                    username: Arc::from(""),
                    user_pk: None,
                    client_ip: None,
                    user_agent: None,
                    geo: None,
                    mfa: false,
                }
            };
            events.push(ev);
        }
        s.events = events;
        s.next_event_id = n as u64 + 1;
        s
    }
}

const BROWSER_UAS: &[&str] = &[
    "Mozilla/5.0 (X11; Linux x86_64; rv:131.0) Gecko/20100101 Firefox/131.0",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/129.0.0.0 Safari/537.36",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.6 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_6) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.0 Safari/605.1.15",
];

/// Fake GeoIP/ASN database over the documentation ranges. Private addresses and a few public
/// ones (e.g. 203.0.113.99) are "not found", like a real MaxMind lookup.
pub fn geo_for(ip: IpAddr) -> Option<Arc<GeoInfo>> {
    let s = ip.to_string();
    let (continent, country, city, lat, long, asn, org, net) = if s == "203.0.113.99" {
        return None;
    } else if s.starts_with("203.0.113.") {
        (
            "EU",
            "DE",
            "Berlin",
            52.5196,
            13.4069,
            3320,
            "Deutsche Telekom AG",
            "203.0.113.0/24",
        )
    } else if s.starts_with("198.51.100.") {
        let last: u32 = s.rsplit('.').next()?.parse().ok()?;
        if last < 64 {
            (
                "EU",
                "NL",
                "Amsterdam",
                52.3759,
                4.8975,
                64500,
                "Example Hosting B.V.",
                "198.51.100.0/26",
            )
        } else {
            (
                "SA",
                "BR",
                "São Paulo",
                -23.5475,
                -46.6361,
                64503,
                "Exemplo Telecom Ltda",
                "198.51.100.64/26",
            )
        }
    } else if s.starts_with("192.0.2.") {
        (
            "NA",
            "US",
            "Ashburn",
            39.0438,
            -77.4874,
            64501,
            "Example Cloud Inc.",
            "192.0.2.0/24",
        )
    } else if s.starts_with("2001:db8:85a3:") {
        (
            "EU",
            "FR",
            "Paris",
            48.8534,
            2.3488,
            64502,
            "Exemple Télécom SA",
            "2001:db8:85a3::/48",
        )
    } else if s.starts_with("2001:db8:") {
        (
            "AS",
            "JP",
            "Tokyo",
            35.6895,
            139.6917,
            64504,
            "Example Mobile K.K.",
            "2001:db8::/32",
        )
    } else {
        return None;
    };
    Some(Arc::new(GeoInfo {
        continent: continent.into(),
        country: country.into(),
        city: city.into(),
        lat,
        long,
        asn: Some(AsnInfo {
            asn,
            as_org: org.into(),
            network: net.into(),
        }),
    }))
}

pub(crate) fn continent_of(country: &str) -> &'static str {
    match country {
        "US" | "CA" | "MX" => "NA",
        "BR" | "AR" | "CL" => "SA",
        "CN" | "JP" | "IN" | "KR" | "SG" | "VN" => "AS",
        "AU" | "NZ" => "OC",
        "NG" | "ZA" | "EG" | "KE" => "AF",
        _ => "EU",
    }
}

fn mk_user(
    pk: i64,
    username: &str,
    name: &str,
    email: &str,
    user_type: &str,
    now: DateTime<Utc>,
) -> User {
    let joined = Utc.with_ymd_and_hms(2024, 3, 2, 10, 11, 12).unwrap() + Duration::days(pk * 9);
    User {
        pk,
        uuid: uuid_from(pk as u64 ^ 0xC0FFEE),
        username: username.to_string(),
        name: name.to_string(),
        email: email.to_string(),
        is_active: true,
        is_superuser: false,
        user_type: user_type.to_string(),
        path: if user_type.contains("service_account") {
            "goauthentik.io/service-accounts".into()
        } else {
            "users".into()
        },
        last_login: None,
        date_joined: joined,
        password_change_date: joined,
        last_updated: now - Duration::hours(pk),
    }
}

fn standard_users(now: DateTime<Utc>) -> Vec<User> {
    let spec: [(i64, &str, &str, &str); 12] = [
        (2, "akadmin", "authentik Default Admin", "internal"),
        (
            3,
            TOKEN_USERNAME,
            "Lookout service account",
            "service_account",
        ),
        (4, "alice", "Alice Example", "internal"),
        (5, "bob", "Bob Example", "internal"),
        (6, "carol", "Carol Example", "internal"),
        (7, "dave", "Dave Example", "internal"),
        (8, "erin", "Erin Example", "internal"),
        (9, "frank", "Frank Example", "internal"),
        (10, "grace", "Grace Example", "internal"),
        (11, "heidi", "Heidi Example", "internal"),
        (12, "mallory", "Mallory Former", "internal"),
        (13, "old-contractor", "Old Contractor", "external"),
    ];
    spec.iter()
        .map(|(pk, username, name, ty)| {
            let email = if *ty == "service_account" {
                String::new()
            } else {
                format!("{username}@example.com")
            };
            let mut u = mk_user(*pk, username, name, &email, ty, now);
            u.is_superuser = *username == "akadmin";
            u.is_active = !matches!(*username, "mallory" | "old-contractor");
            if *ty == "internal" && u.is_active {
                u.last_login = Some(now - Duration::minutes(*pk * 37));
            }
            u
        })
        .collect()
}

fn standard_groups(users: &[User]) -> Vec<Group> {
    let pk = |name: &str| users.iter().find(|u| u.username == name).map(|u| u.pk);
    let members = |names: &[&str]| names.iter().filter_map(|n| pk(n)).collect::<Vec<_>>();
    vec![
        Group {
            uuid: uuid_from(0x6001),
            num_pk: 1983,
            name: "authentik Admins".into(),
            is_superuser: true,
            users: members(&["akadmin"]),
            notes: None,
        },
        Group {
            uuid: uuid_from(0x6002),
            num_pk: 40211,
            name: "security-auditors".into(),
            is_superuser: false,
            users: members(&[TOKEN_USERNAME, "alice"]),
            notes: Some("read-only access to events".into()),
        },
        Group {
            uuid: uuid_from(0x6003),
            num_pk: 40212,
            name: "engineering".into(),
            is_superuser: false,
            users: members(&["alice", "bob", "carol", "dave"]),
            notes: None,
        },
        Group {
            uuid: uuid_from(0x6004),
            num_pk: 40213,
            name: "contractors".into(),
            is_superuser: false,
            users: members(&["old-contractor"]),
            notes: None,
        },
    ]
}

/// Parsed UA table: (string, device (family, brand, model), os (family, major, minor),
/// browser (family, major, minor, patch)). All browser versions are set so the official
/// client's strict schema accepts the default sessions.
#[allow(clippy::type_complexity)]
const UA_TABLE: &[(&str, (&str, Option<&str>, Option<&str>), (&str, Option<&str>, Option<&str>), (&str, &str, &str, &str))] = &[
    (BROWSER_UAS[0], ("Other", None, None), ("Linux", None, None), ("Firefox", "131", "0", "0")),
    (BROWSER_UAS[1], ("Other", None, None), ("Windows", Some("10"), None), ("Chrome", "129", "0", "0")),
    (BROWSER_UAS[2], ("iPhone", Some("Apple"), Some("iPhone")), ("iOS", Some("18"), Some("6")), ("Mobile Safari", "18", "6", "0")),
    (BROWSER_UAS[3], ("Mac", Some("Apple"), Some("Mac")), ("Mac OS X", Some("14"), Some("6")), ("Safari", "18", "0", "0")),
    (
        "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/129.0.6668.100 Mobile Safari/537.36",
        ("Pixel 8", Some("Google"), Some("Pixel 8")),
        ("Android", Some("14"), None),
        ("Chrome Mobile", "129", "0", "6668"),
    ),
];

/// A parsed user agent from the built-in table (`idx` wraps around).
pub fn parsed_user_agent(idx: usize) -> UserAgent {
    let (s, d, o, b) = UA_TABLE[idx % UA_TABLE.len()];
    let own = |x: Option<&str>| x.map(str::to_string);
    UserAgent {
        string: s.into(),
        device_family: d.0.into(),
        device_brand: own(d.1),
        device_model: own(d.2),
        os_family: o.0.into(),
        os_major: own(o.1),
        os_minor: own(o.2),
        browser_family: b.0.into(),
        browser_major: Some(b.1.into()),
        browser_minor: Some(b.2.into()),
        browser_patch: Some(b.3.into()),
    }
}

/// ua-parser's answer for an agent it does not know (nulls the official client rejects).
pub fn unparsed_user_agent(s: &str) -> UserAgent {
    UserAgent {
        string: s.into(),
        device_family: "Other".into(),
        device_brand: None,
        device_model: None,
        os_family: "Other".into(),
        os_major: None,
        os_minor: None,
        browser_family: "Other".into(),
        browser_major: None,
        browser_minor: None,
        browser_patch: None,
    }
}

fn standard_sessions(now: DateTime<Utc>) -> Vec<Session> {
    // (user pk, ip, ua index, minutes since last use)
    let spec: [(i64, &str, usize, i64); 7] = [
        (4, "203.0.113.17", 0, 3),
        (4, "10.20.30.41", 2, 95),
        (5, "203.0.113.44", 1, 50),
        (5, "2001:db8:85a3::8a2e:370:7334", 4, 140),
        (6, "10.20.30.40", 3, 190),
        (7, "192.0.2.10", 1, 240),
        (2, "10.0.0.2", 0, 330),
    ];
    spec.iter()
        .enumerate()
        .map(|(i, (user, ip, ua, mins))| {
            let ip: IpAddr = ip.parse().expect("session ip");
            let last_used =
                now - Duration::minutes(*mins) - Duration::microseconds(i as i64 * 120_003);
            Session {
                uuid: uuid_from(0x5E55_0000 + i as u64),
                user: *user,
                last_ip: ip,
                user_agent: parsed_user_agent(*ua),
                geo: geo_for(ip),
                last_used,
                expires: last_used + Duration::hours(24),
            }
        })
        .collect()
}

fn standard_events(now: DateTime<Utc>, users: &[User]) -> Vec<Event> {
    let pk_of = |name: &str| users.iter().find(|u| u.username == name).map(|u| u.pk);
    let mut evs: Vec<Event> = Vec::new();
    let mut push = |action: &str,
                    username: &str,
                    ip: Option<&str>,
                    ago: Duration,
                    ua: Option<&str>,
                    mfa: bool| {
        let id = evs.len() as u64 + 1;
        let ip: Option<IpAddr> = ip.map(|s| s.parse().expect("scenario ip"));
        // Deterministic sub-second part so timestamps look real (microsecond precision).
        let micros = (mix64(id) % 1_000_000) as i64;
        evs.push(Event {
            id,
            created: now - ago - Duration::microseconds(micros),
            action: Arc::from(action),
            username: Arc::from(username),
            user_pk: pk_of(username).filter(|_| !username.is_empty()),
            client_ip: ip,
            user_agent: ua.map(Arc::from),
            geo: ip.and_then(geo_for),
            mfa,
        });
    };
    let home = |u: &str| match u {
        "alice" => ("203.0.113.17", BROWSER_UAS[0]),
        "bob" => ("203.0.113.44", BROWSER_UAS[1]),
        "carol" => ("10.20.30.40", BROWSER_UAS[3]),
        "dave" => ("192.0.2.10", BROWSER_UAS[1]),
        "erin" => ("2001:db8:85a3::8a2e:370:7334", BROWSER_UAS[2]),
        _ => ("10.0.0.2", BROWSER_UAS[0]),
    };
    let m = Duration::minutes;
    let h = Duration::hours;

    // 30 logins in the last 24 h, cycling six users (5 each), every 47 minutes.
    let loginers = ["alice", "bob", "carol", "dave", "erin", "akadmin"];
    for i in 0..30 {
        let u = loginers[i % loginers.len()];
        let (ip, ua) = home(u);
        push(
            "login",
            u,
            Some(ip),
            m(3 + 47 * i as i64),
            Some(ua),
            i % 4 == 1,
        );
    }
    // 10 older logins (alice/bob/carol/dave twice, erin/akadmin once).
    for i in 0..10 {
        let u = loginers[i % loginers.len()];
        let (ip, ua) = home(u);
        push("login", u, Some(ip), h(25 + 11 * i as i64), Some(ua), false);
    }
    // The brute-force burst: 8 failures, 30 s apart, starting 2 h ago.
    let burst_names = ["admin", "root", "alice"];
    for k in 0..8 {
        let ago = h(2) - Duration::seconds(30 * k as i64);
        push(
            "login_failed",
            burst_names[k % 3],
            Some(STANDARD.burst_ip),
            ago,
            Some("python-requests/2.31.0"),
            false,
        );
    }
    // 7 scattered failures (at most 2 per IP per hour).
    let scattered: [(&str, &str, Duration, bool); 7] = [
        ("bob", "203.0.113.44", m(30), true),
        ("bob", "203.0.113.44", m(38), false),
        ("carol", "192.0.2.77", h(5), false),
        ("erin", "2001:db8:85a3::8a2e:370:7334", h(9), false),
        ("dave", "10.0.5.12", h(13), false),
        ("guest", "203.0.113.99", h(17), false),
        ("alice", "192.0.2.150", h(21), false),
    ];
    for (u, ip, ago, mfa) in scattered {
        push("login_failed", u, Some(ip), ago, Some(BROWSER_UAS[1]), mfa);
    }
    // 5 older failures.
    let older: [(&str, &str, i64); 5] = [
        ("bob", "203.0.113.44", 26),
        ("carol", "192.0.2.77", 30),
        ("root", "198.51.100.99", 48),
        ("alice", "192.0.2.150", 72),
        ("guest", "203.0.113.99", 120),
    ];
    for (u, ip, hours) in older {
        push(
            "login_failed",
            u,
            Some(ip),
            h(hours),
            Some("curl/8.5.0"),
            false,
        );
    }
    // 11 unrelated events in the last 24 h, 3 older; none contains "login".
    let logouts = ["bob", "carol", "dave", "erin", "akadmin"];
    for (i, u) in logouts.iter().enumerate() {
        let (ip, ua) = home(u);
        push(
            "logout",
            u,
            Some(ip),
            h(4 * i as i64) + m(10),
            Some(ua),
            false,
        );
    }
    for ago in [h(1), h(6), h(11)] {
        push(
            "model_updated",
            "akadmin",
            Some("10.0.0.2"),
            ago,
            Some(BROWSER_UAS[0]),
            false,
        );
    }
    push(
        "secret_view",
        "akadmin",
        Some("10.0.0.2"),
        h(7),
        Some(BROWSER_UAS[0]),
        false,
    );
    push("system_task_execution", "", None, h(12), None, false);
    push("system_task_execution", "", None, h(23), None, false);
    push(
        "logout",
        "bob",
        Some("203.0.113.44"),
        h(27),
        Some(BROWSER_UAS[1]),
        false,
    );
    push(
        "logout",
        "carol",
        Some("10.20.30.40"),
        h(50),
        Some(BROWSER_UAS[3]),
        false,
    );
    push(
        "model_created",
        "akadmin",
        Some("10.0.0.2"),
        h(60),
        Some(BROWSER_UAS[0]),
        false,
    );

    evs.sort_by_key(|e| e.created);
    evs
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 9, 14, 10, 0, 0).unwrap()
    }

    #[test]
    fn standard_scenario_matches_documented_figures() {
        let s = Scenario::standard(now());
        let f = STANDARD;
        let cutoff = now() - Duration::hours(24);
        let count = |pred: &dyn Fn(&Event) -> bool| s.events.iter().filter(|e| pred(e)).count();
        assert_eq!(s.users.len(), f.users_total);
        assert_eq!(
            s.users.iter().filter(|u| u.is_active).count(),
            f.users_active
        );
        let by_type = |t: &str| s.users.iter().filter(|u| u.user_type == t).count();
        assert_eq!(by_type("internal"), f.users_internal);
        assert_eq!(by_type("service_account"), f.users_service_account);
        assert_eq!(by_type("external"), f.users_external);
        assert_eq!(s.groups.len(), f.groups_total);
        assert_eq!(s.sessions.len(), f.sessions_total);
        let distinct: BTreeSet<i64> = s.sessions.iter().map(|x| x.user).collect();
        assert_eq!(distinct.len(), f.sessions_distinct_users);
        assert_eq!(
            s.sessions
                .iter()
                .filter(|x| x.user == s.token_user_pk)
                .count(),
            f.sessions_of_token_user
        );
        let recent = |e: &Event| e.created > cutoff;
        let is = |e: &Event, a: &str| &*e.action == a;
        assert_eq!(count(&|e| recent(e) && is(e, "login")), f.logins_24h);
        assert_eq!(
            count(&|e| recent(e) && is(e, "login_failed")),
            f.failed_logins_24h
        );
        assert_eq!(
            count(&|e| recent(e) && !e.action.contains("login")),
            f.other_events_24h
        );
        assert_eq!(count(&|e| !recent(e) && is(e, "login")), f.logins_older);
        assert_eq!(
            count(&|e| !recent(e) && is(e, "login_failed")),
            f.failed_logins_older
        );
        assert_eq!(
            count(&|e| !recent(e) && !e.action.contains("login")),
            f.other_events_older
        );
        assert_eq!(s.events.len(), f.events_total);
        assert_eq!(count(&|e| &*e.username == "alice"), f.alice_events);
        assert_eq!(
            count(&|e| &*e.username == "alice" && is(e, "login_failed")),
            f.alice_failed
        );
        let burst: Vec<&Event> = s
            .events
            .iter()
            .filter(|e| e.client_ip.map(|i| i.to_string()).as_deref() == Some(f.burst_ip))
            .collect();
        assert_eq!(burst.len(), f.burst_failures);
        let span = burst.last().unwrap().created - burst[0].created;
        assert!(span <= Duration::seconds(f.burst_span_secs + 1) && span < Duration::minutes(4));
        let start_ago = now() - burst[0].created;
        assert!(
            (start_ago - Duration::seconds(f.burst_starts_secs_ago))
                .num_seconds()
                .abs()
                <= 1
        );
    }

    #[test]
    fn standard_scattered_failures_never_exceed_three_per_ip_per_hour() {
        let s = Scenario::standard(now());
        let fails: Vec<&Event> = s
            .events
            .iter()
            .filter(|e| &*e.action == "login_failed")
            .filter(|e| e.client_ip.map(|i| i.to_string()).as_deref() != Some(STANDARD.burst_ip))
            .collect();
        for e in &fails {
            let n = fails
                .iter()
                .filter(|o| o.client_ip == e.client_ip)
                .filter(|o| (o.created - e.created).num_seconds().abs() < 3600)
                .count();
            assert!(n <= 3, "{:?} has {n} failures within an hour", e.client_ip);
        }
    }

    #[test]
    fn standard_events_are_sorted_and_ids_unique() {
        let s = Scenario::standard(now());
        assert!(events_sorted(&s.events));
        let ids: BTreeSet<u64> = s.events.iter().map(|e| e.id).collect();
        assert_eq!(ids.len(), s.events.len());
    }

    #[test]
    fn big_scenario_generates_sorted_events_in_span() {
        let s = Scenario::big(now(), 10_000, Duration::days(30), 7);
        assert_eq!(s.events.len(), 10_000);
        assert!(s.events.windows(2).all(|w| w[0].created < w[1].created));
        assert!(s.events[0].created >= now() - Duration::days(30));
        assert!(s.events.last().unwrap().created < now());
        let again = Scenario::big(now(), 10_000, Duration::days(30), 7);
        assert_eq!(s.events, again.events, "same seed, same data");
    }
}
