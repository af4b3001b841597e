//! `attain clv`: fit BG/NBD or Pareto/NBD (and optionally Gamma-Gamma) to a transaction CSV and
//! print each customer's P(alive), expected purchases and discounted value.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::io;
use std::path::PathBuf;

use anyhow::{Context, bail};
use attain_lifecycle::Error as LifecycleError;
use attain_lifecycle::clv::{
    self, ClvOptions, CustomerSummary, DAYS_PER_MONTH, Fit, GammaGammaParams, LogParameters,
    ParameterDraws, PurchaseDistribution, TimeUnit,
};
use attain_rfm::Transaction;
use attain_rfm::csv::{read_activity_path, read_repeat_summaries_path};
use attain_types::input::Quoted;
use attain_types::{Decimal, Granularity, NaiveDate, Rate, RepeatSummary};

use crate::input::{self, ColumnArgs};
use crate::output::{Format, OutputArgs, with_progress};
use crate::usage::{UsageContext, usage};

/// The purchase model to fit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum Model {
    /// BG/NBD (Fader, Hardie & Lee 2005).
    Bgnbd,
    /// Pareto/NBD (Schmittlein, Morrison & Colombo 1987).
    ParetoNbd,
    /// MBG/NBD (Batislam, Denizel & Filiztekin 2007): BG/NBD where a customer may also leave
    /// right after the first purchase.
    Mbgnbd,
    /// BG/BB (Fader, Hardie & Shang 2010) for discrete opportunities: one per --period, a
    /// period with any purchase is one transaction.
    Bgbb,
}

/// The opportunity of BG/BB: a calendar period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum Period {
    /// Calendar years.
    Year,
    /// Calendar quarters.
    Quarter,
    /// Calendar months.
    Month,
    /// ISO weeks (Monday to Sunday).
    Week,
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
    /// Last day of a holdout period (inclusive), YYYY-MM-DD: print the holdout validation
    /// (error measures, tracking, calibration histogram, holdout by calibration frequency)
    /// instead of per-customer scores.
    #[arg(long, value_name = "DATE", value_parser = crate::args::date, conflicts_with = "spend")]
    holdout_end: Option<NaiveDate>,
    /// With --holdout-end: fit BG/NBD, MBG/NBD and Pareto/NBD on the same split and rank them
    /// (rows ordered by holdout MAE; rank_bic ranks by BIC).
    #[arg(long, requires = "holdout_end")]
    compare: bool,
    /// BG/BB's opportunity (--model bgbb): --calibration-end and --holdout-end must be the last
    /// day of a period.
    #[arg(long, value_enum, default_value_t = Period::Year)]
    period: Period,
    /// BG/BB: future opportunities (periods) for expected transactions (without a holdout).
    #[arg(long, value_name = "N", default_value_t = 5)]
    future_periods: u32,
    /// Intervals on every customer's expected purchases (and CLV with --spend) and on the
    /// cohort's totals, from N seeded draws of the parameters from their asymptotic
    /// distribution. They cover the estimation error of the parameters, not a customer's
    /// own randomness nor a wrong model. Time grows with N × customers: at most 20,000,000
    /// predictions (N × customers, twice with --spend).
    #[arg(long, value_name = "N", conflicts_with = "holdout_end",
          value_parser = clap::value_parser!(u32).range(1..=100_000))]
    interval_draws: Option<u32>,
    /// Seed of --interval-draws: the same seed gives the same intervals on every machine.
    #[arg(long, default_value_t = 0, requires = "interval_draws")]
    seed: u64,
    /// Coverage of --interval-draws' equal-tailed intervals, between 0 and 1.
    #[arg(
        long,
        value_name = "LEVEL",
        default_value_t = 0.95,
        requires = "interval_draws"
    )]
    interval_level: f64,
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

/// Every customer's purchase days, each with the exact total of its amounts, ascending by
/// customer id and, within a customer, by day. This is all that the purchase models, the
/// holdout split and BG/BB use: each of them counts a customer's purchases on one day as one
/// transaction whose amount is their sum.
type PurchaseDays = Vec<(String, Vec<(NaiveDate, Decimal)>)>;

/// Reads the transactions into [`PurchaseDays`]. A plain CSV file is read by one parallel
/// pass of the fast reader (per-customer daily activity, merged the way the RFM monoid is);
/// anything else, and any file the fast reader does not take, by the shared general reader,
/// which accepts and rejects exactly the same rows and names the line and column of the first
/// bad value.
fn read_purchase_days(args: &ClvArgs) -> anyhow::Result<PurchaseDays> {
    let path = &args.input;
    if path.as_os_str() != "-"
        && input::kind(path) == input::Kind::Csv
        && let Some(days) = fast_purchase_days(args)
    {
        return Ok(days);
    }
    general_purchase_days(args)
}

/// [`PurchaseDays`] from the shared general reader (any input the grammar accepts; the first
/// bad value is reported with its file, line and column).
fn general_purchase_days(args: &ClvArgs) -> anyhow::Result<PurchaseDays> {
    let path = &args.input;
    let mut by_customer: HashMap<String, Vec<(NaiveDate, Decimal)>> = HashMap::new();
    input::for_each_transaction(path, &args.columns, args.out.quiet, |t, _| {
        match by_customer.get_mut(t.customer_id) {
            Some(rows) => rows.push((t.date, t.amount)),
            None => {
                by_customer.insert(t.customer_id.to_owned(), vec![(t.date, t.amount)]);
            }
        }
        Ok(())
    })?;
    let file = path.display();
    let mut days = Vec::with_capacity(by_customer.len());
    for (id, mut rows) in by_customer {
        rows.sort_by_key(|&(date, _)| date);
        let mut merged: Vec<(NaiveDate, Decimal)> = Vec::with_capacity(rows.len());
        for (date, amount) in rows {
            match merged.last_mut() {
                Some((last, total)) if *last == date => {
                    *total = total.checked_add(amount).ok_or_else(|| {
                        anyhow::anyhow!(
                            "{file}: customer {id:?}: the purchases of {date} add up past the Decimal range"
                        )
                    })?;
                }
                _ => merged.push((date, amount)),
            }
        }
        days.push((id, merged));
    }
    days.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    Ok(days)
}

/// Every customer's repeat summary at the calibration end from one parallel pass of the fast
/// reader over a log in date order (no per-customer days kept), or `None` when the file is not
/// a plain CSV file, not in date order, or not taken by the fast parser: then read it with
/// [`read_purchase_days`], which gives the same summaries or the general reader's error.
fn fast_ordered_summaries(args: &ClvArgs) -> Option<Vec<(String, RepeatSummary)>> {
    let path = &args.input;
    if path.as_os_str() == "-" || input::kind(path) != input::Kind::Csv {
        return None;
    }
    let csv = args.columns.csv_options(path, 0).ok()?;
    let read = with_progress(path, args.out.quiet, |progress| {
        read_repeat_summaries_path(path, args.calibration_end, &csv, progress)
    });
    Some(read.ok()??.customers)
}

