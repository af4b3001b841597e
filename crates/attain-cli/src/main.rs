//! `attain`: the command-line face of the attain crates, over CSV files.
//!
//! Exit status (also in `attain --help` and the README):
//!
//! | status | meaning |
//! |---|---|
//! | 0 | success (also when a reader of standard output goes away: `attain ... \| head`) |
//! | 1 | a data error: an input file's contents, a calculation on them, or output that cannot be written (a closed standard output included) |
//! | 2 | a usage error: an unknown option, a missing argument (clap), or a rejected option value (`--bins 11`, `--target 1.005 --currency USD`, `-o` naming an input) |
//! | 128 + N | stopped by signal N while writing `-o FILE` (130 SIGINT, 143 SIGTERM), its temporary file removed |
//!
//! A usage error is typed ([`usage::UsageError`]), never recognised by its message; each
//! error is one line on standard error, `attain: error: ...`.
#![allow(clippy::print_stdout, clippy::print_stderr)]

mod allocate;
#[cfg(any(feature = "goals", feature = "rfm"))]
mod args;
#[cfg(feature = "lifecycle")]
mod clv;
#[cfg(feature = "lifecycle")]
mod cohort;
#[cfg(feature = "funnel")]
mod event_scan;
#[cfg(feature = "funnel")]
mod events;
#[cfg(feature = "funnel")]
mod funnel;
#[cfg(feature = "rfm")]
mod input;
mod output;
#[cfg(feature = "goals")]
mod plan;
#[cfg(all(
    feature = "goals",
    feature = "funnel",
    feature = "rfm",
    feature = "lifecycle"
))]
mod report;
#[cfg(feature = "rfm")]
mod rfm;
#[cfg(feature = "rfm")]
mod segments;
#[cfg(feature = "sql")]
mod sql;
#[cfg(all(test, feature = "lifecycle"))]
mod test_files;
mod usage;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// The exit status table of `attain --help`.
const EXIT_CODES: &str = "Exit status:\n  \
0  success (also when a reader of standard output goes away, as in `attain ... | head`)\n  \
1  data error: an input file's contents, or output that cannot be written\n  \
2  usage error: an unknown option, a missing argument or a rejected option value\n  \
130, 143  interrupted by SIGINT, SIGTERM (no temporary file is left behind)";

/// Sales goal-setting and attainment as exact calculations: plans, funnels, RFM segments,
/// cohorts and customer lifetime value.
#[derive(Debug, Parser)]
#[command(
    name = "attain",
    version,
    about,
    long_about = None,
    propagate_version = true,
    after_help = EXIT_CODES
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Split an amount by weights, exact to the minor unit.
    Allocate(allocate::AllocateArgs),
    /// Decompose a target over time and dimensions, exact to the minor unit.
    #[cfg(feature = "goals")]
    Plan(plan::PlanArgs),
    /// Funnel planning (`plan`) and funnels measured from event logs (`measure`).
    #[cfg(feature = "funnel")]
    Funnel(funnel::FunnelArgs),
    /// RFM values, scores and segments per customer from a transaction CSV.
    #[cfg(feature = "rfm")]
    Rfm(rfm::RfmArgs),
    /// Segment maps: the codes each rule takes, codes without a segment, rules that never win.
    #[cfg(feature = "rfm")]
    Segments(segments::SegmentsArgs),
    /// Cohort retention and revenue by first-purchase period from a transaction CSV.
    #[cfg(feature = "lifecycle")]
    Cohort(cohort::CohortArgs),
    /// Probabilistic customer lifetime value (BG/NBD, Pareto/NBD, Gamma-Gamma).
    #[cfg(feature = "lifecycle")]
    Clv(clv::ClvArgs),
    /// One self-contained HTML report with charts: plan, funnel, RFM segments, cohorts, CLV.
    #[cfg(all(
        feature = "goals",
        feature = "funnel",
        feature = "rfm",
        feature = "lifecycle"
    ))]
    Report(report::ReportArgs),
    /// SQL over transaction and event files with every attain function (Apache DataFusion;
    /// built with the `sql` feature).
    #[cfg(feature = "sql")]
    Sql(sql::SqlArgs),
}

fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Allocate(args) => allocate::run(&args),
        #[cfg(feature = "goals")]
        Command::Plan(args) => plan::run(&args),
        #[cfg(feature = "funnel")]
        Command::Funnel(args) => funnel::run(&args),
        #[cfg(feature = "rfm")]
        Command::Rfm(args) => rfm::run(&args),
        #[cfg(feature = "rfm")]
        Command::Segments(args) => segments::run(&args),
        #[cfg(feature = "lifecycle")]
        Command::Cohort(args) => cohort::run(&args),
        #[cfg(feature = "lifecycle")]
        Command::Clv(args) => clv::run(&args),
        #[cfg(all(
            feature = "goals",
            feature = "funnel",
            feature = "rfm",
            feature = "lifecycle"
        ))]
        Command::Report(args) => report::run(&args),
        #[cfg(feature = "sql")]
        Command::Sql(args) => sql::run(&args),
    }
}

