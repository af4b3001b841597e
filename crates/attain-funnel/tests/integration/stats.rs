//! Risk and rate statistics against reference values (mpmath at 30 digits, 2026-11-28, and the
//! hand arithmetic in the comments).

use attain_funnel::risk::{entries_for_confidence, probability_at_least};
use attain_funnel::stats::{
    Counts, IntervalMethod, PeriodCounts, calibrate, compare_rates, probability_b_beats_a,
    rate_interval, two_proportion_z_test,
};
use attain_types::{Rate, dec};
use proptest::prelude::*;

#[test]
fn hit_probability_method_case() {
    // P(X >= 3 | n = 15, p = 0.2) = 1 - (0.8^15 + 15 x 0.2 x 0.8^14 + 105 x 0.04 x 0.8^13)
    //                             = 1 - (0.0351844 + 0.1319414 + 0.2308974) = 0.6019768
    let p = probability_at_least(15, Rate::new(dec!(0.2)).unwrap(), 3);
    assert!((p - 0.601_976_790_745_087_7).abs() < 1e-12, "{p}");
    // Chained: 150 leads at 10% then 20% is Binomial(150, 0.02) (independent thinning):
    // P(X >= 3) = 0.5790743 (exact sum, python fractions).
    let p = probability_at_least(150, Rate::new(dec!(0.02)).unwrap(), 3);
    assert!((p - 0.579_074_327_138_182_7).abs() < 1e-12, "{p}");
}

#[test]
fn entries_for_90_percent() {
    // P(X >= 3 | 24, 0.2) = 0.88548 < 0.9 <= P(X >= 3 | 25, 0.2) = 0.90177.
    assert_eq!(
        entries_for_confidence(3, Rate::new(dec!(0.2)).unwrap(), 0.9).unwrap(),
        25
    );
    // Leads at 2% overall: P(264) = 0.89937 < 0.9 <= P(265) = 0.90077.
    assert_eq!(
        entries_for_confidence(3, Rate::new(dec!(0.02)).unwrap(), 0.9).unwrap(),
        265
    );
}

#[test]
fn wilson_golden() {
    // mpmath: Wilson 95% for 25/100 = [0.17545211362, 0.34304463548];
    // for 42/100 = [0.32798382674, 0.51793513297]; for 0/10 the upper bound is 0.27753279986.
    let w = |s, n| {
        rate_interval(
            Counts {
                successes: s,
                trials: n,
            },
            0.95,
            IntervalMethod::Wilson,
        )
        .unwrap()
    };
    let i = w(25, 100);
    assert!(
        (i.lower - 0.175_452_113_622_876_8).abs() < 1e-12
            && (i.upper - 0.343_044_635_480_616).abs() < 1e-12
    );
    let i = w(42, 100);
    assert!(
        (i.lower - 0.327_983_826_743_547_4).abs() < 1e-12
            && (i.upper - 0.517_935_132_969_570_4).abs() < 1e-12
    );
    let i = w(0, 10);
    assert_eq!(i.lower, 0.0);
    assert!((i.upper - 0.277_532_799_862_889_3).abs() < 1e-12);
    assert_eq!(w(10, 10).upper, 1.0);
}

#[test]
fn jeffreys_golden() {
    // mpmath bisection on betainc: Beta(25.5, 75.5) 2.5% / 97.5% quantiles, Beta(1.5, 9.5), and
    // the upper bound of Beta(0.5, 10.5) for 0 successes (lower bound 0 by convention).
    let j = |s, n| {
        rate_interval(
            Counts {
                successes: s,
                trials: n,
            },
            0.95,
            IntervalMethod::Jeffreys,
        )
        .unwrap()
    };
    let i = j(25, 100);
    assert!(
        (i.lower - 0.173_079_789_913_488_7).abs() < 1e-9,
        "{}",
        i.lower
    );
    assert!(
        (i.upper - 0.341_151_311_112_847_2).abs() < 1e-9,
        "{}",
        i.upper
    );
    let i = j(1, 10);
    assert!(
        (i.lower - 0.011_011_673_763_161_14).abs() < 1e-9,
        "{}",
        i.lower
    );
    assert!(
        (i.upper - 0.381_314_771_066_616_3).abs() < 1e-9,
        "{}",
        i.upper
    );
    let i = j(0, 10);
    assert_eq!(i.lower, 0.0);
    assert!(
        (i.upper - 0.217_196_267_509_210_5).abs() < 1e-9,
        "{}",
        i.upper
    );
}

#[test]
fn trial_class_25_to_42_percent() {
    // METHOD.md 2.1 with 100 trials per arm: pooled p = 67/200 = 0.335,
    // SE = sqrt(0.335 x 0.665 x (1/100 + 1/100)) = 0.0667503, z = 0.17 / 0.0667503 = 2.546834,
    // two-sided p = erfc(2.546834 / sqrt 2) = 0.0108705; P(B > A) = 0.9944514 (mpmath, both
    // by the exact sum and by quadrature); lift 42/25 - 1 = +68%.
    let a = Counts {
        successes: 25,
        trials: 100,
    };
    let b = Counts {
        successes: 42,
        trials: 100,
    };
    let c = compare_rates(a, b).unwrap();
    assert!((c.z - 2.546_834_342_207_589).abs() < 1e-12, "{}", c.z);
    assert!(
        (c.p_value - 0.010_870_502_301_536_58).abs() < 1e-12,
        "{}",
        c.p_value
    );
    assert!(
        (c.prob_b_beats_a - 0.994_451_371_038_459_5).abs() < 1e-10,
        "{}",
        c.prob_b_beats_a
    );
    assert_eq!(c.relative_lift.unwrap().to_string(), "+68%");
    assert_eq!(c.rate_b.to_decimal(), dec!(0.42));
    let (z, _) = two_proportion_z_test(b, a).unwrap();
    assert!((z + c.z).abs() < 1e-12);
}

