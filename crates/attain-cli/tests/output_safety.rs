//! `-o` never destroys data (issue 12, output safety items 1-3): it refuses the inputs, writes
//! through devices, FIFOs and symbolic links without replacing them, keeps permissions, and
//! leaves no temporary file on SIGINT or SIGTERM.
#![cfg(all(
    unix,
    feature = "goals",
    feature = "funnel",
    feature = "rfm",
    feature = "lifecycle"
))]
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::fs;
use std::os::unix::fs::{FileTypeExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{attain_in, cdnow_csv, temp_dir, temp_files, write};

const EVENTS: &str =
    "entity_id,step,timestamp\nx,lead,2026-01-01\nx,visit,2026-01-02\ny,lead,2026-01-03\n";

/// The split every `-o` test writes with `allocate_into`.
const PARTS: &str = "part,weight,amount\n1,1,5.00\n2,1,5.00\n";

/// `attain allocate --total 10 --weights 1,1 -o OUT` in `dir` (it writes [`PARTS`]).
fn allocate_into(dir: &Path, out: &str) -> common::Run {
    attain_in(
        dir,
        &["allocate", "--total", "10", "--weights", "1,1", "-o", out],
    )
}

/// Each transaction-reading subcommand with `INPUT` where its input goes and `OUT` where `-o`'s
/// value goes.
const COMMANDS: &[&[&str]] = &[
    &["rfm", "INPUT", "--as-of", "1998-07-01", "-o", "OUT"],
    &["cohort", "INPUT", "-o", "OUT"],
    &[
        "clv",
        "INPUT",
        "--calibration-end",
        "1997-09-30",
        "-o",
        "OUT",
    ],
    &["report", "INPUT", "--format", "json", "-o", "OUT"],
];

fn with(args: &[&str], input: &str, out: &str) -> Vec<String> {
    args.iter()
        .map(|a| match *a {
            "INPUT" => input.to_owned(),
            "OUT" => out.to_owned(),
            a => a.to_owned(),
        })
        .collect()
}

fn run_in(dir: &Path, args: &[String]) -> common::Run {
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    attain_in(dir, &args)
}

/// `-o` naming an input, directly, through a symbolic link or through a hard link, is a usage
/// error (exit 2) and the input is left untouched.
#[test]
fn the_output_is_never_an_input() {
    let dir = temp_dir("same-file");
    let original = fs::read(cdnow_csv()).unwrap();
    fs::write(dir.join("t.csv"), &original).unwrap();
    std::os::unix::fs::symlink("t.csv", dir.join("link.csv")).unwrap();
    fs::hard_link(dir.join("t.csv"), dir.join("hard.csv")).unwrap();
    for args in COMMANDS {
        for (input, out) in [
            ("t.csv", "t.csv"),
            ("t.csv", "./t.csv"),
            ("t.csv", "link.csv"),
            ("link.csv", "t.csv"),
            ("hard.csv", "t.csv"),
        ] {
            let r = run_in(&dir, &with(args, input, out));
            assert_eq!(r.code, 2, "{args:?} {input} -o {out}: {}", r.stderr);
            assert!(
                r.stderr.contains("is the input file"),
                "{args:?}: {}",
                r.stderr
            );
            assert_eq!(fs::read(dir.join("t.csv")).unwrap(), original, "{args:?}");
            assert!(
                fs::symlink_metadata(dir.join("link.csv"))
                    .unwrap()
                    .file_type()
                    .is_symlink()
            );
        }
    }
    // The other inputs: funnel measure's events, report's --funnel-events, rfm's map file.
    write(&dir, "events.csv", EVENTS);
    write(&dir, "map.txt", "r1 = lost\n");
    let extra: &[&[&str]] = &[
        &[
            "funnel",
            "measure",
            "events.csv",
            "--steps",
            "lead,visit",
            "-o",
            "events.csv",
        ],
        &[
            "report",
            "t.csv",
            "--funnel-stages",
            "lead:0.1",
            "--funnel-events",
            "events.csv",
            "-o",
            "events.csv",
        ],
        &[
            "rfm",
            "t.csv",
            "--as-of",
            "1998-07-01",
            "--segments",
            "map.txt",
            "-o",
            "map.txt",
        ],
    ];
    for args in extra {
        let r = attain_in(&dir, args);
        assert_eq!(r.code, 2, "{args:?}: {}", r.stderr);
        assert!(r.stderr.contains("is the input file"), "{}", r.stderr);
    }
    // Standard input redirected from the file is that file too.
    let r = common::sh(&dir, "\"$ATTAIN\" rfm - --as-of 1998-07-01 -o t.csv <t.csv");
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("standard input"), "{}", r.stderr);
    assert_eq!(fs::read(dir.join("t.csv")).unwrap(), original);
    assert_eq!(fs::read_to_string(dir.join("events.csv")).unwrap(), EVENTS);
    assert_eq!(
        fs::read_to_string(dir.join("map.txt")).unwrap(),
        "r1 = lost\n"
    );
    assert!(temp_files(&dir).is_empty());
}

