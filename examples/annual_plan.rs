//! METHOD.md 1.2, "Break the big goal into small battles": a fast-moving consumer goods seller
//! turns an annual target of 12,000,000 into quarters, months, weeks, customer types and
//! product lines that all add up, to the fen, and then into actions.
//!
//! Run with `cargo run --example annual_plan`.

use attain::goals::table::{nest3, round_product, round_table};
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

    // 2b. The nearest controlled rounding, and how near it is: 100,000 yen in three equal
    //     rows split 50 / 30 / 20 has exact cells 16,666.667 / 10,000 / 6,666.667 in every
    //     row. Rounded jointly the margins stay exact, and the total deviation from the exact
    //     cells, 8/3 yen, is the least any such rounding can have.
    let row = vec![Decimal::from(5), Decimal::from(3), Decimal::from(2)];
    let yen = Money::parse("100000", Currency::JPY)?;
    let nearest = round_table(yen, &[row.clone(), row.clone(), row])?;
    let totals: Vec<String> = nearest.row_totals.iter().map(|m| fmt(*m)).collect();
    println!(
        "\n100,000 JPY in three rows of 50/30/20: rows {}, total deviation {} JPY (~{})",
        totals.join(" / "),
        nearest.deviation,
        nearest.deviation.to_money(Currency::JPY, 3)?.amount()
    );
    assert_eq!(nearest.deviation.to_string(), "8/3");

    // 2c. Weeks inside months, as `attain plan --by week` prints them: an ISO week cut by a
    //     month end weighs its days, so Sunday 1 March gets one day of March, not a week.
    let by_week = [
        Level::Calendar(Granularity::Month),
        Level::Calendar(Granularity::IsoWeek),
    ];
    let weekly = nested(target, year, &by_week, &TimeOptions::default())?;
    println!("\nMarch by ISO week (1,000,000.00 over 31 days):");
    let march = Period::month(2026, 3)?;
    for w in weekly.levels[1]
        .iter()
        .filter(|w| march.contains_period(&w.period))
    {
        println!(
            "  {} {} .. {} {:>14}",
            w.label,
            w.period.start(),
            w.period.last_day().ok_or("empty week")?,
            fmt(w.amount)
        );
    }

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
