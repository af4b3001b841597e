//! Output plumbing shared by every subcommand: `--format csv|json` and `-o FILE` with an
//! atomic write (a temporary file in the same folder, renamed into place when complete).

use std::fs;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use anyhow::Context;

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
    /// Write to FILE (atomically: complete or not at all) instead of standard output.
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub(crate) output: Option<PathBuf>,
    /// No progress bar while reading input (one is shown on standard error only when it is a
    /// terminal).
    #[arg(short = 'q', long)]
    pub(crate) quiet: bool,
}

impl OutputArgs {
    /// Runs `write` against stdout or an atomically replaced file.
    pub(crate) fn write_with(
        &self,
        write: impl FnOnce(&mut dyn Write) -> io::Result<()>,
    ) -> anyhow::Result<()> {
        match &self.output {
            None => {
                let stdout = io::stdout();
                let mut w = BufWriter::with_capacity(1 << 16, stdout.lock());
                match write(&mut w).and_then(|()| w.flush()) {
                    Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(()),
                    other => other.context("cannot write to standard output"),
                }
            }
            Some(path) => write_atomic(path, write),
        }
    }
}

/// Writes a file through a temporary sibling and a rename, so readers never see half a file.
pub(crate) fn write_atomic(
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
    let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let result = (|| -> io::Result<()> {
        let file = fs::File::create(&tmp)?;
        let mut w = BufWriter::with_capacity(1 << 16, file);
        write(&mut w)?;
        let file = w.into_inner().map_err(io::IntoInnerError::into_error)?;
        file.sync_all()?;
        fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result.with_context(|| format!("cannot write {}", path.display()))
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
