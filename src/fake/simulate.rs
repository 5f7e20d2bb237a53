//! Live traffic for `lookout demo`: steady logins, scattered failures, and every few minutes an
//! attack (brute force, password spray, IPv6 rotation within one /64, or a distributed attack on
//! one username), all on the real clock. Sessions drift up and down with the logins.

use super::scenario::{geo_for, parsed_user_agent, uuid_from, NewEvent, Session, SplitMix64};
use super::server::Shared;
use chrono::{DateTime, Duration, Utc};
use std::sync::Arc;
use tokio::sync::watch;
use tokio::task::JoinHandle;

#[derive(Debug, Clone)]
pub struct SimulationOptions {
    pub seed: u64,
    /// Mean gap between successful logins.
    pub login_every: std::time::Duration,
    /// Mean gap between scattered single failures (typos).
    pub failure_every: std::time::Duration,
    /// The first attack (always a brute-force burst) starts after this.
    pub first_attack_after: std::time::Duration,
    /// Mean gap between attacks after the first.
    pub attack_every: std::time::Duration,
    /// Sometimes use XSS-looking usernames (attackers type anything).
    pub hostile_usernames: bool,
}

impl Default for SimulationOptions {
    fn default() -> Self {
        SimulationOptions {
            seed: 0x010c_00c7,
            login_every: std::time::Duration::from_secs(4),
            failure_every: std::time::Duration::from_secs(40),
            first_attack_after: std::time::Duration::from_secs(75),
            attack_every: std::time::Duration::from_secs(240),
            hostile_usernames: true,
        }
    }
}

/// Usernames an attacker might type; the dashboard must render them inert.
pub const HOSTILE_USERNAMES: &[&str] = &[
    "<img src=x onerror=alert(1)>",
    "\"><script>alert(1)</script>",
    "admin' OR '1'='1",
    "{{7*7}}",
];

const COMMON_TARGETS: &[&str] = &[
    "admin",
    "root",
    "administrator",
    "akadmin",
    "test",
    "alice",
    "support",
];
const SPRAY_NAMES: &[&str] = &[
    "admin", "root", "alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi", "oracle",
    "postgres", "ubuntu", "jenkins", "git", "backup", "info", "sales", "hr", "it",
];
const ATTACK_UAS: &[&str] = &[
    "python-requests/2.31.0",
    "curl/8.5.0",
    "Mozilla/4.0 (Hydra)",
    "Go-http-client/1.1",
];

/// (username, home IP, UA index) of simulated regular users.
const REGULARS: &[(&str, &str, usize)] = &[
    ("alice", "203.0.113.17", 0),
    ("bob", "203.0.113.44", 1),
    ("carol", "10.20.30.40", 3),
    ("dave", "192.0.2.10", 1),
    ("erin", "2001:db8:85a3::8a2e:370:7334", 2),
    ("frank", "2001:db8:85a3::1f", 4),
    ("grace", "198.51.100.140", 3),
    ("heidi", "10.20.30.77", 0),
    ("akadmin", "10.0.0.2", 0),
];

struct Rng(SplitMix64);

impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0.next_u64() % n.max(1)
    }
    fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.below(hi - lo + 1)
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
    fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.below(xs.len() as u64) as usize]
    }
    /// `mean` ± 50%.
    fn jitter(&mut self, mean: std::time::Duration) -> Duration {
        let ms = mean.as_millis().max(1) as u64;
        Duration::milliseconds(self.range(ms / 2, ms + ms / 2) as i64)
    }
    fn attacker_ip(&mut self) -> String {
        match self.below(3) {
            0 => format!("198.51.100.{}", self.range(2, 62)),
            1 => format!("192.0.2.{}", self.range(100, 250)),
            _ => format!("198.51.100.{}", self.range(70, 250)),
        }
    }
}

struct Sim {
    rng: Rng,
    opts: SimulationOptions,
    /// Planned events, not yet due.
    queue: Vec<NewEvent>,
    next_login: DateTime<Utc>,
    next_failure: DateTime<Utc>,
    next_attack: DateTime<Utc>,
    attacks: u64,
    session_seq: u64,
}

impl Sim {
    fn failure(&mut self, name: &str, ip: &str, at: DateTime<Utc>, ua: &str) -> NewEvent {
        let mut ev = NewEvent::login_failed(name, ip, at);
        ev.user_agent = Some(ua.to_string());
        ev
    }

