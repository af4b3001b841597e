//! A small, fast, non-cryptographic hasher for customer ids (FxHash-style multiply-rotate over
//! 8-byte words). Not resistant to adversarial keys; used only inside this crate.

use std::hash::{BuildHasher, Hasher};

const K: u64 = 0x517c_c1b7_2722_0a95;

/// Hashes a byte string: 8 bytes at a time (each word fully mixed into the state, so that no
/// structured difference between ids can cancel), then the tail and the length.
#[inline]
pub(crate) fn hash_bytes(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0;
    let mut chunks = bytes.chunks_exact(8);
    for c in &mut chunks {
        h = fmix(h ^ word8(c)).wrapping_add(K);
    }
    let rest = chunks.remainder();
    if !rest.is_empty() {
        h = fmix(h ^ tail_word(rest)).wrapping_add(K);
    }
    fmix(h ^ (bytes.len() as u64).rotate_right(8))
}

/// Eight bytes as a little-endian word.
#[inline]
fn word8(c: &[u8]) -> u64 {
    let mut w = [0u8; 8];
    w.copy_from_slice(&c[..8]);
    u64::from_le_bytes(w)
}

/// Up to 7 bytes as a word, built from fixed-size loads (no variable-length copy).
#[inline]
pub(crate) fn tail_word(b: &[u8]) -> u64 {
    let n = b.len();
    if n >= 4 {
        let lo = u32::from_le_bytes([b[0], b[1], b[2], b[3]]);
        let hi = u32::from_le_bytes([b[n - 4], b[n - 3], b[n - 2], b[n - 1]]);
        u64::from(lo) | (u64::from(hi) << 32)
    } else if n > 0 {
        u64::from(b[0]) | (u64::from(b[n / 2]) << 8) | (u64::from(b[n - 1]) << 16)
    } else {
        0
    }
}

/// The 64-bit finaliser of MurmurHash3: every input bit affects every output bit.
#[inline]
pub(crate) fn fmix(mut h: u64) -> u64 {
    h ^= h >> 33;
    h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
    h ^= h >> 33;
    h = h.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    h ^ (h >> 33)
}

/// A [`Hasher`] for `std` collections keyed by strings or integers.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct FxHasher {
    h: u64,
}

impl Hasher for FxHasher {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        self.h = (self.h.rotate_left(5) ^ hash_bytes(bytes)).wrapping_mul(K);
    }
    #[inline]
    fn write_u64(&mut self, n: u64) {
        self.h = (self.h.rotate_left(5) ^ n).wrapping_mul(K);
    }
    #[inline]
    fn write_u8(&mut self, n: u8) {
        self.write_u64(u64::from(n));
    }
    #[inline]
    fn write_usize(&mut self, n: usize) {
        self.write_u64(n as u64);
    }
    #[inline]
    fn finish(&self) -> u64 {
        fmix(self.h)
    }
}

/// Builds [`FxHasher`]s.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct FxBuild;

impl BuildHasher for FxBuild {
    type Hasher = FxHasher;
    fn build_hasher(&self) -> FxHasher {
        FxHasher::default()
    }
}
