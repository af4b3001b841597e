//! The `rfm_score` window function: attain-rfm's scoring over every customer of a window.

use std::hash::{Hash, Hasher};
use std::sync::Arc;

use attain_rfm::{CustomerValues, ScoreOptions, Scoring, score};
use datafusion::arrow::array::{ArrayRef, StructArray, UInt8Array};
use datafusion::arrow::datatypes::{DataType, Field, FieldRef, Fields};
use datafusion::common::ScalarValue;
use datafusion::error::{DataFusionError, Result as DFResult};
use datafusion::logical_expr::function::{PartitionEvaluatorArgs, WindowUDFFieldArgs};
use datafusion::logical_expr::{
    PartitionEvaluator, Signature, TypeSignature, Volatility, WindowUDFImpl,
};
use datafusion::physical_expr::expressions::Literal;

use crate::convert::{Strings, decimals, integers, plan_error};
use crate::error::{column_error, rfm_error};

const NAME: &str = "rfm_score";

/// The SQL window function
/// `rfm_score(recency_days, frequency, monetary, customer_id [, method [, bins]]) OVER ()`:
/// the R, F and M scores of every customer of the window, exactly as [`attain_rfm::score()`]
/// computes them over the same customers.
///
/// # Arguments
///
/// | argument | types |
/// |---|---|
/// | `recency_days`, `frequency` | any integer type (`frequency` must not be negative) |
/// | `monetary` | `DECIMAL(p, s)`, `s` in `0..=28` |
/// | `customer_id` | a string: the tie key of the positional methods |
/// | `method` (optional literal) | `'ties'`, `'ntile'`, `'even'`, `'qcut-rank'`, `'r-rfm'`, `'pymc'` (with `bins` 4), or `'thresholds'` when built with [`Scoring::Thresholds`] |
/// | `bins` (optional integer literal) | `2..=10` |
///
/// Without the literals the function scores with the [`ScoreOptions`] it was built with.
/// Any NULL argument is an error naming the column: filter the customers the aggregate
/// returned NULL for (`WHERE v IS NOT NULL`) first.
///
/// # Result
///
/// A struct `{r UInt8, f UInt8, m UInt8}`, each in `1..=bins`, higher better.
///
/// Use `OVER ()` to score all customers together: scores are relative to the window's
/// customers, as in the in-memory path. `OVER (PARTITION BY region)` scores each region on
/// its own.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RfmScoreWindow {
    options: ScoreOptions,
    signature: Signature,
}

impl Hash for RfmScoreWindow {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.options.bins.hash(state);
        self.options.scoring.name().hash(state);
        if let Scoring::Thresholds(t) = &self.options.scoring {
            t.hash(state);
        }
        self.signature.hash(state);
    }
}

impl RfmScoreWindow {
    /// The function scoring with `options` unless a call names a method or bins.
    #[must_use]
    pub fn new(options: ScoreOptions) -> Self {
        RfmScoreWindow {
            options,
            signature: Signature::one_of(
                vec![
                    TypeSignature::Any(4),
                    TypeSignature::Any(5),
                    TypeSignature::Any(6),
                ],
                Volatility::Immutable,
            ),
        }
    }

    /// The default options.
    #[must_use]
    pub fn options(&self) -> &ScoreOptions {
        &self.options
    }

    /// The options of one call: the defaults, with the method and bins literals applied.
    fn call_options(&self, extra: &[Option<ScalarValue>]) -> DFResult<ScoreOptions> {
        let mut options = self.options.clone();
        if let Some(method) = extra.first() {
            let name = match method {
                Some(
                    ScalarValue::Utf8(Some(s))
                    | ScalarValue::LargeUtf8(Some(s))
                    | ScalarValue::Utf8View(Some(s)),
                ) => s.as_str(),
                other => {
                    return Err(plan_error(
                        NAME,
                        "method",
                        format_args!("expected a string literal, got {other:?}"),
                    ));
                }
            };
            options.scoring = match name {
                "ties" => Scoring::Ties,
                "ntile" => Scoring::Ntile,
                "even" => Scoring::Even,
                "qcut-rank" => Scoring::QcutRank,
                "r-rfm" => Scoring::RRfm,
                "pymc" => Scoring::Pymc,
                "thresholds" if matches!(options.scoring, Scoring::Thresholds(_)) => {
                    options.scoring
                }
                other => {
                    return Err(plan_error(
                        NAME,
                        "method",
                        format_args!(
                            "unknown method {other:?}; expected ties, ntile, even, qcut-rank, r-rfm or pymc \
                             (thresholds only when the function was built with them)"
                        ),
                    ));
                }
            };
        }
        if let Some(bins) = extra.get(1) {
            let b = bins
                .as_ref()
                .and_then(|b| b.cast_to(&DataType::Int64).ok())
                .and_then(|b| match b {
                    ScalarValue::Int64(Some(b)) => u8::try_from(b).ok(),
                    _ => None,
                })
                .ok_or_else(|| {
                    plan_error(
                        NAME,
                        "bins",
                        format_args!("expected an integer literal in 2..=10, got {bins:?}"),
                    )
                })?;
            options.bins = b;
        }
        Ok(options)
    }
}

