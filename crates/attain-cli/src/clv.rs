//! `attain clv`: fit BG/NBD or Pareto/NBD (and optionally Gamma-Gamma) to a transaction CSV and
//! print each customer's P(alive), expected purchases and discounted value.

use std::path::PathBuf;

use anyhow::{Context, bail};
use attain_lifecycle::Error as LifecycleError;
use attain_lifecycle::clv::{
    self, ClvOptions, CustomerSummary, DAYS_PER_MONTH, Fit, GammaGammaParams, PurchaseModel,
    TimeUnit,
};
use attain_rfm::{Transaction, repeat_summaries};
use attain_types::input::Quoted;
use attain_types::{Decimal, NaiveDate, Rate, RepeatSummary};

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
    /// (months of 30.4375 days), such as 39w, 90d, 12m; at most 100 years (1200m).
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
    let days = n * days_per;
    // At most a century (clv::MAX_HORIZON_DAYS): `1e300w` is refused here, not by a series.
    clv::check_horizon_days(days).map_err(|e| usage(format!("--horizon {quoted}: {e}")))?;
    Ok(days)
}

/// Reads the transactions with the shared transaction reader.
fn read_purchases(args: &ClvArgs) -> anyhow::Result<Vec<(String, NaiveDate, Decimal)>> {
    let mut purchases = Vec::new();
    input::for_each_transaction(&args.input, &args.columns, args.out.quiet, |t, _| {
        purchases.push((t.customer_id.to_owned(), t.date, t.amount));
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
    /// `None` without `--spend`, or for a repeat buyer whose mean repeat spend is not positive.
    expected_spend: Option<f64>,
    clv: Option<f64>,
}

/// `--format json`: the fit and every customer's numbers. Fields are in alphabetical order,
/// the order of the keys in this output since its first version.
#[derive(serde::Serialize)]
struct ClvJson<'a> {
    calibration_end: String,
    customers: Vec<ClvCustomerJson<'a>>,
    horizon: HorizonJson,
    log_likelihood: f64,
    model: &'a str,
    parameters: &'a ParamsJson,
    #[serde(skip_serializing_if = "Option::is_none")]
    spend: Option<SpendJson>,
    unit: &'a str,
}

/// The prediction horizon in days, in the model's unit and in months.
#[derive(serde::Serialize)]
struct HorizonJson {
    days: f64,
    model_units: f64,
    months: f64,
}

/// The purchase model's parameters.
#[derive(serde::Serialize)]
#[serde(untagged)]
enum ParamsJson {
    BgNbd {
        a: f64,
        alpha: f64,
        b: f64,
        r: f64,
    },
    ParetoNbd {
        alpha: f64,
        beta: f64,
        r: f64,
        s: f64,
    },
}

/// The Gamma-Gamma fit.
#[derive(serde::Serialize)]
struct SpendJson {
    excluded_non_positive_spend: usize,
    log_likelihood: f64,
    model: &'static str,
    monthly_discount: String,
    parameters: GammaGammaJson,
    repeat_buyers_fitted: usize,
}

/// Gamma-Gamma's parameters.
#[derive(serde::Serialize)]
struct GammaGammaJson {
    gamma: f64,
    p: f64,
    q: f64,
}

/// One customer. `expected_spend` and `clv` are present with `--spend` (null for a customer
/// left out of the spend fit), absent without.
#[derive(serde::Serialize)]
struct ClvCustomerJson<'a> {
    #[serde(rename = "T")]
    big_t: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    clv: Option<Option<f64>>,
    customer_id: &'a str,
    expected_purchases: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    expected_spend: Option<Option<f64>>,
    mean_repeat_spend: String,
    p_alive: f64,
    t_x: f64,
    x: u64,
}

