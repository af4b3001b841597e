//! Unit economics: simple LTV, CAC, LTV:CAC, payback, channel CAC (hand-checked).

use attain_lifecycle::Error;
use attain_lifecycle::economics::{
    ChannelSpend, UnitEconomics, UnitEconomicsInput, cac, cac_payback_months, channel_cac,
    ltv_to_cac, simple_ltv,
};
use attain_types::{Currency, Decimal, Money, Rate, dec};
use proptest::prelude::*;

fn cny(d: Decimal) -> Money {
    Money::new(d, Currency::CNY)
}

/// Golden, hand-checked: ARPA 1,200 a month, 75% margin, 3% monthly churn; 90,000 of sales
/// and marketing spend for 45 new customers.
#[test]
fn golden_unit_economics() {
    let input = UnitEconomicsInput {
        arpa_monthly: cny(dec!(1200)),
        gross_margin: Rate::new(dec!(0.75)).unwrap(),
        monthly_churn: Rate::new(dec!(0.03)).unwrap(),
        spend: cny(dec!(90000)),
        new_customers: 45,
    };
    let u = UnitEconomics::compute(&input).unwrap();
    assert_eq!(u.ltv, cny(dec!(30000))); // 1,200 x 0.75 / 0.03 = 900 / 0.03 = 30,000
    assert_eq!(u.cac, cny(dec!(2000))); // 90,000 / 45 = 2,000
    assert_eq!(u.ltv_to_cac, Some(dec!(15))); // 30,000 / 2,000
    assert_eq!(u.payback_months, dec!(2000) / dec!(900)); // 2,000 / 900 = 2.22... months
    assert_eq!(u.payback_months.round_dp(2), dec!(2.22));
    assert_eq!(u.payback_months.ceil(), dec!(3)); // whole months, rounded up

    let usd_spend = UnitEconomicsInput {
        spend: Money::new(dec!(1), Currency::USD),
        ..input
    };
    assert!(matches!(
        UnitEconomics::compute(&usd_spend),
        Err(Error::CurrencyMismatch { .. })
    ));
    let free = UnitEconomicsInput {
        spend: cny(dec!(0)),
        ..input
    };
    assert_eq!(UnitEconomics::compute(&free).unwrap().ltv_to_cac, None);
}

/// Golden, hand-checked: METHOD.md 2.2 asks for each channel's return before adding it.
#[test]
fn golden_channel_cac() {
    let ch = |name, spend, n| ChannelSpend::new(name, cny(spend), n);
    let r = channel_cac(
        &[
            ch("live-stream", dec!(36000), 24),
            ch("industry community", dec!(12000), 16),
            ch("partners", dec!(6000), 0),
        ],
        Currency::CNY,
    )
    .unwrap();
    assert_eq!(r.channels[0].cac, Some(cny(dec!(1500)))); // 36,000 / 24
    assert_eq!(r.channels[1].cac, Some(cny(dec!(750)))); // 12,000 / 16
    assert_eq!(r.channels[2].cac, None); // no customers yet
    assert_eq!(r.total_spend, cny(dec!(54000)));
    assert_eq!(r.total_new_customers, 40);
    assert_eq!(r.blended, Some(cny(dec!(1350)))); // 54,000 / 40
}

#[test]
fn zero_denominators_and_bad_amounts() {
    assert!(matches!(
        simple_ltv(cny(dec!(1)), Rate::ONE, Rate::ZERO),
        Err(Error::ZeroDenominator { .. })
    ));
    assert!(matches!(
        simple_ltv(cny(dec!(-1)), Rate::ONE, Rate::ONE),
        Err(Error::NegativeAmount { .. })
    ));
    assert!(matches!(
        cac(cny(dec!(5)), 0),
        Err(Error::ZeroDenominator { .. })
    ));
    assert!(matches!(
        cac(cny(dec!(-5)), 1),
        Err(Error::NegativeAmount { .. })
    ));
    assert!(matches!(
        ltv_to_cac(cny(dec!(5)), cny(dec!(0))),
        Err(Error::ZeroDenominator { .. })
    ));
    assert!(matches!(
        ltv_to_cac(cny(dec!(5)), Money::new(dec!(1), Currency::USD)),
        Err(Error::Types(_))
    ));
    assert!(matches!(
        cac_payback_months(cny(dec!(5)), cny(dec!(0)), Rate::ONE),
        Err(Error::ZeroDenominator { .. })
    ));
}

proptest! {
    /// Simple LTV times churn gives back the monthly margin (exact up to 28 digits).
    #[test]
    fn prop_ltv_times_churn_is_margin(arpa in 0i64..1_000_000, margin in 0i64..=100, churn in 1i64..=100) {
        let arpa = cny(Decimal::new(arpa, 2));
        let margin = Rate::new(Decimal::new(margin, 2)).unwrap();
        let churn = Rate::new(Decimal::new(churn, 2)).unwrap();
        let ltv = simple_ltv(arpa, margin, churn).unwrap();
        prop_assert_eq!(
            (ltv.amount() * churn.to_decimal()).round_dp(10),
            (arpa.amount() * margin.to_decimal()).round_dp(10)
        );
    }

    /// Blended CAC lies between the cheapest and the dearest channel with customers.
    #[test]
    fn prop_blended_cac_between_channel_cacs(chs in proptest::collection::vec((0i64..1_000_000, 1u64..500), 1..10)) {
        let input: Vec<ChannelSpend> = chs
            .iter()
            .enumerate()
            .map(|(i, &(s, n))| ChannelSpend::new(&i.to_string(), cny(Decimal::new(s, 2)), n))
            .collect();
        let r = channel_cac(&input, Currency::CNY).unwrap();
        let cacs: Vec<Decimal> = r.channels.iter().map(|c| c.cac.unwrap().amount()).collect();
        let lo = cacs.iter().copied().fold(Decimal::MAX, Decimal::min);
        let hi = cacs.iter().copied().fold(Decimal::MIN, Decimal::max);
        let b = r.blended.unwrap().amount();
        prop_assert!(b >= lo - dec!(0.0000000001) && b <= hi + dec!(0.0000000001));
    }
}
