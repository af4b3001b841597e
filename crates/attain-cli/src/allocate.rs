//! `attain allocate`: split an amount by weights, exactly to the minor unit.

use attain_types::input::{Quoted, parse_amount, parse_money};
use attain_types::{Currency, Decimal, allocate};

use crate::output::{Format, OutputArgs};
use crate::usage::UsageContext;

/// Split an amount by weights into parts that sum back exactly (largest remainder).
///
/// Example: `attain allocate --total 12000000 --weights new=40,repeat=60 --currency CNY`
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Example:\n  $ attain allocate --total 12000000 --weights new=40,repeat=60 --currency CNY"
)]
pub(crate) struct AllocateArgs {
    /// The amount to split, as plain decimal text (`12000000`, `-0.5`), in whole minor units
    /// of --currency.
    #[arg(long, allow_hyphen_values = true)]
    total: String,
    /// Weights as `label=weight` or bare weights, comma-separated (`new=40,repeat=60`).
    #[arg(long, value_delimiter = ',', required = true)]
    weights: Vec<String>,
    /// ISO 4217 currency code; fixes the minor unit the parts are rounded to.
    #[arg(long, default_value = "XXX")]
    currency: String,
    #[command(flatten)]
    out: OutputArgs,
}

pub(crate) fn run(args: &AllocateArgs) -> anyhow::Result<()> {
    let out = args.out.open(&[])?;
    let currency = Currency::new(&args.currency).usage("--currency")?;
    // Checked once, exactly, against the currency: `10.005` USD and `10^27` USD (10^29 cents)
    // are refused here, never rounded or rescaled.
    let total = parse_money(&args.total, currency).usage("--total")?;
    let mut labels = Vec::with_capacity(args.weights.len());
    let mut weights = Vec::with_capacity(args.weights.len());
    for (i, item) in args.weights.iter().enumerate() {
        let (label, w) = item.split_once('=').map_or_else(
            || ((i + 1).to_string(), item.as_str()),
            |(l, w)| (l.to_owned(), w),
        );
        let w: Decimal = parse_amount(w.trim())
            .with_usage(|| format!("--weights item {} ({})", i + 1, Quoted::new(item)))?;
        labels.push(label);
        weights.push(w);
    }
    let parts = allocate(total, &weights).usage("--weights")?;
    out.write_with(|w| match args.out.format {
        Format::Csv => {
            let mut c = csv::Writer::from_writer(w);
            c.write_record(["part", "weight", "amount"])?;
            for ((l, wt), p) in labels.iter().zip(&weights).zip(&parts) {
                c.write_record([l.as_str(), &wt.to_string(), &p.amount().to_string()])?;
            }
            c.flush()
        }
        Format::Json => {
            let doc = AllocationJson {
                currency: currency.code(),
                parts: labels
                    .iter()
                    .zip(&weights)
                    .zip(&parts)
                    .map(|((part, weight), p)| PartJson {
                        amount: p.amount().to_string(),
                        part,
                        weight: weight.to_string(),
                    })
                    .collect(),
                total: total.amount().to_string(),
            };
            serde_json::to_writer_pretty(&mut *w, &doc)?;
            writeln!(w)
        }
    })
}

/// `--format json`. Keys are declared in alphabetical order, the order of the
/// `serde_json::Value` this document was first built as; amounts are exact decimal strings.
#[derive(Debug, serde::Serialize)]
struct AllocationJson<'a> {
    currency: &'a str,
    parts: Vec<PartJson<'a>>,
    total: String,
}

/// One part of [`AllocationJson`].
#[derive(Debug, serde::Serialize)]
struct PartJson<'a> {
    amount: String,
    part: &'a str,
    weight: String,
}
