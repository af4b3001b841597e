//! `cohort_table` equals `attain_lifecycle::cohort::cohort_table` cell by cell.

use std::collections::BTreeMap;

use attain_datafusion::{RfmFunctions, cohort_table};
use attain_lifecycle::cohort::{self, CohortOptions};
use attain_types::{Currency, Decimal, Granularity, NaiveDate, Transaction};
use datafusion::arrow::array::AsArray;
use datafusion::arrow::datatypes::{Date32Type, Decimal128Type, Int64Type};

use crate::common::{Row, as_of, cdnow, context, generate, partitions};

type Cells = BTreeMap<(NaiveDate, i64), (i64, i64, Decimal)>;

fn datafusion_cells(rows: &[Row], options: &CohortOptions, target: usize) -> Cells {
    let ctx = context(
        partitions(rows, &[rows.len() / 3, rows.len() / 2], 211),
        target,
        &RfmFunctions::new(as_of()),
    );
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let batches = rt
        .block_on(async {
            let df = ctx.table("tx").await?;
            cohort_table(df, options)?.collect().await
        })
        .unwrap();
    let epoch = NaiveDate::from_ymd_opt(1970, 1, 1).unwrap();
    let mut cells = Cells::new();
    for b in &batches {
        let start = b.column(0).as_primitive::<Date32Type>();
        let offset = b.column(1).as_primitive::<Int64Type>();
        let size = b.column(2).as_primitive::<Int64Type>();
        let active = b.column(3).as_primitive::<Int64Type>();
        let revenue = b.column(4).as_primitive::<Decimal128Type>();
        let datafusion::arrow::datatypes::DataType::Decimal128(_, scale) = b.column(4).data_type()
        else {
            panic!()
        };
        for i in 0..b.num_rows() {
            let key = (
                epoch + chrono::Days::new(start.value(i) as u64),
                offset.value(i),
            );
            let value = (
                size.value(i),
                active.value(i),
                Decimal::from_i128_with_scale(revenue.value(i), *scale as u32),
            );
            assert!(cells.insert(key, value).is_none(), "duplicate cell {key:?}");
        }
    }
    cells
}

fn lifecycle_cells(rows: &[Row], options: CohortOptions) -> Cells {
    let log = rows.iter().map(|r| Transaction {
        customer_id: &r.customer,
        date: r.date,
        amount: r.amount,
        order_id: None,
    });
    let table = cohort::cohort_table(log, Currency::USD, options).unwrap();
    let mut cells = Cells::new();
    for c in &table.cohorts {
        for (k, cell) in c.cells.iter().enumerate() {
            // The DataFusion table lists the cells with active customers only.
            if let Some(cell) = cell
                && cell.active > 0
            {
                cells.insert(
                    (c.period.start(), k as i64),
                    (c.size as i64, cell.active as i64, cell.revenue.amount()),
                );
            }
        }
    }
    cells
}

#[test]
fn generated_cohorts_equal_the_lifecycle_table() {
    let rows = generate(29, 150, 4_000);
    for g in [
        Granularity::Month,
        Granularity::IsoWeek,
        Granularity::Quarter,
        Granularity::Year,
    ] {
        for options in [
            CohortOptions::default().granularity(g),
            CohortOptions::default().granularity(g).as_of(as_of()),
        ] {
            let expected = lifecycle_cells(&rows, options);
            assert!(expected.len() >= 3, "{options:?}");
            for target in [1, 8] {
                assert_eq!(
                    datafusion_cells(&rows, &options, target),
                    expected,
                    "{options:?}"
                );
            }
        }
    }
}

#[test]
fn cdnow_cohorts_equal_the_lifecycle_table() {
    let rows = cdnow();
    let options = CohortOptions::default();
    let expected = lifecycle_cells(&rows, options);
    // CDNOW's sample customers were all acquired in Q1 1997: three monthly cohorts.
    assert_eq!(
        expected
            .keys()
            .map(|k| k.0)
            .collect::<std::collections::BTreeSet<_>>()
            .len(),
        3
    );
    assert_eq!(datafusion_cells(&rows, &options, 4), expected);
}
