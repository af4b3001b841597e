//! Apportionment with the options quota tools offer: locked parts, floors and caps per part.
//!
//! # Method
//!
//! Locked parts keep their amounts and leave `R = total - locked` to the others. The free parts
//! get `clamp(lambda * weight_i, floor_i, cap_i)` for the one `lambda >= 0` at which these sum
//! to `R` (water filling: parts that hit their cap stop growing, parts held at their floor start
//! growing once their proportional share passes it). `lambda` is found exactly over the
//! rational breakpoints `floor_i / weight_i` and `cap_i / weight_i`. The parts that are not
//! held at a floor or cap then share what is left by the largest-remainder method of
//! `attain_types::allocate_units`, so the result is exact to the minor unit and each such part
//! is within one minor unit of `lambda * weight_i`.
//!
//! **Tie rule:** equal remainders are served in input order (the lower index gets the unit).
//!
//! **Alabama paradox:** with largest remainder, raising the total can *lower* a part by one
//! minor unit (the remainders re-order), as in any largest-remainder method. It can never
//! lower it by more: a larger total gives a larger (or equal) `lambda`, so every part's exact
//! share grows or stays, and each part is its exact share rounded down or up. Locked parts
//! never move.
//!
//! ```
//! use attain_goals::apportion::{apportion, Part};
//! use attain_types::{Currency, Money, dec};
//!
//! let cny = |x| Money::new(x, Currency::CNY);
//! // Twelve months of 12,000,000: January is locked at 800,000, December capped at 900,000.
//! let mut parts = vec![Part::weight(dec!(1)); 12];
//! parts[0].locked = Some(cny(dec!(800000)));
//! parts[11].cap = Some(cny(dec!(900000)));
//! let split = apportion(cny(dec!(12000000)), &parts)?;
//! assert_eq!(split[0].amount(), dec!(800000));
//! assert_eq!(split[11].amount(), dec!(900000));
//! assert_eq!(split[1].amount(), dec!(1030000)); // (12,000,000 - 1,700,000) / 10
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use core::cmp::Ordering;

use attain_types::{Decimal, Money, allocate_units};

use crate::error::{Error, Result};
use crate::int;

/// One part of an apportionment.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Part {
    /// The non-negative weight (only ratios matter).
    #[cfg_attr(feature = "serde", serde(with = "attain_types::serde::decimal"))]
    pub weight: Decimal,
    /// A fixed amount (a month already set): the part gets exactly this.
    pub locked: Option<Money>,
    /// The least amount the part may get (default zero).
    pub floor: Option<Money>,
    /// The most the part may get (default no limit).
    pub cap: Option<Money>,
}

impl Part {
    /// A free part of this weight, with no lock, floor or cap.
    #[must_use]
    pub fn weight(weight: Decimal) -> Part {
        Part {
            weight,
            ..Part::default()
        }
    }
}

/// A rational `num / den` with `den > 0`.
#[derive(Debug, Clone, Copy)]
struct Ratio {
    num: u128,
    den: u128,
}

impl Ratio {
    fn cmp(self, o: Ratio) -> Ordering {
        int::cmp_products(self.num, o.den, o.num, self.den)
    }
}

