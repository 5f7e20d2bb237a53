//! The naive oracle: the rules of `detector` written the most obvious way, with chrono
//! arithmetic, `ipnet` and ordered maps, quadratic where that is simplest. Property tests check
//! the fast detector against it; it shares no code with the detector.

use crate::detector::{Finding, FindingKind, LoginAttempt, Settings};
use chrono::{DateTime, Utc};
use ipnet::{IpNet, Ipv6Net};
use std::collections::{BTreeMap, BTreeSet};
use std::net::{IpAddr, Ipv4Addr};

fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => ip,
        },
        v4 => v4,
    }
}

fn counts(a: &LoginAttempt, s: &Settings, now: DateTime<Utc>) -> bool {
    match now.checked_sub_signed(s.lookback) {
        Some(cutoff) => cutoff <= a.at,
        None => s.lookback > chrono::Duration::zero(),
    }
}

fn ignored(ip: IpAddr, s: &Settings) -> bool {
    s.ignore_networks
        .iter()
        .any(|n| n.contains(&canonical(ip)) || n.contains(&ip))
}

/// (sortable network, display) of the key a failure is charged to.
fn key(ip: Option<IpAddr>, s: &Settings) -> Option<(IpAddr, String)> {
    let original = ip?;
    let ip = canonical(original);
    if ip == IpAddr::V4(Ipv4Addr::new(255, 255, 255, 255)) || ignored(original, s) {
        return None;
    }
    match ip {
        IpAddr::V4(v4) => Some((ip, v4.to_string())),
        IpAddr::V6(v6) => {
            let prefix = s.ipv6_prefix.min(128);
            let net = Ipv6Net::new(v6, prefix).unwrap().trunc();
            let shown = if prefix == 128 {
                v6.to_string()
            } else {
                net.to_string()
            };
            Some((IpAddr::V6(net.network()), shown))
        }
    }
}

/// Bursts as index lists, by marking every index of every qualifying window.
fn bursts(failures: &[&LoginAttempt], m: usize, s: &Settings) -> Vec<Vec<usize>> {
    let n = failures.len();
    let mut covered = vec![false; n];
    for i in 0..n {
        if i + m < n && failures[i + m].at - failures[i].at < s.window {
            for c in covered.iter_mut().skip(i).take(m + 1) {
                *c = true;
            }
        }
    }
    let mut out: Vec<Vec<usize>> = Vec::new();
    for k in 0..n {
        if !covered[k] {
            continue;
        }
        let joins = k > 0 && covered[k - 1] && failures[k].at - failures[k - 1].at < s.window;
        match out.last_mut() {
            Some(b) if joins => b.push(k),
            _ => out.push(vec![k]),
        }
    }
    out
}

fn ongoing(all: &[&LoginAttempt], is_last: bool, s: &Settings, now: DateTime<Utc>) -> bool {
    is_last && now - all[all.len() - 1].at < s.window
}