/// The fields of the `rfm_score` result.
pub(crate) fn score_fields() -> Fields {
    Fields::from(vec![
        Field::new("r", DataType::UInt8, false),
        Field::new("f", DataType::UInt8, false),
        Field::new("m", DataType::UInt8, false),
    ])
}

impl WindowUDFImpl for RfmScoreWindow {
    fn name(&self) -> &str {
        NAME
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn field(&self, args: WindowUDFFieldArgs) -> DFResult<FieldRef> {
        let fields = args.input_fields();
        let check = |i: usize, ok: fn(&DataType) -> bool, want: &str| -> DFResult<()> {
            match fields.get(i) {
                Some(f) if ok(f.data_type()) => Ok(()),
                Some(f) => Err(plan_error(
                    NAME,
                    f.name(),
                    format_args!("expected {want}, got {}", f.data_type()),
                )),
                None => Err(plan_error(NAME, "*", "missing argument")),
            }
        };
        check(0, DataType::is_integer, "an integer recency_days")?;
        check(1, DataType::is_integer, "an integer frequency")?;
        check(
            2,
            |t| matches!(t, DataType::Decimal128(_, s) if (0..=28).contains(s)),
            "a DECIMAL(p, s) monetary with s in 0..=28",
        )?;
        check(
            2 + 1,
            crate::convert::is_string_type,
            "a string customer_id",
        )?;
        Ok(Arc::new(Field::new(
            args.name(),
            DataType::Struct(score_fields()),
            false,
        )))
    }

    fn partition_evaluator(
        &self,
        args: PartitionEvaluatorArgs,
    ) -> DFResult<Box<dyn PartitionEvaluator>> {
        let extra = args
            .input_exprs()
            .iter()
            .skip(4)
            .map(|e| e.downcast_ref::<Literal>().map(|l| l.value().clone()))
            .collect::<Vec<_>>();
        if extra.iter().any(Option::is_none) {
            return Err(plan_error(
                NAME,
                "method",
                "method and bins must be literals",
            ));
        }
        let options = self.call_options(&extra)?;
        let columns = args
            .input_fields()
            .iter()
            .map(|f| f.name().clone())
            .collect();
        Ok(Box::new(ScoreEvaluator { options, columns }))
    }
}

#[derive(Debug)]
struct ScoreEvaluator {
    options: ScoreOptions,
    columns: Vec<String>,
}

impl ScoreEvaluator {
    fn column(&self, i: usize) -> &str {
        self.columns.get(i).map_or("?", String::as_str)
    }
}

fn null_error(column: &str, row: usize) -> DataFusionError {
    column_error(NAME, column, format!("NULL in row {}", row + 1))
}

impl PartitionEvaluator for ScoreEvaluator {
    fn evaluate_all(&mut self, values: &[ArrayRef], num_rows: usize) -> DFResult<ArrayRef> {
        if values.len() < 4 {
            return Err(plan_error(NAME, "*", "expects four columns"));
        }
        let recency = integers(&values[0], NAME, self.column(0))?;
        let frequency = integers(&values[1], NAME, self.column(1))?;
        let monetary = decimals(&values[2], NAME, self.column(2))?;
        let ids = Strings::new(&values[3], NAME, self.column(3))?;
        let mut customers = Vec::with_capacity(num_rows);
        for i in 0..num_rows {
            let r = recency
                .get(i)
                .copied()
                .flatten()
                .ok_or_else(|| null_error(self.column(0), i))?;
            let f = frequency
                .get(i)
                .copied()
                .flatten()
                .ok_or_else(|| null_error(self.column(1), i))?;
            let f = u64::try_from(f).map_err(|_| {
                column_error(NAME, self.column(1), format!("negative frequency {f}"))
            })?;
            let m = monetary
                .get(i)
                .copied()
                .flatten()
                .ok_or_else(|| null_error(self.column(2), i))?;
            let id = ids.get(i).ok_or_else(|| null_error(self.column(3), i))?;
            customers.push(CustomerValues::new(id, r, f, m));
        }
        let scores = score(&customers, &self.options).map_err(rfm_error)?;
        let (r, (f, m)): (Vec<u8>, (Vec<u8>, Vec<u8>)) =
            scores.iter().map(|s| (s.r, (s.f, s.m))).unzip();
        Ok(Arc::new(StructArray::try_new(
            score_fields(),
            vec![
                Arc::new(UInt8Array::from(r)),
                Arc::new(UInt8Array::from(f)),
                Arc::new(UInt8Array::from(m)),
            ],
            None,
        )?))
    }
}
