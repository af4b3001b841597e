//! Arrow columns to and from attain's values: dates, exact decimals, strings.

use attain_types::{Decimal, NaiveDate, RoundingStrategy};
use chrono::Datelike;
use datafusion::arrow::array::{
    Array, ArrayRef, AsArray, LargeStringArray, StringArray, StringViewArray,
};
use datafusion::arrow::datatypes::{
    DataType, Date32Type, Date64Type, Decimal128Type, Int64Type, TimeUnit,
    TimestampMicrosecondType, TimestampMillisecondType, TimestampNanosecondType,
    TimestampSecondType,
};
use datafusion::error::{DataFusionError, Result as DFResult};

use crate::error::column_error;

/// Days from 0001-01-01 (day 1) to 1970-01-01, the Arrow date epoch.
pub(crate) const EPOCH_DAYS_FROM_CE: i32 = 719_163;

/// The largest scale `rust_decimal` holds.
pub(crate) const MAX_SCALE: i8 = 28;

/// Whether `t` is a date type the functions read: `Date32`, `Date64`, or a timestamp
/// without a time zone (its calendar date).
pub(crate) fn is_date_type(t: &DataType) -> bool {
    matches!(
        t,
        DataType::Date32 | DataType::Date64 | DataType::Timestamp(_, None)
    )
}

/// Whether `t` is a string type (`Utf8`, `LargeUtf8`, `Utf8View`).
pub(crate) fn is_string_type(t: &DataType) -> bool {
    matches!(t, DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View)
}

/// A `Date32` value (days since 1970-01-01) as a date.
pub(crate) fn date_from_days(days: i64) -> Option<NaiveDate> {
    let ce = i32::try_from(days.checked_add(i64::from(EPOCH_DAYS_FROM_CE))?).ok()?;
    NaiveDate::from_num_days_from_ce_opt(ce)
}

/// A date as a `Date32` value.
pub(crate) fn days_from_date(d: NaiveDate) -> i32 {
    d.num_days_from_ce() - EPOCH_DAYS_FROM_CE
}

/// The calendar dates of a date column, `None` for NULL.
///
/// # Errors
///
/// A column error for an unsupported type or a date out of chrono's range.
pub(crate) fn dates(
    array: &ArrayRef,
    function: &'static str,
    column: &str,
) -> DFResult<Vec<Option<NaiveDate>>> {
    fn conv<T>(
        values: impl Iterator<Item = Option<T>>,
        per_day: i64,
        function: &'static str,
        column: &str,
    ) -> DFResult<Vec<Option<NaiveDate>>>
    where
        i64: From<T>,
        T: Copy + std::fmt::Display,
    {
        values
            .map(|v| {
                v.map(|v| {
                    date_from_days(i64::from(v).div_euclid(per_day)).ok_or_else(|| {
                        column_error(function, column, format!("date value {v} out of range"))
                    })
                })
                .transpose()
            })
            .collect()
    }
    const DAY_S: i64 = 86_400;
    match array.data_type() {
        DataType::Date32 => conv(
            array.as_primitive::<Date32Type>().iter(),
            1,
            function,
            column,
        ),
        DataType::Date64 => conv(
            array.as_primitive::<Date64Type>().iter(),
            DAY_S * 1_000,
            function,
            column,
        ),
        DataType::Timestamp(unit, None) => {
            let (it, per_day): (Box<dyn Iterator<Item = Option<i64>>>, i64) = match unit {
                TimeUnit::Second => (
                    Box::new(array.as_primitive::<TimestampSecondType>().iter()),
                    DAY_S,
                ),
                TimeUnit::Millisecond => (
                    Box::new(array.as_primitive::<TimestampMillisecondType>().iter()),
                    DAY_S * 1_000,
                ),
                TimeUnit::Microsecond => (
                    Box::new(array.as_primitive::<TimestampMicrosecondType>().iter()),
                    DAY_S * 1_000_000,
                ),
                TimeUnit::Nanosecond => (
                    Box::new(array.as_primitive::<TimestampNanosecondType>().iter()),
                    DAY_S * 1_000_000_000,
                ),
            };
            conv(it, per_day, function, column)
        }
        other => Err(column_error(
            function,
            column,
            format!("expected a DATE or a TIMESTAMP without time zone, got {other}"),
        )),
    }
}

/// The exact decimals of a `Decimal128` column, `None` for NULL.
///
/// # Errors
///
/// A column error for another type, a scale outside `0..=28`, or a value beyond
/// `rust_decimal`'s 96-bit mantissa.
pub(crate) fn decimals(
    array: &ArrayRef,
    function: &'static str,
    column: &str,
) -> DFResult<Vec<Option<Decimal>>> {
    let DataType::Decimal128(_, scale) = array.data_type() else {
        return Err(column_error(
            function,
            column,
            format!(
                "expected DECIMAL(p, s), got {}; money is never a float, CAST it to DECIMAL",
                array.data_type()
            ),
        ));
    };
    let scale = check_scale(*scale, function, column)?;
    array
        .as_primitive::<Decimal128Type>()
        .iter()
        .map(|v| {
            v.map(|v| {
                Decimal::try_from_i128_with_scale(v, scale).map_err(|_| {
                    column_error(
                        function,
                        column,
                        format!("value {v} (scale {scale}) exceeds the exact 96-bit decimal range"),
                    )
                })
            })
            .transpose()
        })
        .collect()
}

