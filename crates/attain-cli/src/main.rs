//! `attain`: the command-line face of the attain crates, over CSV files.
//!
//! Usage errors exit with status 2 (clap), data errors with status 1 and one line on stderr.
#![allow(clippy::print_stdout, clippy::print_stderr)]

mod allocate;
#[cfg(feature = "lifecycle")]
mod clv;
#[cfg(feature = "lifecycle")]
mod cohort;
#[cfg(feature = "funnel")]
mod funnel;
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
mod usage;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Sales goal-setting and attainment as exact calculations: plans, funnels, RFM segments,
/// cohorts and customer lifetime value.
#[derive(Debug, Parser)]
#[command(name = "attain", version, about, long_about = None, propagate_version = true)]
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
    }
}

/// The exit status of a failed run: 2 for a usage error, 1 for a data error.
///
/// clap exits with 2 on its own for unknown options and missing arguments. Option values are
/// checked after clap (`--target 12x`, `--split new:40,repeat`); by convention every such
/// error carries the option's name as its outermost context (`--target: invalid amount ...`),
/// and that makes it a usage error too. Everything else (files, rows, calculations) is a data
/// error.
fn exit_status(error: &anyhow::Error) -> u8 {
    if usage::is_usage(error) || error.to_string().starts_with("--") {
        2
    } else {
        1
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("attain: error: {e:#}");
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
        let e = anyhow::anyhow!("invalid amount").context("--target");
        assert_eq!(exit_status(&e), 2);
        let e = anyhow::anyhow!("data.csv:3: column \"amount\": invalid amount");
        assert_eq!(exit_status(&e), 1);
    }

    #[test]
    fn cli_definition_is_valid() {
        Cli::command().debug_assert();
    }
}
