//! `attain-ballista-executor`: an Apache Ballista 55 executor whose function registry holds
//! every attain function, so that plans using them run on it. Start it after
//! `attain-ballista-scheduler`, with the scheduler's `--as-of`.
//!
//! It runs until stopped (SIGINT or SIGTERM, or the scheduler's stop request); errors are one
//! line on standard error and exit status 1.
#![allow(clippy::print_stderr)]

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use attain_datafusion::RfmFunctions;
use attain_types::NaiveDate;
use ballista_executor::executor_process::{ExecutorProcessConfig, start_executor_process};
use clap::Parser;

/// An Apache Ballista executor with every attain function registered.
#[derive(Debug, Parser)]
#[command(version)]
struct Args {
    /// The scheduler's host.
    #[arg(long, default_value = "localhost")]
    scheduler_host: String,
    /// The scheduler's port.
    #[arg(long, default_value_t = 50050)]
    scheduler_port: u16,
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1")]
    bind_host: String,
    /// Arrow Flight port (shuffle data).
    #[arg(long, default_value_t = 50051)]
    port: u16,
    /// gRPC port (tasks from the scheduler).
    #[arg(long, default_value_t = 50052)]
    grpc_port: u16,
    /// Tasks run at once (default: the machine's cores).
    #[arg(long)]
    vcores: Option<usize>,
    /// Directory for shuffle files (default: a new temporary directory).
    #[arg(long, value_name = "DIR")]
    work_dir: Option<PathBuf>,
    /// The date rfm() counts recency back from (YYYY-MM-DD); the scheduler's.
    #[arg(long, value_name = "DATE")]
    as_of: NaiveDate,
}

fn main() -> ExitCode {
    let args = Args::parse();
    match run(args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("attain-ballista-executor: error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run(args: Args) -> Result<(), Box<dyn std::error::Error>> {
    let functions = RfmFunctions::new(args.as_of);
    let mut config = ExecutorProcessConfig {
        scheduler_host: args.scheduler_host,
        scheduler_port: args.scheduler_port,
        bind_host: args.bind_host,
        port: args.port,
        grpc_port: args.grpc_port,
        override_function_registry: Some(Arc::new(
            attain_datafusion::ballista::executor_function_registry(&functions),
        )),
        ..ExecutorProcessConfig::default()
    };
    if let Some(vcores) = args.vcores {
        config.vcores = vcores.max(1);
    }
    if let Some(dir) = args.work_dir {
        config.work_dir = Some(
            dir.to_str()
                .ok_or("--work-dir must be valid UTF-8")?
                .to_owned(),
        );
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(start_executor_process(Arc::new(config)))?;
    Ok(())
}