    fn target_name(&mut self) -> String {
        if self.opts.hostile_usernames && self.rng.chance(15) {
            self.rng.pick(HOSTILE_USERNAMES).to_string()
        } else {
            self.rng.pick(COMMON_TARGETS).to_string()
        }
    }

    /// Plans one attack starting at `t0`; the first attack is always a brute-force burst.
    fn plan_attack(&mut self, t0: DateTime<Utc>) {
        let kind = if self.attacks == 0 {
            0
        } else {
            self.rng.below(100)
        };
        self.attacks += 1;
        let ua = self.rng.pick(ATTACK_UAS).to_string();
        if kind < 55 {
            // Brute force: 8–15 failures from one IP over 1–3 minutes.
            let ip = self.rng.attacker_ip();
            let n = self.rng.range(8, 15);
            let span = self.rng.range(60, 180) as i64;
            let names: Vec<String> = (0..self.rng.range(1, 3))
                .map(|_| self.target_name())
                .collect();
            for i in 0..n {
                let at = t0 + Duration::seconds(span * i as i64 / n as i64);
                let name = names[i as usize % names.len()].clone();
                let ev = self.failure(&name, &ip, at, &ua);
                self.queue.push(ev);
            }
        } else if kind < 75 {
            // Password spray: one IP, many usernames.
            let ip = self.rng.attacker_ip();
            let n = self.rng.range(10, 20) as usize;
            for (i, name) in SPRAY_NAMES.iter().take(n).enumerate() {
                let mut name = name.to_string();
                if self.opts.hostile_usernames && i == 3 {
                    name = self.rng.pick(HOSTILE_USERNAMES).to_string();
                }
                let ev = self.failure(&name, &ip, t0 + Duration::seconds(7 * i as i64), &ua);
                self.queue.push(ev);
            }
        } else if kind < 90 {
            // IPv6 rotation: a new address in the same /64 for every attempt.
            let net = self.rng.range(0x100, 0xfff);
            let name = self.target_name();
            for i in 0..self.rng.range(8, 14) {
                let ip = format!(
                    "2001:db8:bad:{net:x}:{:x}:{:x}::{:x}",
                    self.rng.below(0xffff),
                    i,
                    self.rng.range(1, 0xffff)
                );
                let mut ev = self.failure(&name, &ip, t0 + Duration::seconds(9 * i as i64), &ua);
                ev.country = Some("VN".into());
                ev.city = Some("Hanoi".into());
                self.queue.push(ev);
            }
        } else {
            // Distributed: one username from many IPs.
            let name = self.rng.pick(&["alice", "akadmin", "admin"]).to_string();
            for i in 0..self.rng.range(10, 18) {
                let ip = format!("192.0.2.{}", self.rng.range(1, 254));
                let ev = self.failure(&name, &ip, t0 + Duration::seconds(10 * i as i64), &ua);
                self.queue.push(ev);
            }
        }
    }

    /// Plans whatever is due at `now`, returns events due now, and drifts sessions.
    fn tick(&mut self, now: DateTime<Utc>, shared: &Shared) {
        if now >= self.next_login {
            let (name, ip, ua) = *self.rng.pick(REGULARS);
            let mut ev = NewEvent::login(name, ip, now);
            ev.user_agent = Some(parsed_user_agent(ua).string);
            self.queue.push(ev);
            self.drift_sessions(now, shared, name, ip, ua);
            self.next_login = now + self.rng.jitter(self.opts.login_every);
        }
        if now >= self.next_failure {
            let (name, ip, ua) = *self.rng.pick(REGULARS);
            let ev = self.failure(name, ip, now, &parsed_user_agent(ua).string);
            self.queue.push(ev);
            self.next_failure = now + self.rng.jitter(self.opts.failure_every);
        }
        if now >= self.next_attack {
            self.plan_attack(now);
            self.next_attack = now + self.rng.jitter(self.opts.attack_every);
        }
        let (due, later): (Vec<NewEvent>, Vec<NewEvent>) = std::mem::take(&mut self.queue)
            .into_iter()
            .partition(|e| e.at <= now);
        self.queue = later;
        for ev in due {
            super::add_event(shared, ev);
        }
    }

