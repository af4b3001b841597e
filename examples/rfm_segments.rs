//! RFM segments of a real transaction log: the CDNOW sample (2,357 customers, 6,919 purchases,
//! January 1997 to June 1998; provenance in `data/README.md`).
//!
//! Run with `cargo run --example rfm_segments`.

use std::collections::BTreeMap;

use attain::rfm::{
    AggregateOptions, ScoreOptions, SegmentMap, Transaction, aggregate, bin_occupancy, score,
    tie_mass,
};
use attain::types::{Decimal, NaiveDate};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // 1. Read the log: `customer_id,order_id,order_date,amount`, one line per purchase.
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/data/cdnow_transactions.csv");
    let text = std::fs::read_to_string(path)?;
    let mut rows = Vec::new();
    for (i, line) in text.lines().enumerate().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        let [customer_id, order_id, date, amount] = f[..] else {
            return Err(format!("{path}: line {}: expected 4 fields", i + 1).into());
        };
        rows.push(Transaction {
            customer_id,
            date: date.parse::<NaiveDate>()?,
            amount: amount.parse::<Decimal>()?,
            order_id: Some(order_id),
        });
    }

    // 2. Aggregate at an explicit as_of: the day after the log ends.
    let as_of = NaiveDate::from_ymd_opt(1998, 7, 1).ok_or("bad date")?;
    let table = aggregate(rows, as_of, AggregateOptions::default())?;
    println!(
        "{} purchases by {} customers, as of {as_of} ({} rows after as_of excluded)",
        table.report.rows_used,
        table.customers.len(),
        table.report.after_as_of
    );

    // 3. Score with the default rule: equal values get equal scores.
    let options = ScoreOptions::default();
    let scores = score(&table.customers, &options)?;
    let ties = tie_mass(&table.customers);
    let occupancy = bin_occupancy(&scores, options.bins);
    println!(
        "frequency ties: {} of {} customers share a value (largest group {}); F scores per bin: {:?}",
        ties.frequency_tied, ties.customers, ties.frequency_largest, occupancy.frequency
    );

    // 4. Segment with the three groups of the sales practice, then the 11-segment map.
    for map in [SegmentMap::three(), SegmentMap::standard11()] {
        let names = map.assign_all(&scores, options.bins)?;
        let mut sizes: BTreeMap<&str, (usize, Decimal)> = BTreeMap::new();
        for (customer, name) in table.customers.iter().zip(&names) {
            let entry = sizes.entry(name.unwrap_or("(none)")).or_default();
            entry.0 += 1;
            entry.1 += customer.monetary;
        }
        let total: Decimal = table.customers.iter().map(|c| c.monetary).sum();
        println!("\nsegment map `{}`:", map.name);
        println!(
            "{:<20} {:>9} {:>12} {:>8}",
            "segment", "customers", "revenue", "share"
        );
        for (name, (count, revenue)) in &sizes {
            let share = (*revenue * Decimal::from(100) / total).round_dp(1);
            println!("{name:<20} {count:>9} {revenue:>12} {share:>7}%");
        }
    }
    Ok(())
}
