//! Acquisition cohort tables in DataFusion, with the conventions of
//! [`attain_lifecycle::cohort`].

use std::sync::Arc;

use attain_lifecycle::cohort::CohortOptions;
use attain_types::{Granularity, Period};
use datafusion::arrow::array::{ArrayRef, Date32Array, Int64Array};
use datafusion::arrow::datatypes::DataType;
use datafusion::common::{JoinType, ScalarValue};
use datafusion::dataframe::DataFrame;
use datafusion::error::Result as DFResult;
use datafusion::functions_aggregate::expr_fn::{count, min, sum};
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature, TypeSignature,
    Volatility, col, lit,
};

use crate::convert::{dates, days_from_date, is_date_type, plan_error};
use crate::error::column_error;

/// The name of a granularity as the period functions take it.
#[must_use]
pub fn granularity_name(granularity: Granularity) -> &'static str {
    match granularity {
        Granularity::Day => "day",
        Granularity::IsoWeek => "week",
        Granularity::Month => "month",
        Granularity::Quarter => "quarter",
        _ => "year",
    }
}

fn parse_granularity(name: &str) -> Option<Granularity> {
    Some(match name {
        "day" => Granularity::Day,
        "week" | "iso-week" => Granularity::IsoWeek,
        "month" => Granularity::Month,
        "quarter" => Granularity::Quarter,
        "year" => Granularity::Year,
        _ => return None,
    })
}

/// What a [`PeriodFunction`] returns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum PeriodOutput {
    /// `period_start(date, granularity)`: the first day of the period, `Date32`.
    Start,
    /// `period_index(date, granularity)`: a period number, `Int64`; the difference of two is
    /// the number of whole periods between them.
    Index,
}

/// The SQL scalar functions `period_start(date, granularity)` and
/// `period_index(date, granularity)`, with `granularity` one of the literals `'day'`,
/// `'week'` (ISO, Monday to Sunday), `'month'`, `'quarter'`, `'year'`. NULL in, NULL out.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PeriodFunction {
    output: PeriodOutput,
    signature: Signature,
}

impl PeriodFunction {
    /// The function returning `output`.
    #[must_use]
    pub fn new(output: PeriodOutput) -> Self {
        PeriodFunction {
            output,
            signature: Signature::one_of(vec![TypeSignature::Any(2)], Volatility::Immutable),
        }
    }

    fn fname(&self) -> &'static str {
        match self.output {
            PeriodOutput::Start => "period_start",
            PeriodOutput::Index => "period_index",
        }
    }
}