/// [`PurchaseDays`] from one parallel pass of the fast reader, or `None` when it does not take
/// the file (or anything fails): the general reader then reads it and reports any error at its
/// line and column.
fn fast_purchase_days(args: &ClvArgs) -> Option<PurchaseDays> {
    let path = &args.input;
    let csv = args.columns.csv_options(path, 0).ok()?;
    let activity = with_progress(path, args.out.quiet, |progress| {
        read_activity_path(path, Granularity::Day, None, &csv, progress)
    })
    .ok()??;
    // Granularity::Day numbers a day by its days from the common era.
    let date = |day: i64| {
        i32::try_from(day)
            .ok()
            .and_then(NaiveDate::from_num_days_from_ce_opt)
    };
    let parts = activity
        .fold_customers(Vec::new, |part: &mut PurchaseDays, c| {
            let days = c
                .periods
                .iter()
                .map(|&(day, total)| date(day).map(|d| (d, total)))
                .collect::<Option<Vec<_>>>()
                .ok_or_else(|| anyhow::anyhow!("a day outside the calendar"))?;
            part.push((c.customer_id.clone(), days));
            Ok::<(), anyhow::Error>(())
        })
        .ok()?;
    let mut days: PurchaseDays = parts.into_iter().flatten().collect();
    days.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    Some(days)
}

/// Turns a library error about summary `index` into one naming the customer.
fn name_customer<S: std::fmt::Debug>(e: LifecycleError, ids: &[S]) -> anyhow::Error {
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
    #[serde(skip_serializing_if = "Option::is_none")]
    intervals: Option<IntervalsJson>,
    log_likelihood: f64,
    model: &'a str,
    parameters: &'a ParamsJson,
    #[serde(skip_serializing_if = "Option::is_none")]
    spend: Option<SpendJson>,
    /// Standard errors and 95% intervals of the purchase model's parameters (empty when the
    /// information matrix is not positive definite).
    standard_errors: Vec<UncertaintyJson>,
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
    BgBb {
        alpha: f64,
        beta: f64,
        delta: f64,
        gamma: f64,
    },
}

impl ParamsJson {
    /// `(name, value)` in the order of the JSON keys.
    fn pairs(&self) -> Vec<(&'static str, f64)> {
        match *self {
            ParamsJson::BgNbd { a, alpha, b, r } => {
                vec![("a", a), ("alpha", alpha), ("b", b), ("r", r)]
            }
            ParamsJson::ParetoNbd { alpha, beta, r, s } => {
                vec![("alpha", alpha), ("beta", beta), ("r", r), ("s", s)]
            }
            ParamsJson::BgBb {
                alpha,
                beta,
                delta,
                gamma,
            } => vec![
                ("alpha", alpha),
                ("beta", beta),
                ("delta", delta),
                ("gamma", gamma),
            ],
        }
    }
}

/// One parameter's standard error and 95% interval, `exp(ln θ ± 1.96 · se / θ)` (the fits
/// work on log-parameters, so the interval stays positive).
#[derive(serde::Serialize)]
struct UncertaintyJson {
    estimate: f64,
    high_95: f64,
    low_95: f64,
    parameter: &'static str,
    standard_error: f64,
}

/// The standard errors of `params` (same variant) as intervals; empty without them.
fn uncertainty(params: &ParamsJson, se: Option<&ParamsJson>) -> Vec<UncertaintyJson> {
    let Some(se) = se else {
        return Vec::new();
    };
    params
        .pairs()
        .into_iter()
        .zip(se.pairs())
        .map(|((parameter, estimate), (_, standard_error))| {
            let spread = 1.96 * standard_error / estimate;
            UncertaintyJson {
                estimate,
                high_95: (estimate.ln() + spread).exp(),
                low_95: (estimate.ln() - spread).exp(),
                parameter,
                standard_error,
            }
        })
        .collect()
}

/// The stderr line of the standard errors and intervals.
fn uncertainty_line(rows: &[UncertaintyJson]) -> String {
    if rows.is_empty() {
        return "uncertainty of the estimates not available (the information matrix is not positive definite at the optimum)".to_owned();
    }
    let parts: Vec<String> = rows
        .iter()
        .map(|u| {
            format!(
                "{} {:.4} (se {:.4}, 95% {:.4}..{:.4})",
                u.parameter, u.estimate, u.standard_error, u.low_95, u.high_95
            )
        })
        .collect();
    format!(
        "uncertainty of the estimates (se: standard deviation of the estimate; 95% interval on the log scale): {}",
        parts.join(", ")
    )
}

/// A purchase model behind a box, so that the models are treated alike.
type BoxedModel = Box<dyn PurchaseDistribution + Send + Sync>;

/// A fitted continuous-time purchase model.
struct Fitted {
    name: &'static str,
    model: BoxedModel,
    params: ParamsJson,
    standard_errors: Option<ParamsJson>,
    log_likelihood: f64,
    customers: usize,
    /// Parameter draws, when asked for (`--interval-draws`).
    draws: Option<ParameterDraws<BoxedModel>>,
}

/// A fit as a [`Fitted`], its parameters (and standard errors) shown by `json`, with
/// `draws` seeded parameter draws when asked for.
fn fitted<P: PurchaseDistribution + LogParameters + Clone + Send + Sync + 'static>(
    name: &'static str,
    fit: Fit<P>,
    json: impl Fn(&P) -> ParamsJson,
    draws: Option<(usize, u64)>,
) -> anyhow::Result<Fitted> {
    let draws = match draws {
        None => None,
        Some((n, seed)) => Some(
            ParameterDraws::new(&fit, n, seed)
                .with_context(|| format!("{name}: --interval-draws"))?
                .map(|p| Box::new(p) as BoxedModel),
        ),
    };
    Ok(Fitted {
        name,
        params: json(&fit.params),
        standard_errors: fit.standard_errors.as_ref().map(&json),
        log_likelihood: fit.log_likelihood,
        customers: fit.customers,
        model: Box::new(fit.params),
        draws,
    })
}

/// Fits a continuous-time purchase model (not BG/BB).
fn fit_purchase_model<S: std::fmt::Debug>(
    model: Model,
    summaries: &[CustomerSummary],
    ids: &[S],
    draws: Option<(usize, u64)>,
) -> anyhow::Result<Fitted> {
    let named = |e| name_customer(e, ids);
    let bg_tuple = |r, alpha, a, b| ParamsJson::BgNbd { a, alpha, b, r };
    Ok(match model {
        Model::Bgnbd => fitted(
            "bg/nbd",
            clv::fit_bg_nbd(summaries).map_err(named)?,
            |p: &clv::BgNbdParams| bg_tuple(p.r, p.alpha, p.a, p.b),
            draws,
        )?,
        Model::Mbgnbd => fitted(
            "mbg/nbd",
            clv::fit_mbg_nbd(summaries).map_err(named)?,
            |p: &clv::MbgNbdParams| bg_tuple(p.r, p.alpha, p.a, p.b),
            draws,
        )?,
        Model::ParetoNbd => fitted(
            "pareto/nbd",
            clv::fit_pareto_nbd(summaries).map_err(named)?,
            |p: &clv::ParetoNbdParams| ParamsJson::ParetoNbd {
                alpha: p.alpha,
                beta: p.beta,
                r: p.r,
                s: p.s,
            },
            draws,
        )?,
        Model::Bgbb => bail!("bg/bb is fitted on periods, not on (x, t_x, T)"),
    })
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
    /// With --interval-draws and --spend (null for a customer without a CLV).
    #[serde(skip_serializing_if = "Option::is_none")]
    clv_interval: Option<Option<IntervalJson>>,
    customer_id: &'a str,
    expected_purchases: f64,
    /// With --interval-draws.
    #[serde(skip_serializing_if = "Option::is_none")]
    expected_purchases_interval: Option<IntervalJson>,
    #[serde(skip_serializing_if = "Option::is_none")]
    expected_spend: Option<Option<f64>>,
    mean_repeat_spend: String,
    p_alive: f64,
    t_x: f64,
    x: u64,
}

