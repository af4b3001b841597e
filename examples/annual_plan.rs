//! METHOD.md 1.2, "Break the big goal into small battles": a fast-moving consumer goods seller
//! turns an annual target of 12,000,000 into quarters, months, weeks, customer types and
//! product lines that all add up, to the fen, and then into actions.
//!
//! Run with `cargo run --example annual_plan`.

use attain::goals::table::{nest3, round_product};
use attain::goals::{Level, TimeOptions, Weighting, daily, nested};
use attain::types::{Currency, Decimal, Granularity, Money, Period, Rate, count};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // The annual number, in yuan (two decimals: amounts are exact to the fen).
    let target = Money::parse("12000000", Currency::CNY)?.round_to_minor_unit();
    let year = Period::year(2026)?;
    println!("Annual target: {target:#}");

    // 1. Time, nested: each level splits its parent. Quarters, months, then four "weeks" a
    //    month (METHOD.md counts four weeks to a month, so weeks here are quarters of a month).
    let levels = [
        Level::Calendar(Granularity::Quarter),
        Level::Calendar(Granularity::Month),
        Level::Parts(4),
    ];
    let plan = nested(target, year, &levels, &TimeOptions::default())?;
    let [quarters, months, weeks] = [&plan.levels[0], &plan.levels[1], &plan.levels[2]];
    println!("\nTime (nested, equal weights):");
    for q in quarters.iter() {
        println!("  {:<9} {:>16}", q.label, format!("{:#}", q.amount));
    }
    println!("  each of {} months: {:#}", months.len(), months[0].amount);
    println!("  each of {} weeks:  {:#}", weeks.len(), weeks[0].amount);
    assert!(
        quarters
            .iter()
            .all(|q| q.amount.amount() == Decimal::from(3_000_000))
    );
    assert!(
        months
            .iter()
            .all(|m| m.amount.amount() == Decimal::from(1_000_000))
    );
    assert!(
        weeks
            .iter()
            .all(|w| w.amount.amount() == Decimal::from(250_000))
    );

    // 2. Customer and product, jointly: the customer x product table is rounded by controlled
    //    rounding, so its cells add up exactly to both margins and to the target.
    let customer = [Decimal::from(40), Decimal::from(60)]; // new, repeat
    let product = [Decimal::from(60), Decimal::from(40)]; // new high-margin, mature
    let table = round_product(target, &customer, &product)?;
    println!("\nCustomer x product:");
    println!(
        "  {:<8} {:>16} {:>16} {:>16}",
        "", "new products", "mature", "total"
    );
    for (r, name) in ["new", "repeat"].iter().enumerate() {
        let row = table.row(r);
        println!(
            "  {name:<8} {:>16} {:>16} {:>16}",
            fmt(row[0]),
            fmt(row[1]),
            fmt(table.row_totals[r])
        );
    }
    let cols = &table.column_totals;
    println!(
        "  {:<8} {:>16} {:>16} {:>16}",
        "total",
        fmt(cols[0]),
        fmt(cols[1]),
        fmt(table.total)
    );
    assert_eq!(table.row_totals[0].amount(), Decimal::from(4_800_000));
    assert_eq!(table.row_totals[1].amount(), Decimal::from(7_200_000));
    assert_eq!(table.column_totals[0].amount(), Decimal::from(7_200_000));
    assert_eq!(table.column_totals[1].amount(), Decimal::from(4_800_000));

    // 3. All three axes at once: month x customer x product, exact along the nesting path.
    let month_amounts: Vec<Money> = months.iter().map(|m| m.amount).collect();
    let cube = nest3(&month_amounts, &customer, &product)?;
    println!("\nJanuary by customer and product:");
    for (m, cname) in ["new", "repeat"].iter().enumerate() {
        for (i, pname) in ["new", "mature"].iter().enumerate() {
            let cell = cube.cell(0, m, i).ok_or("cell")?;
            println!(
                "  {cname:<7} customers, {pname:<6} products: {:>14}",
                fmt(cell)
            );
        }
    }

    // 4. The same year at day grain, weighted by working days, rolled up to ISO weeks: weeks
    //    that straddle two months (or the new year) still add up to the target.
    let by_working_day = TimeOptions::default().weighting(Weighting::WorkingDays);
    let days = daily(target, year, &by_working_day)?;
    let iso_weeks = days.roll_up(&Level::Calendar(Granularity::IsoWeek))?;
    let busiest = iso_weeks
        .iter()
        .map(|w| w.amount.amount())
        .max()
        .ok_or("no week")?;
    println!(
        "\nBy working day: {} ISO weeks (2026 has 53), a full week is {}, W01 (Thu-Sun) is {}",
        iso_weeks.len(),
        busiest,
        iso_weeks[0].amount.amount()
    );
    let sum = Money::try_sum(iso_weeks.iter().map(|w| w.amount), Currency::CNY)?;
    assert_eq!(sum, target);

    // 5. Back to actions through the funnel: a week's 250,000 is 3 deals of about 83,333; at 20%
    //    prospect-to-deal that takes 15 prospects, at 10% lead-to-prospect 150 leads.
    let deals = 3u64;
    let deal_size = weeks[0]
        .amount
        .checked_div(Decimal::from(deals))?
        .round_to_minor_unit();
    let prospects = count::entries_needed(deals, Rate::from_percent(Decimal::from(20))?)?;
    let leads = count::entries_needed(prospects, Rate::from_percent(Decimal::from(10))?)?;
    println!(
        "\nA week: {deals} deals of about {}, {prospects} prospects, {leads} leads",
        deal_size.amount()
    );
    assert_eq!((prospects, leads), (15, 150));
    Ok(())
}

/// `7,200,000.00`: grouped thousands, no currency code.
fn fmt(m: Money) -> String {
    attain::types::group_thousands(&m.amount().to_string())
}
