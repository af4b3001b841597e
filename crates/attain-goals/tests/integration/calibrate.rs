use attain_goals::calibrate::{CalibrationInputs, Method, Resources, calibrate};
use attain_types::{Currency, Money, Rate, dec};

#[test]
fn calibrate_resources() {
    // 2 added reps at 600,000 a year at 50% ramp, plus 130,000 of marketing at 100 a lead,
    // converting 5% into deals of 8,000: 600,000 + 1,300 x 5% x 8,000 = 1,120,000.
    let cny = |x| Money::new(x, Currency::CNY);
    let r = Resources {
        reps: dec!(2),
        productivity_per_rep: cny(dec!(600000)),
        ramp_factor: Rate::new(dec!(0.5)).unwrap(),
        marketing_spend: cny(dec!(130000)),
        cost_per_lead: cny(dec!(100)),
        lead_to_deal: Rate::new(dec!(0.05)).unwrap(),
        average_deal: cny(dec!(8000)),
    };
    let c = calibrate(&CalibrationInputs {
        resources: Some(r),
        ..Default::default()
    })
    .unwrap();
    assert_eq!(c.target(Method::Resources), Some(cny(dec!(1120000))));
    assert_eq!(c.low(), c.high());
    let zero_cpl = Resources {
        cost_per_lead: cny(dec!(0)),
        ..r
    };
    assert!(
        calibrate(&CalibrationInputs {
            resources: Some(zero_cpl),
            ..Default::default()
        })
        .is_err()
    );
    let negative = Resources {
        reps: dec!(-1),
        ..r
    };
    assert!(matches!(
        calibrate(&CalibrationInputs {
            resources: Some(negative),
            ..Default::default()
        }),
        Err(attain_goals::Error::NegativeAmount { .. })
    ));
}
