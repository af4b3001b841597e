use attain_goals::table::{Dimension, fit_margins, fit_rows, nest3, round_product, round_table};
use attain_types::proptest as strat;
use attain_types::{Currency, Decimal, Money, dec};
use proptest::prelude::*;

use crate::{money, units, within_one_unit};

fn matrix() -> impl Strategy<Value = Vec<Vec<u32>>> {
    (1usize..9, 1usize..9).prop_flat_map(|(r, c)| {
        proptest::collection::vec(
            proptest::collection::vec(prop_oneof![Just(0u32), 0u32..30], c),
            r,
        )
        .prop_filter("not all zero", |m| m.iter().flatten().any(|x| *x > 0))
    })
}

fn check_table(t: &attain_goals::table::Table, total: Money) -> Result<(), TestCaseError> {
    prop_assert_eq!(t.total, total);
    let mut rows = vec![0i128; t.rows];
    let mut cols = vec![0i128; t.columns];
    for r in 0..t.rows {
        for c in 0..t.columns {
            let v = units(t.cell(r, c).unwrap());
            rows[r] += v;
            cols[c] += v;
        }
    }
    prop_assert_eq!(
        rows,
        t.row_totals.iter().map(|m| units(*m)).collect::<Vec<_>>()
    );
    prop_assert_eq!(
        cols.clone(),
        t.column_totals
            .iter()
            .map(|m| units(*m))
            .collect::<Vec<_>>()
    );
    prop_assert_eq!(cols.iter().sum::<i128>(), units(total));
    Ok(())
}

