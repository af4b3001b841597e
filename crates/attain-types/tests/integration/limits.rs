//! Issue 12: amounts near the limits of `Decimal` (28 digits, a mantissa near 2^96) at scales
//! 0, 2 and 3 (JPY, USD, KWD). Every amount is either held exactly (the same value at the
//! minor unit's scale; splits sum exactly to the whole; JSON round-trips) or refused with a
//! typed error: never rescaled, never a panic. The expected outcome is computed independently
//! here, in `u128` arithmetic on the mantissa.

use attain_types::input::{self, InputError};
use attain_types::{Currency, Decimal, Error, Money, allocate};
use proptest::prelude::*;

/// `2^96 - 1`, the largest mantissa.
const MAX: u128 = (1 << 96) - 1;

/// Mantissas concentrated near the edges: at and just below `2^96 - 1`, near `(2^96 - 1) /
/// 10^k` (where one more decimal stops fitting), and anywhere below `2^96`.
fn mantissa() -> impl Strategy<Value = u128> {
    prop_oneof![
        (0u128..1_000_000).prop_map(|k| MAX - k),
        (0u32..=28, 0u128..2_000, any::<bool>()).prop_map(|(k, d, up)| {
            let edge = MAX / 10u128.pow(k);
            if up {
                (edge + d).min(MAX)
            } else {
                edge.saturating_sub(d)
            }
        }),
        (0u32..=28, 0u128..1000).prop_map(|(k, d)| (10u128.pow(k) * (1 + d % 9)).min(MAX)),
        0u128..=MAX,
    ]
}

fn currency() -> impl Strategy<Value = Currency> {
    prop_oneof![
        Just(Currency::JPY),
        Just(Currency::USD),
        Just(Currency::KWD)
    ]
}

/// The exact number of minor units of `mantissa * 10^-scale`, or why it is refused.
#[derive(Debug, PartialEq)]
enum Expected {
    Units(u128),
    NotWhole,
    OutOfRange,
}

