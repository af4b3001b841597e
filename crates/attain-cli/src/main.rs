//! `attain`: the command-line face of the attain crates, over CSV files.
//!
//! Usage errors exit with status 2 (clap), data errors with status 1 and one line on stderr.
#![allow(clippy::print_stdout, clippy::print_stderr)]

mod allocate;
mod output;

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
}

fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Allocate(args) => allocate::run(&args),
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("attain: error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_definition_is_valid() {
        Cli::command().debug_assert();
    }
}
