//! `attain clv`: fit BG/NBD or Pareto/NBD (and optionally Gamma-Gamma) to a transaction CSV and
//! print each customer's P(alive), expected purchases and discounted value.

use std::path::PathBuf;

use anyhow::{Context, bail};
use attain_lifecycle::Error as LifecycleError;
use attain_lifecycle::clv::{
    self, ClvOptions, CustomerSummary, DAYS_PER_MONTH, GammaGammaParams, Purchase, PurchaseModel,
    TimeUnit,
};
use attain_types::input::Quoted;
use attain_types::{Decimal, NaiveDate, Rate};

use crate::input::{self, ColumnArgs};
use crate::output::{Format, OutputArgs};
use crate::usage::{UsageContext, usage};

/// The purchase model to fit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum Model {
    /// BG/NBD (Fader, Hardie & Lee 2005).
    Bgnbd,
    /// Pareto/NBD (Schmittlein, Morrison & Colombo 1987).
    ParetoNbd,
}

/// The spend model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum Spend {
    /// Gamma-Gamma on the mean repeat spend.
    GammaGamma,
}

/// The model's time unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum Unit {
    /// Days.
    Days,
    /// Weeks.
    Weeks,
}

/// Fit a probabilistic CLV model to a transaction CSV and score every customer.
///
/// Purchases on or before --calibration-end are summarised per customer (same-day purchases
/// merged; x = repeat purchase days, t_x = last - first, T = calibration end - first, in
/// --unit). Parameters and log-likelihood go to stderr with CSV output, into the document
/// with JSON output.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Example:\n  $ attain clv data/cdnow_transactions.csv --calibration-end 1997-09-30 \\\n    --model bgnbd --horizon 39w --spend gamma-gamma --discount 0.01"
)]
pub(crate) struct ClvArgs {
    /// Transaction CSV or Parquet file with a header (customer, date, amount columns; read as
    /// by every subcommand).
    input: PathBuf,
    /// Last day of the calibration period (inclusive), YYYY-MM-DD.
    #[arg(long, value_name = "DATE", value_parser = crate::args::date)]
    calibration_end: NaiveDate,
    /// Purchase model.
    #[arg(long, value_enum, default_value_t = Model::Bgnbd)]
    model: Model,
    /// Prediction horizon after the calibration end: a number with d (days), w (weeks) or m
    /// (months of 30.4375 days), such as 39w, 90d, 12m.
    #[arg(long, default_value = "39w")]
    horizon: String,
    /// Time unit of the model's parameters.
    #[arg(long, value_enum, default_value_t = Unit::Weeks)]
    unit: Unit,
    /// Also fit a spend model and report the expected spend and discounted CLV over the horizon.
    #[arg(long, value_enum)]
    spend: Option<Spend>,
    /// Monthly discount rate for the CLV (0.01 is 1% a month).
    #[arg(long, default_value = "0.01")]
    discount: Decimal,
    #[command(flatten)]
    columns: ColumnArgs,
    #[command(flatten)]
    out: OutputArgs,
}

/// A horizon in days from text like `39w`, `90d`, `12m`, `2.5m`; errors are usage errors.
fn parse_horizon_days(text: &str) -> anyhow::Result<f64> {
    let text = text.trim();
    let quoted = Quoted::new(text);
    let (number, days_per) = match text.char_indices().last() {
        Some((i, 'd')) => (&text[..i], 1.0),
        Some((i, 'w')) => (&text[..i], 7.0),
        Some((i, 'm')) => (&text[..i], DAYS_PER_MONTH),
        _ => {
            return Err(usage(format!(
                "--horizon {quoted}: expected a number with d, w or m (39w, 90d, 12m)"
            )));
        }
    };
    let n: f64 = number
        .trim()
        .parse()
        .with_usage(|| format!("--horizon {quoted}: not a number"))?;
    if !n.is_finite() || n < 0.0 {
        return Err(usage(format!(
            "--horizon {quoted}: must be a finite, non-negative length"
        )));
    }
    Ok(n * days_per)
}

/// Reads the transactions with the shared transaction reader.
fn read_purchases(args: &ClvArgs) -> anyhow::Result<Vec<Purchase<String>>> {
    let mut purchases = Vec::new();
    input::for_each_transaction(&args.input, &args.columns, args.out.quiet, |t, _| {
        purchases.push(Purchase {
            customer: t.customer_id.to_owned(),
            date: t.date,
            amount: t.amount,
        });
        Ok(())
    })?;
    Ok(purchases)
}

/// Turns a library error about summary `index` into one naming the customer.
fn name_customer(e: LifecycleError, ids: &[String]) -> anyhow::Error {
    match &e {
        LifecycleError::InvalidSummary { index, .. } if *index < ids.len() => {
            anyhow::anyhow!("customer {:?}: {e}", ids[*index])
        }
        _ => anyhow::Error::new(e),
    }
}

/// One customer's output row.
struct Row {
    p_alive: f64,
    expected_purchases: f64,
    expected_spend: Option<f64>,
    clv: Option<f64>,
}

