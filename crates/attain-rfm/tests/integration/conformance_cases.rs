//! The conformance table of issue 12: one list of good and bad transaction files, read by
//! every reader (attain-rfm's CSV fast path, its general CSV path, `csv::for_each_transaction`,
//! Parquet with text columns, and the `rfm`, `cohort`, `clv` and `report` subcommands, whose
//! test includes this file). Every reader must accept or reject each file alike, at the same
//! line and column, with the same customers and the same sum of amounts.
//!
//! Each file is a fixed base log (the first 200 purchases of the CDNOW sample, so that the
//! CLV and report models fit) plus one case row on the last line, or a change to the header or the
//! layout. The grammar the cases pin is `docs/input-grammar.md`.

#![allow(dead_code)]

use std::collections::BTreeSet;
use std::sync::Arc;

use arrow_array::{ArrayRef, RecordBatch, StringArray};
use arrow_schema::{DataType, Field, Schema};
use attain_types::Decimal;

/// What every reader must do with a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Expect {
    /// Accepted: this many customers, amounts summing to this.
    Accept { customers: usize, total: Decimal },
    /// Refused at this line (1 is the header) and column (empty: the line as a whole).
    Reject { line: u64, column: &'static str },
}

/// One file of the table.
#[derive(Debug, Clone)]
pub(crate) struct Case {
    /// A short name, for failure messages and file names.
    pub(crate) name: String,
    /// The file's bytes.
    pub(crate) bytes: Vec<u8>,
    /// What every reader must do.
    pub(crate) expect: Expect,
}

/// The header of the base log.
pub(crate) const HEADER: &str = "customer_id,order_id,order_date,amount";

/// The line of the case row in a file built by [`with_row`] (header + 200 base rows + 1).
pub(crate) const CASE_LINE: u64 = 202;

/// The repository's CDNOW sample (see `data/README.md` for its provenance).
const CDNOW: &str = include_str!("../../../../data/cdnow_transactions.csv");

/// The base log: the first 200 purchases of the CDNOW sample (76 customers), enough for
/// the CLV models of `clv` and `report` to fit.
pub(crate) fn base_rows() -> Vec<String> {
    CDNOW.lines().skip(1).take(200).map(str::to_owned).collect()
}

/// The customers of the base log.
fn base_customers() -> BTreeSet<String> {
    base_rows()
        .iter()
        .map(|r| r.split(',').next().unwrap().to_owned())
        .collect()
}

/// The sum of the base log's amounts.
pub(crate) fn base_total() -> Decimal {
    base_rows()
        .iter()
        .map(|r| r.rsplit(',').next().unwrap().parse::<Decimal>().unwrap())
        .sum()
}

fn file(header: &str, rows: &[String], eol: &str, last_eol: bool) -> Vec<u8> {
    let mut text = String::from(header);
    for r in rows {
        text.push_str(eol);
        text.push_str(r);
    }
    if last_eol {
        text.push_str(eol);
    }
    text.into_bytes()
}

/// The base log plus `row` (raw bytes) as line 26.
fn with_row(row: &[u8]) -> Vec<u8> {
    let mut bytes = file(HEADER, &base_rows(), "\n", true);
    bytes.extend_from_slice(row);
    bytes.push(b'\n');
    bytes
}

/// The base log plus one row of `customer` (as the readers see it, unquoted) and `amount`.
fn accept(customer: &str, amount: &str) -> Expect {
    let mut customers = base_customers();
    customers.insert(customer.to_owned());
    Expect::Accept {
        customers: customers.len(),
        total: base_total() + amount.parse::<Decimal>().unwrap(),
    }
}

fn base_accept() -> Expect {
    Expect::Accept {
        customers: base_customers().len(),
        total: base_total(),
    }
}

fn reject(line: u64, column: &'static str) -> Expect {
    Expect::Reject { line, column }
}