    /// Each login refreshes or opens a session; now and then one ends (count stays 3–20).
    fn drift_sessions(
        &mut self,
        now: DateTime<Utc>,
        shared: &Shared,
        name: &str,
        ip: &str,
        ua: usize,
    ) {
        let mut s = shared.scenario.write().expect("scenario lock");
        let Some(pk) = s.user_by_username(name).map(|u| u.pk) else {
            return;
        };
        if let Some(u) = s.users.iter_mut().find(|u| u.pk == pk) {
            u.last_login = Some(now);
        }
        s.sessions.retain(|x| x.expires > now);
        let ip: std::net::IpAddr = ip.parse().expect("regular ip");
        if let Some(x) = s
            .sessions
            .iter_mut()
            .find(|x| x.user == pk && x.last_ip == ip)
        {
            x.last_used = now;
        } else if s.sessions.len() < 20 && self.rng.chance(60) {
            self.session_seq += 1;
            s.sessions.push(Session {
                uuid: uuid_from(0x51A0_0000_0000 + self.session_seq),
                user: pk,
                last_ip: ip,
                user_agent: parsed_user_agent(ua),
                geo: geo_for(ip),
                last_used: now,
                expires: now + Duration::hours(24),
            });
        }
        if s.sessions.len() > 3 && self.rng.chance(25) {
            let i = self.rng.below(s.sessions.len() as u64) as usize;
            s.sessions.remove(i);
        }
    }
}

pub(crate) fn spawn(
    shared: Arc<Shared>,
    mut shutdown: watch::Receiver<bool>,
    opts: SimulationOptions,
) -> JoinHandle<()> {
    tokio::spawn(async move {
        let now = Utc::now();
        let mut rng = Rng(SplitMix64(opts.seed));
        let first_attack = now + Duration::from_std(opts.first_attack_after).unwrap_or_default();
        let next_failure = now + rng.jitter(opts.failure_every);
        let mut sim = Sim {
            rng,
            next_login: now,
            next_failure,
            next_attack: first_attack,
            opts,
            queue: Vec::new(),
            attacks: 0,
            session_seq: 0,
        };
        let mut tick = tokio::time::interval(std::time::Duration::from_millis(250));
        loop {
            tokio::select! {
                _ = tick.tick() => sim.tick(Utc::now(), &shared),
                _ = shutdown.changed() => break,
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fake::scenario::{self, Scenario};
    use std::sync::{Mutex, RwLock};

    fn shared() -> Shared {
        Shared {
            scenario: RwLock::new(Scenario::standard(Utc::now())),
            requests: Mutex::new(Vec::new()),
            faults: Mutex::new(Default::default()),
            webhook: Mutex::new(None),
        }
    }

    #[test]
    fn simulated_ten_minutes_contain_logins_and_a_brute_force_burst_within_90s() {
        let shared = shared();
        let start = Utc::now();
        let before = shared.scenario.read().unwrap().events.len();
        let opts = SimulationOptions::default();
        let mut sim = Sim {
            rng: Rng(SplitMix64(opts.seed)),
            next_login: start,
            next_failure: start + Duration::seconds(30),
            next_attack: start + Duration::from_std(opts.first_attack_after).unwrap(),
            opts,
            queue: Vec::new(),
            attacks: 0,
            session_seq: 0,
        };
        for step in 0..(600 * 4) {
            sim.tick(start + Duration::milliseconds(250 * step), &shared);
        }
        let s = shared.scenario.read().unwrap();
        let new: Vec<_> = s.events[before..]
            .iter()
            .filter(|e| e.created >= start)
            .collect();
        let logins = new.iter().filter(|e| &*e.action == "login").count();
        assert!(logins > 60, "steady logins, got {logins}");
        // The first burst: ≥ 8 failures from one IP, starting within 90 s.
        let first_90 = start + Duration::seconds(90);
        let burst_ip = new
            .iter()
            .find(|e| {
                &*e.action == "login_failed"
                    && e.created <= first_90
                    && e.user_agent
                        .as_deref()
                        .is_some_and(|u| ATTACK_UAS.contains(&u))
            })
            .and_then(|e| e.client_ip)
            .expect("an attack failure within 90 s");
        let from_ip = new
            .iter()
            .filter(|e| e.client_ip == Some(burst_ip) && &*e.action == "login_failed")
            .count();
        assert!((8..=15).contains(&from_ip), "burst size {from_ip}");
        assert!(sim.attacks >= 2, "more attacks follow");
        assert!(scenario::events_sorted(&s.events));
        assert!((3..=20).contains(&s.sessions.len()));
    }

    #[test]
    fn hostile_usernames_fit_authentik_username_limit() {
        assert!(HOSTILE_USERNAMES.iter().all(|u| u.len() <= 150));
    }
}
