//! Invalid inputs give DataFusion errors whose messages name the column.

use std::sync::Arc;

use attain_datafusion::{Error, RfmFunctions, register};
use datafusion::arrow::array::{
    Date32Array, Decimal128Array, Float64Array, Int64Array, RecordBatch, StringArray,
};
use datafusion::arrow::datatypes::{DataType, Field, Schema};
use datafusion::error::DataFusionError;
use datafusion::prelude::SessionContext;

use crate::common::{as_of, run};

fn ctx_with(
    columns: Vec<(&str, DataType, Arc<dyn datafusion::arrow::array::Array>)>,
) -> SessionContext {
    let schema = Arc::new(Schema::new(
        columns
            .iter()
            .map(|(n, t, _)| Field::new(*n, t.clone(), true))
            .collect::<Vec<_>>(),
    ));
    let batch = RecordBatch::try_new(schema, columns.into_iter().map(|c| c.2).collect()).unwrap();
    let ctx = SessionContext::new();
    ctx.register_batch("tx", batch).unwrap();
    register(&ctx, &RfmFunctions::new(as_of())).unwrap();
    ctx
}

fn amounts(v: Vec<Option<i128>>) -> Arc<Decimal128Array> {
    Arc::new(
        Decimal128Array::from(v)
            .with_precision_and_scale(18, 2)
            .unwrap(),
    )
}

const SQL: &str = "SELECT customer_id, rfm(order_date, amount) AS v FROM tx GROUP BY customer_id";

#[test]
fn float_amounts_are_refused_at_planning_naming_the_column() {
    let ctx = ctx_with(vec![
        (
            "customer_id",
            DataType::Utf8,
            Arc::new(StringArray::from(vec!["a"])),
        ),
        (
            "order_date",
            DataType::Date32,
            Arc::new(Date32Array::from(vec![20_000])),
        ),
        (
            "amount",
            DataType::Float64,
            Arc::new(Float64Array::from(vec![1.5])),
        ),
    ]);
    let err = run(&ctx, SQL).unwrap_err().to_string();
    assert!(
        err.contains("rfm") && err.contains("amount") && err.contains("Float64"),
        "{err}"
    );
}

#[test]
fn integer_amounts_are_refused_at_planning() {
    let ctx = ctx_with(vec![
        (
            "customer_id",
            DataType::Utf8,
            Arc::new(StringArray::from(vec!["a"])),
        ),
        (
            "order_date",
            DataType::Date32,
            Arc::new(Date32Array::from(vec![20_000])),
        ),
        (
            "amount",
            DataType::Int64,
            Arc::new(Int64Array::from(vec![150])),
        ),
    ]);
    let err = run(&ctx, SQL).unwrap_err().to_string();
    assert!(err.contains("amount") && err.contains("DECIMAL"), "{err}");
}

#[test]
fn a_null_date_is_an_error_naming_the_column() {
    let ctx = ctx_with(vec![
        (
            "customer_id",
            DataType::Utf8,
            Arc::new(StringArray::from(vec!["a", "b"])),
        ),
        (
            "order_date",
            DataType::Date32,
            Arc::new(Date32Array::from(vec![Some(20_000), None])),
        ),
        (
            "amount",
            DataType::Decimal128(18, 2),
            amounts(vec![Some(100), Some(200)]),
        ),
    ]);
    let err = run(&ctx, SQL).unwrap_err();
    assert!(err.to_string().contains("order_date"), "{err}");
    // The typed error is there for callers who downcast.
    let found = find_external(&err);
    assert!(
        matches!(found, Some(Error::Column { function: "rfm", column, .. }) if column.contains("order_date")),
        "{err:?}"
    );
}

#[test]
fn a_null_amount_is_an_error_naming_the_column() {
    let ctx = ctx_with(vec![
        (
            "customer_id",
            DataType::Utf8,
            Arc::new(StringArray::from(vec!["a"])),
        ),
        (
            "order_date",
            DataType::Date32,
            Arc::new(Date32Array::from(vec![20_000])),
        ),
        ("amount", DataType::Decimal128(18, 2), amounts(vec![None])),
    ]);
    let err = run(&ctx, SQL).unwrap_err().to_string();
    assert!(err.contains("amount") && err.contains("NULL"), "{err}");
}

#[test]
fn a_null_customer_is_an_error_naming_the_column_when_scored() {
    let ctx = ctx_with(vec![
        (
            "customer_id",
            DataType::Utf8,
            Arc::new(StringArray::from(vec![Some("a"), None])),
        ),
        (
            "order_date",
            DataType::Date32,
            Arc::new(Date32Array::from(vec![20_000, 20_001])),
        ),
        (
            "amount",
            DataType::Decimal128(18, 2),
            amounts(vec![Some(100), Some(200)]),
        ),
    ]);
    let sql = "WITH agg AS (SELECT customer_id, rfm(order_date, amount) AS v FROM tx GROUP BY customer_id)
        SELECT rfm_score(get_field(v, 'recency_days'), get_field(v, 'frequency'), get_field(v, 'monetary'), customer_id) OVER () FROM agg";
    let err = run(&ctx, sql).unwrap_err().to_string();
    assert!(
        err.contains("rfm_score") && err.contains("customer_id") && err.contains("NULL"),
        "{err}"
    );
}

#[test]
fn a_scale_beyond_28_is_refused() {
    let ctx = ctx_with(vec![
        (
            "customer_id",
            DataType::Utf8,
            Arc::new(StringArray::from(vec!["a"])),
        ),
        (
            "order_date",
            DataType::Date32,
            Arc::new(Date32Array::from(vec![20_000])),
        ),
        (
            "amount",
            DataType::Decimal128(38, 30),
            Arc::new(
                Decimal128Array::from(vec![1])
                    .with_precision_and_scale(38, 30)
                    .unwrap(),
            ),
        ),
    ]);
    let err = run(&ctx, SQL).unwrap_err().to_string();
    assert!(err.contains("amount") && err.contains("scale 30"), "{err}");
}

#[test]
fn a_segment_map_for_other_bins_is_refused() {
    let ctx = ctx_with(vec![(
        "x",
        DataType::Int64,
        Arc::new(Int64Array::from(vec![7])),
    )]);
    let err = run(&ctx, "SELECT rfm_segment(x, 1, 1) FROM tx")
        .unwrap_err()
        .to_string();
    assert!(err.contains("score 7") && err.contains("\"x\""), "{err}");
    let err = run(&ctx, "SELECT rfm_segment(1, 1, 1, 'nope') FROM tx")
        .unwrap_err()
        .to_string();
    assert!(err.contains("nope"), "{err}");
}

fn find_external(e: &DataFusionError) -> Option<&Error> {
    match e {
        DataFusionError::External(b) => b.downcast_ref::<Error>(),
        DataFusionError::Context(_, inner) => find_external(inner),
        DataFusionError::Shared(inner) => find_external(inner),
        DataFusionError::Diagnostic(_, inner) => find_external(inner),
        _ => None,
    }
}
