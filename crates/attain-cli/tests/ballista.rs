//! A real Apache Ballista cluster: `attain-ballista-scheduler` and two
//! `attain-ballista-executor`s as separate processes on localhost, running the RFM, scoring,
//! segment and cohort SQL of `scripts/ballista/` over the CDNOW sample split into 8 Parquet
//! files. The output equals `attain rfm` and `attain cohort` on the CSV byte for byte.
//!
//! The test starts and stops every process itself: free ports, a readiness wait with a
//! timeout, and children killed and reaped on drop (also when an assertion fails).
#![cfg(feature = "ballista")]
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const CDNOW: &str = "data/cdnow_transactions.csv";
const AS_OF: &str = "1998-07-01";
const FILES: usize = 8;
/// How long a process may take to listen (a loaded CI machine included).
const READY_TIMEOUT: Duration = Duration::from_secs(120);
const RFM_SQL: &str = include_str!("../../../scripts/ballista/rfm.sql");
const COHORT_SQL: &str = include_str!("../../../scripts/ballista/cohort.sql");

mod common;

/// `attain ARGS` from the workspace root; its standard output, or a failure with its stderr.
fn attain(args: &[&str]) -> String {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let run = common::attain_in(&root, args);
    assert_eq!(run.code, 0, "attain {args:?}: {}", run.stderr);
    run.stdout
}

