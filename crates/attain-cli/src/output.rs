//! Output plumbing shared by every subcommand: `--format csv|json` and `-o FILE`.
//!
//! `-o FILE` never destroys data:
//! - it refuses a FILE that is the same file as one of the command's inputs (same device and
//!   inode, whatever the names, symbolic or hard links);
//! - a regular FILE (new or existing) is written atomically: into a temporary file
//!   `.NAME.<pid>.tmp` in FILE's folder, renamed over FILE when complete, with the permissions
//!   (and, where allowed, the owner) of the file it replaces; readers see the old file or the
//!   new one, never half of one;
//! - a symbolic link is never replaced: the regular file it points to is written as above (its
//!   temporary file in the folder of that file), a device or FIFO it points to directly
//!   (`-o /dev/stdout`); a link to a missing file is refused;
//! - an existing device, FIFO or socket is written to directly (opened for writing, never
//!   replaced), so `-o /dev/null` and `-o PIPE` work;
//! - the temporary file is removed on any error, and on SIGINT, SIGTERM or SIGHUP (the process
//!   then exits with 128 + the signal number: 130, 143, 129).
//!
//! Standard output: a broken pipe (`attain ... | head -1`) ends quietly with success, like
//! other Unix filters; a closed standard output (`attain ... >&-`) is an error.

use std::fs;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock, PoisonError};

use anyhow::{Context, bail};

use crate::usage::usage;

/// The output format of a subcommand.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub(crate) enum Format {
    /// Comma-separated values with a header line.
    #[default]
    Csv,
    /// One JSON document.
    Json,
}

/// Options every subcommand shares.
#[derive(Debug, Clone, clap::Args)]
pub(crate) struct OutputArgs {
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Csv)]
    pub(crate) format: Format,
    /// Write to FILE instead of standard output: atomically (complete or not at all), keeping
    /// an existing file's permissions; never one of the inputs; through a symbolic link to the
    /// file it points to; directly into a device or FIFO.
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub(crate) output: Option<PathBuf>,
    /// No progress bar while reading input (one is shown on standard error only when it is a
    /// terminal).
    #[arg(short = 'q', long)]
    pub(crate) quiet: bool,
}

impl OutputArgs {
    /// The destination of this command's output, checked against its input files (see
    /// [`Output::create`]).
    pub(crate) fn open(&self, inputs: &[&Path]) -> anyhow::Result<Output> {
        Output::create(self.output.as_deref(), inputs)
    }
}

/// Where a command writes its result: checked when created (before any input is read), written
/// once by [`Output::write_with`].
#[derive(Debug)]
pub(crate) enum Output {
    /// Standard output.
    Stdout,
    /// A regular file (new or existing), replaced atomically.
    Atomic(PathBuf),
    /// An existing device, FIFO or socket, written to directly.
    Through(PathBuf),
}

