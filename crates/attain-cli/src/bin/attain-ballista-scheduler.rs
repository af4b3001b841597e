//! `attain-ballista-scheduler`: an Apache Ballista 55 scheduler whose session state holds
//! every attain function (`rfm`, `rfm_score`, `rfm_segment`, `period_start`, `period_index`,
//! `window_funnel`, `retention`), so that queries naming them plan on the cluster.
//!
//! ```sh
//! attain-ballista-scheduler --port 50050 --as-of 1998-07-01
//! attain-ballista-executor --scheduler-port 50050 --port 50051 --grpc-port 50052 --as-of 1998-07-01
//! attain sql "SELECT ..." --table tx=data/parts/ --as-of 1998-07-01 --ballista df://localhost:50050
//! ```
//!
//! The scheduler and every executor must be started with the same `--as-of`: `rfm`'s date
//! lives in the function each process registers, not in the plan. It runs until stopped
//! (SIGINT or SIGTERM); errors are one line on standard error and exit status 1.
#![allow(clippy::print_stderr)]

use std::net::SocketAddr;
use std::process::ExitCode;
use std::sync::Arc;

use attain_datafusion::RfmFunctions;
use attain_types::NaiveDate;
use ballista_scheduler::cluster::BallistaCluster;
use ballista_scheduler::config::SchedulerConfig;
use ballista_scheduler::scheduler_process::start_server;
use clap::Parser;

/// An Apache Ballista scheduler with every attain function registered.
#[derive(Debug, Parser)]
#[command(version)]
struct Args {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1")]
    bind_host: std::net::IpAddr,
    /// Port to listen on (the `df://HOST:PORT` of clients and `--scheduler-port` of executors).
    #[arg(long, default_value_t = 50050)]
    port: u16,
    /// The date rfm() counts recency back from (YYYY-MM-DD); every executor must use the same.
    #[arg(long, value_name = "DATE")]
    as_of: NaiveDate,
}

fn main() -> ExitCode {
    let args = Args::parse();
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("attain-ballista-scheduler: error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run(args: &Args) -> Result<(), Box<dyn std::error::Error>> {
    let functions = RfmFunctions::new(args.as_of);
    let config = SchedulerConfig::default()
        .with_hostname(args.bind_host.to_string())
        .with_port(args.port)
        .with_override_session_builder(Arc::new(move |config| {
            attain_datafusion::ballista::scheduler_session_state(config, &functions)
        }));
    let address = SocketAddr::new(args.bind_host, args.port);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        let cluster = BallistaCluster::new_from_config(&config).await?;
        start_server(cluster, address, Arc::new(config)).await
    })?;
    Ok(())
}
