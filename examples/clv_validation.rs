//! Can we trust a CLV model? Calibrate BG/NBD, MBG/NBD and Pareto/NBD on the first 39 weeks of
//! the CDNOW sample, check each on the next 39 weeks (the holdout), compare them, and print the
//! choice and why.
//!
//! Run with `cargo run --example clv_validation`.

use attain::lifecycle::clv::{
    self, HoldoutErrors, InformationCriteria, PurchaseDistribution, PurchaseModel, TimeUnit,
    calibration_histogram, holdout_by_frequency, holdout_predictions, split_holdout, tracking,
};
use attain::types::{Decimal, NaiveDate, Transaction};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    try_main()
}

/// One model's scores.
struct Scored {
    name: &'static str,
    errors: HoldoutErrors,
    criteria: InformationCriteria,
    tracking_gap_percent: f64,
}

fn try_main() -> Result<(), Box<dyn std::error::Error>> {
    // 1. The log: `customer cohort YYYYMMDD cds dollars`, one purchase a line.
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/data/CDNOW_sample.txt");
    let text = std::fs::read_to_string(path)?;
    let mut rows = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let cols: Vec<&str> = line.split_whitespace().collect();
        let [customer, _, date, _, amount] = cols[..] else {
            return Err(format!("{path}:{}: expected 5 columns", i + 1).into());
        };
        rows.push(Transaction {
            customer_id: customer,
            date: NaiveDate::parse_from_str(date, "%Y%m%d")?,
            amount: amount.parse::<Decimal>()?,
            order_id: None,
        });
    }

    // 2. Split: calibration 1997-01-01 ..= 1997-09-30 (39 weeks), holdout to 1998-06-30
    //    (39 weeks). Same-day purchases are one transaction in both periods.
    let calibration_end = NaiveDate::from_ymd_opt(1997, 9, 30).ok_or("bad date")?;
    let holdout_end = NaiveDate::from_ymd_opt(1998, 6, 30).ok_or("bad date")?;
    let split = split_holdout(rows, calibration_end, holdout_end)?;
    let unit = TimeUnit::Weeks;
    let summaries = split.summaries(unit)?;
    let actual = split.holdout_transactions();
    let calibration_x = split.calibration_frequencies();
    let calibration_total: u64 = calibration_x.iter().sum();
    println!(
        "CDNOW sample: {} customers; {calibration_total} repeat transactions in calibration, {} in the {}-week holdout\n",
        split.customers.len(),
        split.total_holdout_transactions(),
        split.holdout_length(unit)
    );

    // 3. Fit each model on the calibration, score it on the holdout.
    let bg = clv::fit_bg_nbd(&summaries)?;
    let mbg = clv::fit_mbg_nbd(&summaries)?;
    let pn = clv::fit_pareto_nbd(&summaries)?;
    let fits: [(&'static str, &dyn PurchaseModel, f64); 3] = [
        ("BG/NBD", &bg.params, bg.log_likelihood),
        ("MBG/NBD", &mbg.params, mbg.log_likelihood),
        ("Pareto/NBD", &pn.params, pn.log_likelihood),
    ];
    let mut scored = Vec::new();
    for (name, model, log_likelihood) in fits {
        let predicted = holdout_predictions(&split, model, unit)?;
        let curve = tracking(&split, model, unit, 7)?;
        let end = curve.last().ok_or("empty tracking curve")?;
        scored.push(Scored {
            name,
            errors: HoldoutErrors::new(&actual, &predicted)?,
            criteria: InformationCriteria::new(log_likelihood, 4, summaries.len())?,
            tracking_gap_percent: 100.0 * (end.expected / end.actual as f64 - 1.0),
        });
        if name == "BG/NBD" {
            println!(
                "BG/NBD, customers by repeat transactions in calibration (FHL 2005, figure 3):"
            );
            let probability = |k: u64, t: f64| bg.params.probability_of_purchases(t, k);
            print!("{:>9}", "x");
            let histogram = calibration_histogram(&split, unit, 7, Some(&probability))?;
            for b in &histogram {
                let label = format!(
                    "{}{}",
                    b.repeat_transactions,
                    if b.open_ended { "+" } else { "" }
                );
                print!(" {label:>7}");
            }
            print!("\n{:>9}", "actual");
            for b in &histogram {
                print!(" {:>7}", b.customers);
            }
            print!("\n{:>9}", "expected");
            for b in &histogram {
                print!(" {:>7.1}", b.expected.ok_or("no expectation")?);
            }
            println!("\n");

            println!("BG/NBD, holdout transactions by calibration frequency (FHL 2005, figure 4):");
            println!(
                "{:>4} {:>9} {:>8} {:>8}",
                "x", "customers", "actual", "expected"
            );
            for b in holdout_by_frequency(&calibration_x, &actual, &predicted, 7)? {
                let label = if b.open_ended {
                    format!("{}+", b.repeat_transactions)
                } else {
                    b.repeat_transactions.to_string()
                };
                let expected = b.expected.ok_or("no expectation")?;
                println!(
                    "{label:>4} {:>9} {:>8.3} {expected:>8.3}",
                    b.customers, b.actual
                );
            }
            println!();
        }
    }

    // 4. One table. Holdout errors judge predictions on data the fit never saw; BIC judges
    //    the calibration fit (all three have 4 parameters, so BIC orders them as the
    //    log-likelihood does). The models do not nest: no likelihood-ratio test.
    println!(
        "{:<11} {:>7} {:>7} {:>7} {:>8} {:>10} {:>10}",
        "model", "MAE", "RMSE", "MSLE", "bias %", "tracking %", "BIC"
    );
    scored.sort_by(|a, b| a.errors.mae.total_cmp(&b.errors.mae));
    for s in &scored {
        let bias = s
            .errors
            .bias_percent
            .ok_or("nobody bought in the holdout")?;
        println!(
            "{:<11} {:>7.4} {:>7.4} {:>7.4} {:>8.2} {:>10.2} {:>10.1}",
            s.name,
            s.errors.mae,
            s.errors.rmse,
            s.errors.msle,
            bias,
            s.tracking_gap_percent,
            s.criteria.bic
        );
    }
    let best = scored.first().ok_or("no model")?;
    let best_bic = scored
        .iter()
        .min_by(|a, b| a.criteria.bic.total_cmp(&b.criteria.bic))
        .ok_or("no model")?;
    println!(
        "\nChoice: {} — lowest holdout MAE ({:.4} transactions per customer over 39 weeks), \
         predicted total {:.0} against {} actual. BIC prefers {} on the calibration; the \
         holdout is the test the model did not see, so it decides.",
        best.name,
        best.errors.mae,
        best.errors.predicted_total,
        best.errors.actual_total,
        best_bic.name
    );
    Ok(())
}
