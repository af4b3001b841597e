//! Exact arithmetic: 256-bit intermediates for `u128` arithmetic and `Decimal` sums that are
//! exact or refused. The building blocks of exact apportionment (used by
//! [`allocate`](crate::allocate()) and by downstream crates that build their own rounding
//! schemes).
//!
//! ```
//! use attain_types::wide;
//! // (2^128 - 1)^2 / (2^128 - 1) does not fit u128 on the way, but the result does.
//! assert_eq!(wide::mul_div(u128::MAX, u128::MAX, u128::MAX), Some((u128::MAX, 0)));
//! assert_eq!(wide::mul_div(7, 3, 2), Some((10, 1)));
//! assert_eq!(wide::mul_div(1, 1, 0), None);
//! ```

use rust_decimal::Decimal;

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

/// `a + b` exactly, or `None`: `Decimal::checked_add` keeps a sum whose digits do not fit 96
/// bits by dropping decimals (rounding it); this refuses such a sum instead, so a total is
/// either exact or an error. The scale is the larger of the two, as `checked_add` gives it
/// (also where `checked_add` would return a zero operand's partner at its own scale, so that
/// `exact_add(a, b)` and `exact_add(b, a)` are the same value written the same way).
///
/// Conservative at the extremes: when an operand cannot be written at the other's scale in
/// 128 bits (about `10^10` at 28 decimals), the sum is refused even if it happened to be exact.
///
/// ```
/// use attain_types::{dec, wide::exact_add, Decimal};
/// assert_eq!(exact_add(dec!(1.5), dec!(2.25)), Some(dec!(3.75)));
/// assert_eq!(exact_add(dec!(0.000), dec!(5.2)).map(|d| d.to_string()), Some("5.200".into()));
/// // 29 significant digits: `checked_add` would round to 1000000000000000000000.0000000
/// let big = Decimal::from_i128_with_scale(10_i128.pow(28), 7);
/// assert_eq!(exact_add(big, dec!(0.00000005)), None);
/// assert!(big.checked_add(dec!(0.00000005)).is_some());
/// ```
#[must_use]
pub fn exact_add(a: Decimal, b: Decimal) -> Option<Decimal> {
    let sum = a.checked_add(b)?;
    let scale = a.scale().max(b.scale());
    if sum.scale() >= scale {
        return Some(sum);
    }
    // The scale went down: a zero operand (exact) or a rounded sum. Compare in i128, and
    // give an exact sum the larger scale, so that `a + b` and `b + a` are written alike.
    let at = |d: Decimal| -> Option<i128> {
        d.mantissa()
            .checked_mul(10_i128.checked_pow(scale - d.scale())?)
    };
    let exact = at(a)?.checked_add(at(b)?)?;
    (exact == at(sum)?).then(|| Decimal::try_from_i128_with_scale(exact, scale).unwrap_or(sum))
}

/// `a - b` exactly, or `None` (see [`exact_add`]).
///
/// ```
/// use attain_types::{dec, wide::exact_sub};
/// assert_eq!(exact_sub(dec!(5.00), dec!(0.01)), Some(dec!(4.99)));
/// ```
#[must_use]
pub fn exact_sub(a: Decimal, b: Decimal) -> Option<Decimal> {
    exact_add(a, -b)
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
