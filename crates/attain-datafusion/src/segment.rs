//! The `rfm_segment` scalar function: a [`SegmentMap`] applied to score triples.

use std::sync::Arc;

use attain_rfm::{RfmScore, SegmentMap};
use datafusion::arrow::array::{ArrayRef, StringBuilder};
use datafusion::arrow::datatypes::DataType;
use datafusion::common::ScalarValue;
use datafusion::error::Result as DFResult;
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDFImpl, Signature, TypeSignature, Volatility,
};

use crate::convert::{integers, plan_error};
use crate::error::column_error;

const NAME: &str = "rfm_segment";

/// The SQL scalar function `rfm_segment(r, f, m [, map])`: the segment of a score triple,
/// as [`SegmentMap::assign`] gives it.
///
/// * `r`, `f`, `m`: integer scores (the fields of `rfm_score`); NULL in, NULL out.
/// * `map` (optional string literal): a built-in map by name, `'standard11'` or `'three'`
///   ([`SegmentMap::builtin`]); without it, the map the function was built with (by default
///   [`SegmentMap::standard11`]).
///
/// The result is the segment name, or NULL when no rule matches and the map has no
/// fallback. A score above the map's bins, or below 1, is an error naming the column: the
/// map was written for another number of bins.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RfmSegmentFunction {
    map: SegmentMap,
    signature: Signature,
}

impl RfmSegmentFunction {
    /// The function with `map` as its default map.
    #[must_use]
    pub fn new(map: SegmentMap) -> Self {
        RfmSegmentFunction {
            map,
            signature: Signature::one_of(
                vec![TypeSignature::Any(3), TypeSignature::Any(4)],
                Volatility::Immutable,
            ),
        }
    }

    /// The default map.
    #[must_use]
    pub fn map(&self) -> &SegmentMap {
        &self.map
    }
}

impl Default for RfmSegmentFunction {
    fn default() -> Self {
        RfmSegmentFunction::new(SegmentMap::standard11())
    }
}

impl ScalarUDFImpl for RfmSegmentFunction {
    fn name(&self) -> &str {
        NAME
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, arg_types: &[DataType]) -> DFResult<DataType> {
        for (t, name) in arg_types.iter().zip(["r", "f", "m"]) {
            if !t.is_integer() && *t != DataType::Null {
                return Err(plan_error(
                    NAME,
                    name,
                    format_args!("expected an integer score, got {t}"),
                ));
            }
        }
        if let Some(t) = arg_types.get(3)
            && !crate::convert::is_string_type(t)
        {
            return Err(plan_error(
                NAME,
                "map",
                format_args!("expected a string literal map name, got {t}"),
            ));
        }
        Ok(DataType::Utf8)
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> DFResult<ColumnarValue> {
        let builtin;
        let map = match args.args.get(3) {
            None => &self.map,
            Some(ColumnarValue::Scalar(
                ScalarValue::Utf8(Some(name))
                | ScalarValue::LargeUtf8(Some(name))
                | ScalarValue::Utf8View(Some(name)),
            )) => {
                builtin = SegmentMap::builtin(name).ok_or_else(|| {
                    plan_error(
                        NAME,
                        "map",
                        format_args!("unknown map {name:?}; expected standard11 or three"),
                    )
                })?;
                &builtin
            }
            Some(_) => {
                return Err(plan_error(
                    NAME,
                    "map",
                    "the map name must be a string literal",
                ));
            }
        };
        let names: Vec<String> = args
            .arg_fields
            .iter()
            .take(3)
            .map(|f| f.name().clone())
            .collect();
        let arrays = ColumnarValue::values_to_arrays(&args.args[..3.min(args.args.len())])?;
        let mut scores = Vec::with_capacity(3);
        for (i, a) in arrays.iter().enumerate() {
            let column = names.get(i).map_or("?", String::as_str);
            let values = if *a.data_type() == DataType::Null {
                vec![None; a.len()]
            } else {
                integers(a, NAME, column)?
            };
            for v in values.iter().flatten() {
                if *v < 1 || *v > i64::from(map.bins) {
                    return Err(column_error(
                        NAME,
                        column,
                        format!(
                            "score {v} is outside 1..={} of segment map {:?}",
                            map.bins, map.name
                        ),
                    ));
                }
            }
            scores.push(values);
        }
        let n = scores.first().map_or(0, Vec::len);
        let mut out = StringBuilder::with_capacity(n, n * 16);
        for i in 0..n {
            let get = |k: usize| scores.get(k).and_then(|s| s.get(i)).copied().flatten();
            match (get(0), get(1), get(2)) {
                (Some(r), Some(f), Some(m)) => {
                    // In 1..=bins <= 10 (checked above), so the casts are exact.
                    let s = RfmScore::new(r as u8, f as u8, m as u8);
                    out.append_option(map.assign(s));
                }
                _ => out.append_null(),
            }
        }
        let array: ArrayRef = Arc::new(out.finish());
        Ok(ColumnarValue::Array(array))
    }
}
