//! The `dec!` macro: a `Decimal` literal checked at compile time, usable through this crate
//! alone (no direct `rust_decimal` dependency needed).

use rust_decimal::Decimal;

/// A [`Decimal`] literal, parsed at compile time: `dec!(12000000)`, `dec!(-0.5)`,
/// `dec!(83_333.33)`. A malformed literal (exponent, more than 28 decimals, out of range) is a
/// compile error.
///
/// ```
/// use attain_types::{dec, Decimal};
/// assert_eq!(dec!(83_333.33), Decimal::new(8_333_333, 2));
/// assert_eq!(dec!(-0.5), Decimal::new(-5, 1));
/// ```
#[macro_export]
macro_rules! dec {
    ($($literal:tt)+) => {{
        const VALUE: $crate::Decimal = $crate::__parse_decimal_literal(stringify!($($literal)+));
        VALUE
    }};
}

/// Parses the text of a decimal literal in a `const` context. Used by [`dec!`](crate::dec);
/// not part of the public API.
///
/// # Panics
/// On a malformed literal; since it runs in a `const`, that is a compile error.
#[doc(hidden)]
#[must_use]
pub const fn __parse_decimal_literal(text: &str) -> Decimal {
    let bytes = text.as_bytes();
    let mut i = 0;
    let mut negative = false;
    // stringify!(-0.5) gives "- 0.5": skip the sign and spaces.
    while i < bytes.len() && (bytes[i] == b' ' || bytes[i] == b'-' || bytes[i] == b'+') {
        if bytes[i] == b'-' {
            negative = !negative;
        }
        i += 1;
    }
    let mut mantissa: i128 = 0;
    let mut scale: u32 = 0;
    let mut seen_point = false;
    let mut digits = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b == b'.' {
            assert!(!seen_point, "dec!: more than one decimal point");
            seen_point = true;
        } else if b == b'_' {
            // digit separator
        } else {
            assert!(b.is_ascii_digit(), "dec!: not a plain decimal literal");
            mantissa = match mantissa.checked_mul(10) {
                Some(m) => match m.checked_add((b - b'0') as i128) {
                    Some(m) => m,
                    None => panic!("dec!: literal out of range"),
                },
                None => panic!("dec!: literal out of range"),
            };
            digits += 1;
            if seen_point {
                scale += 1;
            }
        }
        i += 1;
    }
    assert!(digits > 0, "dec!: no digits");
    assert!(
        scale <= 28 && mantissa < (1i128 << 96),
        "dec!: literal out of range (at most 28 decimals and 96 bits)"
    );
    let m = mantissa as u128;
    Decimal::from_parts(
        m as u32,
        (m >> 32) as u32,
        (m >> 64) as u32,
        negative,
        scale,
    )
}

#[cfg(test)]
mod tests {
    use rust_decimal::Decimal;

    #[test]
    fn dec_literals() {
        assert_eq!(crate::dec!(12000000), Decimal::from(12_000_000));
        assert_eq!(crate::dec!(-0.5), Decimal::new(-5, 1));
        assert_eq!(crate::dec!(0.000), Decimal::new(0, 3));
        assert_eq!(crate::dec!(1_000.25), Decimal::new(100_025, 2));
        assert_eq!(crate::dec!(83333.33).scale(), 2);
    }
}