/// The exact repeat summary of every customer with a purchase on or before `calibration_end`,
/// ascending by customer id.
fn exact_summaries(
    purchases: &PurchaseDays,
    calibration_end: NaiveDate,
) -> anyhow::Result<Vec<(String, RepeatSummary)>> {
    let parts = par_chunks(purchases, |_, chunk| {
        let mut part = Vec::with_capacity(chunk.len());
        for (id, days) in chunk {
            let calibration = days
                .iter()
                .copied()
                .take_while(|&(d, _)| d <= calibration_end);
            if let Some(s) = RepeatSummary::from_days(calibration, calibration_end)
                .with_context(|| format!("customer {id:?}"))?
            {
                part.push((id.clone(), s));
            }
        }
        Ok(part)
    })?;
    Ok(parts.into_iter().flatten().collect())
}

/// Runs `f` on consecutive chunks of `items`, one chunk per core, and returns the results in
/// the chunks' order (`f` gets the index of its chunk's first item); the first chunk's error
/// that stops, as a loop over the items would.
fn par_chunks<T: Sync, U: Send>(
    items: &[T],
    f: impl Fn(usize, &[T]) -> anyhow::Result<U> + Sync,
) -> anyhow::Result<Vec<U>> {
    let threads = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
    let size = items.len().div_ceil(threads).max(1);
    let f = &f;
    std::thread::scope(|scope| {
        let handles: Vec<_> = items
            .chunks(size)
            .enumerate()
            .map(|(i, chunk)| scope.spawn(move || f(i * size, chunk)))
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join()
                    .unwrap_or_else(|_| Err(anyhow::anyhow!("a worker thread stopped")))
            })
            .collect()
    })
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
    if args.model == Model::Bgbb || args.holdout_end.is_some() {
        let purchases = read_purchase_days(args)?;
        if args.model == Model::Bgbb {
            if args.compare {
                return Err(usage(
                    "--compare ranks the continuous-time models (bg/nbd, mbg/nbd, pareto/nbd); bg/bb counts periods, so it is checked alone: drop --compare",
                ));
            }
            return run_bgbb(args, &purchases, out);
        }
        if let Some(holdout_end) = args.holdout_end {
            return run_holdout(args, &purchases, holdout_end, unit, out);
        }
    }
    let file = args.input.display();
    let exact = match fast_ordered_summaries(args) {
        Some(exact) => exact,
        None => exact_summaries(&read_purchase_days(args)?, args.calibration_end)
            .with_context(|| format!("{file}"))?,
    };
    if exact.is_empty() {
        bail!("{file}: no purchase on or before {}", args.calibration_end);
    }
    let summaries: Vec<CustomerSummary> = par_chunks(&exact, |_, chunk| {
        chunk
            .iter()
            .map(|(id, r)| {
                CustomerSummary::from_repeat(r, unit)
                    .map_err(|e| anyhow::anyhow!("{file}: customer {id:?}: {e}"))
            })
            .collect::<anyhow::Result<Vec<_>>>()
    })?
    .into_iter()
    .flatten()
    .collect();
    let ids: Vec<&str> = exact.iter().map(|(id, _)| id.as_str()).collect();

    let draws = args.interval_draws.map(|n| (n as usize, args.seed));
    let mut fitted = fit_purchase_model(args.model, &summaries, &ids, draws)?;
    let draws = fitted.draws.take();
    let (model, model_name, params_json, ll) = (
        fitted.model.as_ref(),
        fitted.name,
        &fitted.params,
        fitted.log_likelihood,
    );
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
    // Each customer's predictions are independent: one chunk of customers per core.
    let rows: Vec<Row> = par_chunks(&summaries, |start, chunk| {
        let named =
            |i: usize, e: LifecycleError| anyhow::anyhow!("customer {:?}: {e}", ids[start + i]);
        let predictions = model
            .predict_each(chunk, horizon)
            .map_err(|(i, e)| named(i, e))?;
        // Spend predictions in customer order up to the first error; then the values of the
        // customers with one in one call (the model's share once per distinct (x, T)). An
        // error of a value comes before a later customer's spend error, as one at a time.
        let mut spends = Vec::with_capacity(chunk.len());
        let mut spend_error = None;
        let mut valued = Vec::new();
        let mut values = Vec::new();
        if let Some(gg) = &spend {
            for (i, s) in chunk.iter().enumerate() {
                match gg.params.spend_prediction(s) {
                    Ok(e) => {
                        if e.is_some() {
                            valued.push(*s);
                        }
                        spends.push(e);
                    }
                    Err(e) => {
                        spend_error = Some(named(i, e));
                        break;
                    }
                }
            }
            let with_spend: Vec<usize> = spends
                .iter()
                .enumerate()
                .filter_map(|(i, e)| e.map(|_| i))
                .collect();
            values = clv::customer_lifetime_values(model, &gg.params, &valued, options)
                .map_err(|(k, e)| named(with_spend.get(k).copied().unwrap_or(0), e))?;
            if let Some(e) = spend_error {
                return Err(e);
            }
        }
        let mut values = values.into_iter();
        let mut part = Vec::with_capacity(chunk.len());
        for (i, (p_alive, expected_purchases)) in predictions.into_iter().enumerate() {
            // Left out of the spend fit (or no spend model): no spend prediction, no CLV.
            let expected_spend = spends.get(i).copied().flatten();
            let clv = expected_spend.and_then(|_| values.next());
            part.push(Row {
                p_alive,
                expected_purchases,
                expected_spend,
                clv,
            });
        }
        Ok(part)
    })?
    .into_iter()
    .flatten()
    .collect();

    let intervals = match draws {
        None => None,
        Some(draws) => Some(customer_intervals(
            args,
            draws,
            &summaries,
            &rows,
            spend.as_ref(),
            horizon,
            options,
        )?),
    };
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
        eprintln!(
            "attain clv: {}",
            uncertainty_line(&uncertainty(params_json, fitted.standard_errors.as_ref()))
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
        if let Some(i) = &intervals {
            eprintln!("attain clv: {}", i.line());
        }
    }
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
            if let Some(i) = &intervals {
                header.extend(["expected_purchases_lower", "expected_purchases_upper"]);
                if i.clv.is_some() {
                    header.extend(["clv_lower", "clv_upper"]);
                }
            }
            out.write_record(&header)?;
            out.flush()?;
            drop(out);
            // Formatting the numbers is most of the writing: one chunk of customers per core,
            // each into its own buffer, written in order.
            let chunks = par_chunks(&rows, |start, chunk| {
                let mut out = csv::Writer::from_writer(Vec::new());
                // Each field straight into the writer, through one reused text buffer: no
                // allocation per row or per number (the same text as `to_string`).
                let mut text = String::new();
                let mut field = |out: &mut csv::Writer<Vec<u8>>,
                                 value: Option<&dyn std::fmt::Display>|
                 -> csv::Result<()> {
                    text.clear();
                    if let Some(v) = value {
                        // Writing into a String cannot fail.
                        let _ = write!(text, "{v}");
                    }
                    out.write_field(&text)
                };
                for (j, r) in chunk.iter().enumerate() {
                    let k = start + j;
                    let s = &summaries[k];
                    out.write_field(ids[k])?;
                    field(&mut out, Some(&s.x))?;
                    field(&mut out, Some(&s.t_x))?;
                    field(&mut out, Some(&s.t))?;
                    field(&mut out, Some(&r.p_alive))?;
                    field(&mut out, Some(&r.expected_purchases))?;
                    if spend.is_some() {
                        field(&mut out, r.expected_spend.as_ref().map(|v| v as _))?;
                        field(&mut out, r.clv.as_ref().map(|v| v as _))?;
                    }
                    if let Some(i) = &intervals {
                        let p = &i.purchases.items[k];
                        field(&mut out, Some(&p.lower))?;
                        field(&mut out, Some(&p.upper))?;
                        if i.clv.is_some() {
                            let c = i.clv_of(k);
                            field(&mut out, c.as_ref().map(|c| &c.lower as _))?;
                            field(&mut out, c.as_ref().map(|c| &c.upper as _))?;
                        }
                    }
                    out.write_record(None::<&[u8]>)?;
                }
                out.into_inner()
                    .map_err(|e| anyhow::anyhow!("{}", e.error()))
            })
            .map_err(io::Error::other)?;
            for chunk in chunks {
                w.write_all(&chunk)?;
            }
            Ok(())
        }
        Format::Json => {
            let customers: Vec<_> = ids
                .iter()
                .zip(&exact)
                .zip(&summaries)
                .zip(&rows)
                .enumerate()
                .map(|(k, (((id, (_, exact)), s), r))| ClvCustomerJson {
                    big_t: s.t,
                    clv: spend.is_some().then_some(r.clv),
                    clv_interval: intervals
                        .as_ref()
                        .filter(|i| i.clv.is_some())
                        .map(|i| i.clv_of(k).map(IntervalJson::from)),
                    customer_id: id,
                    expected_purchases: r.expected_purchases,
                    expected_purchases_interval: intervals
                        .as_ref()
                        .map(|i| IntervalJson::from(&i.purchases.items[k])),
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
                intervals: intervals.as_ref().map(Intervals::json),
                log_likelihood: ll,
                model: model_name,
                parameters: params_json,
                standard_errors: uncertainty(params_json, fitted.standard_errors.as_ref()),
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

/// The most predictions `--interval-draws` evaluates (draws × customers, twice with
/// --spend): a bound on its time, about a minute of a release build on a loaded 2-core
/// machine (BG/NBD: 2.2 µs a prediction, CLV about 5 µs; benches/README.md).
const MAX_INTERVAL_EVALUATIONS: usize = 20_000_000;

/// `--interval-draws`: the intervals of every customer's expected purchases and CLV and of
/// the cohort's totals.
struct Intervals {
    level: f64,
    draws: usize,
    seed: u64,
    purchases: clv::PredictionIntervals,
    /// With --spend: for each customer its index among those with a CLV, and their intervals.
    clv: Option<(Vec<Option<usize>>, clv::PredictionIntervals)>,
}

/// What the intervals cover, said wherever they are printed.
const INTERVALS_COVER: &str = "the estimation error of the parameters (the fit saw a finite cohort); not a customer's own randomness, nor a wrong model";

impl Intervals {
    /// Customer `k`'s CLV interval, if it has a CLV.
    fn clv_of(&self, k: usize) -> Option<&clv::Interval> {
        let (index, intervals) = self.clv.as_ref()?;
        index.get(k).copied().flatten().map(|j| &intervals.items[j])
    }

    /// The stderr line: level, draws, seed and the cohort's totals.
    fn line(&self) -> String {
        let total = |name: &str, i: &clv::Interval| {
            format!(
                "cohort {name} {:.4} ({:.4}..{:.4}, {} draws)",
                i.estimate, i.lower, i.upper, i.draws
            )
        };
        let mut parts = vec![total("expected purchases", &self.purchases.total)];
        if let Some((_, c)) = &self.clv {
            parts.push(total("clv", &c.total));
        }
        format!(
            "{}% intervals from {} parameter draws (seed {}) cover {INTERVALS_COVER}: {}",
            self.level * 100.0,
            self.draws,
            self.seed,
            parts.join("; ")
        )
    }

    fn json(&self) -> IntervalsJson {
        IntervalsJson {
            clv_total: self.clv.as_ref().map(|(_, c)| IntervalJson::from(&c.total)),
            covers: INTERVALS_COVER,
            draws: self.draws,
            expected_purchases_total: IntervalJson::from(&self.purchases.total),
            level: self.level,
            seed: self.seed,
        }
    }
}

/// `--interval-draws` in JSON: the cohort's totals and how they were made.
#[derive(serde::Serialize)]
struct IntervalsJson {
    #[serde(skip_serializing_if = "Option::is_none")]
    clv_total: Option<IntervalJson>,
    covers: &'static str,
    draws: usize,
    expected_purchases_total: IntervalJson,
    level: f64,
    seed: u64,
}

/// One interval: the estimate at the fitted parameters, the bounds, and the draws that gave
/// a finite prediction.
#[derive(serde::Serialize)]
struct IntervalJson {
    draws: usize,
    estimate: f64,
    lower: f64,
    upper: f64,
}

impl From<&clv::Interval> for IntervalJson {
    fn from(i: &clv::Interval) -> Self {
        IntervalJson {
            draws: i.draws,
            estimate: i.estimate,
            lower: i.lower,
            upper: i.upper,
        }
    }
}

/// `--interval-level`, after checking it and that `draws` draws for `customers` customers,
/// `per_customer` predictions each, stay within [`MAX_INTERVAL_EVALUATIONS`].
fn check_interval_work(
    args: &ClvArgs,
    draws: usize,
    customers: usize,
    per_customer: usize,
) -> anyhow::Result<f64> {
    let level = args.interval_level;
    if !(level > 0.0 && level < 1.0) {
        return Err(usage(
            "--interval-level must be between 0 and 1, such as 0.95",
        ));
    }
    let per_draw = customers.saturating_mul(per_customer);
    let evaluations = draws.saturating_mul(per_draw);
    if evaluations > MAX_INTERVAL_EVALUATIONS {
        return Err(usage(format!(
            "--interval-draws {draws} for {customers} customers is {evaluations} predictions, above the bound of {MAX_INTERVAL_EVALUATIONS}: use at most {} draws",
            MAX_INTERVAL_EVALUATIONS / per_draw.max(1)
        )));
    }
    Ok(level)
}

/// The intervals of `--interval-draws`. The spend model's draws are independent of the
/// purchase model's (the two are fitted separately), seeded with `seed + 1`.
fn customer_intervals(
    args: &ClvArgs,
    draws: ParameterDraws<BoxedModel>,
    summaries: &[CustomerSummary],
    rows: &[Row],
    spend: Option<&Fit<GammaGammaParams>>,
    horizon: f64,
    options: ClvOptions,
) -> anyhow::Result<Intervals> {
    let n = draws.draws().len();
    let level = check_interval_work(
        args,
        n,
        summaries.len(),
        if spend.is_some() { 2 } else { 1 },
    )?;
    let purchases = draws
        .intervals_with_total(level, summaries.len(), |m, i| {
            m.conditional_expected_purchases(&summaries[i], horizon)
        })
        .context("--interval-draws: expected purchases")?;
    let clv = match spend {
        None => None,
        Some(gg) => {
            let mut index = Vec::with_capacity(rows.len());
            let mut with_clv = Vec::new();
            for (k, r) in rows.iter().enumerate() {
                index.push(r.clv.is_some().then_some(with_clv.len()));
                if r.clv.is_some() {
                    with_clv.push(k);
                }
            }
            let spend_draws = ParameterDraws::new(gg, n, args.seed.wrapping_add(1))
                .context("gamma-gamma: --interval-draws")?;
            let both = draws.zip(spend_draws)?;
            let intervals = both
                .intervals_with_total(level, with_clv.len(), |(m, g), j| {
                    clv::customer_lifetime_value(m.as_ref(), g, &summaries[with_clv[j]], options)
                })
                .context("--interval-draws: clv")?;
            Some((index, intervals))
        }
    };
    Ok(Intervals {
        level,
        draws: n,
        seed: args.seed,
        purchases,
        clv,
    })
}

fn transactions(purchases: &PurchaseDays) -> impl Iterator<Item = Transaction<'_>> {
    purchases.iter().flat_map(|(customer, days)| {
        days.iter().map(move |&(date, amount)| Transaction {
            customer_id: customer,
            date,
            amount,
            order_id: None,
        })
    })
}

/// One model's holdout validation.
#[derive(serde::Serialize)]
struct ValidationJson {
    aic: f64,
    bic: f64,
    calibration_histogram: Vec<BinJson>,
    errors: ErrorsJson,
    holdout_by_frequency: Vec<BinJson>,
    log_likelihood: f64,
    model: &'static str,
    parameters: ParamsJson,
    rank_bic: usize,
    rank_mae: usize,
    standard_errors: Vec<UncertaintyJson>,
    tracking: Vec<TrackingJson>,
}

/// Holdout error measures.
#[derive(serde::Serialize)]
struct ErrorsJson {
    actual_total: u64,
    bias_percent: Option<f64>,
    customers: usize,
    mae: f64,
    msle: f64,
    predicted_total: f64,
    rmse: f64,
}

/// A histogram bar or a holdout-by-frequency row.
#[derive(serde::Serialize)]
struct BinJson {
    actual: f64,
    customers: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    expected: Option<f64>,
    open_ended: bool,
    repeat_transactions: u64,
}

impl From<&clv::FrequencyBin> for BinJson {
    fn from(b: &clv::FrequencyBin) -> Self {
        BinJson {
            actual: b.actual,
            customers: b.customers,
            expected: b.expected,
            open_ended: b.open_ended,
            repeat_transactions: b.repeat_transactions,
        }
    }
}

/// A tracking point.
#[derive(serde::Serialize)]
struct TrackingJson {
    actual: u64,
    end: String,
    expected: f64,
    holdout: bool,
    period: u64,
}

/// `--holdout-end`: the document.
#[derive(serde::Serialize)]
struct HoldoutJson<'a> {
    calibration_end: String,
    customers: usize,
    customers_first_seen_in_holdout: usize,
    holdout_end: String,
    holdout_length: f64,
    likelihood_ratio_test: &'static str,
    models: Vec<ValidationJson>,
    ranked_by: &'static str,
    unit: &'a str,
}

/// Why no likelihood-ratio test is printed (see attain_lifecycle::clv::validate).
const NO_LR_TEST: &str = "none: bg/nbd, mbg/nbd and pareto/nbd do not nest (none is another with parameters fixed inside the domain)";

/// Open-ended bin of the histogram and of holdout by frequency: 7+ as in FHL 2005.
const TOP_BIN: u64 = 7;

fn run_holdout(
    args: &ClvArgs,
    purchases: &PurchaseDays,
    holdout_end: NaiveDate,
    unit: TimeUnit,
    out: crate::output::Output,
) -> anyhow::Result<()> {
    let file = args.input.display();
    let split = clv::split_holdout(transactions(purchases), args.calibration_end, holdout_end)
        .map_err(|e| usage(format!("{file}: {e}")))?;
    let ids: Vec<String> = split
        .customers
        .iter()
        .map(|c| c.customer_id.clone())
        .collect();
    let summaries = split.summaries(unit).map_err(|e| name_customer(e, &ids))?;
    let models: &[Model] = if args.compare {
        &[Model::Bgnbd, Model::Mbgnbd, Model::ParetoNbd]
    } else {
        std::slice::from_ref(&args.model)
    };
    let actual = split.holdout_transactions();
    let calibration_x = split.calibration_frequencies();
    let mut validations = Vec::new();
    for &model in models {
        let fitted = match fit_purchase_model(model, &summaries, &ids, None) {
            Ok(f) => f,
            Err(e) if args.compare => {
                eprintln!("attain clv: {model:?} left out of the comparison: {e}");
                continue;
            }
            Err(e) => return Err(e),
        };
        let m = fitted.model.as_ref();
        let predicted =
            clv::holdout_predictions(&split, m, unit).map_err(|e| name_customer(e, &ids))?;
        let errors = clv::HoldoutErrors::new(&actual, &predicted)?;
        let ic = clv::InformationCriteria::new(fitted.log_likelihood, 4, fitted.customers)?;
        let tracking = clv::tracking(&split, m, unit, unit.days() as u32)?;
        let by_x = clv::holdout_by_frequency(&calibration_x, &actual, &predicted, TOP_BIN)?;
        let probability = |k: u64, t: f64| fitted.model.probability_of_purchases(t, k);
        let histogram = clv::calibration_histogram(&split, unit, TOP_BIN, Some(&probability))?;
        validations.push(ValidationJson {
            aic: ic.aic,
            bic: ic.bic,
            calibration_histogram: histogram.iter().map(BinJson::from).collect(),
            errors: errors_json(&errors),
            holdout_by_frequency: by_x.iter().map(BinJson::from).collect(),
            log_likelihood: fitted.log_likelihood,
            model: fitted.name,
            rank_bic: 0,
            rank_mae: 0,
            standard_errors: uncertainty(&fitted.params, fitted.standard_errors.as_ref()),
            parameters: fitted.params,
            tracking: tracking
                .iter()
                .map(|p| TrackingJson {
                    actual: p.actual,
                    end: p.end.to_string(),
                    expected: p.expected,
                    holdout: p.holdout,
                    period: p.period,
                })
                .collect(),
        });
    }
    if validations.is_empty() {
        bail!("{file}: no model could be fitted");
    }
    validations.sort_by(|a, b| a.bic.total_cmp(&b.bic));
    for (i, v) in validations.iter_mut().enumerate() {
        v.rank_bic = i + 1;
    }
    validations.sort_by(|a, b| a.errors.mae.total_cmp(&b.errors.mae));
    for (i, v) in validations.iter_mut().enumerate() {
        v.rank_mae = i + 1;
    }
    let unit_name = match unit {
        TimeUnit::Days => "days",
        _ => "weeks",
    };
    if args.out.format == Format::Csv {
        eprintln!(
            "attain clv: {} customers, calibration to {}, holdout to {} ({} {unit_name}); {} first seen in the holdout left out; likelihood-ratio test: {NO_LR_TEST}",
            split.customers.len(),
            split.calibration_end,
            split.holdout_end,
            split.holdout_length(unit),
            split.customers_first_seen_in_holdout,
        );
        for v in &validations {
            eprintln!(
                "attain clv: {} {} log-likelihood {:.4}",
                v.model,
                serde_json::to_string(&v.parameters)?,
                v.log_likelihood
            );
            eprintln!(
                "attain clv: {} {}",
                v.model,
                uncertainty_line(&v.standard_errors)
            );
        }
    }
    let doc = HoldoutJson {
        calibration_end: split.calibration_end.to_string(),
        customers: split.customers.len(),
        customers_first_seen_in_holdout: split.customers_first_seen_in_holdout,
        holdout_end: split.holdout_end.to_string(),
        holdout_length: split.holdout_length(unit),
        likelihood_ratio_test: NO_LR_TEST,
        models: validations,
        ranked_by: "holdout mae",
        unit: unit_name,
    };
    write_validation(&out, args.out.format, &doc)
}

/// One CSV section: `# title`, the header, the rows.
fn write_section(
    w: &mut dyn io::Write,
    title: &str,
    header: &[&str],
    rows: impl Iterator<Item = Vec<String>>,
) -> io::Result<()> {
    writeln!(w, "# {title}")?;
    let mut csv_out = csv::Writer::from_writer(&mut *w);
    csv_out.write_record(header)?;
    for row in rows {
        csv_out.write_record(&row)?;
    }
    csv_out.flush()
}

/// Writes a holdout validation: JSON, or CSV sections each under a `# title` line and
/// separated by a blank line.
fn write_validation(
    out: &crate::output::Output,
    format: Format,
    doc: &HoldoutJson<'_>,
) -> anyhow::Result<()> {
    let opt = |v: Option<f64>| v.map(|v| v.to_string()).unwrap_or_default();
    let unit_name = doc.unit;
    out.write_with(|w| match format {
        Format::Csv => {
            let errors = doc.models.iter().map(|v| {
                let e = &v.errors;
                vec![
                    v.rank_mae.to_string(),
                    v.model.to_owned(),
                    e.customers.to_string(),
                    e.actual_total.to_string(),
                    e.predicted_total.to_string(),
                    e.mae.to_string(),
                    e.rmse.to_string(),
                    e.msle.to_string(),
                    opt(e.bias_percent),
                    v.log_likelihood.to_string(),
                    "4".to_owned(),
                    v.aic.to_string(),
                    v.bic.to_string(),
                    v.rank_bic.to_string(),
                ]
            });
            write_section(
                w,
                "models, ordered by holdout mae (rank_bic: by bic on the calibration)",
                &[
                    "rank_mae", "model", "customers", "actual_total", "predicted_total", "mae",
                    "rmse", "msle", "bias_percent", "log_likelihood", "parameters", "aic", "bic",
                    "rank_bic",
                ],
                errors,
            )?;
            let tracking = doc.models.iter().flat_map(|v| {
                v.tracking.iter().map(|p| {
                    vec![
                        v.model.to_owned(),
                        p.period.to_string(),
                        p.end.clone(),
                        p.holdout.to_string(),
                        p.actual.to_string(),
                        p.expected.to_string(),
                    ]
                })
            });
            writeln!(w)?;
            write_section(
                w,
                &format!("tracking: cumulative repeat transactions per {unit_name}"),
                &["model", "period", "end", "holdout", "actual", "expected"],
                tracking,
            )?;
            let histogram = doc.models.iter().flat_map(|v| {
                v.calibration_histogram.iter().map(|b| {
                vec![
                    v.model.to_owned(),
                    b.repeat_transactions.to_string(),
                    b.open_ended.to_string(),
                    b.customers.to_string(),
                    opt(b.expected),
                ]
            })
            });
            writeln!(w)?;
            write_section(
                w,
                "calibration histogram: customers by repeat transactions, actual and expected (7 is 7+)",
                &["model", "repeat_transactions", "open_ended", "customers", "expected"],
                histogram,
            )?;
            let by_x = doc.models.iter().flat_map(|v| {
                v.holdout_by_frequency.iter().map(|b| {
                    vec![
                        v.model.to_owned(),
                        b.repeat_transactions.to_string(),
                        b.open_ended.to_string(),
                        b.customers.to_string(),
                        b.actual.to_string(),
                        opt(b.expected),
                    ]
                })
            });
            writeln!(w)?;
            write_section(
                w,
                "holdout by calibration frequency: mean holdout transactions (7 is 7+)",
                &[
                    "model", "repeat_transactions", "open_ended", "customers", "actual_mean",
                    "expected_mean",
                ],
                by_x,
            )
        }
        Format::Json => {
            serde_json::to_writer_pretty(&mut *w, doc)?;
            writeln!(w)
        }
    })
}

/// The number of the `period` containing `date` (consecutive periods have consecutive numbers).
fn period_number(period: Period, date: NaiveDate) -> i64 {
    use chrono::Datelike;
    let (year, month0) = (i64::from(date.year()), i64::from(date.month0()));
    match period {
        Period::Year => year,
        Period::Quarter => year * 4 + month0 / 3,
        Period::Month => year * 12 + month0,
        // 0001-01-01 is a Monday (day 1 of the common era): ISO weeks, Monday to Sunday.
        Period::Week => (i64::from(date.num_days_from_ce()) - 1).div_euclid(7),
    }
}

/// A usage error unless `date` is the last day of its period.
fn check_period_end(period: Period, date: NaiveDate, flag: &str) -> anyhow::Result<()> {
    let next = date.succ_opt().map(|d| period_number(period, d));
    if next == Some(period_number(period, date)) {
        return Err(usage(
            format!(
                "{flag} {date} is not the last day of a {period:?} (BG/BB counts whole periods)"
            )
            .to_lowercase(),
        ));
    }
    Ok(())
}

/// One BG/BB customer: calibration pattern and holdout periods with a purchase.
struct BgBbCustomer<'a> {
    id: &'a str,
    summary: clv::BgBbSummary,
    holdout: u64,
    /// The acquisition period.
    first: i64,
    /// Distinct periods with a purchase after the first, through the holdout end.
    repeat_periods: Vec<i64>,
}

