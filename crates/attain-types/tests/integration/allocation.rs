use attain_types::proptest as strat;
use attain_types::{Currency, Decimal, Money, allocate, allocate_units, count, dec};
use proptest::prelude::*;

fn weights() -> impl Strategy<Value = Vec<Decimal>> {
    // Zeros included; up to 4 decimals; at least one positive weight.
    prop::collection::vec(prop_oneof![Just(0i64), 0i64..1_000_000], 1..60)
        .prop_filter("one positive weight", |w| w.iter().any(|x| *x > 0))
        .prop_map(|w| w.into_iter().map(|x| Decimal::new(x, 4)).collect())
}

proptest! {
    #[test]
    fn prop_allocation_sums_exactly(currency in strat::currency(), units in -10_000_000_000i64..10_000_000_000, w in weights()) {
        let total = Money::new(Decimal::new(units, currency.minor_units()), currency);
        let parts = allocate(total, &w).unwrap();
        prop_assert_eq!(parts.len(), w.len());
        prop_assert_eq!(Money::try_sum(parts, currency).unwrap(), total);
    }

    #[test]
    fn prop_allocation_within_one_unit_of_exact_share(total in 0i64..10_000_000_000, w in weights()) {
        let parts = allocate_units(i128::from(total), &w).unwrap();
        let sum: Decimal = w.iter().sum();
        for (p, wi) in parts.iter().zip(&w) {
            prop_assert!(*p >= 0, "negative part {p}");
            // exact share = total * wi / sum; |p - share| < 1  <=>  |p*sum - total*wi| < sum
            let lhs = (Decimal::from(*p) * sum - Decimal::from(total) * wi).abs();
            prop_assert!(lhs < sum, "part {p} is a unit or more from its share of weight {wi}");
            if wi.is_zero() { prop_assert_eq!(*p, 0); }
        }
    }

    #[test]
    fn prop_allocation_is_deterministic_and_sign_symmetric(total in 0i64..1_000_000, w in weights()) {
        let pos = allocate_units(i128::from(total), &w).unwrap();
        let neg = allocate_units(-i128::from(total), &w).unwrap();
        prop_assert_eq!(pos.iter().map(|p| -p).collect::<Vec<_>>(), neg);
    }

    #[test]
    fn prop_entries_needed_is_minimal(outputs in 0u64..100_000, r in 1i64..=10_000) {
        let rate = attain_types::Rate::new(Decimal::new(r, 4)).unwrap();
        let n = count::entries_needed(outputs, rate).unwrap();
        let d = Decimal::from(n) * rate.to_decimal();
        prop_assert!(d >= Decimal::from(outputs));
        if n > 0 {
            prop_assert!(Decimal::from(n - 1) * rate.to_decimal() < Decimal::from(outputs));
        }
    }
}

#[test]
fn allocation_method_fmcg_case() {
    // METHOD.md 1.2: 12,000,000 split 40/60 by customer type and 60/40 by product line.
    let year = Money::new(dec!(12000000), Currency::CNY);
    let by_customer = allocate(year, &[dec!(40), dec!(60)]).unwrap();
    assert_eq!(by_customer[0].amount(), dec!(4800000));
    assert_eq!(by_customer[1].amount(), dec!(7200000));
    let months = allocate(year, &[Decimal::ONE; 12]).unwrap();
    assert!(months.iter().all(|m| m.amount() == dec!(1000000)));
    let weeks = allocate(months[0], &[Decimal::ONE; 4]).unwrap();
    assert!(weeks.iter().all(|m| m.amount() == dec!(250000)));
}

#[test]
fn allocation_jpy_has_no_fractions() {
    let parts = allocate(Money::new(dec!(100), Currency::JPY), &[dec!(1); 3]).unwrap();
    let amounts: Vec<_> = parts.iter().map(|m| m.amount()).collect();
    assert_eq!(amounts, [dec!(34), dec!(33), dec!(33)]);
}

#[test]
fn public_types_are_send_sync() {
    fn check<T: Send + Sync>() {}
    check::<Money>();
    check::<attain_types::Rate>();
    check::<attain_types::Period>();
    check::<attain_types::WorkingCalendar>();
    check::<attain_types::Error>();
}
