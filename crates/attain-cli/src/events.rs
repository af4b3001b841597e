//! The one event reader of the command (`funnel measure` and `report --funnel-events`): the
//! same column flags, and every field read by the shared input grammar
//! ([`attain_types::input`]): ids exactly as written, times as RFC 3339 timestamps (offsets
//! honoured: the instant is compared in UTC) unless `--time-format` says epoch numbers.

use std::path::Path;

use anyhow::{Context, anyhow};
use attain_types::input::{self, Header, InputError, TimeFormat};

/// The column flags of every event-reading subcommand.
#[derive(Debug, Clone, clap::Args)]
pub(crate) struct EventColumnArgs {
    /// The entity (customer, lead, account) id column.
    #[arg(long, default_value = "entity_id", alias = "entity-column")]
    pub(crate) entity_col: String,
    /// The step column.
    #[arg(long, default_value = "step", alias = "step-column")]
    pub(crate) step_col: String,
    /// The time column.
    #[arg(long, default_value = "timestamp", alias = "time-column")]
    pub(crate) time_col: String,
    /// How the time column is written: `iso` (YYYY-MM-DD or RFC 3339, offsets honoured; a bare
    /// number is refused), `unix-seconds` or `unix-millis`.
    #[arg(long, value_enum, default_value_t = TimeFormatArg::Iso)]
    pub(crate) time_format: TimeFormatArg,
}

/// `--time-format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum TimeFormatArg {
    /// `YYYY-MM-DD` or RFC 3339 (`2026-01-15T10:00:00+05:00`); no offset is UTC.
    Iso,
    /// Whole seconds since 1970-01-01T00:00:00Z.
    UnixSeconds,
    /// Whole milliseconds since 1970-01-01T00:00:00Z, floored to seconds.
    UnixMillis,
}

impl From<TimeFormatArg> for TimeFormat {
    fn from(f: TimeFormatArg) -> TimeFormat {
        match f {
            TimeFormatArg::Iso => TimeFormat::Iso,
            TimeFormatArg::UnixSeconds => TimeFormat::UnixSeconds,
            TimeFormatArg::UnixMillis => TimeFormat::UnixMillis,
        }
    }
}

/// One event row as read.
pub(crate) struct EventRow<'a> {
    /// The entity id, as written.
    pub(crate) entity: &'a str,
    /// The step, as written.
    pub(crate) step: &'a str,
    /// Seconds since 1970-01-01T00:00:00Z.
    pub(crate) time: i64,
    /// The value of the extra column asked for, as written (may be empty).
    pub(crate) extra: Option<&'a str>,
}

/// Reads every event of the CSV `path` and calls `f` on each with its line. Every row is
/// checked, whatever its step: a row is accepted or reported with file, line and column.
/// `extra` names one more column to hand over (the funnel breakdown).
pub(crate) fn for_each_event(
    path: &Path,
    columns: &EventColumnArgs,
    extra: Option<&str>,
    quiet: bool,
    mut f: impl FnMut(&EventRow<'_>, u64) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    let name = path.display().to_string();
    let file = crate::output::open_with_progress(path, quiet)
        .with_context(|| format!("cannot open {name}"))?;
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .from_reader(std::io::BufReader::with_capacity(1 << 16, file));
    let csv_err = |e: csv::Error| {
        let line = e.position().map_or(1, |p| p.line().max(1));
        anyhow!("{name}:{line}: {e}")
    };
    let header = Header::from_bytes(reader.byte_headers().map_err(csv_err)?.iter());
    let column = |col: &str| {
        header.find(col).map_err(|e| match e {
            InputError::MissingColumn { found, .. } => {
                anyhow!("{name}:1: missing column {col:?} in the header (found: {found})")
            }
            e => anyhow!("{name}:1: {e}"),
        })
    };
    let (ci, cs, ct) = (
        column(&columns.entity_col)?,
        column(&columns.step_col)?,
        column(&columns.time_col)?,
    );
    let cx = extra.map(column).transpose()?;
    let format = TimeFormat::from(columns.time_format);
    let mut record = csv::ByteRecord::new();
    while reader.read_byte_record(&mut record).map_err(csv_err)? {
        let line = record.position().map_or(0, csv::Position::line);
        let get = |i: usize| record.get(i).unwrap_or(b"");
        let bad = |col: &str, e: InputError| anyhow!("{name}:{line}: column {col:?}: {e}");
        let entity = input::parse_id_bytes(get(ci)).map_err(|e| bad(&columns.entity_col, e))?;
        let step = input::parse_id_bytes(get(cs)).map_err(|e| bad(&columns.step_col, e))?;
        let time =
            input::parse_event_time(get(ct), format).map_err(|e| bad(&columns.time_col, e))?;
        let extra = match (cx, extra) {
            (Some(i), Some(col)) => Some(std::str::from_utf8(get(i)).map_err(|_| {
                bad(
                    col,
                    InputError::NotUtf8 {
                        value: input::Quoted::bytes(get(i)),
                    },
                )
            })?),
            _ => None,
        };
        f(
            &EventRow {
                entity,
                step,
                time,
                extra,
            },
            line,
        )?;
    }
    Ok(())
}