/// The exact repeat summary of every customer with a purchase on or before `calibration_end`,
/// sorted by customer id (same-day purchases merged).
fn exact_summaries(
    purchases: &[(String, NaiveDate, Decimal)],
    calibration_end: NaiveDate,
) -> anyhow::Result<Vec<(String, RepeatSummary)>> {
    let rows = purchases
        .iter()
        .map(|(customer, date, amount)| Transaction {
            customer_id: customer,
            date: *date,
            amount: *amount,
            order_id: None,
        });
    Ok(repeat_summaries(rows, calibration_end)?)
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
    let exact =
        exact_summaries(&purchases, args.calibration_end).with_context(|| format!("{file}"))?;
    drop(purchases);
    if exact.is_empty() {
        bail!("{file}: no purchase on or before {}", args.calibration_end);
    }
    let mut ids = Vec::with_capacity(exact.len());
    let mut summaries = Vec::with_capacity(exact.len());
    for (id, r) in &exact {
        let s = CustomerSummary::from_repeat(r, unit)
            .map_err(|e| anyhow::anyhow!("{file}: customer {id:?}: {e}"))?;
        ids.push(id.clone());
        summaries.push(s);
    }

    let (model, model_name, params_json, ll): (Box<dyn PurchaseModel>, &str, ParamsJson, f64) =
        match args.model {
            Model::Bgnbd => {
                let fit = clv::fit_bg_nbd(&summaries).map_err(|e| name_customer(e, &ids))?;
                let p = fit.params;
                (
                    Box::new(p),
                    "bg/nbd",
                    ParamsJson::BgNbd {
                        a: p.a,
                        alpha: p.alpha,
                        b: p.b,
                        r: p.r,
                    },
                    fit.log_likelihood,
                )
            }
            Model::ParetoNbd => {
                let fit = clv::fit_pareto_nbd(&summaries).map_err(|e| name_customer(e, &ids))?;
                let p = fit.params;
                (
                    Box::new(p),
                    "pareto/nbd",
                    ParamsJson::ParetoNbd {
                        alpha: p.alpha,
                        beta: p.beta,
                        r: p.r,
                        s: p.s,
                    },
                    fit.log_likelihood,
                )
            }
        };
    let spend: Option<Fit<GammaGammaParams>> = match args.spend {
        None => None,
        Some(Spend::GammaGamma) => {
            Some(clv::fit_gamma_gamma(&summaries).map_err(|e| name_customer(e, &ids))?)
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
            Some(gg) => match gg.params.spend_prediction(s).map_err(with_id)? {
                // Left out of the spend fit: no spend prediction, no CLV.
                None => (None, None),
                Some(e) => (
                    Some(e),
                    Some(
                        clv::customer_lifetime_value(model.as_ref(), &gg.params, s, options)
                            .map_err(with_id)?,
                    ),
                ),
            },
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
            "attain clv: {model_name} fitted to {} customers ({unit_name}): {} log-likelihood {ll:.4}",
            summaries.len(),
            serde_json::to_string(&params_json)?
        );
        if let Some(gg) = &spend {
            eprintln!(
                "attain clv: gamma-gamma p {} q {} gamma {} log-likelihood {:.4}; {} repeat buyers with a non-positive mean repeat spend left out (no spend or clv)",
                gg.params.p,
                gg.params.q,
                gg.params.gamma,
                gg.log_likelihood,
                gg.excluded_non_positive_spend
            );
        }
    }
    let opt_text = |v: Option<f64>| v.map(|v| v.to_string()).unwrap_or_default();
    out.write_with(|w| match args.out.format {
        Format::Csv => {
            let mut out = csv::Writer::from_writer(&mut *w);
            let mut header = vec![
                "customer_id",
                "x",
                "t_x",
                "T",
                "p_alive",
                "expected_purchases",
            ];
            if spend.is_some() {
                header.extend(["expected_spend", "clv"]);
            }
            out.write_record(&header)?;
            for ((id, s), r) in ids.iter().zip(&summaries).zip(&rows) {
                let mut record = vec![
                    id.clone(),
                    s.x.to_string(),
                    s.t_x.to_string(),
                    s.t.to_string(),
                    r.p_alive.to_string(),
                    r.expected_purchases.to_string(),
                ];
                if spend.is_some() {
                    record.push(opt_text(r.expected_spend));
                    record.push(opt_text(r.clv));
                }
                out.write_record(&record)?;
            }
            out.flush()
        }
        Format::Json => {
            let customers: Vec<_> = ids
                .iter()
                .zip(&exact)
                .zip(&summaries)
                .zip(&rows)
                .map(|(((id, (_, exact)), s), r)| ClvCustomerJson {
                    big_t: s.t,
                    clv: spend.is_some().then_some(r.clv),
                    customer_id: id,
                    expected_purchases: r.expected_purchases,
                    expected_spend: spend.is_some().then_some(r.expected_spend),
                    // Exact decimal text, as every amount in attain's JSON.
                    mean_repeat_spend: exact.mean_repeat_spend().normalize().to_string(),
                    p_alive: r.p_alive,
                    t_x: s.t_x,
                    x: s.x,
                })
                .collect();
            let doc = ClvJson {
                calibration_end: args.calibration_end.to_string(),
                customers,
                horizon: HorizonJson {
                    days: horizon_days,
                    model_units: horizon,
                    months: horizon_days / DAYS_PER_MONTH,
                },
                log_likelihood: ll,
                model: model_name,
                parameters: &params_json,
                spend: spend.as_ref().map(|gg| SpendJson {
                    excluded_non_positive_spend: gg.excluded_non_positive_spend,
                    log_likelihood: gg.log_likelihood,
                    model: "gamma-gamma",
                    monthly_discount: args.discount.to_string(),
                    parameters: GammaGammaJson {
                        gamma: gg.params.gamma,
                        p: gg.params.p,
                        q: gg.params.q,
                    },
                    repeat_buyers_fitted: gg.customers,
                }),
                unit: unit_name,
            };
            serde_json::to_writer_pretty(&mut *w, &doc)?;
            writeln!(w)
        }
    })
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
        assert!(parse_horizon_days("1200m").is_ok());
        let e = parse_horizon_days("1e300w").unwrap_err().to_string();
        assert!(e.contains("longer than the maximum of 36525 days"), "{e}");
    }
}