impl Output {
    /// The destination `path` (standard output for `None`), refused when it is the same file as
    /// one of `inputs` (`-` being standard input; missing inputs are skipped), when it is a
    /// directory or a symbolic link to a missing file. Refusals are usage errors.
    pub(crate) fn create(path: Option<&Path>, inputs: &[&Path]) -> anyhow::Result<Output> {
        let Some(path) = path else {
            if stdout_is_closed() {
                bail!(
                    "standard output is closed (or is /dev/null opened for reading and writing): \
                     the output would be lost; give -o FILE (-o /dev/null to discard it)"
                );
            }
            return Ok(Output::Stdout);
        };
        for input in inputs {
            // `-` is standard input, which may be a file too (`attain rfm - <t.csv -o t.csv`).
            let (file, name) = if input.as_os_str() == "-" {
                (Path::new("/dev/stdin"), "standard input".to_owned())
            } else {
                (*input, shown(input))
            };
            if same_file(path, file) {
                return Err(usage(format!(
                    "-o {}: this is the input file {name}; writing it would destroy the input: \
                     choose another output",
                    shown(path),
                )));
            }
        }
        let meta = match fs::symlink_metadata(path) {
            Ok(m) => m,
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                return Ok(Output::Atomic(path.to_path_buf()));
            }
            Err(e) => return Err(e).with_context(|| format!("-o {}", shown(path))),
        };
        if meta.file_type().is_symlink() {
            // What the link leads to decides; the link itself is never replaced.
            let unreachable = |e: io::Error| {
                usage(format!(
                    "-o {}: a symbolic link whose file cannot be reached ({e}): refused \
                     (give the file's own path)",
                    shown(path)
                ))
            };
            let followed = fs::metadata(path).map_err(unreachable)?;
            if followed.is_dir() {
                return Err(usage(format!("-o {}: is a directory", shown(path))));
            }
            if !followed.is_file() {
                // A device, FIFO or socket (`-o /dev/stdout`), opened through the link.
                return Ok(Output::Through(path.to_path_buf()));
            }
            return Ok(Output::Atomic(fs::canonicalize(path).map_err(unreachable)?));
        }
        if meta.is_dir() {
            return Err(usage(format!("-o {}: is a directory", shown(path))));
        }
        if meta.is_file() {
            Ok(Output::Atomic(path.to_path_buf()))
        } else {
            Ok(Output::Through(path.to_path_buf()))
        }
    }

    /// Runs `write` against the destination. A broken pipe on standard output is a quiet
    /// success; any other write error is an error, and leaves no temporary file behind.
    pub(crate) fn write_with(
        &self,
        write: impl FnOnce(&mut dyn Write) -> io::Result<()>,
    ) -> anyhow::Result<()> {
        match self {
            Output::Stdout => {
                let stdout = io::stdout();
                let mut w = BufWriter::with_capacity(1 << 16, stdout.lock());
                match write(&mut w).and_then(|()| w.flush()) {
                    Err(e) if is_broken_pipe(&e) => Ok(()),
                    other => other.context("cannot write to standard output"),
                }
            }
            Output::Through(path) => {
                let result = (|| -> io::Result<()> {
                    let file = fs::OpenOptions::new().write(true).open(path)?;
                    let mut w = BufWriter::with_capacity(1 << 16, file);
                    write(&mut w)?;
                    w.flush()
                })();
                result.with_context(|| format!("cannot write {}", shown(path)))
            }
            Output::Atomic(path) => write_atomic(path, write),
        }
    }
}

/// Writes a regular file through a temporary sibling and a rename, so readers never see half
/// a file; the replaced file's permissions (and owner, where allowed) are kept.
fn write_atomic(
    path: &Path,
    write: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> anyhow::Result<()> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = TempFile::register(dir.join(format!(".{name}.{}.tmp", std::process::id())));
    let old = fs::metadata(path).ok().filter(fs::Metadata::is_file);
    let result = (|| -> io::Result<()> {
        let mut options = fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        if let Some(old) = &old {
            use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
            // Never more open than the file it replaces, even for a moment.
            options.mode(old.permissions().mode() & 0o777);
        }
        let file = options.open(tmp.path())?;
        if let Some(old) = &old {
            file.set_permissions(old.permissions())?;
            #[cfg(unix)]
            {
                use std::os::unix::fs::MetadataExt;
                // Only root may give a file away; elsewhere the owner is the writer.
                let _ = std::os::unix::fs::fchown(&file, Some(old.uid()), Some(old.gid()));
            }
        }
        let mut w = BufWriter::with_capacity(1 << 16, file);
        write(&mut w)?;
        let file = w.into_inner().map_err(io::IntoInnerError::into_error)?;
        file.sync_all()?;
        tmp.persist(path)
    })();
    result.with_context(|| format!("cannot write {}", shown(path)))
}

/// A path for messages, cut when long (an argument may be megabytes long).
pub(crate) fn shown(path: &Path) -> String {
    const MAX: usize = 200;
    let text = path.to_string_lossy();
    match text.char_indices().nth(MAX) {
        None => text.into_owned(),
        Some((cut, _)) => format!("{}... ({} bytes)", &text[..cut], text.len()),
    }
}

/// Whether `a` and `b` name the same file (through symbolic and hard links). Paths that
/// cannot be read are not the same.
fn same_file(a: &Path, b: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        match (fs::metadata(a), fs::metadata(b)) {
            (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
            _ => false,
        }
    }
    #[cfg(not(unix))]
    {
        match (fs::canonicalize(a), fs::canonicalize(b)) {
            (Ok(a), Ok(b)) => a == b,
            _ => false,
        }
    }
}