proptest! {
    #[test]
    fn prop_table_exact_on_both_margins_and_within_one_unit(
        c in strat::currency(),
        u in -1_000_000_000i64..1_000_000_000,
        m in matrix(),
    ) {
        let total = money(u, c);
        let w: Vec<Vec<Decimal>> = m.iter().map(|r| r.iter().map(|x| Decimal::from(*x)).collect()).collect();
        let t = round_table(total, &w).unwrap();
        check_table(&t, total)?;
        let sum: u128 = m.iter().flatten().map(|x| u128::from(*x)).sum();
        let tu = units(total);
        for (r, row) in m.iter().enumerate() {
            for (col, &x) in row.iter().enumerate() {
                let v = units(t.cell(r, col).unwrap());
                prop_assert!(within_one_unit(v, tu, u128::from(x), sum), "cell ({}, {}) = {}", r, col, v);
                if x == 0 { prop_assert_eq!(v, 0); }
                if u >= 0 { prop_assert!(v >= 0); }
            }
            let rw: u128 = row.iter().map(|x| u128::from(*x)).sum();
            prop_assert!(within_one_unit(units(t.row_totals[r]), tu, rw, sum));
        }
        for col in 0..t.columns {
            let cw: u128 = m.iter().map(|r| u128::from(r[col])).sum();
            prop_assert!(within_one_unit(units(t.column_totals[col]), tu, cw, sum));
        }
    }

    #[test]
    fn prop_fit_rows_keeps_rows_and_fits_columns(
        c in strat::currency(),
        rows in proptest::collection::vec(0i64..10_000_000, 1..40),
        mut cw in proptest::collection::vec(0u32..10, 1..6),
    ) {
        cw[0] += 1;
        let rows: Vec<Money> = rows.into_iter().map(|u| money(u, c)).collect();
        let total = Money::try_sum(rows.iter().copied(), c).unwrap();
        let w: Vec<Decimal> = cw.iter().map(|x| Decimal::from(*x)).collect();
        let t = fit_rows(&rows, &w).unwrap();
        check_table(&t, total)?;
        prop_assert_eq!(&t.row_totals, &rows);
        let sum: u128 = cw.iter().map(|x| u128::from(*x)).sum();
        for (j, &x) in cw.iter().enumerate() {
            prop_assert!(within_one_unit(units(t.column_totals[j]), units(total), u128::from(x), sum));
            for (i, r) in rows.iter().enumerate() {
                prop_assert!(within_one_unit(units(t.cell(i, j).unwrap()), units(*r), u128::from(x), sum));
            }
        }
    }

    #[test]
    fn prop_fit_margins_keeps_both(
        c in strat::currency(),
        rows in proptest::collection::vec(0i64..1_000_000, 1..30),
        split in proptest::collection::vec(0u32..10, 1..6),
    ) {
        let rows: Vec<Money> = rows.into_iter().map(|u| money(u, c)).collect();
        let total = Money::try_sum(rows.iter().copied(), c).unwrap();
        let mut split = split;
        split[0] += 1;
        let cols = Dimension { name: "x".into(), labels: split.iter().map(|s| s.to_string()).collect(),
            weights: split.iter().map(|x| Decimal::from(*x)).collect() }.split(total).unwrap();
        let t = fit_margins(&rows, &cols).unwrap();
        check_table(&t, total)?;
        prop_assert_eq!(&t.row_totals, &rows);
        prop_assert_eq!(&t.column_totals, &cols);
        let tu = units(total).max(1) as u128;
        for (i, r) in rows.iter().enumerate() {
            for (j, col) in cols.iter().enumerate() {
                prop_assert!(within_one_unit(units(t.cell(i, j).unwrap()), units(*r), units(*col) as u128, tu));
            }
        }
    }

    #[test]
    fn prop_nest3_exact_along_the_path(
        c in strat::currency(),
        rows in proptest::collection::vec(0i64..10_000_000, 1..14),
        a in proptest::collection::vec(0u32..5, 1..4),
        b in proptest::collection::vec(0u32..5, 1..4),
    ) {
        let (mut a, mut b) = (a, b);
        a[0] += 1;
        b[0] += 1;
        let outer: Vec<Money> = rows.into_iter().map(|u| money(u, c)).collect();
        let da: Vec<Decimal> = a.iter().map(|x| Decimal::from(*x)).collect();
        let db: Vec<Decimal> = b.iter().map(|x| Decimal::from(*x)).collect();
        let cube = nest3(&outer, &da, &db).unwrap();
        let [n0, n1, n2] = cube.dims;
        for o in 0..n0 {
            for m in 0..n1 {
                let s: i128 = (0..n2).map(|i| units(cube.cell(o, m, i).unwrap())).sum();
                prop_assert_eq!(s, units(cube.outer_middle.cell(o, m).unwrap()));
            }
            let s: i128 = (0..n1).flat_map(|m| (0..n2).map(move |i| (m, i))).map(|(m, i)| units(cube.cell(o, m, i).unwrap())).sum();
            prop_assert_eq!(s, units(outer[o]));
        }
        for m in 0..n1 {
            for i in 0..n2 {
                let s: i128 = (0..n0).map(|o| units(cube.cell(o, m, i).unwrap())).sum();
                prop_assert_eq!(s, units(cube.middle_inner.cell(m, i).unwrap()));
            }
        }
    }
}

#[test]
fn table_large_is_exact() {
    // 365 x 50 with a zero diagonal band.
    let w: Vec<Vec<Decimal>> = (0..365)
        .map(|r| {
            (0..50)
                .map(|c| {
                    if (r + c) % 7 == 0 {
                        Decimal::ZERO
                    } else {
                        Decimal::from((r * 31 + c * 17) % 13 + 1)
                    }
                })
                .collect()
        })
        .collect();
    let total = Money::new(dec!(12345678.91), Currency::USD);
    let t = round_table(total, &w).unwrap();
    assert_eq!(
        Money::try_sum(t.row_totals.iter().copied(), Currency::USD).unwrap(),
        total
    );
    assert!((0..365).all(|r| (0..50).all(|c| (r + c) % 7 != 0 || t.cell(r, c).unwrap().is_zero())));
}