fn expected(mantissa: u128, scale: u32, minor: u32) -> Expected {
    if scale > minor {
        let div = 10u128.pow(scale - minor);
        if !mantissa.is_multiple_of(div) {
            return Expected::NotWhole;
        }
        return Expected::Units(mantissa / div);
    }
    match mantissa.checked_mul(10u128.pow(minor - scale)) {
        Some(u) if u <= MAX => Expected::Units(u),
        _ => Expected::OutOfRange,
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2_000))]

    #[test]
    fn prop_money_near_the_limits_is_exact_or_refused(
        m in mantissa(),
        scale in 0u32..=28,
        negative in any::<bool>(),
        c in currency(),
        weights in prop::collection::vec(0u32..1_000, 1..8),
    ) {
        let signed = i128::try_from(m).unwrap();
        let amount = Decimal::from_i128_with_scale(if negative { -signed } else { signed }, scale);
        let want = expected(m, scale, c.minor_units());
        let got = Money::try_new(amount, c);
        match (&want, &got) {
            (Expected::Units(u), Ok(money)) => {
                prop_assert_eq!(money.amount(), amount);
                prop_assert_eq!(money.amount().scale(), c.minor_units());
                prop_assert_eq!(money.to_minor_units().unwrap().unsigned_abs(), *u);
                prop_assert_eq!(Money::new(amount, c).to_minor_units().unwrap().unsigned_abs(), *u);
                // The lead's input rule agrees, from text and from a typed decimal.
                prop_assert_eq!(input::parse_money(&amount.to_string(), c).unwrap(), *money);
                prop_assert_eq!(input::check_money(amount, c).unwrap(), *money);
                // Splits sum exactly to the whole.
                let w: Vec<Decimal> = weights.iter().map(|&x| Decimal::from(x + 1)).collect();
                let parts = allocate(*money, &w).unwrap();
                prop_assert_eq!(parts.len(), w.len());
                prop_assert!(parts.iter().all(|p| p.amount().scale() == c.minor_units()));
                prop_assert_eq!(Money::try_sum(parts, c).unwrap(), *money);
                // The wire format gives back the same amount and scale.
                let json = serde_json::to_string(money).unwrap();
                let back: Money = serde_json::from_str(&json).unwrap();
                prop_assert_eq!(back, *money);
                prop_assert_eq!(back.amount().scale(), c.minor_units());
            }
            (Expected::NotWhole, Err(Error::NotWholeMinorUnits { .. }))
            | (Expected::OutOfRange, Err(Error::MinorUnitsOutOfRange { .. })) => {
                let err = got.unwrap_err();
                prop_assert_eq!(Money::new(amount, c).to_minor_units().unwrap_err(), err.clone());
                prop_assert!(allocate(Money::new(amount, c), &[Decimal::ONE]).is_err());
                prop_assert!(err.to_string().contains(c.code()), "{}", err);
                let refused = matches!(
                    input::check_money(amount, c),
                    Err(InputError::MinorUnits { .. })
                );
                prop_assert!(refused, "check_money accepted {} {}", amount, c);
                prop_assert!(input::parse_money(&amount.to_string(), c).is_err());
            }
            _ => prop_assert!(false, "{amount} {c}: expected {want:?}, got {got:?}"),
        }
    }

    /// Every whole number of minor units up to `2^96 - 1` is an amount, and back.
    #[test]
    fn prop_minor_units_round_trip_to_the_limit(m in mantissa(), negative in any::<bool>(), c in currency()) {
        let units = i128::try_from(m).unwrap() * if negative { -1 } else { 1 };
        let money = Money::from_minor_units(units, c).unwrap();
        prop_assert_eq!(money.to_minor_units().unwrap(), units);
        prop_assert_eq!(money.amount().scale(), c.minor_units());
        let over = i128::try_from(MAX).unwrap() + 1 + i128::try_from(m % 1000).unwrap();
        let refused = Money::from_minor_units(if negative { -over } else { over }, c);
        let typed = matches!(refused, Err(Error::MinorUnitsOutOfRange { .. }));
        prop_assert!(typed, "{:?}", refused);
    }
}

/// Issue 12, item 5, through the library: `allocate` of 10^27 USD printed 10^26. Now 10^27 USD
/// is refused, 10^28 JPY (scale 0, below 2^96) and the largest amounts split exactly, and
/// 10^30, which no `Decimal` holds, is refused when parsed.
#[test]
fn allocate_at_the_limits() {
    let parse = |t: &str| t.parse::<Decimal>().unwrap();
    let e27 = Money::new(parse("1000000000000000000000000000"), Currency::USD);
    let err = allocate(e27, &[Decimal::ONE]).unwrap_err();
    assert_eq!(
        err,
        Error::MinorUnitsOutOfRange {
            amount: "1000000000000000000000000000".into(),
            currency: "USD".into(),
            minor_units: 2,
        }
    );
    for (text, c) in [
        ("10000000000000000000000000000", Currency::JPY),
        ("79228162514264337593543950335", Currency::JPY),
        ("792281625142643375935439503.35", Currency::USD),
        ("-792281625142643375935439503.35", Currency::USD),
        ("79228162514264337593543950.335", Currency::KWD),
    ] {
        let total = input::parse_money(text, c).unwrap();
        assert_eq!(total.amount(), parse(text));
        let parts = allocate(total, &[Decimal::ONE, Decimal::TWO, Decimal::from(4)]).unwrap();
        assert_eq!(Money::try_sum(parts, c).unwrap(), total, "{text} {c}");
    }
    let e30 = "1000000000000000000000000000000";
    assert!(matches!(
        input::parse_money(e30, Currency::JPY),
        Err(InputError::AmountRange { .. })
    ));
    assert!(matches!(
        input::parse_money("1000000000000000000000000000", Currency::USD),
        Err(InputError::MinorUnits { .. })
    ));
}