/// `--model bgbb`: discrete opportunities, one per --period; a period with any purchase is one
/// transaction, the first purchase's period is the acquisition.
fn run_bgbb(
    args: &ClvArgs,
    purchases: &PurchaseDays,
    out: crate::output::Output,
) -> anyhow::Result<()> {
    let file = args.input.display();
    let period = args.period;
    check_period_end(period, args.calibration_end, "--calibration-end")?;
    if let Some(h) = args.holdout_end {
        check_period_end(period, h, "--holdout-end")?;
        if h <= args.calibration_end {
            return Err(usage("--holdout-end must be after --calibration-end"));
        }
    }
    let cal = period_number(period, args.calibration_end);
    let hold = args.holdout_end.map(|h| period_number(period, h));
    let mut by_customer: std::collections::BTreeMap<&str, Vec<i64>> =
        std::collections::BTreeMap::new();
    for (c, days) in purchases {
        by_customer
            .entry(c.as_str())
            .or_default()
            .extend(days.iter().map(|&(d, _)| period_number(period, d)));
    }
    let mut customers = Vec::new();
    for (id, periods) in &by_customer {
        let calibration: Vec<i64> = periods.iter().copied().filter(|p| *p <= cal).collect();
        if calibration.is_empty() {
            continue;
        }
        let summary = clv::BgBbSummary::from_periods(&calibration, cal)
            .map_err(|e| anyhow::anyhow!("{file}: customer {id:?}: {e}"))?;
        let mut later: Vec<i64> = periods
            .iter()
            .copied()
            .filter(|p| *p > cal && hold.is_some_and(|h| *p <= h))
            .collect();
        later.sort_unstable();
        later.dedup();
        let first = calibration.iter().copied().min().unwrap_or(cal);
        let mut repeat_periods: Vec<i64> = calibration
            .iter()
            .copied()
            .filter(|p| *p > first)
            .chain(later.iter().copied())
            .collect();
        repeat_periods.sort_unstable();
        repeat_periods.dedup();
        customers.push(BgBbCustomer {
            id,
            summary,
            holdout: later.len() as u64,
            first,
            repeat_periods,
        });
    }
    if customers.is_empty() {
        bail!("{file}: no purchase on or before {}", args.calibration_end);
    }
    let summaries: Vec<clv::BgBbSummary> = customers.iter().map(|c| c.summary).collect();
    let ids: Vec<String> = customers.iter().map(|c| c.id.to_owned()).collect();
    let fit = clv::fit_bg_bb(&summaries).map_err(|e| name_customer(e, &ids))?;
    let p = fit.params;
    let params = ParamsJson::BgBb {
        alpha: p.alpha,
        beta: p.beta,
        delta: p.delta,
        gamma: p.gamma,
    };
    let se = fit.standard_errors.map(|s| ParamsJson::BgBb {
        alpha: s.alpha,
        beta: s.beta,
        delta: s.delta,
        gamma: s.gamma,
    });
    let standard_errors = uncertainty(&params, se.as_ref());
    let period_name = format!("{period:?}").to_lowercase();
    if args.out.format == Format::Csv {
        eprintln!(
            "attain clv: bg/bb fitted to {} customers (opportunity: {period_name}): {} log-likelihood {:.4}",
            customers.len(),
            serde_json::to_string(&params)?,
            fit.log_likelihood
        );
        eprintln!("attain clv: bg/bb {}", uncertainty_line(&standard_errors));
    }
    let ids = &ids;
    let with_id = |i: usize| move |e: LifecycleError| anyhow::anyhow!("customer {:?}: {e}", ids[i]);
    let Some(hold) = hold else {
        let mut rows = Vec::with_capacity(customers.len());
        for (i, c) in customers.iter().enumerate() {
            rows.push((
                p.p_alive(&c.summary).map_err(with_id(i))?,
                p.conditional_expected_transactions(&c.summary, args.future_periods)
                    .map_err(with_id(i))?,
            ));
        }
        let intervals = match args.interval_draws {
            None => None,
            Some(n) => {
                let level = check_interval_work(args, n as usize, customers.len(), 1)?;
                let draws = ParameterDraws::new(&fit, n as usize, args.seed)
                    .context("bg/bb: --interval-draws")?;
                let purchases = draws
                    .intervals_with_total(level, customers.len(), |p, i| {
                        p.conditional_expected_transactions(
                            &customers[i].summary,
                            args.future_periods,
                        )
                    })
                    .context("--interval-draws: expected transactions")?;
                Some(Intervals {
                    level,
                    draws: n as usize,
                    seed: args.seed,
                    purchases,
                    clv: None,
                })
            }
        };
        if let (Some(i), Format::Csv) = (&intervals, args.out.format) {
            eprintln!("attain clv: bg/bb {}", i.line());
        }
        return out.write_with(|w| match args.out.format {
            Format::Csv => {
                let mut csv_out = csv::Writer::from_writer(&mut *w);
                let mut header = vec!["customer_id", "x", "t_x", "n", "p_alive", "expected_transactions"];
                if intervals.is_some() {
                    header.extend(["expected_transactions_lower", "expected_transactions_upper"]);
                }
                csv_out.write_record(&header)?;
                for (k, (c, (alive, expected))) in customers.iter().zip(&rows).enumerate() {
                    let mut record = vec![
                        c.id.to_owned(),
                        c.summary.x.to_string(),
                        c.summary.t_x.to_string(),
                        c.summary.n.to_string(),
                        alive.to_string(),
                        expected.to_string(),
                    ];
                    if let Some(i) = &intervals {
                        let e = &i.purchases.items[k];
                        record.extend([e.lower.to_string(), e.upper.to_string()]);
                    }
                    csv_out.write_record(&record)?;
                }
                csv_out.flush()
            }
            Format::Json => {
                let mut doc = serde_json::json!({
                    "calibration_end": args.calibration_end.to_string(),
                    "customers": customers.iter().zip(&rows).enumerate().map(|(k, (c, (alive, expected)))| {
                        let mut row = serde_json::json!({
                            "customer_id": c.id,
                            "expected_transactions": expected,
                            "n": c.summary.n,
                            "p_alive": alive,
                            "t_x": c.summary.t_x,
                            "x": c.summary.x,
                        });
                        if let Some(i) = &intervals {
                            row["expected_transactions_interval"] =
                                serde_json::to_value(IntervalJson::from(&i.purchases.items[k]))?;
                        }
                        Ok(row)
                    }).collect::<Result<Vec<_>, serde_json::Error>>()?,
                    "future_periods": args.future_periods,
                    "log_likelihood": fit.log_likelihood,
                    "model": "bg/bb",
                    "parameters": &params,
                    "period": period_name,
                    "standard_errors": &standard_errors,
                });
                if let Some(i) = &intervals {
                    let j = i.json();
                    doc["intervals"] = serde_json::json!({
                        "covers": j.covers,
                        "draws": j.draws,
                        "expected_transactions_total": j.expected_purchases_total,
                        "level": j.level,
                        "seed": j.seed,
                    });
                }
                serde_json::to_writer_pretty(&mut *w, &doc)?;
                writeln!(w)
            }
        });
    };
    // Holdout: every customer has the same future opportunities, hold - cal.
    let future = u32::try_from(hold - cal)
        .map_err(|_| usage("--holdout-end: too many periods after --calibration-end"))?;
    let mut predicted = Vec::with_capacity(customers.len());
    for (i, c) in customers.iter().enumerate() {
        predicted.push(
            p.conditional_expected_transactions(&c.summary, future)
                .map_err(with_id(i))?,
        );
    }
    let actual: Vec<u64> = customers.iter().map(|c| c.holdout).collect();
    let calibration_x: Vec<u64> = customers.iter().map(|c| u64::from(c.summary.x)).collect();
    let errors = clv::HoldoutErrors::new(&actual, &predicted)?;
    let ic = clv::InformationCriteria::new(fit.log_likelihood, 4, customers.len())?;
    let by_x = clv::holdout_by_frequency(&calibration_x, &actual, &predicted, TOP_BIN)?;
    // Histogram: actual customers by x beside Σ P(X(n) = x) over the customers' n.
    let mut actual_bins = [0_u64; 8];
    let mut expected_bins = [0.0_f64; 8];
    for c in &customers {
        let k = usize::try_from(c.summary.x.min(7)).unwrap_or(7);
        actual_bins[k] += 1;
        let mut below = 0.0;
        for (k, e) in expected_bins.iter_mut().take(7).enumerate() {
            let k = k as u32;
            let pk = if k <= c.summary.n {
                p.probability_of_transactions(c.summary.n, k)?
            } else {
                0.0
            };
            below += pk;
            *e += pk;
        }
        expected_bins[7] += (1.0 - below).max(0.0);
    }
    let histogram: Vec<BinJson> = (0..8)
        .map(|k| BinJson {
            actual: actual_bins[k] as f64,
            customers: actual_bins[k],
            expected: Some(expected_bins[k]),
            open_ended: k == 7,
            repeat_transactions: k as u64,
        })
        .collect();
    let tracking = bgbb_tracking(&p, &customers, cal, hold)?;
    let doc = HoldoutJson {
        calibration_end: args.calibration_end.to_string(),
        customers: customers.len(),
        customers_first_seen_in_holdout: by_customer.len() - customers.len(),
        holdout_end: args.holdout_end.map(|d| d.to_string()).unwrap_or_default(),
        holdout_length: f64::from(future),
        likelihood_ratio_test: "none: only one model",
        models: vec![ValidationJson {
            aic: ic.aic,
            bic: ic.bic,
            calibration_histogram: histogram,
            errors: errors_json(&errors),
            holdout_by_frequency: by_x.iter().map(BinJson::from).collect(),
            log_likelihood: fit.log_likelihood,
            model: "bg/bb",
            parameters: params,
            rank_bic: 1,
            rank_mae: 1,
            standard_errors,
            tracking,
        }],
        ranked_by: "holdout mae",
        unit: &period_name,
    };
    write_validation(&out, args.out.format, &doc)
}