/// A device is written to, never replaced: `-o NULL` works and NULL stays a device.
///
/// NULL is a null device made in the test's folder (`mknod`, as root), so that a broken build
/// cannot replace the system's `/dev/null`; without the right to make one, `/dev/null` itself
/// (which only root could replace).
#[test]
fn devices_are_written_through() {
    let dir = temp_dir("device");
    let own = dir.join("null");
    let made = Command::new("mknod")
        .args([own.to_str().unwrap(), "c", "1", "3"])
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    let null = if made {
        own
    } else {
        PathBuf::from("/dev/null")
    };
    let null_text = null.to_str().unwrap();
    for args in COMMANDS {
        let r = run_in(&dir, &with(args, cdnow_csv().to_str().unwrap(), null_text));
        assert_eq!(r.code, 0, "{args:?}: {}", r.stderr);
        assert!(
            fs::symlink_metadata(&null)
                .unwrap()
                .file_type()
                .is_char_device(),
            "{args:?} replaced {null_text}"
        );
    }
    let r = allocate_into(&dir, null_text);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        fs::symlink_metadata(&null)
            .unwrap()
            .file_type()
            .is_char_device()
    );
    assert!(temp_files(null.parent().unwrap()).is_empty());
}

/// `-o /dev/stdout` (a link to a pipe here) writes to standard output.
#[test]
fn dev_stdout_is_standard_output() {
    let dir = temp_dir("dev-stdout");
    let r = allocate_into(&dir, "/dev/stdout");
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.stdout, PARTS);
}

/// A FIFO is opened and written, and stays a FIFO.
#[test]
fn fifos_are_written_through() {
    let dir = temp_dir("fifo");
    let fifo = dir.join("pipe");
    let made = Command::new("mkfifo").arg(&fifo).status().unwrap();
    assert!(made.success());
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || fs::read_to_string(fifo).unwrap())
    };
    let r = allocate_into(&dir, fifo.to_str().unwrap());
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(reader.join().unwrap(), PARTS);
    assert!(fs::symlink_metadata(&fifo).unwrap().file_type().is_fifo());
    assert!(temp_files(&dir).is_empty());
}

/// A symbolic link stays a link; the file it points to (in another folder) gets the output,
/// atomically, with its temporary file next to it; a link to nothing is refused.
#[test]
fn symbolic_links_are_written_through() {
    let dir = temp_dir("symlink");
    fs::create_dir_all(dir.join("real")).unwrap();
    let target = write(&dir.join("real"), "parts.csv", "old\n");
    let link = dir.join("parts.csv");
    std::os::unix::fs::symlink(&target, &link).unwrap();
    let r = allocate_into(&dir, "parts.csv");
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert_eq!(fs::read_link(&link).unwrap(), target);
    assert_eq!(fs::read_to_string(&target).unwrap(), PARTS);
    assert!(temp_files(&dir).is_empty() && temp_files(&dir.join("real")).is_empty());

    let dangling = dir.join("nowhere.csv");
    std::os::unix::fs::symlink(dir.join("missing/file.csv"), &dangling).unwrap();
    let r = allocate_into(&dir, "nowhere.csv");
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("symbolic link"), "{}", r.stderr);
    assert!(
        fs::symlink_metadata(&dangling)
            .unwrap()
            .file_type()
            .is_symlink()
    );

    let r = allocate_into(&dir, "real");
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("is a directory"), "{}", r.stderr);
}

/// Replacing a file keeps its mode: 0600 stays 0600 (and 0640 stays 0640 whatever the umask).
#[test]
fn permissions_are_kept() {
    let dir = temp_dir("mode");
    for mode in [0o600, 0o640, 0o604] {
        let out = write(&dir, "out.csv", "old\n");
        fs::set_permissions(&out, fs::Permissions::from_mode(mode)).unwrap();
        let r = attain_in(
            &dir,
            &[
                "rfm",
                cdnow_csv().to_str().unwrap(),
                "--as-of",
                "1998-07-01",
                "-o",
                "out.csv",
            ],
        );
        assert_eq!(r.code, 0, "{}", r.stderr);
        let meta = fs::metadata(&out).unwrap();
        assert_eq!(meta.permissions().mode() & 0o777, mode);
        assert!(
            fs::read_to_string(&out)
                .unwrap()
                .starts_with("customer_id,")
        );
    }
}

/// A transaction file with `customers` customers (one row each).
fn big_input(dir: &Path, customers: usize) -> PathBuf {
    let mut text = String::with_capacity(customers * 32);
    text.push_str("customer_id,order_id,order_date,amount\n");
    for i in 0..customers {
        text.push_str(&format!("c{i},o{i},1998-01-01,1.5\n"));
    }
    write(dir, "big.csv", &text)
}