/// The exit status of a failed run: 2 for a usage error (a [`usage::UsageError`] in the
/// error's chain), 1 for everything else. clap exits with 2 on its own for unknown options,
/// missing arguments and values its parsers reject.
fn exit_status(error: &anyhow::Error) -> u8 {
    if usage::is_usage(error) { 2 } else { 1 }
}

/// The longest run of non-blank characters an error message shows before cutting it.
const MAX_RUN: usize = 200;
/// The characters kept of a cut run.
const KEPT: usize = 40;
/// The longest error message, in characters: longer ones keep their start and their end.
const MAX_MESSAGE: usize = 4000;

/// `message` with every over-long value cut: each run of more than [`MAX_RUN`] non-blank
/// characters keeps its first [`KEPT`] and says how long it was, and a message still longer
/// than [`MAX_MESSAGE`] keeps its start and its end.
///
/// The values `attain` quotes itself are cut at the source (`attain_types::input::Quoted`);
/// this is the net under the messages of clap and of the libraries, so that a 12 MB header
/// line or a 100 KB argument never makes a 12 MB or 100 KB error.
fn capped(message: &str) -> String {
    let mut out = String::with_capacity(message.len().min(MAX_MESSAGE + 100));
    let mut rest = message;
    while !rest.is_empty() {
        let blank = rest.find(char::is_whitespace).unwrap_or(rest.len());
        let (run, tail) = rest.split_at(blank);
        match run.char_indices().nth(MAX_RUN) {
            None => out.push_str(run),
            Some(_) => {
                let cut = run.char_indices().nth(KEPT).map_or(run.len(), |(i, _)| i);
                out.push_str(&run[..cut]);
                out.push_str(&format!("... ({} bytes)", run.len()));
            }
        }
        let word = tail
            .find(|c: char| !c.is_whitespace())
            .unwrap_or(tail.len());
        out.push_str(&tail[..word]);
        rest = &tail[word..];
    }
    let chars = out.chars().count();
    if chars <= MAX_MESSAGE {
        return out;
    }
    let head: String = out.chars().take(MAX_MESSAGE / 2).collect();
    let tail: String = out.chars().skip(chars - MAX_MESSAGE / 4).collect();
    format!(
        "{head} ... ({} characters cut) ... {tail}",
        chars - head.chars().count() - tail.chars().count()
    )
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let text = e.render().to_string();
            let text = if e.use_stderr() { capped(&text) } else { text };
            // clap's own exit codes: 0 for --help and --version, 2 for usage errors.
            let code = u8::try_from(e.exit_code()).unwrap_or(2);
            if e.use_stderr() {
                eprint!("{text}");
            } else {
                print!("{text}");
            }
            return ExitCode::from(code);
        }
    };
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("attain: error: {}", capped(&format!("{e:#}")));
            ExitCode::from(exit_status(&e))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn option_value_errors_are_usage_errors() {
        let e =
            usage::UsageContext::usage(Err::<(), _>(anyhow::anyhow!("invalid amount")), "--target");
        assert_eq!(exit_status(&e.unwrap_err()), 2);
        // The message does not decide: a data error that starts with `--` stays a data error.
        let e = anyhow::anyhow!("--target looks like an option").context("data.csv:3");
        assert_eq!(exit_status(&e), 1);
    }

    #[test]
    fn long_values_are_cut() {
        let long = "x".repeat(1_000_000);
        let m = capped(&format!("data.csv:1: no column \"{long}\" (found: a, b)"));
        assert!(m.len() < 200, "{}", m.len());
        assert!(m.starts_with("data.csv:1: no column \"xxx"), "{m}");
        assert!(m.ends_with("... (1000002 bytes) (found: a, b)"), "{m}");
        // Many short words: the start and the end are kept.
        let words = "ab ".repeat(100_000);
        let m = capped(&format!("start {words}end"));
        assert!(m.chars().count() < MAX_MESSAGE + 100, "{}", m.len());
        assert!(m.starts_with("start ab") && m.ends_with("ab end"), "{m}");
        // Ordinary messages are unchanged, spacing included.
        let plain = "--target: invalid amount \"12x\"\n  tip:  use digits";
        assert_eq!(capped(plain), plain);
    }

    #[test]
    fn cli_definition_is_valid() {
        Cli::command().debug_assert();
    }
}
