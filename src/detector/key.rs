//! Source keys: which "attacker" a failure is charged to. An IPv4 address is its own key; an IPv6
//! address is grouped into its `ipv6_prefix` network, because one host usually owns a whole /64 and
//! rotating through it must not reset the count (CrowdSec keys per address and misses that). An
//! IPv4-mapped IPv6 address (`::ffff:198.51.100.7`) is the IPv4 address it maps. A failure with no
//! IP, authentik's unknown-IP sentinel `255.255.255.255`, or an address in `ignore_networks` gets no
//! key at all, so the sentinel can never be "the attacker" of thousands of unrelated failures.
//!
//! Keys are plain `u128` values (IPv4 stored in its mapped form) so the hot path hashes integers and
//! allocates nothing; strings are produced only for findings.

use ipnet::IpNet;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// The address authentik writes when it could not determine the client IP (API.md §4).
pub const UNKNOWN_IP_SENTINEL: Ipv4Addr = Ipv4Addr::BROADCAST;

/// The `::ffff:0:0/96` marker in the top 96 bits of an IPv4-mapped address.
const V4_MAPPED_TOP: u128 = 0xffff;

/// A source key: an IPv4 address (stored IPv4-mapped) or a masked IPv6 network. Mapped and native
/// values cannot collide: a masked network lands in `::ffff:0:0/96` only if the address was mapped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct SourceKey(u128);

impl SourceKey {
    /// Rebuilds a key from [`SourceKey::bits`].
    pub(crate) fn from_bits(bits: u128) -> Self {
        SourceKey(bits)
    }

    pub(crate) fn bits(self) -> u128 {
        self.0
    }

    pub(crate) fn is_v4(self) -> bool {
        self.0 >> 32 == V4_MAPPED_TOP
    }

    /// Orders like `IpAddr`: every IPv4 key before every IPv6 key, then numerically.
    pub(crate) fn sort_key(self) -> (bool, u128) {
        (!self.is_v4(), self.0)
    }
}

/// An address folded into IPv4 when it is IPv4-mapped, so both spellings are one client.
pub fn canonical_ip(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        IpAddr::V4(_) => ip,
    }
}

/// An address as a `u128` in IPv4-mapped space (IPv4 and `::ffff:a.b.c.d` give the same value).
pub(crate) fn ip_bits(ip: IpAddr) -> u128 {
    match ip {
        IpAddr::V4(v4) => (V4_MAPPED_TOP << 32) | u128::from(u32::from(v4)),
        IpAddr::V6(v6) => u128::from(v6),
    }
}

/// True for the addresses a reverse proxy typically has: loopback, RFC 1918, link-local, IPv6 ULA
/// (`fc00::/7`) and carrier-grade NAT (`100.64.0.0/10`). Public addresses never look like a proxy.
pub fn is_internal(ip: IpAddr) -> bool {
    match canonical_ip(ip) {
        IpAddr::V4(v4) => {
            let cgnat = u32::from(v4) & 0xffc0_0000 == 0x6440_0000;
            v4.is_loopback() || v4.is_private() || v4.is_link_local() || cgnat
        }
        IpAddr::V6(v6) => {
            let bits = u128::from(v6);
            let link_local = bits >> 118 == 0xfe80 >> 6;
            let ula = bits >> 121 == 0xfc00 >> 9;
            v6.is_loopback() || link_local || ula
        }
    }
}

/// Turns IPs into [`SourceKey`]s under one set of [`Settings`](super::Settings).
#[derive(Debug, Clone)]
pub(crate) struct Keyer {
    prefix: u8,
    v6_mask: u128,
    /// `ignore_networks`, pre-split by family as (network, mask) for a branch-light check.
    ignore_v4: Vec<(u32, u32)>,
    ignore_v6: Vec<(u128, u128)>,
}

fn mask128(prefix: u8) -> u128 {
    match prefix {
        0 => 0,
        p => u128::MAX << (128 - u32::from(p.min(128))),
    }
}

impl Keyer {
    pub(crate) fn new(ipv6_prefix: u8, ignore_networks: &[IpNet]) -> Self {
        let prefix = ipv6_prefix.min(128);
        let mut ignore_v4 = Vec::new();
        let mut ignore_v6 = Vec::new();
        for net in ignore_networks {
            match net {
                IpNet::V4(n) => {
                    let mask = match n.prefix_len() {
                        0 => 0,
                        p => u32::MAX << (32 - u32::from(p)),
                    };
                    ignore_v4.push((u32::from(n.network()) & mask, mask));
                }
                IpNet::V6(n) => {
                    let mask = mask128(n.prefix_len());
                    ignore_v6.push((u128::from(n.network()) & mask, mask));
                }
            }
        }
        Keyer {
            prefix,
            v6_mask: mask128(prefix),
            ignore_v4,
            ignore_v6,
        }
    }

    /// Whether `ip` is inside `ignore_networks`, as written or as its IPv4 form (so `10.0.0.0/8`
    /// also silences `::ffff:10.1.2.3`; an IPv6 network matches IPv6 spellings only).
    pub(crate) fn is_ignored(&self, ip: IpAddr) -> bool {
        if let IpAddr::V6(v6) = ip {
            let bits = u128::from(v6);
            if self.ignore_v6.iter().any(|&(net, mask)| bits & mask == net) {
                return true;
            }
        }
        match canonical_ip(ip) {
            IpAddr::V4(v4) => {
                let bits = u32::from(v4);
                self.ignore_v4.iter().any(|&(net, mask)| bits & mask == net)
            }
            IpAddr::V6(_) => false,
        }
    }

    /// The key a failure from `ip` is charged to, or `None` when it must not be keyed as an IP
    /// (no IP, the unknown-IP sentinel, or an ignored network).
    pub(crate) fn key(&self, ip: Option<IpAddr>) -> Option<SourceKey> {
        let ip = ip?;
        let bits = ip_bits(ip);
        let v4_sentinel = ip_bits(IpAddr::V4(UNKNOWN_IP_SENTINEL));
        if bits == v4_sentinel || self.is_ignored(ip) {
            return None;
        }
        if bits >> 32 == V4_MAPPED_TOP {
            Some(SourceKey(bits))
        } else {
            Some(SourceKey(bits & self.v6_mask))
        }
    }

    /// How a key is shown: `198.51.100.23`, `2001:db8:1:2::/64`, or a bare IPv6 address at /128.
    pub(crate) fn display(&self, key: SourceKey) -> String {
        if key.is_v4() {
            // The low 32 bits are the IPv4 address; truncation is the point.
            Ipv4Addr::from(key.0 as u32).to_string()
        } else if self.prefix == 128 {
            Ipv6Addr::from(key.0).to_string()
        } else {
            format!("{}/{}", Ipv6Addr::from(key.0), self.prefix)
        }
    }
}