/// Every case of the table.
pub(crate) fn cases() -> Vec<Case> {
    let mut out = Vec::new();
    let mut add = |name: &str, bytes: Vec<u8>, expect: Expect| {
        out.push(Case {
            name: name.to_owned(),
            bytes,
            expect,
        });
    };

    // Amounts that are in the grammar.
    for (i, a) in [
        "5",
        "5.00",
        "-5.00",
        "0",
        "-0",
        "0.001",
        "1234567890123456.78",
        "0.000000000000000001",
        "792281625142643375935439",
        "007.50",
    ]
    .iter()
    .enumerate()
    {
        add(
            &format!("amount_ok_{i}"),
            with_row(format!("c1,x1,1997-06-15,{a}").as_bytes()),
            accept("c1", a),
        );
    }
    add(
        "amount_ok_quoted",
        with_row(b"c1,x1,1997-06-15,\"5.00\""),
        accept("c1", "5.00"),
    );
    // Amounts outside the grammar: the table, and more.
    for (i, a) in [
        "1e3",
        "1E2",
        "1_000",
        ".5",
        "5.",
        " 5.00",
        "5.00 ",
        "+5",
        "\"1,000\"",
        "",
        "abc",
        "5.0.0",
        "--5",
        "-",
        "0x10",
        "0.0000000000000000000000000000001",
        "79228162514264337593543950336",
        "NaN",
        "inf",
        "5 .00",
        "\u{0665}",
        "5\t",
        "\u{00a0}5",
    ]
    .iter()
    .enumerate()
    {
        add(
            &format!("amount_bad_{i}"),
            with_row(format!("c1,x1,1997-06-15,{a}").as_bytes()),
            reject(CASE_LINE, "amount"),
        );
    }

    // Dates in the grammar (a timestamp's date as written).
    for (i, d) in [
        "1997-06-15",
        "1997-06-15T23:30:00Z",
        "1997-06-15T23:30:00-05:00",
        "1997-06-15 10:00:00",
        "1997-06-15T10:00:00.123456+05:30",
        "1997-06-15t10:00:00z",
        "1996-02-29",
    ]
    .iter()
    .enumerate()
    {
        add(
            &format!("date_ok_{i}"),
            with_row(format!("c1,x1,{d},5.00").as_bytes()),
            accept("c1", "5.00"),
        );
    }
    // Dates outside the grammar.
    for (i, d) in [
        "19970615",
        "1997-6-5",
        " 1997-06-15",
        "1997-06-15 ",
        "+1997-06-05",
        "-0001-01-01",
        "1997/06/15",
        "1997-02-29",
        "1997-13-01",
        "1997-06-31",
        "",
        "1997-06-15T10:00",
        "1997-06-15T24:00:00",
        "1997-06-15T10:00:60",
        "1997-06-15T10:00:00.xyz",
        "1997-06-15T10:00:00+99:99",
        "1997-06-15T10:00:00+24:00",
        "15/06/1997",
        "1997-06-15T",
        "1997-06-15T10:00:00 Z",
        "852076800",
    ]
    .iter()
    .enumerate()
    {
        add(
            &format!("date_bad_{i}"),
            with_row(format!("c1,x1,{d},5.00").as_bytes()),
            reject(CASE_LINE, "order_date"),
        );
    }
    // An empty date on the first row: a fast reader's date cache must not start out matching
    // an empty field (it once read it as day 0, 0000-12-31).
    let mut first_empty = vec!["c1,x1,,5.00".to_owned()];
    first_empty.extend(base_rows());
    add(
        "date_bad_empty_first_row",
        file(HEADER, &first_empty, "\n", true),
        reject(2, "order_date"),
    );

    // Customer ids: taken as written.
    for (i, (id, read)) in [
        ("c1", "c1"),
        ("00004", "00004"),
        ("0004", "0004"),
        ("Ünïcode ✓", "Ünïcode ✓"),
        ("a b", "a b"),
        ("\"quoted, comma\"", "quoted, comma"),
        ("\"say \"\"hi\"\"\"", "say \"hi\""),
    ]
    .iter()
    .enumerate()
    {
        add(
            &format!("customer_ok_{i}"),
            with_row(format!("{id},x1,1997-06-15,5.00").as_bytes()),
            accept(read, "5.00"),
        );
    }
    for (i, id) in [
        &b""[..],
        b" 00004 ",
        b" c1",
        b"c1 ",
        b"\tc1",
        b"c\x011",
        b"c\x001",
        b"\xff\xfe",
        b"\"a\nb\"",
        b"\"\"",
    ]
    .iter()
    .enumerate()
    {
        let mut row = id.to_vec();
        row.extend_from_slice(b",x1,1997-06-15,5.00");
        add(
            &format!("customer_bad_{i}"),
            with_row(&row),
            reject(CASE_LINE, "customer_id"),
        );
    }
    // Order ids: empty is a row without one; otherwise the id rule.
    add(
        "order_empty",
        with_row(b"c1,,1997-06-15,5.00"),
        accept("c1", "5.00"),
    );
    for (i, id) in [&b" o1"[..], b"o1 ", b"o\x001", b"\xc3("]
        .iter()
        .enumerate()
    {
        let mut row = b"c1,".to_vec();
        row.extend_from_slice(id);
        row.extend_from_slice(b",1997-06-15,5.00");
        add(
            &format!("order_bad_{i}"),
            with_row(&row),
            reject(CASE_LINE, "order_id"),
        );
    }

    // Headers: exact names; a UTF-8 byte-order mark is ignored; duplicates are refused.
    let rows = base_rows();
    let mut bom = b"\xef\xbb\xbf".to_vec();
    bom.extend(file(HEADER, &rows, "\n", true));
    add("header_bom", bom, base_accept());
    add(
        "header_spaces",
        file(
            "customer_id,order_id, order_date ,amount",
            &rows,
            "\n",
            true,
        ),
        reject(1, "order_date"),
    );
    add(
        "header_case",
        file("Customer_ID,order_id,order_date,amount", &rows, "\n", true),
        reject(1, "customer_id"),
    );
    add(
        "header_duplicate",
        file(
            "customer_id,order_id,order_date,amount,amount",
            &rows.iter().map(|r| format!("{r},1")).collect::<Vec<_>>(),
            "\n",
            true,
        ),
        reject(1, ""),
    );
    add(
        "header_extra_column",
        file(
            "customer_id,order_id,order_date,amount,note",
            &rows.iter().map(|r| format!("{r},x")).collect::<Vec<_>>(),
            "\n",
            true,
        ),
        base_accept(),
    );
    add(
        "header_reordered",
        file(
            "amount,order_date,order_id,customer_id",
            &rows
                .iter()
                .map(|r| r.split(',').rev().collect::<Vec<_>>().join(","))
                .collect::<Vec<_>>(),
            "\n",
            true,
        ),
        base_accept(),
    );
    add(
        "header_no_order_column",
        file(
            "customer_id,order_date,amount",
            &rows
                .iter()
                .map(|r| {
                    let f: Vec<&str> = r.split(',').collect();
                    format!("{},{},{}", f[0], f[2], f[3])
                })
                .collect::<Vec<_>>(),
            "\n",
            true,
        ),
        base_accept(),
    );
    add("empty_file", Vec::new(), reject(1, ""));

    // Layout: line endings, blank lines, quoting, ragged rows, huge fields.
    add("crlf", file(HEADER, &rows, "\r\n", true), base_accept());
    add(
        "no_final_newline",
        file(HEADER, &rows, "\n", false),
        base_accept(),
    );
    let mut blank = rows.clone();
    blank.insert(3, String::new());
    blank.push(String::new());
    add(
        "blank_lines",
        file(HEADER, &blank, "\n", true),
        base_accept(),
    );
    add(
        "quoted_everything",
        file(
            HEADER,
            &rows
                .iter()
                .map(|r| {
                    r.split(',')
                        .map(|f| format!("\"{f}\""))
                        .collect::<Vec<_>>()
                        .join(",")
                })
                .collect::<Vec<_>>(),
            "\n",
            true,
        ),
        base_accept(),
    );
    add(
        "short_row",
        with_row(b"c1,x1,1997-06-15"),
        reject(CASE_LINE, ""),
    );
    add(
        "long_row",
        with_row(b"c1,x1,1997-06-15,5.00,extra"),
        reject(CASE_LINE, ""),
    );
    add("spaces_line", with_row(b"   "), reject(CASE_LINE, ""));
    let huge_id = "h".repeat(1 << 20);
    add(
        "huge_customer_id",
        with_row(format!("{huge_id},x1,1997-06-15,5.00").as_bytes()),
        accept("c1", "5.00"),
    );
    let huge_amount = format!("{}x", "1".repeat(1 << 20));
    add(
        "huge_bad_amount",
        with_row(format!("c1,x1,1997-06-15,{huge_amount}").as_bytes()),
        reject(CASE_LINE, "amount"),
    );
    add(
        "nul_in_amount",
        with_row(b"c1,x1,1997-06-15,5.0\x00"),
        reject(CASE_LINE, "amount"),
    );
    add(
        "latin1_amount",
        with_row(b"c1,x1,1997-06-15,5\xa3"),
        reject(CASE_LINE, "amount"),
    );
    out
}

