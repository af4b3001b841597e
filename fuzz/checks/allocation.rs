//! Allocation, apportionment and controlled rounding on arbitrary weights and tables, with
//! their invariants asserted: exact sums (to the minor unit, along every axis), every share
//! within one minor unit of its exact value, zero weights stay zero, locks, floors and caps
//! honoured. Weights are mostly moderate (so the exact shares can be checked in `i128`) and
//! sometimes anything (then only no-panic and exact sums are checked).

use arbitrary::{Result, Unstructured};
use attain_goals::apportion::{Part, apportion};
use attain_goals::table::{fit_margins, fit_rows, round_table};
use attain_types::{Currency, Decimal, Money, allocate, allocate_f64, allocate_units};

/// The scale every moderate weight is written at.
const W_SCALE: u32 = 4;

fn weight(u: &mut Unstructured<'_>, moderate: bool) -> Result<Decimal> {
    if moderate {
        let mantissa: i64 = if u.ratio(1, 4)? {
            0
        } else {
            u.int_in_range(0..=1_000_000_000)?
        };
        Ok(Decimal::new(mantissa, u.int_in_range(0..=W_SCALE)?))
    } else {
        Ok(Decimal::from_parts(
            u.arbitrary()?,
            u.arbitrary()?,
            u.arbitrary()?,
            u.arbitrary()?,
            u.int_in_range(0..=28)?,
        ))
    }
}

/// A weight as an integer at [`W_SCALE`].
fn scaled(w: Decimal) -> i128 {
    let mut w = w;
    w.rescale(W_SCALE);
    w.mantissa()
}

/// `|part - total * w / sum| < 1`, exactly.
fn within_one(part: i128, total: i128, w: i128, sum: i128) -> bool {
    match (part.checked_mul(sum), total.checked_mul(w)) {
        (Some(a), Some(b)) => (a - b).abs() < sum,
        _ => true,
    }
}

fn units(m: Money) -> i128 {
    m.to_minor_units().expect("a result in whole minor units")
}

fn currency(u: &mut Unstructured<'_>) -> Result<Currency> {
    Ok(Currency::new(["USD", "JPY", "KWD"][u.choose_index(3)?]).expect("currency"))
}

fn one_dimension(u: &mut Unstructured<'_>) -> Result<()> {
    let moderate = !u.ratio(1, 8)?;
    let n = u.int_in_range(0..=12)?;
    let weights: Vec<Decimal> = (0..n).map(|_| weight(u, moderate)).collect::<Result<_>>()?;
    let cur = currency(u)?;
    let total_units: i128 = if moderate {
        i128::from(u.int_in_range(-10_i64.pow(15)..=10_i64.pow(15))?)
    } else {
        u.arbitrary()?
    };
    if let Ok(parts) = allocate_units(total_units, &weights) {
        assert_eq!(parts.len(), weights.len());
        assert_eq!(
            parts.iter().sum::<i128>(),
            total_units,
            "allocate_units does not sum"
        );
        for (p, w) in parts.iter().zip(&weights) {
            if w.is_zero() {
                assert_eq!(*p, 0, "a zero weight got {p}");
            }
        }
        if moderate {
            let ws: Vec<i128> = weights.iter().map(|w| scaled(*w)).collect();
            let sum: i128 = ws.iter().sum();
            for (p, w) in parts.iter().zip(&ws) {
                assert!(
                    within_one(*p, total_units, *w, sum),
                    "part {p} of {total_units} at {w}/{sum}"
                );
            }
        }
    }
    if let Ok(total) = Money::from_minor_units(total_units, cur)
        && let Ok(parts) = allocate(total, &weights)
    {
        assert_eq!(
            parts.iter().map(|m| units(*m)).sum::<i128>(),
            total_units,
            "allocate does not sum"
        );
        assert!(parts.iter().all(|p| p.currency() == cur));
        assert_eq!(
            allocate_units(total_units, &weights).ok(),
            Some(parts.iter().map(|m| units(*m)).collect())
        );
    }
    let floats: Vec<f64> = (0..u.int_in_range(0..=6)?)
        .map(|_| u.arbitrary())
        .collect::<Result<_>>()?;
    if let Ok(total) = Money::from_minor_units(total_units, cur)
        && let Ok(parts) = allocate_f64(total, &floats)
    {
        assert_eq!(
            parts.iter().map(|m| units(*m)).sum::<i128>(),
            total_units,
            "allocate_f64 does not sum"
        );
        assert!(
            floats.iter().all(|f| f.is_finite()),
            "a non-finite weight was accepted"
        );
    }
    // apportion: locks, floors and caps.
    let total = Money::from_minor_units(total_units.checked_abs().unwrap_or(0), cur);
    let mut parts = Vec::new();
    for w in &weights {
        let mut p = Part::weight(*w);
        let bound = |u: &mut Unstructured<'_>| -> Result<Option<Money>> {
            Ok(if u.ratio(1, 4)? {
                Money::from_minor_units(i128::from(u.int_in_range(0..=10_i64.pow(9))?), cur).ok()
            } else {
                None
            })
        };
        p.locked = bound(u)?;
        p.floor = bound(u)?;
        p.cap = bound(u)?;
        parts.push(p);
    }
    if let Ok(total) = total
        && let Ok(split) = apportion(total, &parts)
    {
        assert_eq!(split.len(), parts.len());
        assert_eq!(
            split.iter().map(|m| units(*m)).sum::<i128>(),
            units(total),
            "apportion does not sum"
        );
        for (s, p) in split.iter().zip(&parts) {
            assert!(!s.is_negative(), "negative share {s:?}");
            if let Some(l) = p.locked {
                assert_eq!(s.amount(), l.amount(), "a lock was not kept");
            } else {
                if let Some(f) = p.floor {
                    assert!(s.amount() >= f.amount(), "below its floor");
                }
                if let Some(c) = p.cap {
                    assert!(s.amount() <= c.amount(), "above its cap");
                }
            }
        }
    }
    Ok(())
}