/// Whether an I/O error is (or wraps, as `csv` does) a broken pipe.
fn is_broken_pipe(e: &io::Error) -> bool {
    if e.kind() == io::ErrorKind::BrokenPipe {
        return true;
    }
    let mut inner: Option<&(dyn std::error::Error + 'static)> =
        e.get_ref().map(|i| i as &(dyn std::error::Error + 'static));
    while let Some(err) = inner {
        if let Some(io) = err.downcast_ref::<io::Error>() {
            return is_broken_pipe(io);
        }
        if let Some(csv) = err.downcast_ref::<csv::Error>()
            && let csv::ErrorKind::Io(io) = csv.kind()
        {
            return is_broken_pipe(io);
        }
        inner = err.source();
    }
    false
}

/// Whether standard output was closed when `attain` started.
///
/// Rust's runtime opens `/dev/null` for reading and writing on a closed standard descriptor
/// before `main`, so writes to a closed standard output would succeed and the output would be
/// lost without a word. Such a descriptor is recognised on Linux (through `/proc`); a shell's
/// `>/dev/null` opens it for writing only and is not affected. A program that hands `attain`
/// `/dev/null` opened for reading and writing (Python's `subprocess.DEVNULL`) gets the error
/// too, and can give `-o /dev/null` instead.
fn stdout_is_closed() -> bool {
    #[cfg(target_os = "linux")]
    {
        if fs::read_link("/proc/self/fd/1").ok().as_deref() != Some(Path::new("/dev/null")) {
            return false;
        }
        let Ok(info) = fs::read_to_string("/proc/self/fdinfo/1") else {
            return false;
        };
        info.lines()
            .find_map(|l| l.strip_prefix("flags:"))
            .and_then(|f| u32::from_str_radix(f.trim(), 8).ok())
            .is_some_and(|flags| flags & 0o3 == 0o2)
    }
    #[cfg(not(target_os = "linux"))]
    {
        false
    }
}

/// The temporary files being written, removed by the signal handler.
static TEMP_FILES: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

/// A temporary file registered for removal on error (drop) and on SIGINT, SIGTERM, SIGHUP.
#[derive(Debug)]
struct TempFile {
    path: PathBuf,
    persisted: bool,
}

impl TempFile {
    /// Registers `path` (before it is created, so that no signal can leave it behind).
    fn register(path: PathBuf) -> TempFile {
        install_signal_handler();
        TEMP_FILES
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(path.clone());
        TempFile {
            path,
            persisted: false,
        }
    }

    fn path(&self) -> &Path {
        &self.path
    }

    /// Renames the file to `target`; it is no longer removed afterwards.
    fn persist(mut self, target: &Path) -> io::Result<()> {
        // Under the lock: a signal handler either removes the file before the rename, or
        // finds it gone.
        let renamed = {
            let mut files = TEMP_FILES.lock().unwrap_or_else(PoisonError::into_inner);
            let renamed = fs::rename(&self.path, target);
            if renamed.is_ok() {
                files.retain(|p| p != &self.path);
            }
            renamed
        };
        renamed?;
        self.persisted = true;
        Ok(())
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        if !self.persisted {
            let mut files = TEMP_FILES.lock().unwrap_or_else(PoisonError::into_inner);
            let _ = fs::remove_file(&self.path);
            files.retain(|p| p != &self.path);
        }
    }
}

/// Installs (once) a handler of SIGINT, SIGTERM and SIGHUP that removes the registered
/// temporary files and exits with 128 + the signal number.
fn install_signal_handler() {
    static INSTALLED: OnceLock<()> = OnceLock::new();
    INSTALLED.get_or_init(|| {
        #[cfg(unix)]
        {
            use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
            if let Ok(mut signals) = signal_hook::iterator::Signals::new([SIGINT, SIGTERM, SIGHUP])
            {
                let _ = std::thread::Builder::new()
                    .name("attain-signals".into())
                    .spawn(move || {
                        if let Some(signal) = signals.forever().next() {
                            let files = TEMP_FILES.lock().unwrap_or_else(PoisonError::into_inner);
                            for f in files.iter() {
                                let _ = fs::remove_file(f);
                            }
                            std::process::exit(128 + signal);
                        }
                    });
            }
        }
    });
}

/// A progress bar over the bytes of `path` on standard error, or `None` when `quiet` is set,
/// standard error is not a terminal (pipes, files, CI), or the file's size is unknown.
#[cfg(any(feature = "rfm", feature = "lifecycle", feature = "funnel"))]
pub(crate) fn file_progress(path: &Path, quiet: bool) -> Option<indicatif::ProgressBar> {
    use std::io::IsTerminal;
    if quiet || !io::stderr().is_terminal() {
        return None;
    }
    let len = fs::metadata(path).ok()?.len();
    let style = indicatif::ProgressStyle::with_template(
        "{msg} {wide_bar} {bytes}/{total_bytes} ({bytes_per_sec}, {eta} left)",
    )
    .ok()?;
    let bar = indicatif::ProgressBar::new(len).with_style(style);
    bar.set_message(format!("reading {}", path.display()));
    Some(bar)
}

/// Runs `read` with a progress bar over the bytes of `path` (see [`file_progress`]), cleared
/// at the end: for the readers that report their progress through a callback.
#[cfg(feature = "lifecycle")]
pub(crate) fn with_progress<T>(
    path: &Path,
    quiet: bool,
    read: impl FnOnce(&dyn Fn(u64)) -> T,
) -> T {
    let bar = file_progress(path, quiet);
    let out = read(&|bytes| {
        if let Some(bar) = &bar {
            bar.set_position(bytes);
        }
    });
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    out
}

/// A file being read, advancing a progress bar (see [`file_progress`]); the bar is cleared
/// when the reader is dropped.
#[cfg(any(feature = "lifecycle", feature = "funnel"))]
#[derive(Debug)]
pub(crate) struct ProgressRead {
    inner: fs::File,
    bar: Option<indicatif::ProgressBar>,
}

/// Opens `path` for reading with a progress bar over its bytes (see [`file_progress`]).
#[cfg(any(feature = "lifecycle", feature = "funnel"))]
pub(crate) fn open_with_progress(path: &Path, quiet: bool) -> io::Result<ProgressRead> {
    let inner = fs::File::open(path)?;
    Ok(ProgressRead {
        inner,
        bar: file_progress(path, quiet),
    })
}

#[cfg(any(feature = "lifecycle", feature = "funnel"))]
impl io::Read for ProgressRead {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        if let Some(bar) = &self.bar {
            bar.inc(n as u64);
        }
        Ok(n)
    }
}

#[cfg(any(feature = "lifecycle", feature = "funnel"))]
impl Drop for ProgressRead {
    fn drop(&mut self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failed_write_leaves_the_old_file_and_no_temporary_file() {
        let dir = std::env::temp_dir().join(format!("attain-output-unit-{}", std::process::id()));
        fs::create_dir_all(&dir).unwrap();
        let path = dir.join("out.csv");
        fs::write(&path, "old\n").unwrap();
        let out = Output::create(Some(&path), &[]).unwrap();
        let result = out.write_with(|w| {
            w.write_all(b"half")?;
            Err(io::Error::other("disk full"))
        });
        assert!(result.is_err());
        assert_eq!(fs::read_to_string(&path).unwrap(), "old\n");
        let names: Vec<_> = fs::read_dir(&dir)
            .unwrap()
            .filter_map(Result::ok)
            .map(|e| e.file_name())
            .collect();
        assert_eq!(names, [std::ffi::OsString::from("out.csv")]);
        assert!(TEMP_FILES.lock().unwrap().is_empty());
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn broken_pipes_are_found_inside_csv_errors() {
        let pipe = io::Error::from(io::ErrorKind::BrokenPipe);
        assert!(is_broken_pipe(&pipe));
        let mut w = csv::Writer::from_writer(Failing);
        let e: io::Error = w
            .write_record(["a"])
            .and_then(|()| w.flush().map_err(Into::into))
            .map_err(io::Error::from)
            .unwrap_err();
        assert!(is_broken_pipe(&e), "{e:?}");
        assert!(!is_broken_pipe(&io::Error::other("disk full")));
    }

    /// A writer whose reader went away.
    struct Failing;

    impl Write for Failing {
        fn write(&mut self, _: &[u8]) -> io::Result<usize> {
            Err(io::Error::from(io::ErrorKind::BrokenPipe))
        }
        fn flush(&mut self) -> io::Result<()> {
            Err(io::Error::from(io::ErrorKind::BrokenPipe))
        }
    }

    #[test]
    fn shown_paths_are_capped() {
        let long = "x".repeat(1 << 20);
        let text = shown(Path::new(&long));
        assert!(text.len() < 300, "{}", text.len());
        assert!(text.ends_with("(1048576 bytes)"), "{text}");
        assert_eq!(shown(Path::new("a.csv")), "a.csv");
    }
}
