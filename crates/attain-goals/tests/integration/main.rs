//! Integration tests of attain-goals through its public API.
// Helpers outside `#[test]` functions unwrap too; index loops read clearer over table cells.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::needless_range_loop)]

mod apportion;
mod calendar;
mod calibrate;
mod capacity;
mod method;
mod progress;
mod table;
mod time;
mod traits;

use attain_types::{Currency, Decimal, Money};

/// Whether `part` (minor units) is `total * w / sum` rounded down or up, exactly.
pub(crate) fn within_one_unit(part: i128, total: i128, w: u128, sum: u128) -> bool {
    // |part * sum - total * w| < sum, in i128 (tests keep magnitudes small).
    let lhs = part * sum as i128;
    let rhs = total * w as i128;
    (lhs - rhs).abs() < sum as i128
}

pub(crate) fn units(m: Money) -> i128 {
    m.to_minor_units().unwrap()
}

pub(crate) fn money(units: i64, c: Currency) -> Money {
    Money::new(Decimal::new(units, c.minor_units()), c)
}