/// Splits a non-negative `total` over `parts` honouring locks, floors and caps; see the
/// [module docs](self). The result has one amount per part and sums exactly to `total`.
///
/// # Errors
/// [`Error::Empty`]; [`Error::NegativeAmount`] for a negative total, lock, floor or cap;
/// [`Error::NegativeWeight`]; [`Error::BoundsInverted`] if a floor is above its cap;
/// [`Error::Infeasible`] if locks exceed the total, floors exceed what is left, or caps cannot
/// hold it; [`Error::Types`] for a currency mismatch or amounts not held exactly in whole minor units
/// (finer than the minor unit, or too large to hold at it: never rescaled).
pub fn apportion(total: Money, parts: &[Part]) -> Result<Vec<Money>> {
    if parts.is_empty() {
        return Err(Error::Empty { what: "parts" });
    }
    let currency = total.currency();
    let units = |m: Money, what: &'static str| -> Result<u128> {
        if m.currency() != currency {
            return Err(attain_types::Error::CurrencyMismatch {
                left: currency.code().to_owned(),
                right: m.currency().code().to_owned(),
            }
            .into());
        }
        let u = m.to_minor_units()?;
        u128::try_from(u).map_err(|_| Error::NegativeAmount {
            what,
            value: m.amount(),
        })
    };
    let t = units(total, "total")?;
    let weights = int::integer_weights(
        "part weight",
        &parts.iter().map(|p| p.weight).collect::<Vec<_>>(),
    )?;
    let mut out = vec![0u128; parts.len()];
    let mut free = Vec::new(); // (index, weight, floor, cap)
    let mut locked: u128 = 0;
    for (i, p) in parts.iter().enumerate() {
        if let Some(l) = p.locked {
            let l = units(l, "locked amount")?;
            out[i] = l;
            locked = locked.checked_add(l).ok_or(Error::Overflow {
                operation: "locked sum",
            })?;
            continue;
        }
        let lo = p.floor.map(|f| units(f, "floor")).transpose()?.unwrap_or(0);
        let hi = p.cap.map(|c| units(c, "cap")).transpose()?;
        if let Some(hi) = hi
            && lo > hi
        {
            return Err(Error::BoundsInverted {
                index: i,
                floor: p.floor.map_or(Decimal::ZERO, |m| m.amount()),
                cap: p.cap.map_or(Decimal::ZERO, |m| m.amount()),
            });
        }
        free.push((i, weights[i], lo, hi));
    }
    let r = t.checked_sub(locked).ok_or_else(|| Error::Infeasible {
        reason: format!("locked parts sum to more than the total {}", total.amount()),
    })?;
    if free.is_empty() {
        if r != 0 {
            return Err(Error::Infeasible {
                reason: format!("every part is locked but {} is left", total.amount()),
            });
        }
        return to_money(&out, currency);
    }
    // g(lambda) = sum clamp(lambda * w, lo, hi), evaluated at lambda = num / den, times den.
    let g_ge = |lam: Ratio| -> Result<Ordering> {
        let mut s: u128 = 0;
        let of = || Error::Overflow {
            operation: "apportion",
        };
        for &(_, w, lo, hi) in &free {
            let lin = w.checked_mul(lam.num).ok_or_else(of)?;
            let lo_d = lo.checked_mul(lam.den).ok_or_else(of)?;
            let mut v = lin.max(lo_d);
            if let Some(hi) = hi {
                v = v.min(hi.checked_mul(lam.den).ok_or_else(of)?);
            }
            s = s.checked_add(v).ok_or_else(of)?;
        }
        Ok(s.cmp(&r.checked_mul(lam.den).ok_or_else(of)?))
    };
    let floors: u128 = free.iter().map(|f| f.2).sum();
    if floors > r {
        return Err(Error::Infeasible {
            reason: format!("floors sum to more than the {r} minor units left"),
        });
    }
    let mut points: Vec<Ratio> = Vec::new();
    for &(_, w, lo, hi) in &free {
        if w > 0 {
            points.push(Ratio { num: lo, den: w });
            if let Some(hi) = hi {
                points.push(Ratio { num: hi, den: w });
            }
        }
    }
    points.sort_by(|a, b| a.cmp(*b));
    // The first breakpoint where g reaches r bounds the segment [prev, next] holding lambda.
    let mut prev = Ratio { num: 0, den: 1 };
    let mut next = None;
    for &p in &points {
        if g_ge(p)? != Ordering::Less {
            next = Some(p);
            break;
        }
        prev = p;
    }
    let mut linear = Vec::new();
    let mut fixed_sum: u128 = 0;
    for &(i, w, lo, hi) in &free {
        let lo_bp = Ratio {
            num: lo,
            den: w.max(1),
        };
        let at_floor = w == 0 || next.is_some_and(|n| lo_bp.cmp(n) != Ordering::Less);
        let at_cap =
            w > 0 && hi.is_some_and(|hi| Ratio { num: hi, den: w }.cmp(prev) != Ordering::Greater);
        if at_floor {
            out[i] = lo;
        } else if at_cap {
            out[i] = hi.unwrap_or(lo);
        } else {
            linear.push((i, w));
            continue;
        }
        fixed_sum += out[i];
    }
    let rest = r.checked_sub(fixed_sum).ok_or_else(|| Error::Infeasible {
        reason: "floors and caps cannot meet the total".to_owned(),
    })?;
    if linear.is_empty() {
        if rest != 0 {
            return Err(Error::Infeasible {
                reason: format!("caps leave {rest} minor units with no part to take them"),
            });
        }
        return to_money(&out, currency);
    }
    let mut lw: Vec<u128> = linear.iter().map(|l| l.1).collect();
    int::reduce(&mut lw);
    let lw: Vec<Decimal> = lw.into_iter().map(int::to_decimal).collect::<Result<_>>()?;
    let rest_i = i128::try_from(rest).map_err(|_| Error::Overflow {
        operation: "apportion",
    })?;
    for (&(i, _), part) in linear.iter().zip(allocate_units(rest_i, &lw)?) {
        out[i] = part.unsigned_abs();
    }
    to_money(&out, currency)
}

