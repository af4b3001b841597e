//! The lifecycle map of METHOD.md 2.1: one metric per stage, current against target, the gap,
//! the efficiency gain of closing it and the stage to work on; then the education case.
//!
//! Run with `cargo run --example lifecycle_map`.

use attain::lifecycle::stage::{efficiency_gain, reach_growth};
use attain::lifecycle::{LifecycleMap, LifecycleStage, StageGoal, StageValue};
use attain::types::{Decimal, Growth, Rate, count};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    try_main()
}

/// A rate from percent text such as `"42%"`.
fn pct(text: &str) -> Result<Rate, Box<dyn std::error::Error>> {
    Ok(text.parse::<Rate>()?)
}

/// A value for printing: counts as they are, rates and growth in percent (2 decimals).
fn show(v: &StageValue) -> String {
    match v {
        StageValue::Count(n) => n.to_string(),
        StageValue::Rate(r) => format!("{}%", r.to_percent().round_dp(2).normalize()),
        StageValue::Growth(g) => Growth::new(g.to_decimal().round_dp(4)).to_string(),
    }
}

fn try_main() -> Result<(), Box<dyn std::error::Error>> {
    // 1. Each lifecycle stage has its own metric (METHOD.md 2.1). Awareness is reach:
    //    1,000 new customers reached a month, with exposure up 30% (read here as 1,000 now
    //    and 1,300 as the target).
    let growth = reach_growth(1000, 1300)?;
    println!("Awareness: 1,000 -> 1,300 customers reached a month is {growth} exposure");

    // 2. The map: current and target per stage. METHOD.md gives the targets (50% interest
    //    to proposal, close rate up to 40%, repurchase 60% -> 75%, referrals 20%); the
    //    current values marked "assumed" are ours, for illustration.
    let map = LifecycleMap::new()
        .with_goal(StageGoal::new(
            LifecycleStage::Awareness,
            "new customers reached a month",
            StageValue::Count(1000),
            StageValue::Count(1300),
        ))?
        .with_goal(StageGoal::new(
            LifecycleStage::Interest,
            "interest to proposal (current assumed)",
            StageValue::Rate(pct("40%")?),
            StageValue::Rate(pct("50%")?),
        ))?
        .with_goal(StageGoal::new(
            LifecycleStage::Decision,
            "close rate (current assumed)",
            StageValue::Rate(pct("30%")?),
            StageValue::Rate(pct("40%")?),
        ))?
        .with_goal(StageGoal::new(
            LifecycleStage::Loyalty,
            "yearly repurchase",
            StageValue::Rate(pct("60%")?),
            StageValue::Rate(pct("75%")?),
        ))?
        .with_goal(StageGoal::new(
            LifecycleStage::Loyalty,
            "referred share of new customers (current assumed)",
            StageValue::Rate(pct("15%")?),
            StageValue::Rate(pct("20%")?),
        ))?;
    let report = map.report();

    println!(
        "\n{:<10} {:<52} {:>8} {:>8} {:>8}",
        "stage", "goal", "current", "target", "gain"
    );
    for g in &report.goals {
        let gain = g.gain.map_or("n/a".to_owned(), |x| {
            Growth::new(x.to_decimal().round_dp(4)).to_string()
        });
        println!(
            "{:<10} {:<52} {:>8} {:>8} {:>8}",
            g.stage.to_string(),
            g.name,
            show(&g.current),
            show(&g.target),
            gain
        );
    }

    // 3. The stage to work on: the unmet goal that needs the largest relative improvement;
    //    on a tie (close rate and referrals both need +33.33%), the earlier stage, since an
    //    upstream gain carries through every later stage.
    if let Some(focus) = report.focus() {
        println!("\nWork on the {} stage: {}", focus.stage, focus.name);
    }

    // 4. What the first three stages mean in new customers a month: reach x interest x close,
    //    rounded up to whole customers.
    let now = Decimal::from(1000) * pct("40%")?.chain(pct("30%")?).to_decimal();
    let planned = Decimal::from(1300) * pct("50%")?.chain(pct("40%")?).to_decimal();
    println!(
        "New customers a month: {} now, {} at target",
        count::ceil_count(now)?,
        count::ceil_count(planned)?
    );

    // 5. The education case: the company recast its high acquisition cost as an interest
    //    problem and redesigned its trial class; conversion went from 25% to 42%.
    let (before, after) = (pct("25%")?, pct("42%")?);
    let gain = efficiency_gain(before, after)?;
    println!(
        "\nEducation case: trial-class conversion {before} -> {after} is {gain} efficiency (42 / 25 = {})",
        gain.factor()
    );
    // The same 1,000 trial attendees now bring 420 enrolments instead of 250; the old 250
    // enrolments now need only 596 attendees (250 / 0.42, rounded up).
    let enrolments = |r: Rate| (Decimal::from(1000) * r.to_decimal()).normalize();
    println!(
        "  1,000 trial attendees: {} enrolments before, {} after",
        enrolments(before),
        enrolments(after)
    );
    println!(
        "  250 enrolments need {} attendees instead of 1,000",
        count::entries_needed(250, after)?
    );
    Ok(())
}