/// A port nobody listens on now (the OS's choice for port 0).
fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A folder removed on drop (the split Parquet files, the executors' shuffle files).
struct TempDir(PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The scheduler and executors; every child is killed and reaped on drop.
struct Cluster {
    children: Vec<(String, Child)>,
    scheduler_port: u16,
}

impl Cluster {
    fn spawn(&mut self, name: &str, program: &str, args: &[String]) {
        let child = Command::new(program)
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap_or_else(|e| panic!("{name}: cannot start {program}: {e}"));
        self.children.push((name.to_owned(), child));
    }

    /// Waits until `port` accepts connections, failing early if a child has exited.
    fn wait_listening(&mut self, port: u16) {
        let address = SocketAddr::from(([127, 0, 0, 1], port));
        let start = Instant::now();
        while TcpStream::connect_timeout(&address, Duration::from_millis(200)).is_err() {
            self.assert_running();
            assert!(
                start.elapsed() < READY_TIMEOUT,
                "nothing listens on {address} after {READY_TIMEOUT:?}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    fn assert_running(&mut self) {
        for (name, child) in &mut self.children {
            let status = child.try_wait().unwrap();
            assert!(status.is_none(), "{name} exited: {status:?}");
        }
    }

    fn start(work: &Path) -> Cluster {
        let mut cluster = Cluster {
            children: Vec::new(),
            scheduler_port: free_port(),
        };
        let port = cluster.scheduler_port.to_string();
        cluster.spawn(
            "scheduler",
            env!("CARGO_BIN_EXE_attain-ballista-scheduler"),
            &[
                "--port".into(),
                port.clone(),
                "--as-of".into(),
                AS_OF.into(),
            ],
        );
        cluster.wait_listening(cluster.scheduler_port);
        for i in 0..2 {
            let (flight, grpc) = (free_port(), free_port());
            let work_dir = work.join(format!("executor-{i}"));
            std::fs::create_dir_all(&work_dir).unwrap();
            cluster.spawn(
                &format!("executor {i}"),
                env!("CARGO_BIN_EXE_attain-ballista-executor"),
                &[
                    "--scheduler-port".into(),
                    port.clone(),
                    "--port".into(),
                    flight.to_string(),
                    "--grpc-port".into(),
                    grpc.to_string(),
                    "--vcores".into(),
                    "2".into(),
                    "--work-dir".into(),
                    work_dir.display().to_string(),
                    "--as-of".into(),
                    AS_OF.into(),
                ],
            );
            cluster.wait_listening(flight);
            cluster.wait_listening(grpc);
        }
        cluster
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        for (_, child) in &mut self.children {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// Splits the CDNOW sample into `FILES` Parquet files by day of month, so a customer who
/// bought on several days has rows in several files.
fn split(dir: &Path) {
    for k in 0..FILES {
        let query = format!(
            "SELECT * FROM tx WHERE CAST(date_part('day', order_date) AS BIGINT) % {FILES} = {k}"
        );
        let file = dir.join(format!("part-{k}.parquet"));
        attain(&[
            "sql",
            &query,
            "--table",
            &format!("tx={CDNOW}"),
            "--format",
            "parquet",
            "-q",
            "-o",
            file.to_str().unwrap(),
        ]);
    }
}

fn on_cluster(cluster: &Cluster, sql: &str, table: &Path) -> String {
    attain(&[
        "sql",
        sql,
        "--table",
        &format!("tx={}", table.display()),
        "--as-of",
        AS_OF,
        "--ballista",
        &format!("df://127.0.0.1:{}", cluster.scheduler_port),
    ])
}

#[test]
fn ballista_cluster_equals_attain_rfm_and_cohort() {
    let work = TempDir(common::temp_dir("ballista"));
    let parts = work.0.join("parts");
    std::fs::create_dir_all(&parts).unwrap();
    split(&parts);
    let files = std::fs::read_dir(&parts).unwrap().count();
    assert_eq!(files, FILES);

    let mut cluster = Cluster::start(&work.0);

    let rfm = attain(&[
        "rfm",
        CDNOW,
        "--as-of",
        AS_OF,
        "--segments",
        "standard11",
        "-q",
    ]);
    let sql = on_cluster(&cluster, RFM_SQL, &parts);
    assert_eq!(sql.lines().count(), 2358, "{sql}");
    assert!(
        sql == rfm,
        "RFM differs:\n--- ballista\n{sql}\n--- attain rfm\n{rfm}"
    );

    let cohort = attain(&["cohort", CDNOW, "--layout", "cells", "-q"]);
    let sql = on_cluster(&cluster, COHORT_SQL, &parts);
    assert!(sql.lines().count() > 1, "{sql}");
    assert!(
        sql == cohort,
        "cohort differs:\n--- ballista\n{sql}\n--- attain cohort\n{cohort}"
    );

    // The same query over one file of the 8 still runs (a plan with one scan partition).
    let one = on_cluster(&cluster, RFM_SQL, &parts.join("part-0.parquet"));
    assert!(
        one.lines().count() > 1 && one.lines().count() < 2358,
        "{one}"
    );

    // A cluster started with another --as-of is refused, not silently used.
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let other = common::attain_in(
        &root,
        &[
            "sql",
            RFM_SQL,
            "--table",
            &format!("tx={}", parts.display()),
            "--as-of",
            "1998-07-02",
            "--ballista",
            &format!("df://127.0.0.1:{}", cluster.scheduler_port),
        ],
    );
    assert_eq!(other.code, 2, "{}", other.stderr);
    assert!(
        other.stderr.contains("counts recency back from 1998-07-01"),
        "{}",
        other.stderr
    );

    // Both executors ran tasks: each wrote shuffle files under its work directory.
    for i in 0..2 {
        let dir = work.0.join(format!("executor-{i}"));
        assert!(
            std::fs::read_dir(&dir).unwrap().count() > 0,
            "executor {i} ran no task ({})",
            dir.display()
        );
    }
    // Nothing crashed along the way.
    cluster.assert_running();
}

/// `--ballista` takes Parquet tables only: a CSV table is a one-line usage error.
#[test]
fn ballista_refusals() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let csv = common::attain_in(
        &root,
        &[
            "sql",
            "SELECT 1",
            "--table",
            &format!("tx={CDNOW}"),
            "--ballista",
            "df://127.0.0.1:1",
        ],
    );
    assert_eq!(csv.code, 2, "{}", csv.stderr);
    assert!(csv.stderr.contains("Parquet"), "{}", csv.stderr);
    assert_eq!(csv.stderr.lines().count(), 1, "{}", csv.stderr);
}