#[test]
fn table_errors() {
    let usd = |x| Money::new(x, Currency::USD);
    assert!(round_table(usd(dec!(1)), &[]).is_err());
    assert!(matches!(
        round_table(usd(dec!(1)), &[vec![dec!(1)], vec![]]),
        Err(attain_goals::Error::LengthMismatch { .. })
    ));
    assert!(matches!(
        round_table(usd(dec!(1)), &[vec![dec!(0)]]),
        Err(attain_goals::Error::Types(_))
    ));
    assert!(matches!(
        round_product(usd(dec!(1)), &[dec!(-1)], &[dec!(1)]),
        Err(attain_goals::Error::NegativeWeight { .. })
    ));
    let d = Dimension {
        name: "customer".into(),
        labels: vec!["new".into()],
        weights: vec![dec!(1), dec!(2)],
    };
    assert!(matches!(
        d.split(usd(dec!(1))),
        Err(attain_goals::Error::LengthMismatch { .. })
    ));
}

/// The checked case: 100,000 units in three equal rows split 50 / 30 / 20. Exact
/// cells are 16,666.667 / 10,000 / 6,666.667 in every row; the nearest controlled rounding
/// deviates by 8/3 units in total (two cells of each fractional column up by 1/3, one down by
/// 2/3: 4/3 a column).
#[test]
fn table_nearest_rounding_checked_case() {
    let jpy = |x: Decimal| Money::new(x, Currency::JPY);
    let row = vec![dec!(5), dec!(3), dec!(2)];
    let t = round_table(jpy(dec!(100000)), &[row.clone(), row.clone(), row]).unwrap();
    let rows: Vec<Decimal> = t.row_totals.iter().map(|m| m.amount()).collect();
    assert_eq!(rows, [dec!(33334), dec!(33333), dec!(33333)]);
    let cols: Vec<Decimal> = t.column_totals.iter().map(|m| m.amount()).collect();
    assert_eq!(cols, [dec!(50000), dec!(30000), dec!(20000)]);
    assert_eq!((t.deviation.numerator(), t.deviation.denominator()), (8, 3));
    assert_eq!(t.deviation.to_string(), "8/3");
    assert_eq!(
        t.deviation.to_money(Currency::JPY, 3).unwrap().amount(),
        dec!(2.667)
    );
    // The column of exact 10,000s is not touched.
    assert!((0..3).all(|r| t.cell(r, 1).unwrap().amount() == dec!(10000)));
}

/// The least total deviation, in units of `1 / den`, over every integer table within one unit
/// of the exact cells `num[i] / den` whose row and column sums lie within one unit of theirs
/// (`row_fixed`/`col_fixed`: the exact margin is whole and must be met), by brute force.
fn brute_force_nearest(rows: usize, cols: usize, num: &[u128], den: u128) -> Option<u128> {
    let frac: Vec<usize> = (0..num.len())
        .filter(|&i| !num[i].is_multiple_of(den))
        .collect();
    let near = |sum: u128, exact: u128| {
        // |sum * den - exact| < den, exact = sum of numerators.
        sum * den + den > exact && sum * den < exact + den
    };
    let mut best: Option<u128> = None;
    for mask in 0u32..(1 << frac.len()) {
        let mut v: Vec<u128> = num.iter().map(|&x| x / den).collect();
        for (b, &i) in frac.iter().enumerate() {
            if mask & (1 << b) != 0 {
                v[i] += 1;
            }
        }
        let total: u128 = v.iter().sum();
        if total * den != num.iter().sum::<u128>() {
            continue;
        }
        let rows_ok = (0..rows).all(|r| {
            near(
                (0..cols).map(|c| v[r * cols + c]).sum(),
                (0..cols).map(|c| num[r * cols + c]).sum(),
            )
        });
        let cols_ok = (0..cols).all(|c| {
            near(
                (0..rows).map(|r| v[r * cols + c]).sum(),
                (0..rows).map(|r| num[r * cols + c]).sum(),
            )
        });
        if rows_ok && cols_ok {
            let dev: u128 = (0..num.len()).map(|i| (v[i] * den).abs_diff(num[i])).sum();
            best = Some(best.map_or(dev, |b| b.min(dev)));
        }
    }
    best
}

