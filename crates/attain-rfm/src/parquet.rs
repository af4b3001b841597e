//! Parquet files in and out, streaming: [`read_path`] aggregates a transaction file row group
//! by row group (memory follows the customers, not the rows), [`write_path`] writes a result
//! `RecordBatch` (from [`to_record_batch`](crate::arrow::to_record_batch)).
//!
//! Column types are those of the [`arrow`](crate::arrow) module. Files written by pandas /
//! pyarrow, Polars, DuckDB and Spark read as they are (codecs: Snappy, Zstd, LZ4, Gzip; not
//! Brotli).
//!
//! ```
//! use attain_rfm::arrow::{to_record_batch, ArrowColumns};
//! use attain_rfm::parquet::{read_path, write_path};
//! use attain_rfm::{AggregateOptions, CustomerValues};
//! use attain_types::{dec, NaiveDate};
//!
//! // Write a small transaction table as Parquet (here through the result writer, whose
//! // columns are renamed by the options below), then aggregate it back.
//! let dir = std::env::temp_dir().join(format!("attain-doc-{}", std::process::id()));
//! std::fs::create_dir_all(&dir)?;
//! let path = dir.join("values.parquet");
//! let mut v = CustomerValues::new("ann", 3, 2, dec!(42.50));
//! v.last_purchase = NaiveDate::from_ymd_opt(2025, 12, 29).ok_or("bad date")?;
//! write_path(&path, &to_record_batch(&[v], None, None)?)?;
//!
//! let columns = ArrowColumns::default().date("last_purchase").amount("monetary").order(None);
//! let as_of = NaiveDate::from_ymd_opt(2026, 1, 1).ok_or("bad date")?;
//! let table = read_path(&path, as_of, &AggregateOptions::default(), &columns)?;
//! assert_eq!((table.customers[0].recency_days, table.customers[0].monetary), (3, dec!(42.50)));
//! std::fs::remove_dir_all(&dir)?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::collections::HashSet;
use std::fs::File;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;

use arrow_array::RecordBatch;
use attain_types::NaiveDate;
use attain_types::input::Header;
use parquet::arrow::ProjectionMask;
use parquet::arrow::arrow_reader::{ParquetRecordBatchReader, ParquetRecordBatchReaderBuilder};
use parquet::arrow::arrow_writer::ArrowWriter;
use parquet::basic::Compression;
use parquet::file::properties::WriterProperties;

use crate::aggregate::{Aggregator, Transaction};
use crate::arrow::{ArrowColumns, for_each_row, scan_batch, scan_into};
use crate::fast::{Bail, Resolver, Table, fast_modes, finish, layout, take_duplicates, threads};
use crate::{AggregateOptions, Error, IngestReport, Result, RfmTable, RowLocation};

/// Rows decoded before the workers aggregate them (bounds the decoded data held at once).
const CHUNK_ROWS: usize = 1 << 18;
/// Rows per decoded batch.
const BATCH_ROWS: usize = 64 * 1024;

fn io_err(path: &str, e: &impl std::fmt::Display) -> Error {
    Error::Io {
        path: path.to_owned(),
        message: e.to_string(),
    }
}

/// Opens `path` and projects the columns that `columns` names.
fn open(path: &Path, name: &str, columns: &ArrowColumns) -> Result<ParquetRecordBatchReader> {
    open_part(path, name, columns, (0, 1))
}

/// [`open`] restricted to the row groups `i` with `i % part.1 == part.0`.
fn open_part(
    path: &Path,
    name: &str,
    columns: &ArrowColumns,
    part: (usize, usize),
) -> Result<ParquetRecordBatchReader> {
    let file = File::open(path).map_err(|e| io_err(name, &e))?;
    let builder = ParquetRecordBatchReaderBuilder::try_new(file).map_err(|e| io_err(name, &e))?;
    let schema = Arc::clone(builder.schema());
    let mut wanted = vec![&columns.customer, &columns.date, &columns.amount];
    wanted.extend(&columns.order);
    // The shared header rule: exact names, a selected name present twice is an error.
    let header = Header::new(schema.fields().iter().map(|f| f.name().as_str()));
    let mut roots = Vec::with_capacity(wanted.len());
    for w in wanted {
        roots.push(header.find(w).map_err(|e| Error::header(name, w, e))?);
    }
    let mask = ProjectionMask::roots(builder.parquet_schema(), roots);
    let groups = (0..builder.metadata().num_row_groups())
        .filter(|g| g % part.1 == part.0)
        .collect();
    builder
        .with_row_groups(groups)
        .with_projection(mask)
        .with_batch_size(BATCH_ROWS)
        .build()
        .map_err(|e| io_err(name, &e))
}