impl ScalarUDFImpl for PeriodFunction {
    fn name(&self) -> &str {
        self.fname()
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, arg_types: &[DataType]) -> DFResult<DataType> {
        if let Some(t) = arg_types.first()
            && !is_date_type(t)
        {
            return Err(plan_error(
                self.fname(),
                "date",
                format_args!("expected a DATE or a TIMESTAMP without time zone, got {t}"),
            ));
        }
        Ok(match self.output {
            PeriodOutput::Start => DataType::Date32,
            PeriodOutput::Index => DataType::Int64,
        })
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> DFResult<ColumnarValue> {
        let f = self.fname();
        let g = match args.args.get(1) {
            Some(ColumnarValue::Scalar(
                ScalarValue::Utf8(Some(name))
                | ScalarValue::LargeUtf8(Some(name))
                | ScalarValue::Utf8View(Some(name)),
            )) => parse_granularity(name).ok_or_else(|| {
                plan_error(
                    f,
                    "granularity",
                    format_args!(
                        "unknown granularity {name:?}; expected day, week, month, quarter or year"
                    ),
                )
            })?,
            _ => {
                return Err(plan_error(
                    f,
                    "granularity",
                    "expected a string literal granularity",
                ));
            }
        };
        let column = args
            .arg_fields
            .first()
            .map_or("date", |c| c.name().as_str());
        let input = ColumnarValue::values_to_arrays(&args.args[..1])?;
        let days = dates(&input[0], f, column)?;
        let out: ArrayRef = match self.output {
            PeriodOutput::Index => Arc::new(Int64Array::from(
                days.iter()
                    .map(|d| d.map(|d| g.period_index(d)))
                    .collect::<Vec<_>>(),
            )),
            PeriodOutput::Start => Arc::new(Date32Array::from(
                days.iter()
                    .map(|d| {
                        d.map(|d| {
                            Period::containing(d, g)
                                .map(|p| days_from_date(p.start()))
                                .map_err(|e| column_error(f, column, e.to_string()))
                        })
                        .transpose()
                    })
                    .collect::<DFResult<Vec<_>>>()?,
            )),
        };
        Ok(ColumnarValue::Array(out))
    }
}

/// The acquisition cohort table of a transaction log, as a DataFrame: one row per observed
/// cell with at least one active customer, sorted by cohort then offset.
///
/// `transactions` must have the columns `customer_id` (string), `order_date` (a date type)
/// and `amount` (`DECIMAL`); rename yours with a `select` first. The conventions are those of
/// [`attain_lifecycle::cohort::cohort_table`]: a customer's cohort is the period of its first
/// purchase (any order of rows), active means any transaction in the period (a refund or a
/// zero amount too), and with an explicit `options.as_of` later rows are left out.
///
/// | column | type | meaning |
/// |---|---|---|
/// | `cohort_start` | `Date32` | first day of the acquisition period |
/// | `period_offset` | `Int64` | periods since acquisition, `0..` |
/// | `cohort_size` | `Int64` | customers acquired in the period |
/// | `active_customers` | `Int64` | customers of the cohort who bought in that period |
/// | `revenue` | `DECIMAL` | the cohort's exact revenue in that period (the amount's scale) |
///
/// Cells the lifecycle table has with zero active customers (observed, nobody bought) are
/// absent here, and retention is `active_customers / cohort_size` (computed by the caller
/// with `attain_types::Rate::from_ratio` to stay exact). Rows with a NULL customer are left
/// out (they do not join).
///
/// # Errors
///
/// A DataFusion plan error when a column is missing or has the wrong type.
pub fn cohort_table(transactions: DataFrame, options: &CohortOptions) -> DFResult<DataFrame> {
    let g = lit(granularity_name(options.granularity));
    let start = ScalarUDF::from(PeriodFunction::new(PeriodOutput::Start));
    let index = ScalarUDF::from(PeriodFunction::new(PeriodOutput::Index));
    let mut tx = transactions.select(vec![col("customer_id"), col("order_date"), col("amount")])?;
    if let Some(as_of) = options.as_of {
        let as_of = lit(ScalarValue::Date32(Some(days_from_date(as_of))));
        tx = tx.filter(col("order_date").lt_eq(as_of))?;
    }
    let firsts = tx
        .clone()
        .aggregate(
            vec![col("customer_id")],
            vec![min(col("order_date")).alias("first_date")],
        )?
        .select(vec![
            col("customer_id").alias("first_customer"),
            col("first_date"),
        ])?;
    let per_customer = tx
        .join(
            firsts,
            JoinType::Inner,
            &["customer_id"],
            &["first_customer"],
            None,
        )?
        .aggregate(
            vec![
                col("customer_id"),
                start
                    .call(vec![col("first_date"), g.clone()])
                    .alias("cohort_start"),
                (index.call(vec![col("order_date"), g.clone()])
                    - index.call(vec![col("first_date"), g]))
                .alias("period_offset"),
            ],
            vec![sum(col("amount")).alias("revenue")],
        )?;
    let cells = per_customer.aggregate(
        vec![col("cohort_start"), col("period_offset")],
        vec![
            count(lit(1)).alias("active_customers"),
            sum(col("revenue")).alias("revenue"),
        ],
    )?;
    // Every customer is active in its acquisition period: sizes are the offset-0 cells.
    let sizes = cells
        .clone()
        .filter(col("period_offset").eq(lit(0i64)))?
        .select(vec![
            col("cohort_start").alias("size_start"),
            col("active_customers").alias("cohort_size"),
        ])?;
    cells
        .join(
            sizes,
            JoinType::Inner,
            &["cohort_start"],
            &["size_start"],
            None,
        )?
        .select(vec![
            col("cohort_start"),
            col("period_offset"),
            col("cohort_size"),
            col("active_customers"),
            col("revenue"),
        ])?
        .sort(vec![
            col("cohort_start").sort(true, false),
            col("period_offset").sort(true, false),
        ])
}