proptest! {
    /// `round_table` is the nearest controlled rounding: its deviation equals the brute-force
    /// minimum over every controlled rounding of small random tables (zeros included).
    #[test]
    fn prop_table_rounding_is_nearest(
        (rows, cols, w) in (1usize..4, 1usize..4).prop_flat_map(|(r, c)| {
            (Just(r), Just(c), proptest::collection::vec(prop_oneof![Just(0u32), 0u32..9], r * c))
        }).prop_filter("not all zero", |(_, _, w)| w.iter().any(|x| *x > 0)),
        u in 0i64..200,
    ) {
        let total = money(u, Currency::JPY);
        let weights: Vec<Vec<Decimal>> = w
            .chunks(cols)
            .map(|r| r.iter().map(|&x| Decimal::from(x)).collect())
            .collect();
        let t = round_table(total, &weights).unwrap();
        check_table(&t, total)?;
        let sum: u128 = w.iter().map(|&x| u128::from(x)).sum();
        let num: Vec<u128> = w.iter().map(|&x| u128::try_from(u).unwrap() * u128::from(x)).collect();
        let best = brute_force_nearest(rows, cols, &num, sum).unwrap();
        // The library's own cells, measured the same way.
        let dev: u128 = (0..num.len())
            .map(|i| (u128::try_from(units(t.cells[i])).unwrap() * sum).abs_diff(num[i]))
            .sum();
        prop_assert_eq!(dev, best);
        let g = attain_goals::table::Deviation::new(best, sum);
        prop_assert_eq!(t.deviation, g);
    }

    /// `fit_margins` is nearest under both margins fixed (brute force with whole margins).
    #[test]
    fn prop_fit_margins_is_nearest(
        row_units in proptest::collection::vec(0i64..40, 1..4),
        split in proptest::collection::vec(0u32..5, 1..4),
    ) {
        let total: i64 = row_units.iter().sum();
        let split_sum: u32 = split.iter().sum();
        prop_assume!(split_sum > 0);
        let col_units: Vec<i64> = {
            let w: Vec<Decimal> = split.iter().map(|&x| Decimal::from(x)).collect();
            attain_types::allocate_units(i128::from(total), &w)
                .unwrap()
                .into_iter()
                .map(|x| i64::try_from(x).unwrap())
                .collect()
        };
        let r: Vec<Money> = row_units.iter().map(|&x| money(x, Currency::JPY)).collect();
        let c: Vec<Money> = col_units.iter().map(|&x| money(x, Currency::JPY)).collect();
        let t = fit_margins(&r, &c).unwrap();
        let den = u128::try_from(total.max(1)).unwrap();
        let mut num = Vec::new();
        for &a in &row_units {
            for &b in &col_units {
                num.push(u128::try_from(a * b).unwrap());
            }
        }
        // Exact cells a * b / total: with whole margins, "within one unit" means equal.
        let best = if total == 0 {
            0
        } else {
            brute_force_nearest(row_units.len(), col_units.len(), &num, den).unwrap()
        };
        prop_assert_eq!(t.deviation, attain_goals::table::Deviation::new(best, den));
    }
}

#[test]
fn nest3_reports_its_exact_deviation() {
    // Two months of 100 and 101 units, customers 1:2, products 1:1:1. Exact cells are
    // 100/9, 200/9 (month 1) and 101/9, 202/9 (month 2): measured by hand from the cells.
    let jpy = |x: i64| money(x, Currency::JPY);
    let cube = nest3(
        &[jpy(100), jpy(101)],
        &[dec!(1), dec!(2)],
        &[dec!(1), dec!(1), dec!(1)],
    )
    .unwrap();
    let shares = [[1i128, 2], [1, 2]];
    let outer = [100i128, 101];
    let mut dev = 0i128;
    for o in 0..2 {
        for m in 0..2 {
            for i in 0..3 {
                let cell = units(cube.cell(o, m, i).unwrap());
                dev += (cell * 9 - outer[o] * shares[o][m]).abs();
            }
        }
    }
    let expected = attain_goals::table::Deviation::new(u128::try_from(dev).unwrap(), 9);
    assert_eq!(cube.deviation, expected);
    assert!(!cube.deviation.is_zero());
}