/// Reads the next chunk of batches (about [`CHUNK_ROWS`] rows); empty at the end.
fn next_chunk(reader: &mut ParquetRecordBatchReader, name: &str) -> Result<Vec<RecordBatch>> {
    let mut chunk = Vec::new();
    let mut rows = 0;
    while rows < CHUNK_ROWS {
        match reader.next() {
            Some(b) => {
                let b = b.map_err(|e| io_err(name, &e))?;
                rows += b.num_rows();
                chunk.push(b);
            }
            None => break,
        }
    }
    Ok(chunk)
}

/// Reads a Parquet transaction file and aggregates it at `as_of`, streaming.
///
/// With the fast options (as for [`csv::read_path`](crate::csv::read_path)) and amounts of at
/// most 2 decimals, the file is decoded in chunks that all cores aggregate (each its hash
/// partition of the customers), and read a second time only when two (customer, order) pairs
/// share a hash. Anything else goes through [`BatchAggregator`](crate::arrow::BatchAggregator), with identical results.
///
/// # Errors
///
/// [`Error::Io`] for an unreadable or invalid file; [`Error::MissingColumn`];
/// [`Error::Arrow`] naming the column and the row for a bad type or value;
/// [`Error::Overflow`].
pub fn read_path(
    path: &Path,
    as_of: NaiveDate,
    options: &AggregateOptions,
    columns: &ArrowColumns,
) -> Result<RfmTable> {
    let name = path.display().to_string();
    if fast_modes(options) {
        let layout = layout(as_of, options, columns.order.is_some());
        let n = threads(columns.threads);
        // Memory: the customers' slots plus 8 bytes per (customer, order) pair (up to twice
        // that while a vector grows); beyond `order_memory`, one pass per hash partition of
        // the customers, each pass's pairs reduced to its ambiguous hashes before the next.
        let rows = {
            let file = File::open(path).map_err(|e| io_err(&name, &e))?;
            let b =
                ParquetRecordBatchReaderBuilder::try_new(file).map_err(|e| io_err(&name, &e))?;
            usize::try_from(b.metadata().file_metadata().num_rows()).unwrap_or(0)
        };
        let passes = if layout.track_orders {
            rows.saturating_mul(16)
                .div_ceil(columns.order_memory.max(1))
                .clamp(1, 255 / n)
        } else {
            1
        };
        let mut tables: Vec<Result<Table, Bail>> = Vec::with_capacity(n * passes);
        let mut dups = HashSet::default();
        for pass in 0..passes {
            // Room for this pass's pairs up front: growing by doubling would briefly need
            // three times the memory.
            let hint = if layout.track_orders {
                rows / (n * passes)
            } else {
                0
            };
            let mut mine: Vec<Result<Table, Bail>> = (0..n).map(|_| Ok(Table::new(hint))).collect();
            let part = ((pass * n) as u64, (passes * n) as u64);
            let stop = AtomicBool::new(false);
            // Decoder threads, one per core, each over its share of the row groups (results do
            // not depend on row order), hand chunks to the aggregating workers.
            let decoded: Result<()> = std::thread::scope(|s| {
                let (tx, rx) = mpsc::sync_channel::<Result<Vec<RecordBatch>>>(n);
                for d in 0..n {
                    let (tx, stop, name) = (tx.clone(), &stop, &name);
                    s.spawn(move || {
                        let mut reader = match open_part(path, name, columns, (d, n)) {
                            Ok(r) => r,
                            Err(e) => {
                                let _ = tx.send(Err(e));
                                return;
                            }
                        };
                        while !stop.load(Ordering::Relaxed) {
                            match next_chunk(&mut reader, name) {
                                Ok(c) if c.is_empty() => return,
                                other => {
                                    if tx.send(other).is_err() {
                                        return;
                                    }
                                }
                            }
                        }
                    });
                }
                drop(tx);
                for chunk in rx {
                    let chunk = match chunk {
                        Ok(c) => c,
                        Err(e) => {
                            stop.store(true, Ordering::Relaxed);
                            return Err(e);
                        }
                    };
                    scan_into(&mut mine, &chunk, columns, &layout, part);
                    if mine.iter().any(Result::is_err) {
                        stop.store(true, Ordering::Relaxed);
                        return Ok(());
                    }
                }
                Ok(())
            });
            decoded?;
            let mut ok = Vec::with_capacity(n);
            for t in mine {
                match t {
                    Ok(t) => ok.push(t),
                    Err(Bail) => return general(path, &name, as_of, options, columns),
                }
            }
            dups.extend(take_duplicates(&mut ok));
            tables.extend(ok.into_iter().map(Ok));
        }
        let second_pass = |r: &mut Resolver<'_>| -> Result<Option<()>> {
            let mut reader = open(path, &name, columns)?;
            let mut report = IngestReport::default();
            for b in reader.by_ref() {
                let b = b.map_err(|e| io_err(&name, &e))?;
                let ok = scan_batch(&b, columns, &layout, (0, 1), &mut report, |rows| {
                    rows.iter().try_for_each(|row| r.row(row))
                });
                if ok.is_err() {
                    return Ok(None);
                }
            }
            Ok(Some(()))
        };
        if let Some(t) = finish(tables, dups, &layout, as_of, options, second_pass)? {
            return Ok(t);
        }
    }
    general(path, &name, as_of, options, columns)
}