pub fn detect(attempts: &[LoginAttempt], s: &Settings, now: DateTime<Utc>) -> Vec<Finding> {
    let failures: Vec<&LoginAttempt> = attempts
        .iter()
        .filter(|a| !a.success && counts(a, s, now))
        .collect();
    let mut out = Vec::new();

    let mut by_key: BTreeMap<String, (IpAddr, Vec<&LoginAttempt>)> = BTreeMap::new();
    for f in &failures {
        if let Some((net, shown)) = key(f.ip, s) {
            by_key.entry(shown).or_insert((net, Vec::new())).1.push(f);
        }
    }
    for (shown, (net, mut list)) in by_key {
        list.sort_by_key(|a| a.at);
        let found = bursts(&list, s.max_failures as usize, s);
        for (n, b) in found.iter().enumerate() {
            let usernames: BTreeSet<&str> = b.iter().map(|&i| list[i].username.as_str()).collect();
            let addrs: BTreeSet<IpAddr> = b.iter().filter_map(|&i| list[i].ip).collect();
            out.push(Finding {
                kind: FindingKind::BruteForce,
                key: shown.clone(),
                ip: Some(shown.clone()),
                spraying: usernames.len() >= s.spray_min_usernames as usize,
                usernames: usernames.into_iter().map(String::from).collect(),
                sources: vec![],
                failures: b.len() as u32,
                first_seen: list[b[0]].at,
                last_seen: list[*b.last().unwrap()].at,
                ongoing: ongoing(&list, n + 1 == found.len(), s, now),
                rotating: net.is_ipv6() && addrs.len() > 1,
            });
        }
    }

    let mut by_user: BTreeMap<String, Vec<&LoginAttempt>> = BTreeMap::new();
    for f in &failures {
        by_user
            .entry(f.username.trim().to_lowercase())
            .or_default()
            .push(f);
    }
    for (_, mut list) in by_user {
        list.sort_by_key(|a| a.at);
        let found = bursts(&list, s.distributed_max_failures as usize, s);
        for (n, b) in found.iter().enumerate() {
            let sources: BTreeMap<IpAddr, String> =
                b.iter().filter_map(|&i| key(list[i].ip, s)).collect();
            if sources.len() < s.distributed_min_sources as usize {
                continue;
            }
            let mut spellings: BTreeMap<&str, usize> = BTreeMap::new();
            for &i in b {
                *spellings.entry(list[i].username.as_str()).or_default() += 1;
            }
            let mut display = ("", 0);
            for (&name, &c) in &spellings {
                if c > display.1 {
                    display = (name, c);
                }
            }
            out.push(Finding {
                kind: FindingKind::Distributed,
                key: display.0.to_owned(),
                ip: None,
                usernames: spellings.keys().map(|u| u.to_string()).collect(),
                sources: sources.into_values().collect(),
                failures: b.len() as u32,
                first_seen: list[b[0]].at,
                last_seen: list[*b.last().unwrap()].at,
                ongoing: ongoing(&list, n + 1 == found.len(), s, now),
                spraying: false,
                rotating: false,
            });
        }
    }

    out.extend(proxy(attempts, s, now));
    out.sort_by(|a, b| {
        (&a.kind, a.first_seen, &a.key, a.last_seen, a.failures).cmp(&(
            &b.kind,
            b.first_seen,
            &b.key,
            b.last_seen,
            b.failures,
        ))
    });
    out
}

fn internal(ip: IpAddr) -> bool {
    [
        "127.0.0.0/8",
        "10.0.0.0/8",
        "172.16.0.0/12",
        "192.168.0.0/16",
        "169.254.0.0/16",
        "100.64.0.0/10",
        "::1/128",
        "fe80::/10",
        "fc00::/7",
    ]
    .iter()
    .any(|n| n.parse::<IpNet>().unwrap().contains(&ip))
}

fn proxy(attempts: &[LoginAttempt], s: &Settings, now: DateTime<Utc>) -> Option<Finding> {
    let recent: Vec<&LoginAttempt> = attempts.iter().filter(|a| counts(a, s, now)).collect();
    if recent.is_empty() || recent.len() < s.proxy_min_attempts as usize {
        return None;
    }
    let mut per_ip: BTreeMap<IpAddr, usize> = BTreeMap::new();
    for a in &recent {
        if let Some(ip) = a.ip {
            *per_ip.entry(canonical(ip)).or_default() += 1;
        }
    }
    let mut top: Option<(IpAddr, usize)> = None;
    for (&ip, &c) in &per_ip {
        if top.is_none_or(|(_, best)| c > best) {
            top = Some((ip, c));
        }
    }
    let (ip, count) = top?;
    let share_ok = count as f64 >= s.proxy_share * recent.len() as f64;
    let from: Vec<&&LoginAttempt> = recent
        .iter()
        .filter(|a| a.ip.map(canonical) == Some(ip))
        .collect();
    let users: BTreeSet<String> = from
        .iter()
        .map(|a| a.username.trim().to_lowercase())
        .collect();
    if !internal(ip)
        || s.ignore_networks.iter().any(|n| n.contains(&ip))
        || !share_ok
        || users.len() < 3
    {
        return None;
    }
    let last = from.iter().map(|a| a.at).max().unwrap();
    Some(Finding {
        kind: FindingKind::ProxyMisconfiguration,
        key: ip.to_string(),
        ip: Some(ip.to_string()),
        usernames: from
            .iter()
            .map(|a| a.username.clone())
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect(),
        sources: vec![],
        failures: from.iter().filter(|a| !a.success).count() as u32,
        first_seen: from.iter().map(|a| a.at).min().unwrap(),
        last_seen: last,
        ongoing: now - last < s.window,
        spraying: false,
        rotating: false,
    })
}
