//! The weekly funnel of METHOD.md 1.2 and 2.2, end to end: what a week of 250,000 needs, how
//! likely the plan is to make it, what three years of history say the rates are, and which
//! stage to fix first.
//!
//! Run with `cargo run --example weekly_funnel`.

use attain::funnel::bottleneck::{BottleneckMeasure, bottlenecks};
use attain::funnel::gap::{FunnelOutcome, diagnose_gap_in_minor_units};
use attain::funnel::stats::{Counts, IntervalMethod, PeriodCounts, calibrate, compare_rates};
use attain::funnel::{DealRule, Funnel, PlanOptions, Stage};
use attain::types::{Currency, Money, NaiveDate, Period, Rate, WorkingCalendar};

fn date(y: i32, m: u32, d: u32) -> Result<NaiveDate, Box<dyn std::error::Error>> {
    NaiveDate::from_ymd_opt(y, m, d).ok_or_else(|| format!("no date {y}-{m}-{d}").into())
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let cny = |text: &str| Money::parse(text, Currency::CNY);
    let rate = |text: &str| text.parse::<Rate>();

    // 1. The weekly target through the funnel (METHOD.md 1.2): 250,000 a week, deals of about
    //    83,333, 20% prospect-to-deal, 10% lead-to-prospect.
    let funnel = Funnel {
        stages: vec![
            Stage::new("lead", rate("10%")?),
            Stage::new("prospect", rate("20%")?),
        ],
        deal_size: cny("83333.33")?,
    };
    let week = cny("250000")?;
    let strict = funnel.plan_revenue(week, PlanOptions::default())?;
    let tolerant = funnel.plan_revenue(
        week,
        PlanOptions::default().deal_rule(DealRule::MinorUnitTolerance),
    )?;
    println!("== A week of {:#}", week.round_to_minor_unit());
    println!(
        "strict:   {} deals (3 x 83,333.33 = 249,999.99 is 0.01 short) -> {} prospects -> {} leads",
        strict.deals, strict.stages[1].entries, strict.stages[0].entries
    );
    println!(
        "tolerant: {} deals (shortfall {} < one cent per deal) -> {} prospects -> {} leads",
        tolerant.deals,
        tolerant
            .revenue_overshoot
            .map(|m| m.negate())
            .unwrap_or(week),
        tolerant.stages[1].entries,
        tolerant.stages[0].entries
    );

    // 2. Risk: deals are binomial, so the expected-value plan is a coin flip.
    let p = tolerant.hit_probability(1).unwrap_or(0.0);
    let p_leads = tolerant.hit_probability(0).unwrap_or(0.0);
    let for_90 = tolerant.entries_for_confidence(1, 0.9)?.unwrap_or(0);
    let leads_90 = tolerant.entries_for_confidence(0, 0.9)?.unwrap_or(0);
    println!("\n== How sure is the plan?");
    println!("15 prospects reach 3 deals with probability {p:.4}; 150 leads with {p_leads:.4}");
    println!("for 90% confidence: {for_90} prospects, or {leads_90} leads");

    // 3. Calibrate the rates on three years of history (METHOD.md 2.2).
    let year = |label: &str, counts: [u64; 4]| PeriodCounts {
        period: label.into(),
        counts: counts.to_vec(),
    };
    let history = [
        year("2023", [900, 80, 27, 6]),
        year("2024", [1000, 100, 30, 6]),
        year("2025", [1100, 120, 33, 6]),
    ];
    let names = ["lead > visit", "visit > proposal", "proposal > deal"];
    println!("\n== Three years of history (95% Wilson intervals)");
    let calibrated = calibrate(&history, 0.95, IntervalMethod::Wilson)?;
    for (name, c) in names.iter().zip(&calibrated) {
        let i = &c.interval;
        println!(
            "{name:<17} {:>5} ({}/{}), 95% in [{:.1}%, {:.1}%]",
            i.estimate.to_string(),
            i.counts.successes,
            i.counts.trials,
            i.lower * 100.0,
            i.upper * 100.0
        );
    }

    // 4. Which stage to fix first? Against benchmark rates of 12% / 40% / 25%, with 1,000
    //    leads and deals of 10,000.
    let history_funnel = Funnel {
        stages: names
            .iter()
            .zip(&calibrated)
            .map(|(n, c)| Stage::new(*n, c.interval.estimate))
            .collect(),
        deal_size: cny("10000")?,
    };
    let benchmarks = [rate("12%")?, rate("40%")?, rate("25%")?];
    let report = bottlenecks(
        &history_funnel,
        1000,
        &benchmarks,
        BottleneckMeasure::default(),
    )?;
    println!(
        "\n== Where is the money? (revenue now {:#})",
        report.revenue.round_to_minor_unit()
    );
    for s in &report.stages {
        println!(
            "{:<17} {:>4} -> {:>4}: to benchmark {:>10}, +1 point {:>8}",
            s.name,
            s.rate.to_string(),
            s.benchmark.to_string(),
            s.lift_to_benchmark
                .round_to_minor_unit()
                .amount()
                .to_string(),
            s.lift_per_point.round_to_minor_unit().amount().to_string()
        );
    }
    let first = report.first().map_or("none", |s| s.name.as_str());
    let per_point = bottlenecks(
        &history_funnel,
        1000,
        &benchmarks,
        BottleneckMeasure::LiftPerPoint,
    )?;
    println!(
        "fix first: {first} (a point is worth most at {}, but its benchmark gap is small)",
        per_point.first().map_or("none", |s| s.name.as_str())
    );

    // 5. The weekly review: 120 leads, 10% and 25% conversion, deals of 80,000.
    let plan = FunnelOutcome {
        entries: 150,
        rates: vec![rate("10%")?, rate("20%")?],
        deal_size: cny("83333.33")?,
    };
    let actual = FunnelOutcome {
        entries: 120,
        rates: vec![rate("10%")?, rate("25%")?],
        deal_size: cny("80000")?,
    };
    // Shown in the currency's minor unit: the contributions are allocated from their exact
    //    Shapley values by largest remainder, so the three lines still add up to the gap.
    let gap = diagnose_gap_in_minor_units(&plan, &actual)?;
    println!(
        "\n== Weekly review: gap {:#} (Shapley split, to the minor unit)",
        gap.gap
    );
    println!("lead volume  {:>16}", format!("{:#}", gap.volume));
    println!("conversion   {:>16}", format!("{:#}", gap.conversion()?));
    println!("deal size    {:>16}", format!("{:#}", gap.deal_size));

    // 5b. The week's daily action list (Monday 2 to Friday 6 March 2026), spread exactly: the
    //     days add up to the week's need (3 deals), where rounding each day up would ask 5.
    let week_days = Period::from_inclusive(date(2026, 3, 2)?, date(2026, 3, 8)?)?;
    let daily = funnel.daily_actions(
        week,
        &week_days,
        &WorkingCalendar::default(),
        PlanOptions::default().deal_rule(DealRule::MinorUnitTolerance),
    )?;
    println!("\n== Daily actions, {} working days", daily.working_days);
    for a in &daily.actions {
        let days: Vec<String> = a.per_working_day.iter().map(u64::to_string).collect();
        println!(
            "{:<9} {:>4} a week: {} (rounded up each day: {} a day)",
            a.name,
            a.per_period,
            days.join(" "),
            a.per_day
        );
    }

    // 6. Is a better trial class real? (METHOD.md 2.1: 25% -> 42% on 100 trials each.)
    let c = compare_rates(
        Counts {
            successes: 25,
            trials: 100,
        },
        Counts {
            successes: 42,
            trials: 100,
        },
    )?;
    println!("\n== Trial class 25% -> 42%");
    println!(
        "lift {}, z = {:.3}, p = {:.4}, P(new beats old) = {:.4}",
        c.relative_lift.map_or_else(String::new, |g| g.to_string()),
        c.z,
        c.p_value,
        c.prob_b_beats_a
    );
    Ok(())
}
