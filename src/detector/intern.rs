//! Hashing for the hot path. Source keys are integers; usernames are reduced to a 64-bit hash of
//! their *normalised* spelling (trimmed, lowercased) so the per-username detector groups integers,
//! not strings. The hasher is a small multiply-xor hash (FxHash-style) seeded per call
//! from std's random state: usernames are attacker-controlled, and a fixed, public hash would let an
//! attacker pick colliding usernames and make the detector quadratic.

use std::collections::hash_map::RandomState;
use std::collections::HashMap;
use std::hash::{BuildHasher, Hasher};

const K: u64 = 0xf135_7aea_2e62_a9c5;
/// A second odd multiplier for the username hash's other lane.
const K2: u64 = 0x9e37_79b9_7f4a_7c15;

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
pub(crate) struct SeededState(pub(crate) u64);

impl SeededState {
    pub(crate) fn random() -> Self {
        // Under `cargo fuzz` (which passes `--cfg fuzzing`) a fixed seed keeps each input's
        // coverage and outcome the same on every run, so crashes reproduce and the corpus does
        // not fill with inputs that only hit a lucky hash layout. Real builds stay random.
        if cfg!(fuzzing) {
            return SeededState(0x9e37_79b9_7f4a_7c15);
        }
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

/// Hashes usernames by their normalised form into 128 bits, without allocating for the usual
/// ASCII names. Equal normalised names always hash alike; with two independently seeded 64-bit
/// lanes, distinct names collide with probability about 2⁻¹²⁸ per pair, so grouping by the hash is
/// grouping by the name, and an attacker who cannot see the seed cannot aim for a collision.
pub(crate) struct UsernameHasher {
    lanes: [SeededState; 2],
    scratch: String,
}

impl UsernameHasher {
    pub(crate) fn new() -> Self {
        UsernameHasher {
            lanes: [SeededState::random(), SeededState::random()],
            scratch: String::new(),
        }
    }

    /// Both lanes in one pass over the bytes, eight at a time.
    #[inline]
    fn hash_normal(&self, normal: &str) -> u128 {
        let bytes = normal.as_bytes();
        let [SeededState(mut a), SeededState(mut b)] = self.lanes;
        let mut mix = |word: u64| {
            a = (a ^ word).wrapping_mul(K).rotate_left(26);
            b = (b ^ word).wrapping_mul(K2).rotate_left(29);
        };
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let mut word = [0u8; 8];
            word.copy_from_slice(chunk);
            mix(u64::from_le_bytes(word));
        }
        let rest = chunks.remainder();
        let mut word = [0u8; 8];
        word[..rest.len()].copy_from_slice(rest);
        // The length goes in last so "a" and "a\0" differ.
        mix(u64::from_le_bytes(word) ^ ((bytes.len() as u64) << 56));
        mix(bytes.len() as u64);
        (u128::from(FastHasher(a).finish()) << 64) | u128::from(FastHasher(b).finish())
    }

    #[inline]
    pub(crate) fn hash(&mut self, name: &str) -> u128 {
        let trimmed = name.trim();
        if trimmed
            .bytes()
            .all(|b| b.is_ascii() && !b.is_ascii_uppercase())
        {
            self.hash_normal(trimmed)
        } else {
            let mut scratch = std::mem::take(&mut self.scratch);
            scratch.clear();
            if trimmed.is_ascii() {
                scratch.push_str(trimmed);
                scratch.make_ascii_lowercase();
            } else {
                scratch.push_str(&trimmed.to_lowercase());
            }
            let h = self.hash_normal(&scratch);
            self.scratch = scratch;
            h
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn username_hash_merges_case_and_surrounding_space_but_not_different_names() {
        let mut h = UsernameHasher::new();
        let a = h.hash("admin");
        assert_eq!(h.hash(" Admin\t"), a);
        assert_eq!(h.hash("ADMIN"), a);
        assert_ne!(h.hash("root"), a);
        assert_ne!(h.hash("admin2"), a);
        assert_eq!(h.hash("ÄRGER"), h.hash("ärger"));
    }

    #[test]
    fn kelvin_sign_lowercases_to_ascii_and_joins_the_ascii_spelling() {
        let mut h = UsernameHasher::new();
        assert_eq!(h.hash("\u{212A}im"), h.hash("kim"));
    }
}