/// The general engine over the file (any options; precise errors).
fn general(
    path: &Path,
    name: &str,
    as_of: NaiveDate,
    options: &AggregateOptions,
    columns: &ArrowColumns,
) -> Result<RfmTable> {
    let mut agg = Aggregator::new(as_of, *options);
    each_row(path, name, columns, &mut |t, _| agg.push(t))?;
    agg.finish()
}

/// The field names of a Parquet file's schema, as a [`Header`] (to check which columns it
/// has before reading it).
///
/// # Errors
///
/// [`Error::Io`] when the file cannot be opened or read as Parquet.
pub fn header(path: &Path) -> Result<Header> {
    let name = path.display().to_string();
    let file = File::open(path).map_err(|e| io_err(&name, &e))?;
    let builder = ParquetRecordBatchReaderBuilder::try_new(file).map_err(|e| io_err(&name, &e))?;
    Ok(Header::new(
        builder.schema().fields().iter().map(|f| f.name().as_str()),
    ))
}

/// Reads a Parquet transaction file row by row with the shared input grammar
/// ([`attain_types::input`]) and calls `f` on each row with its location (the file and the
/// row, counted from 1). The Parquet twin of
/// [`csv::for_each_transaction`](crate::csv::for_each_transaction): text columns are read
/// exactly as the same text in a CSV file; typed columns as in [`crate::arrow`].
///
/// # Errors
///
/// [`Error::Io`] when the file cannot be read as Parquet; [`Error::MissingColumn`];
/// [`Error::Input`] or [`Error::Arrow`] naming the file, column and row of the first bad
/// value; any error `f` returns (stops the reading).
pub fn for_each_transaction(
    path: &Path,
    columns: &ArrowColumns,
    mut f: impl FnMut(&Transaction<'_>, &RowLocation<'_>) -> Result<()>,
) -> Result<()> {
    each_row(path, &path.display().to_string(), columns, &mut f)
}

fn each_row(
    path: &Path,
    name: &str,
    columns: &ArrowColumns,
    f: &mut dyn FnMut(&Transaction<'_>, &RowLocation<'_>) -> Result<()>,
) -> Result<()> {
    let mut rows = 0u64;
    for b in open(path, name, columns)? {
        let b = b.map_err(|e| io_err(name, &e))?;
        for_each_row(&b, columns, name, rows, f)?;
        rows += b.num_rows() as u64;
    }
    Ok(())
}

/// Writes one batch as a Parquet file (Snappy-compressed).
///
/// # Errors
///
/// [`Error::Io`] when the file cannot be written.
pub fn write_path(path: &Path, batch: &RecordBatch) -> Result<()> {
    let name = path.display().to_string();
    let file = File::create(path).map_err(|e| io_err(&name, &e))?;
    write(file, batch).map_err(|e| io_err(&name, &e))
}

/// Writes one batch in Parquet format to any writer (Snappy-compressed).
///
/// # Errors
///
/// [`Error::Io`] (named `<output>`) when writing fails.
pub fn write_to<W: std::io::Write + Send>(writer: W, batch: &RecordBatch) -> Result<()> {
    write(writer, batch).map_err(|e| io_err("<output>", &e))
}

fn write<W: std::io::Write + Send>(
    writer: W,
    batch: &RecordBatch,
) -> std::result::Result<(), parquet::errors::ParquetError> {
    let props = WriterProperties::builder()
        .set_compression(Compression::SNAPPY)
        .build();
    let mut w = ArrowWriter::try_new(writer, batch.schema(), Some(props))?;
    w.write(batch)?;
    w.close()?;
    Ok(())
}
