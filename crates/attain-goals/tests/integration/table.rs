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