#[test]
fn large_counts_use_the_normal_limit() {
    let a = Counts {
        successes: 2_000_000,
        trials: 10_000_000,
    };
    let b = Counts {
        successes: 2_003_000,
        trials: 10_000_000,
    };
    let p = probability_b_beats_a(a, b).unwrap();
    // Difference 0.0003, SD sqrt(2 x 0.2 x 0.8 / 1e7) = 0.000178885: Phi(1.677) = 0.9532.
    assert!((p - 0.9532).abs() < 1e-3, "{p}");
}

#[test]
fn stats_errors() {
    assert!(
        rate_interval(
            Counts {
                successes: 1,
                trials: 0
            },
            0.95,
            IntervalMethod::Wilson
        )
        .is_err()
    );
    let e = rate_interval(
        Counts {
            successes: 5,
            trials: 4,
        },
        0.95,
        IntervalMethod::Wilson,
    )
    .unwrap_err();
    assert_eq!(
        e.to_string(),
        "5 successes out of 4 trials: successes cannot exceed trials"
    );
    assert!(
        rate_interval(
            Counts {
                successes: 1,
                trials: 4
            },
            1.0,
            IntervalMethod::Wilson
        )
        .is_err()
    );
    assert!(
        compare_rates(
            Counts {
                successes: 0,
                trials: 0
            },
            Counts {
                successes: 1,
                trials: 2
            }
        )
        .is_err()
    );
}

#[test]
fn calibrate_method_history() {
    // METHOD.md 2.2: three years of lead > visit 10%, visit > proposal 30%, proposal > deal 20%.
    // Pooled: 3,000 leads -> 300 visits (10%), 300 -> 90 proposals (30%), 90 -> 18 deals (20%).
    let year = |y: &str, c: [u64; 4]| PeriodCounts {
        period: y.into(),
        counts: c.to_vec(),
    };
    let history = [
        year("2023", [900, 80, 27, 6]),
        year("2024", [1000, 100, 30, 6]),
        year("2025", [1100, 120, 33, 6]),
    ];
    let cal = calibrate(&history, 0.95, IntervalMethod::Wilson).unwrap();
    let pooled: Vec<_> = cal
        .iter()
        .map(|c| c.interval.estimate.to_decimal())
        .collect();
    assert_eq!(pooled, [dec!(0.1), dec!(0.3), dec!(0.2)]);
    assert_eq!(
        cal[0].interval.counts,
        Counts {
            successes: 300,
            trials: 3000
        }
    );
    assert_eq!(
        // 2023: 6 deals of 27 proposals = 0.2222.
        cal[2].per_period[0]
            .unwrap()
            .estimate
            .to_decimal()
            .round_dp(4),
        dec!(0.2222)
    );
    for c in &cal {
        assert!(c.interval.lower < f64::try_from(c.interval.estimate.to_decimal()).unwrap());
    }
    let bad = [year("x", [10, 20, 1, 0])];
    assert!(calibrate(&bad, 0.95, IntervalMethod::Wilson).is_err());
}

proptest! {
    #[test]
    fn prop_interval_in_unit_range_and_contains_estimate(n in 1u64..5_000, s_frac in 0.0f64..=1.0, conf in 0.8f64..0.999, jeffreys in any::<bool>()) {
        let s = ((n as f64) * s_frac).floor() as u64;
        let method = if jeffreys { IntervalMethod::Jeffreys } else { IntervalMethod::Wilson };
        let i = rate_interval(Counts { successes: s.min(n), trials: n }, conf, method).unwrap();
        let est = f64::try_from(i.estimate.to_decimal()).unwrap();
        prop_assert!(0.0 <= i.lower && i.lower <= i.upper && i.upper <= 1.0);
        prop_assert!(i.lower <= est + 1e-12 && est <= i.upper + 1e-12, "{} {} {}", i.lower, est, i.upper);
    }

    #[test]
    fn prop_hit_probability_grows_with_entries(n in 0u64..400, k in 0u64..30, r in 1i64..=10_000) {
        let rate = Rate::new(attain_types::Decimal::new(r, 4)).unwrap();
        let p0 = probability_at_least(n, rate, k);
        let p1 = probability_at_least(n + 1, rate, k);
        prop_assert!((0.0..=1.0).contains(&p0));
        prop_assert!(p1 >= p0 - 1e-12);
    }

    #[test]
    fn prop_b_beats_a_is_complementary(sa in 0u64..200, fa in 0u64..200, sb in 0u64..200, fb in 0u64..200) {
        let a = Counts { successes: sa, trials: sa + fa + 1 };
        let b = Counts { successes: sb, trials: sb + fb + 1 };
        let ab = probability_b_beats_a(a, b).unwrap();
        let ba = probability_b_beats_a(b, a).unwrap();
        prop_assert!((ab + ba - 1.0).abs() < 1e-9);
    }
}