fn to_money(units: &[u128], currency: attain_types::Currency) -> Result<Vec<Money>> {
    units
        .iter()
        .map(|&u| {
            let u = i128::try_from(u).map_err(|_| Error::Overflow {
                operation: "apportion",
            })?;
            Ok(Money::from_minor_units(u, currency)?)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use attain_types::{Currency, dec};

    fn usd(x: Decimal) -> Money {
        Money::new(x, Currency::USD)
    }

    #[test]
    fn apportion_floor_and_cap() {
        let parts = vec![
            Part {
                weight: dec!(1),
                floor: Some(usd(dec!(40))),
                ..Part::default()
            },
            Part {
                weight: dec!(1),
                cap: Some(usd(dec!(10))),
                ..Part::default()
            },
            Part::weight(dec!(2)),
        ];
        let out = apportion(usd(dec!(100)), &parts).unwrap();
        // lambda: part0 = max(40, l), part1 = min(10, l), part2 = 2l: 40 + 10 + 2l = 100 -> l = 25
        // but then part0 = max(40, 25) = 40: consistent.
        assert_eq!(out, [usd(dec!(40)), usd(dec!(10)), usd(dec!(50))]);
    }

    #[test]
    fn apportion_infeasible() {
        let capped = vec![Part {
            weight: dec!(1),
            cap: Some(usd(dec!(1))),
            ..Part::default()
        }];
        assert!(matches!(
            apportion(usd(dec!(2)), &capped),
            Err(Error::Infeasible { .. })
        ));
        let floored = vec![Part {
            weight: dec!(1),
            floor: Some(usd(dec!(3))),
            ..Part::default()
        }];
        assert!(matches!(
            apportion(usd(dec!(2)), &floored),
            Err(Error::Infeasible { .. })
        ));
        let inverted = vec![Part {
            weight: dec!(1),
            floor: Some(usd(dec!(3))),
            cap: Some(usd(dec!(1))),
            ..Part::default()
        }];
        assert!(matches!(
            apportion(usd(dec!(2)), &inverted),
            Err(Error::BoundsInverted { .. })
        ));
        assert!(matches!(
            apportion(usd(dec!(-2)), &[Part::weight(dec!(1))]),
            Err(Error::NegativeAmount { .. })
        ));
    }
}
