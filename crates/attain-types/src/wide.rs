//! Exact 256-bit intermediates for `u128` arithmetic: the building blocks of exact
//! apportionment (used by [`allocate`](crate::allocate()) and by downstream crates that
//! build their own rounding schemes).
//!
//! ```
//! use attain_types::wide;
//! // (2^128 - 1)^2 / (2^128 - 1) does not fit u128 on the way, but the result does.
//! assert_eq!(wide::mul_div(u128::MAX, u128::MAX, u128::MAX), Some((u128::MAX, 0)));
//! assert_eq!(wide::mul_div(7, 3, 2), Some((10, 1)));
//! assert_eq!(wide::mul_div(1, 1, 0), None);
//! ```

/// `(floor(a * b / c), a * b mod c)` with a 256-bit product; `None` if `c == 0` or the quotient
/// does not fit 128 bits.
#[must_use]
pub fn mul_div(a: u128, b: u128, c: u128) -> Option<(u128, u128)> {
    if c == 0 {
        return None;
    }
    if let Some(p) = a.checked_mul(b) {
        return Some((p / c, p % c));
    }
    let (hi, lo) = mul_wide(a, b);
    if hi >= c {
        return None;
    }
    Some(div_wide(hi, lo, c))
}

/// The full 256-bit product `a * b` as `(high, low)` halves; tuples compare like the numbers,
/// so `mul_wide(a, b).cmp(&mul_wide(c, d))` compares `a * b` with `c * d` exactly.
#[must_use]
pub fn mul_wide(a: u128, b: u128) -> (u128, u128) {
    const MASK: u128 = u64::MAX as u128;
    let (a1, a0) = (a >> 64, a & MASK);
    let (b1, b0) = (b >> 64, b & MASK);
    let p00 = a0 * b0;
    let p01 = a0 * b1;
    let p10 = a1 * b0;
    let p11 = a1 * b1;
    let mid = (p00 >> 64) + (p01 & MASK) + (p10 & MASK);
    let lo = (p00 & MASK) | (mid << 64);
    let hi = p11 + (p01 >> 64) + (p10 >> 64) + (mid >> 64);
    (hi, lo)
}

/// Divides the 256-bit `hi:lo` by `d`, given `hi < d` (so the quotient fits 128 bits).
fn div_wide(hi: u128, lo: u128, d: u128) -> (u128, u128) {
    let mut r = hi;
    let mut q: u128 = 0;
    for i in (0..128).rev() {
        let carry = r >> 127;
        r = (r << 1) | ((lo >> i) & 1);
        q <<= 1;
        if carry == 1 || r >= d {
            r = r.wrapping_sub(d);
            q |= 1;
        }
    }
    (q, r)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wide_edges() {
        assert_eq!(mul_wide(u128::MAX, u128::MAX), (u128::MAX - 1, 1));
        assert_eq!(mul_div(u128::MAX, 2, 1), None);
        assert_eq!(mul_div(u128::MAX, 3, 4), Some((u128::MAX / 4 * 3 + 2, 1)));
        assert!(mul_wide(u128::MAX, 2) > mul_wide(u128::MAX, 1));
    }
}