#[allow(clippy::needless_range_loop)] // cells are indexed by (row, column) in several arrays
fn two_dimensions(u: &mut Unstructured<'_>) -> Result<()> {
    let moderate = !u.ratio(1, 8)?;
    let rows = u.int_in_range(0..=5)?;
    let columns = u.int_in_range(0..=5)?;
    let ragged = u.ratio(1, 16)? && rows >= 2;
    let mut weights: Vec<Vec<Decimal>> = Vec::new();
    for r in 0..rows {
        let c = if ragged && r == 1 {
            columns + 1
        } else {
            columns
        };
        weights.push((0..c).map(|_| weight(u, moderate)).collect::<Result<_>>()?);
    }
    let cur = currency(u)?;
    let total_units = i128::from(u.int_in_range(-10_i64.pow(12)..=10_i64.pow(12))?);
    let Ok(total) = Money::from_minor_units(total_units, cur) else {
        return Ok(());
    };
    if let Ok(t) = round_table(total, &weights) {
        assert!(!ragged, "a ragged table was accepted");
        assert_eq!((t.rows, t.columns), (rows, columns));
        assert_eq!(units(t.total), total_units);
        assert_eq!(
            t.cells.iter().map(|m| units(*m)).sum::<i128>(),
            total_units,
            "cells do not sum"
        );
        for r in 0..rows {
            assert_eq!(
                t.row(r).iter().map(|m| units(*m)).sum::<i128>(),
                units(t.row_totals[r]),
                "row {r}"
            );
        }
        for c in 0..columns {
            let col: i128 = (0..rows).map(|r| units(t.cells[r * columns + c])).sum();
            assert_eq!(col, units(t.column_totals[c]), "column {c}");
        }
        if moderate {
            let ws: Vec<Vec<i128>> = weights
                .iter()
                .map(|row| row.iter().map(|w| scaled(*w)).collect())
                .collect();
            let sum: i128 = ws.iter().flatten().sum();
            for r in 0..rows {
                let row_w: i128 = ws[r].iter().sum();
                assert!(
                    within_one(units(t.row_totals[r]), total_units, row_w, sum),
                    "row total {r}"
                );
                for c in 0..columns {
                    if ws[r][c] == 0 {
                        assert_eq!(units(t.cells[r * columns + c]), 0, "a zero cell moved");
                    }
                    assert!(
                        within_one(units(t.cells[r * columns + c]), total_units, ws[r][c], sum),
                        "cell {r},{c}"
                    );
                }
            }
            for c in 0..columns {
                let col_w: i128 = ws.iter().map(|row| row[c]).sum();
                assert!(
                    within_one(units(t.column_totals[c]), total_units, col_w, sum),
                    "column total {c}"
                );
            }
        }
    }
    // fit_rows keeps the row totals; fit_margins keeps both margins.
    let row_totals: Vec<Money> = (0..rows)
        .map(|_| {
            Money::from_minor_units(
                i128::from(u.int_in_range(0..=10_i64.pow(9)).unwrap_or(0)),
                cur,
            )
        })
        .collect::<std::result::Result<_, _>>()
        .expect("moderate amounts");
    let column_weights: Vec<Decimal> = (0..columns)
        .map(|_| weight(u, moderate))
        .collect::<Result<_>>()?;
    if let Ok(t) = fit_rows(&row_totals, &column_weights) {
        for (r, want) in row_totals.iter().enumerate() {
            assert_eq!(
                t.row(r).iter().map(|m| units(*m)).sum::<i128>(),
                units(*want),
                "fit_rows row {r}"
            );
            assert_eq!(units(t.row_totals[r]), units(*want));
        }
        for (c, w) in column_weights.iter().enumerate() {
            if w.is_zero() {
                assert!(
                    (0..rows).all(|r| t.cells[r * columns + c].is_zero()),
                    "a zero column got money"
                );
            }
        }
    }
    let grand: i128 = row_totals.iter().map(|m| units(*m)).sum();
    let column_units = allocate_units(grand, &column_weights).unwrap_or_default();
    let column_totals: Vec<Money> = column_units
        .iter()
        .map(|&c| Money::from_minor_units(c, cur).expect("fits"))
        .collect();
    if let Ok(t) = fit_margins(&row_totals, &column_totals) {
        for (r, want) in row_totals.iter().enumerate() {
            assert_eq!(
                t.row(r).iter().map(|m| units(*m)).sum::<i128>(),
                units(*want),
                "fit_margins row {r}"
            );
        }
        for (c, want) in column_totals.iter().enumerate() {
            let col: i128 = (0..rows).map(|r| units(t.cells[r * columns + c])).sum();
            assert_eq!(col, units(*want), "fit_margins column {c}");
        }
        if grand > 0 {
            for (r, rt) in row_totals.iter().enumerate() {
                for (c, ct) in column_totals.iter().enumerate() {
                    assert!(
                        within_one(
                            units(t.cells[r * columns + c]),
                            units(*rt),
                            units(*ct),
                            grand
                        ),
                        "fit_margins cell {r},{c}"
                    );
                }
            }
        }
    }
    Ok(())
}

pub fn check(data: &[u8]) {
    let mut u = Unstructured::new(data);
    let _ = if u.arbitrary::<bool>().unwrap_or(false) {
        two_dimensions(&mut u)
    } else {
        one_dimension(&mut u)
    };
}