pub(crate) fn run(args: &ClvArgs) -> anyhow::Result<()> {
    let out = args.out.open(&[&args.input])?;
    let horizon_days = parse_horizon_days(&args.horizon)?;
    let discount = Rate::new(args.discount).usage("--discount")?;
    let unit = match args.unit {
        Unit::Days => TimeUnit::Days,
        Unit::Weeks => TimeUnit::Weeks,
    };
    let horizon = horizon_days / unit.days();
    let purchases = read_purchases(args)?;
    let file = args.input.display();
    let summarized =
        clv::summarize(purchases, args.calibration_end, unit).with_context(|| format!("{file}"))?;
    if summarized.is_empty() {
        bail!("{file}: no purchase on or before {}", args.calibration_end);
    }
    let (ids, summaries): (Vec<String>, Vec<CustomerSummary>) = summarized.into_iter().unzip();

    let (model, model_name, params_json, ll): (
        Box<dyn PurchaseModel>,
        &str,
        serde_json::Value,
        f64,
    ) = match args.model {
        Model::Bgnbd => {
            let fit = clv::fit_bg_nbd(&summaries).map_err(|e| name_customer(e, &ids))?;
            let p = fit.params;
            (
                Box::new(p),
                "bg/nbd",
                serde_json::json!({"r": p.r, "alpha": p.alpha, "a": p.a, "b": p.b}),
                fit.log_likelihood,
            )
        }
        Model::ParetoNbd => {
            let fit = clv::fit_pareto_nbd(&summaries).map_err(|e| name_customer(e, &ids))?;
            let p = fit.params;
            (
                Box::new(p),
                "pareto/nbd",
                serde_json::json!({"r": p.r, "alpha": p.alpha, "s": p.s, "beta": p.beta}),
                fit.log_likelihood,
            )
        }
    };
    let spend: Option<(GammaGammaParams, f64)> = match args.spend {
        None => None,
        Some(Spend::GammaGamma) => {
            let fit = clv::fit_gamma_gamma(&summaries).map_err(|e| name_customer(e, &ids))?;
            Some((fit.params, fit.log_likelihood))
        }
    };
    let options = ClvOptions::default()
        .months(horizon_days / DAYS_PER_MONTH)
        .monthly_discount(discount)
        .unit(unit);
    let mut rows = Vec::with_capacity(summaries.len());
    for (id, s) in ids.iter().zip(&summaries) {
        let with_id = |e: LifecycleError| anyhow::anyhow!("customer {id:?}: {e}");
        let p_alive = model.p_alive(s).map_err(with_id)?;
        let expected_purchases = model
            .conditional_expected_purchases(s, horizon)
            .map_err(with_id)?;
        let (expected_spend, clv) = match &spend {
            None => (None, None),
            Some((gg, _)) => (
                Some(gg.conditional_expected_spend(s).map_err(with_id)?),
                Some(
                    clv::customer_lifetime_value(model.as_ref(), gg, s, options)
                        .map_err(with_id)?,
                ),
            ),
        };
        rows.push(Row {
            p_alive,
            expected_purchases,
            expected_spend,
            clv,
        });
    }

    let unit_name = match unit {
        TimeUnit::Days => "days",
        _ => "weeks",
    };
    if args.out.format == Format::Csv {
        eprintln!(
            "attain clv: {model_name} fitted to {} customers ({unit_name}): {params_json} log-likelihood {ll:.4}",
            summaries.len()
        );
        if let Some((gg, gg_ll)) = &spend {
            eprintln!(
                "attain clv: gamma-gamma p {} q {} gamma {} log-likelihood {gg_ll:.4}",
                gg.p, gg.q, gg.gamma
            );
        }
    }
    out.write_with(|w| match args.out.format {
        Format::Csv => {
            write!(w, "customer_id,x,t_x,T,p_alive,expected_purchases")?;
            if spend.is_some() {
                write!(w, ",expected_spend,clv")?;
            }
            writeln!(w)?;
            for ((id, s), r) in ids.iter().zip(&summaries).zip(&rows) {
                write!(w, "{},{},{},{},{},{}", csv_field(id), s.x, s.t_x, s.t, r.p_alive, r.expected_purchases)?;
                if let (Some(e), Some(c)) = (r.expected_spend, r.clv) {
                    write!(w, ",{e},{c}")?;
                }
                writeln!(w)?;
            }
            Ok(())
        }
        Format::Json => {
            let customers: Vec<_> = ids
                .iter()
                .zip(&summaries)
                .zip(&rows)
                .map(|((id, s), r)| {
                    let mut v = serde_json::json!({
                        "customer_id": id, "x": s.x, "t_x": s.t_x, "T": s.t,
                        "mean_repeat_spend": s.mean_repeat_spend,
                        "p_alive": r.p_alive, "expected_purchases": r.expected_purchases,
                    });
                    if let (Some(e), Some(c)) = (r.expected_spend, r.clv) {
                        v["expected_spend"] = serde_json::json!(e);
                        v["clv"] = serde_json::json!(c);
                    }
                    v
                })
                .collect();
            let mut doc = serde_json::json!({
                "model": model_name,
                "unit": unit_name,
                "calibration_end": args.calibration_end.to_string(),
                "horizon": {"days": horizon_days, "model_units": horizon, "months": horizon_days / DAYS_PER_MONTH},
                "parameters": params_json,
                "log_likelihood": ll,
                "customers": customers,
            });
            if let Some((gg, gg_ll)) = &spend {
                doc["spend"] = serde_json::json!({
                    "model": "gamma-gamma",
                    "parameters": {"p": gg.p, "q": gg.q, "gamma": gg.gamma},
                    "log_likelihood": gg_ll,
                    "monthly_discount": args.discount.to_string(),
                });
            }
            serde_json::to_writer_pretty(&mut *w, &doc)?;
            writeln!(w)
        }
    })
}

/// Quotes a CSV field when needed.
fn csv_field(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn horizon_units() {
        assert_eq!(parse_horizon_days("39w").unwrap(), 273.0);
        assert_eq!(parse_horizon_days("90d").unwrap(), 90.0);
        assert_eq!(parse_horizon_days("12m").unwrap(), 365.25);
        assert!(parse_horizon_days("39").is_err());
        assert!(parse_horizon_days("-1w").is_err());
        assert!(parse_horizon_days("xw").is_err());
    }

    #[test]
    fn csv_quoting() {
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("00004"), "00004");
    }
}