/// Starts `attain rfm` on `input` writing `out.csv` in `dir`, sends `signal` as soon as its
/// temporary file appears, and returns the exit code (`None` if the run ended first).
fn interrupt_write(dir: &Path, input: &Path, signal: &str) -> Option<i32> {
    let mut child = common::command(&[
        "rfm",
        input.to_str().unwrap(),
        "--as-of",
        "1998-07-01",
        "-q",
        "-o",
        "out.csv",
    ])
    .current_dir(dir)
    .stdout(Stdio::null())
    .stderr(Stdio::null())
    .spawn()
    .unwrap();
    let start = Instant::now();
    loop {
        if child.try_wait().unwrap().is_some() || start.elapsed() > Duration::from_secs(300) {
            let _ = child.kill();
            let _ = child.wait();
            return None;
        }
        if !temp_files(dir).is_empty() {
            break;
        }
        std::thread::sleep(Duration::from_millis(1));
    }
    let killed = Command::new("kill")
        .args([signal, &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let status = child.wait().unwrap();
    Some(status.code().unwrap_or(-1))
}

/// SIGTERM and SIGINT during the write: the temporary file is removed, the old output is
/// untouched, and the exit status is 143 or 130.
#[test]
fn signals_during_the_write_leave_no_temporary_file() {
    let dir = temp_dir("signals");
    for (signal, code) in [("-TERM", 143), ("-INT", 130)] {
        let mut customers = 200_000;
        let mut interrupted = false;
        for _attempt in 0..4 {
            let input = big_input(&dir, customers);
            let out = write(&dir, "out.csv", "old\n");
            let result = interrupt_write(&dir, &input, signal);
            assert!(
                temp_files(&dir).is_empty(),
                "{signal}: {:?}",
                temp_files(&dir)
            );
            if let Some(c) = result {
                assert_eq!(c, code, "{signal}");
                assert_eq!(fs::read_to_string(&out).unwrap(), "old\n");
                interrupted = true;
                break;
            }
            // The write ended before the signal: try a larger input.
            customers *= 2;
        }
        assert!(interrupted, "{signal}: the write always ended first");
    }
}

/// Every subcommand writing to standard output, as a shell command line (`$ATTAIN` is the
/// binary, `$DATA` the CDNOW sample, `events.csv` a generated event log), each with more than a
/// pipe's 64 KiB of output so that a reader going away is seen by the writer.
fn stdout_commands() -> Vec<String> {
    let weights = vec!["1"; 10_000].join(",");
    let stages: Vec<String> = (0..1000).map(|i| format!("s{i}:1")).collect();
    vec![
        format!("$ATTAIN allocate --total 1000000 --weights {weights}"),
        "$ATTAIN plan --target 1000000 --year 2026 --by day --split c=a:1,b:1,c:1,d:1,e:1".into(),
        format!(
            "$ATTAIN funnel plan --target 1000 --deal-size 10 --stages {} --format json",
            stages.join(",")
        ),
        "$ATTAIN funnel measure events.csv --steps lead,visit --paths".into(),
        "$ATTAIN rfm \"$DATA\" --as-of 1998-07-01 --format json".into(),
        "$ATTAIN cohort \"$DATA\" --by day --format json".into(),
        "$ATTAIN clv \"$DATA\" --calibration-end 1997-09-30".into(),
        "$ATTAIN report \"$DATA\" --format html".into(),
    ]
}

fn stdout_dir() -> PathBuf {
    let dir = temp_dir("stdout");
    let mut events = String::from("entity_id,step,timestamp\n");
    for i in 0..5000 {
        events.push_str(&format!("e{i},lead,2026-01-01\ne{i},visit,2026-01-02\n"));
    }
    write(&dir, "events.csv", &events);
    dir
}

fn sh_with_data(dir: &Path, script: &str) -> common::Run {
    let mut c = Command::new("sh");
    c.arg("-c")
        .arg(script)
        .env("ATTAIN", common::BIN)
        .env("DATA", cdnow_csv())
        .current_dir(dir);
    common::run(c)
}

/// A closed standard output (`>&-`) is an error (exit 1, one line on stderr), not lost output.
#[test]
fn a_closed_stdout_is_an_error() {
    let dir = stdout_dir();
    for cmd in stdout_commands() {
        let r = sh_with_data(&dir, &format!("{cmd} >&-"));
        let shown = &cmd[..cmd.len().min(60)];
        assert_eq!(r.code, 1, "{shown}: {}", r.stderr);
        assert!(
            r.stderr.contains("standard output is closed"),
            "{shown}: {}",
            r.stderr
        );
        // And the same command with a real standard output succeeds.
        let r = sh_with_data(&dir, &format!("{cmd} >/dev/null"));
        assert_eq!(r.code, 0, "{shown}: {}", r.stderr);
    }
}

/// A reader that goes away (`| head -c1`, or one that closes its end at once) ends `attain`
/// quietly with exit 0, like other Unix filters.
#[test]
fn a_broken_pipe_ends_quietly() {
    let dir = stdout_dir();
    for cmd in stdout_commands() {
        for reader in ["head -c1 >/dev/null", "{ exec <&-; }"] {
            let r = sh_with_data(
                &dir,
                &format!("{{ {cmd}; echo $? >status; }} 2>err | {reader}; cat status; cat err >&2"),
            );
            let shown = &cmd[..cmd.len().min(60)];
            assert_eq!(r.stdout, "0\n", "{shown} | {reader}: {}", r.stderr);
            assert!(
                !r.stderr.contains("error"),
                "{shown} | {reader}: {}",
                r.stderr
            );
        }
    }
}
