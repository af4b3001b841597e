use attain_goals::apportion::{Part, apportion};
use attain_types::{Currency, Decimal, Money, allocate, dec};
use proptest::prelude::*;

use crate::{money, units};

fn part() -> impl Strategy<Value = (u32, Option<i64>, Option<i64>, Option<i64>)> {
    (
        0u32..5,
        proptest::option::weighted(0.15, 0i64..3000),
        proptest::option::weighted(0.3, 0i64..3000),
        proptest::option::weighted(0.3, 0i64..6000),
    )
}

proptest! {
    #[test]
    fn prop_apportion_sums_and_respects_bounds(
        u in 0i64..20_000,
        parts in proptest::collection::vec(part(), 1..10),
    ) {
        let c = Currency::USD;
        let ps: Vec<Part> = parts.iter().map(|&(w, l, f, cap)| Part {
            weight: Decimal::from(w),
            locked: l.map(|x| money(x, c)),
            floor: f.map(|x| money(x, c)),
            cap: cap.map(|x| money(x, c)),
        }).collect();
        match apportion(money(u, c), &ps) {
            Ok(out) => {
                prop_assert_eq!(out.iter().map(|m| units(*m)).sum::<i128>(), i128::from(u));
                for (p, m) in ps.iter().zip(&out) {
                    let v = units(*m);
                    if let Some(l) = p.locked { prop_assert_eq!(v, units(l)); continue; }
                    prop_assert!(v >= p.floor.map_or(0, units));
                    if let Some(cap) = p.cap { prop_assert!(v <= units(cap)); }
                }
            }
            Err(attain_goals::Error::BoundsInverted { .. }) => {
                prop_assert!(ps.iter().any(|p| p.locked.is_none() && matches!((p.floor, p.cap), (Some(f), Some(c)) if f.amount() > c.amount())));
            }
            Err(attain_goals::Error::Infeasible { .. }) => {
                // Feasible iff floors <= rest <= reachable maximum.
                let locked: i128 = ps.iter().filter_map(|p| p.locked).map(units).sum();
                let rest = i128::from(u) - locked;
                let free: Vec<&Part> = ps.iter().filter(|p| p.locked.is_none()).collect();
                let floors: i128 = free.iter().map(|p| p.floor.map_or(0, units)).sum();
                let unbounded = free.iter().any(|p| !p.weight.is_zero() && p.cap.is_none());
                let max: i128 = free.iter().map(|p| if p.weight.is_zero() { p.floor.map_or(0, units) } else { p.cap.map_or(0, units) }).sum();
                prop_assert!(rest < 0 || floors > rest || (!unbounded && max < rest) || (free.is_empty() && rest != 0));
            }
            Err(e) => return Err(TestCaseError::fail(format!("unexpected error {e}"))),
        }
    }

    #[test]
    fn prop_apportion_larger_total_lowers_a_part_by_at_most_one_unit(
        u in 0i64..20_000,
        more in 0i64..500,
        parts in proptest::collection::vec((0u32..5, proptest::option::weighted(0.3, 0i64..2000), proptest::option::weighted(0.3, 0i64..6000)), 1..8),
    ) {
        let c = Currency::USD;
        let ps: Vec<Part> = parts.iter().map(|&(w, f, cap)| Part {
            weight: Decimal::from(w),
            floor: f.map(|x| money(x, c)),
            cap: cap.map(|x| money(x.max(f.unwrap_or(0)), c)),
            ..Part::default()
        }).collect();
        if let (Ok(a), Ok(b)) = (apportion(money(u, c), &ps), apportion(money(u + more, c), &ps)) {
            for (x, y) in a.iter().zip(&b) {
                prop_assert!(units(*y) >= units(*x) - 1, "{:?} -> {:?}", a, b);
            }
        }
    }

    #[test]
    fn prop_apportion_without_bounds_is_largest_remainder(
        u in 0i64..1_000_000,
        w in proptest::collection::vec(0u32..9, 1..12),
    ) {
        let mut w = w;
        w[0] += 1;
        let c = Currency::JPY;
        let weights: Vec<Decimal> = w.iter().map(|x| Decimal::from(*x)).collect();
        let parts: Vec<Part> = weights.iter().map(|x| Part::weight(*x)).collect();
        prop_assert_eq!(apportion(money(u, c), &parts).unwrap(), allocate(money(u, c), &weights).unwrap());
    }
}

#[test]
fn apportion_locked_month() {
    let cny = |x| Money::new(x, Currency::CNY);
    let mut parts = vec![Part::weight(dec!(1)); 12];
    parts[0].locked = Some(cny(dec!(1200000)));
    let out = apportion(cny(dec!(12000000)), &parts).unwrap();
    assert_eq!(out[0], cny(dec!(1200000)));
    assert!(
        out[1..]
            .iter()
            .all(|m| *m == cny(dec!(981818.18)) || *m == cny(dec!(981818.19)))
    );
    assert_eq!(
        Money::try_sum(out, Currency::CNY).unwrap(),
        cny(dec!(12000000))
    );
    // Ties: 100 over three equal parts gives the extra cent to the first.
    let thirds = apportion(
        Money::new(dec!(100), Currency::USD),
        &[
            Part::weight(dec!(1)),
            Part::weight(dec!(1)),
            Part::weight(dec!(1)),
        ],
    )
    .unwrap();
    assert_eq!(thirds[0].amount(), dec!(33.34));
}