/// The CSV file as Parquet with one text column per header name, and the CSV line of each
/// record; `None` when the file cannot be represented (not CSV, not UTF-8, ragged).
pub(crate) fn to_parquet(bytes: &[u8]) -> Option<(Vec<u8>, Vec<u64>)> {
    let mut rdr = ::csv::ReaderBuilder::new().from_reader(bytes);
    let header: Vec<String> = rdr
        .headers()
        .ok()?
        .iter()
        .map(|h| h.trim_start_matches('\u{feff}').to_owned())
        .collect();
    if header.iter().collect::<BTreeSet<_>>().len() != header.len() || header.len() < 2 {
        return None;
    }
    let mut columns: Vec<Vec<String>> = vec![Vec::new(); header.len()];
    let mut lines = Vec::new();
    for rec in rdr.records() {
        let rec = rec.ok()?;
        lines.push(rec.position()?.line());
        for (c, f) in columns.iter_mut().zip(rec.iter()) {
            c.push(f.to_owned());
        }
    }
    let schema = Arc::new(Schema::new(
        header
            .iter()
            .map(|h| Field::new(h, DataType::Utf8, false))
            .collect::<Vec<_>>(),
    ));
    let arrays: Vec<ArrayRef> = columns
        .into_iter()
        .map(|c| Arc::new(StringArray::from(c)) as ArrayRef)
        .collect();
    let batch = RecordBatch::try_new(schema, arrays).ok()?;
    let mut out = Vec::new();
    attain_rfm::parquet::write_to(&mut out, &batch).ok()?;
    Some((out, lines))
}