/// A decimal scale as `u32`, when it is in `0..=28`.
///
/// # Errors
///
/// A column error naming the scale.
pub(crate) fn check_scale(scale: i8, function: &'static str, column: &str) -> DFResult<u32> {
    if (0..=MAX_SCALE).contains(&scale) {
        Ok(scale.unsigned_abs().into())
    } else {
        Err(column_error(
            function,
            column,
            format!("decimal scale {scale} is outside 0..=28, the exact range"),
        ))
    }
}

/// Integer values of a column (any integer type) as `i64`.
///
/// # Errors
///
/// A column error for another type or a value beyond `i64`.
pub(crate) fn integers(
    array: &ArrayRef,
    function: &'static str,
    column: &str,
) -> DFResult<Vec<Option<i64>>> {
    if !array.data_type().is_integer() {
        return Err(column_error(
            function,
            column,
            format!("expected an integer column, got {}", array.data_type()),
        ));
    }
    let cast = datafusion::arrow::compute::cast_with_options(
        array,
        &DataType::Int64,
        &datafusion::arrow::compute::CastOptions {
            safe: false,
            ..Default::default()
        },
    )
    .map_err(|e| column_error(function, column, e.to_string()))?;
    Ok(cast.as_primitive::<Int64Type>().iter().collect())
}

/// A string column of any of the three layouts.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Strings<'a> {
    Utf8(&'a StringArray),
    Large(&'a LargeStringArray),
    View(&'a StringViewArray),
}

impl<'a> Strings<'a> {
    /// The column as strings.
    ///
    /// # Errors
    ///
    /// A column error for a non-string type.
    pub(crate) fn new(
        array: &'a ArrayRef,
        function: &'static str,
        column: &str,
    ) -> DFResult<Strings<'a>> {
        Ok(match array.data_type() {
            DataType::Utf8 => Strings::Utf8(array.as_string::<i32>()),
            DataType::LargeUtf8 => Strings::Large(array.as_string::<i64>()),
            DataType::Utf8View => Strings::View(array.as_string_view()),
            other => {
                return Err(column_error(
                    function,
                    column,
                    format!("expected a string column, got {other}"),
                ));
            }
        })
    }

    /// Value `i`, `None` for NULL.
    pub(crate) fn get(&self, i: usize) -> Option<&'a str> {
        match self {
            Strings::Utf8(a) => a.is_valid(i).then(|| a.value(i)),
            Strings::Large(a) => a.is_valid(i).then(|| a.value(i)),
            Strings::View(a) => a.is_valid(i).then(|| a.value(i)),
        }
    }
}

/// A decimal as an `i128` mantissa at `scale` (rounded half-even when it has more digits),
/// `None` when it does not fit 38 digits.
pub(crate) fn decimal_to_i128(d: Decimal, scale: u32) -> Option<i128> {
    let d = if d.scale() > scale {
        d.round_dp_with_strategy(scale, RoundingStrategy::MidpointNearestEven)
    } else {
        d
    };
    let up = scale.checked_sub(d.scale())?;
    let v = d.mantissa().checked_mul(10i128.checked_pow(up)?)?;
    (v.unsigned_abs() < 10u128.pow(38)).then_some(v)
}

/// A plan error naming the function and the argument.
pub(crate) fn plan_error(
    function: &str,
    column: &str,
    reason: impl std::fmt::Display,
) -> DataFusionError {
    DataFusionError::Plan(format!("{function}: column {column:?}: {reason}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use attain_types::dec;

    #[test]
    fn decimals_rescale_exactly_and_round_half_even() {
        assert_eq!(decimal_to_i128(dec!(1.5), 2), Some(150));
        assert_eq!(decimal_to_i128(dec!(-0.01), 2), Some(-1));
        // Half-even at the last digit: 0.125 -> 0.12, 0.135 -> 0.14.
        assert_eq!(decimal_to_i128(dec!(0.125), 2), Some(12));
        assert_eq!(decimal_to_i128(dec!(0.135), 2), Some(14));
        // 38 digits do not fit DECIMAL(38, s): an error, not a wrap.
        let big = Decimal::MAX; // about 7.9e28
        assert_eq!(decimal_to_i128(big, 10), None);
        assert!(decimal_to_i128(big, 9).is_some());
    }

    #[test]
    fn dates_round_trip_through_date32() {
        for (y, m, d) in [(1970, 1, 1), (1969, 12, 31), (2026, 1, 1), (1, 1, 1)] {
            let date = NaiveDate::from_ymd_opt(y, m, d).unwrap();
            assert_eq!(date_from_days(i64::from(days_from_date(date))), Some(date));
        }
        assert_eq!(
            days_from_date(NaiveDate::from_ymd_opt(1970, 1, 2).unwrap()),
            1
        );
        assert_eq!(date_from_days(i64::MAX), None);
    }

    #[test]
    fn timestamps_take_their_calendar_date() {
        use datafusion::arrow::array::TimestampSecondArray;
        // 1969-12-31T23:59:59 is the day before the epoch, not the epoch's day.
        let a: ArrayRef = std::sync::Arc::new(TimestampSecondArray::from(vec![-1, 86_400]));
        let got = dates(&a, "t", "c").unwrap();
        assert_eq!(got[0], NaiveDate::from_ymd_opt(1969, 12, 31));
        assert_eq!(got[1], NaiveDate::from_ymd_opt(1970, 1, 2));
    }
}
