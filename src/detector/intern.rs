//! Hashing and interning for the hot path. Source keys are integers; usernames are interned once
//! per distinct *normalised* spelling (trimmed, lowercased) so the per-username detector groups
//! integers, not strings. The hasher is a small multiply-xor hash (FxHash-style) seeded per call
//! from std's random state: usernames are attacker-controlled, and a fixed, public hash would let an
//! attacker pick colliding usernames and make the detector quadratic.

use std::borrow::Cow;
use std::collections::hash_map::RandomState;
use std::collections::HashMap;
use std::hash::{BuildHasher, Hasher};

const K: u64 = 0xf135_7aea_2e62_a9c5;

/// A fast hasher for short keys. Not cryptographic; the seed only keeps collisions unguessable.
#[derive(Clone, Copy)]
pub(crate) struct FastHasher(u64);

impl FastHasher {
    #[inline]
    fn add(&mut self, word: u64) {
        self.0 = (self.0 ^ word).wrapping_mul(K).rotate_left(26);
    }
}

impl Hasher for FastHasher {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let mut word = [0u8; 8];
            word.copy_from_slice(chunk);
            self.add(u64::from_le_bytes(word));
        }
        let rest = chunks.remainder();
        let mut word = [0u8; 8];
        word[..rest.len()].copy_from_slice(rest);
        self.add(u64::from_le_bytes(word) ^ ((rest.len() as u64) << 56));
    }

    #[inline]
    fn write_u8(&mut self, n: u8) {
        self.add(u64::from(n));
    }

    #[inline]
    fn write_u32(&mut self, n: u32) {
        self.add(u64::from(n));
    }

    #[inline]
    fn write_u64(&mut self, n: u64) {
        self.add(n);
    }

    #[inline]
    fn write_u128(&mut self, n: u128) {
        // Truncations split the value into its two halves.
        self.add(n as u64);
        self.add((n >> 64) as u64);
    }

    #[inline]
    fn write_usize(&mut self, n: usize) {
        self.add(n as u64);
    }

    #[inline]
    fn finish(&self) -> u64 {
        // Final avalanche (murmur3 fmix64) so both the low bits (bucket) and the top bits
        // (hashbrown's tag) depend on every input bit.
        let mut h = self.0;
        h ^= h >> 33;
        h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
        h ^= h >> 33;
        h
    }
}

/// Builds [`FastHasher`]s from one random seed per detector run.
#[derive(Clone, Copy)]
pub(crate) struct SeededState(u64);

impl SeededState {
    pub(crate) fn random() -> Self {
        SeededState(RandomState::new().build_hasher().finish())
    }
}

impl BuildHasher for SeededState {
    type Hasher = FastHasher;
    #[inline]
    fn build_hasher(&self) -> FastHasher {
        FastHasher(self.0)
    }
}

pub(crate) type FastMap<K, V> = HashMap<K, V, SeededState>;

pub(crate) fn fast_map<K, V>(state: SeededState) -> FastMap<K, V> {
    HashMap::with_hasher(state)
}

/// The normalised form of a username: trimmed and lowercased, so `Admin`, `admin ` and `ADMIN`
/// are one target.
pub fn normalize_username(name: &str) -> String {
    name.trim().to_lowercase()
}

/// Interns usernames by their normalised form into dense ids `0..len()`.
pub(crate) struct UsernameInterner<'a> {
    ids: FastMap<Cow<'a, str>, u32>,
    scratch: String,
    last: Option<(&'a str, u32)>,
}

impl<'a> UsernameInterner<'a> {
    pub(crate) fn new(state: SeededState) -> Self {
        UsernameInterner {
            ids: fast_map(state),
            scratch: String::new(),
            last: None,
        }
    }

    /// Number of distinct normalised usernames seen so far.
    pub(crate) fn len(&self) -> usize {
        self.ids.len()
    }

    /// The id of `name`'s normalised form. Allocates only for a new distinct username (and for
    /// non-ASCII names, whose Unicode lowercasing needs a buffer).
    #[inline]
    pub(crate) fn intern(&mut self, name: &'a str) -> u32 {
        // Attacks repeat one username back to back; a byte comparison beats a hash lookup.
        if let Some((prev, id)) = self.last {
            if prev == name {
                return id;
            }
        }
        let trimmed = name.trim();
        let already_normal = trimmed
            .bytes()
            .all(|b| b.is_ascii() && !b.is_ascii_uppercase());
        let id = if already_normal {
            self.lookup_or_insert(trimmed, Cow::Borrowed(trimmed))
        } else {
            let mut scratch = std::mem::take(&mut self.scratch);
            scratch.clear();
            if trimmed.is_ascii() {
                scratch.push_str(trimmed);
                scratch.make_ascii_lowercase();
            } else {
                scratch.push_str(&trimmed.to_lowercase());
            }
            let id = match self.ids.get(scratch.as_str()) {
                Some(&id) => id,
                None => self.insert(Cow::Owned(scratch.clone())),
            };
            self.scratch = scratch;
            id
        };
        self.last = Some((name, id));
        id
    }

    fn lookup_or_insert(&mut self, probe: &str, owned: Cow<'a, str>) -> u32 {
        match self.ids.get(probe) {
            Some(&id) => id,
            None => self.insert(owned),
        }
    }

    fn insert(&mut self, key: Cow<'a, str>) -> u32 {
        let id = u32::try_from(self.ids.len()).unwrap_or(u32::MAX);
        self.ids.insert(key, id);
        id
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interner_merges_case_and_surrounding_space_but_not_different_names() {
        let mut i = UsernameInterner::new(SeededState::random());
        let a = i.intern("admin");
        assert_eq!(i.intern(" Admin\t"), a);
        assert_eq!(i.intern("ADMIN"), a);
        assert_ne!(i.intern("root"), a);
        assert_eq!(i.intern("ÄRGER"), i.intern("ärger"));
        assert_eq!(i.len(), 3);
    }

    #[test]
    fn kelvin_sign_lowercases_to_ascii_and_joins_the_ascii_spelling() {
        let mut i = UsernameInterner::new(SeededState::random());
        assert_eq!(i.intern("\u{212A}im"), i.intern("kim"));
    }
}