/// BG/BB's tracking curve: per period from the earliest acquisition to the holdout end, the
/// cohort's cumulative repeat transactions (periods with a purchase after the first) beside
/// `Σ_i E[X(k − first_i)]` (FHS 2010, eq. 7, at each customer's own age in periods); `end`
/// is the period's number counted from the earliest acquisition, 1 being that period.
fn bgbb_tracking(
    p: &clv::BgBbParams,
    customers: &[BgBbCustomer<'_>],
    cal: i64,
    hold: i64,
) -> anyhow::Result<Vec<TrackingJson>> {
    let Some(start) = customers.iter().map(|c| c.first).min() else {
        return Ok(Vec::new());
    };
    let mut repeats: std::collections::BTreeMap<i64, u64> = std::collections::BTreeMap::new();
    for c in customers {
        for r in &c.repeat_periods {
            *repeats.entry(*r).or_insert(0) += 1;
        }
    }
    let mut expected_at: std::collections::BTreeMap<i64, f64> = std::collections::BTreeMap::new();
    let mut points = Vec::new();
    let mut actual = 0;
    for k in start..=hold {
        actual += repeats.get(&k).copied().unwrap_or(0);
        let mut expected = 0.0;
        for c in customers.iter().filter(|c| c.first <= k) {
            let age = k - c.first;
            let e = match expected_at.get(&age) {
                Some(e) => *e,
                None => {
                    let n = u32::try_from(age).unwrap_or(u32::MAX);
                    let e = p.expected_transactions(n)?;
                    expected_at.insert(age, e);
                    e
                }
            };
            expected += e;
        }
        points.push(TrackingJson {
            actual,
            end: (k - start + 1).to_string(),
            expected,
            holdout: k > cal,
            period: u64::try_from(k - start + 1).unwrap_or(0),
        });
    }
    Ok(points)
}

fn errors_json(e: &clv::HoldoutErrors) -> ErrorsJson {
    ErrorsJson {
        actual_total: e.actual_total,
        bias_percent: e.bias_percent,
        customers: e.customers,
        mae: e.mae,
        msle: e.msle,
        predicted_total: e.predicted_total,
        rmse: e.rmse,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_files::{file, temp_csv};
    use clap::Parser;
    use proptest::prelude::*;

    /// `attain clv ...` arguments, parsed as the command parses them.
    #[derive(Debug, Parser)]
    struct Wrapper {
        #[command(flatten)]
        args: ClvArgs,
    }

    fn args(path: &std::path::Path, calibration_end: &str) -> ClvArgs {
        let argv = [
            "clv",
            path.to_str().unwrap(),
            "-q",
            "--calibration-end",
            calibration_end,
        ];
        Wrapper::try_parse_from(argv).unwrap().args
    }

    fn end() -> impl Strategy<Value = &'static str> {
        prop::sample::select(vec!["2025-12-31", "2026-01-31", "2026-02-28", "2026-12-31"])
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        /// One grammar: whenever a fast pass gives purchase days or summaries, the general
        /// reader accepts the file and gives the same days, hence the same summaries; the
        /// routed reader gives the general reader's days or error, word for word.
        #[test]
        fn prop_fast_passes_equal_general_reader(text in file(), end in end()) {
            let path = temp_csv(&text);
            let args = args(&path, end);
            let end = args.calibration_end;
            let shown = |r: anyhow::Result<PurchaseDays>| r.map_err(|e| format!("{e:#}"));
            let general = shown(general_purchase_days(&args));
            let fast = fast_purchase_days(&args);
            let ordered = fast_ordered_summaries(&args);
            let routed = shown(read_purchase_days(&args));
            std::fs::remove_file(&path).unwrap();
            if let Some(fast) = fast {
                prop_assert_eq!(Ok(fast), general.clone(), "{:?}", text);
            }
            if let Some(ordered) = ordered {
                let days = general.clone().map_err(TestCaseError::fail)?;
                let expected = exact_summaries(&days, end).map_err(|e| TestCaseError::fail(e.to_string()))?;
                prop_assert_eq!(ordered, expected, "{:?}", text);
            }
            prop_assert_eq!(routed, general, "{:?}", text);
        }
    }

    #[test]
    fn plain_files_take_the_fast_passes() {
        // In date order: the summaries come from the ordered pass.
        let sorted = "customer_id,order_id,order_date,amount\n\
                      a,o1,2026-01-05,10\nb,o2,2026-01-09,7.5\na,o3,2026-01-28,-5.25\n\
                      a,,2026-01-28,20\nc,o5,2026-02-14,40\nd,o8,2026-03-20,8\n";
        // Out of date order: the ordered pass gives up, the daily activity pass does not.
        let shuffled = "customer_id,order_id,order_date,amount\n\
                        a,o3,2026-01-28,-5.25\nb,o2,2026-01-09,7.5\na,o1,2026-01-05,10\n";
        for (text, ordered) in [(sorted, true), (shuffled, false)] {
            let path = temp_csv(text);
            let args = args(&path, "2026-02-28");
            let general = general_purchase_days(&args).unwrap();
            assert_eq!(fast_purchase_days(&args).as_ref(), Some(&general));
            let summaries = fast_ordered_summaries(&args);
            assert_eq!(summaries.is_some(), ordered);
            if let Some(s) = summaries {
                assert_eq!(s, exact_summaries(&general, args.calibration_end).unwrap());
                // a: 2026-01-05, then one repeat day (01-28) of -5.25 + 20.
                assert_eq!(s[0].1.frequency(), 1);
                assert_eq!(s[0].1.mean_repeat_spend().to_string(), "14.75");
                // d bought after the calibration end.
                assert_eq!(s.len(), 3);
            }
            std::fs::remove_file(&path).unwrap();
        }
    }

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
