//! `window_funnel` and `retention`: ClickHouse's funnel aggregates as DataFusion aggregate
//! functions, computed by attain-funnel (the implementation checked entity by entity against
//! ClickHouse 26.9), with partial states that merge exactly across partitions.

use std::sync::Arc;

use attain_funnel::measure::{
    Event, MeasureOptions, OTHER_STEP, StepOrder, WindowFunnelModes, measure,
};
use attain_funnel::retention::condition_retention;
use datafusion::arrow::array::{Array, ArrayRef, AsArray, BinaryArray, BooleanArray, UInt64Array};
use datafusion::arrow::datatypes::{DataType, Date32Type, Field, FieldRef, Int64Type};
use datafusion::common::ScalarValue;
use datafusion::error::{DataFusionError, Result as DFResult};
use datafusion::logical_expr::function::{AccumulatorArgs, StateFieldsArgs};
use datafusion::logical_expr::utils::format_state_name;
use datafusion::logical_expr::{Accumulator, AggregateUDFImpl, Signature, Volatility};
use datafusion::physical_expr::expressions::Literal;

use crate::convert::plan_error;
use crate::error::column_error;

const FUNNEL: &str = "window_funnel";
const RETENTION: &str = "retention";

/// The most conditions of one call (ClickHouse's limit too).
pub const MAX_CONDITIONS: usize = 32;

/// Version byte of the `window_funnel` partial state.
const STATE_VERSION: u8 = 1;
/// Bytes of one event in the partial state: timestamp (`i64`) and step (`u32`), little-endian.
const EVENT_BYTES: usize = 12;

/// The SQL aggregate `window_funnel(window, [modes,] timestamp, cond1, ..., condN)`:
/// ClickHouse's `windowFunnel(window, modes...)(timestamp, cond1, ..., condN)`, the furthest
/// step (0 to N) the group's rows reach in order within `window`.
///
/// ```
/// use attain_datafusion::WindowFunnelAggregate;
/// use datafusion::arrow::array::{Int64Array, RecordBatch, StringArray};
/// use datafusion::arrow::datatypes::{DataType, Field, Schema};
/// use datafusion::prelude::SessionContext;
/// use std::sync::Arc;
///
/// let schema = Arc::new(Schema::new(vec![
///     Field::new("user", DataType::Utf8, false),
///     Field::new("event", DataType::Utf8, false),
///     Field::new("ts", DataType::Int64, false),
/// ]));
/// let batch = RecordBatch::try_new(schema, vec![
///     Arc::new(StringArray::from(vec!["ann", "ann", "ann", "bob", "bob"])),
///     Arc::new(StringArray::from(vec!["visit", "signup", "deal", "visit", "deal"])),
///     Arc::new(Int64Array::from(vec![0, 600, 7_200, 10, 20])),
/// ])?;
/// let ctx = SessionContext::new();
/// ctx.register_batch("events", batch)?;
/// ctx.register_udaf(WindowFunnelAggregate::new().into());
/// let sql = "SELECT user, window_funnel(3600, ts, event = 'visit', event = 'signup', event = 'deal') AS level
///            FROM events GROUP BY user ORDER BY user";
/// let batches = tokio::runtime::Runtime::new()?
///     .block_on(async { ctx.sql(sql).await?.collect().await })?;
/// let text = datafusion::arrow::util::pretty::pretty_format_batches(&batches)?.to_string();
/// assert!(text.contains("| ann  | 2     |"), "{text}"); // the deal is 2 hours after the visit
/// assert!(text.contains("| bob  | 1     |"), "{text}"); // no signup
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Arguments
///
/// | argument | what it is |
/// |---|---|
/// | `window` | an integer literal `>= 0` in the timestamp's unit (inclusive, as ClickHouse) |
/// | `modes` (optional) | a string literal: ClickHouse's modes separated by commas (`'strict_order,allow_reentry'`, see [`WindowFunnelModes::parse`]), or one of attain's own orders `'attain_strict'` ([`StepOrder::Strict`]) and `'attain_any_order'` ([`StepOrder::AnyOrder`]); empty or absent is ClickHouse's default |
/// | `timestamp` | an integer, `TIMESTAMP` (its raw value in its unit) or `DATE` (days) column; NULL on a row that is an event is an error naming the column and row |
/// | `cond1..condN` | 1 to 32 `BOOLEAN` expressions; NULL counts as false, as in `WHERE` |
///
/// A row where several conditions hold is an event of each; with `strict_order`, a row where
/// none holds is an "other" event, which interrupts the funnel (as in ClickHouse). Checked
/// against ClickHouse 26.9's own output on attain-funnel's 100 k-event adversarial log (rows
/// meeting one condition each) in every mode combination; `strict_once` on rows meeting
/// several conditions at once is ClickHouse's only rule not reproduced (attain-funnel's rows
/// are one step each).
///
/// # Result and partial state
///
/// `UInt8`, as ClickHouse: 0 when no row meets `cond1`. The partial state is one `Binary`
/// value per group: a version byte, then the group's events (12 bytes each). Merging
/// concatenates, and the level is computed once from all of a group's events, so any split
/// of the rows over partitions or machines gives the same level. Memory is proportional to
/// the events of the groups in flight, as with ClickHouse's own state.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct WindowFunnelAggregate {
    signature: Signature,
}

impl WindowFunnelAggregate {
    /// The function, named `window_funnel`.
    #[must_use]
    pub fn new() -> Self {
        WindowFunnelAggregate {
            signature: Signature::variadic_any(Volatility::Immutable),
        }
    }
}

impl Default for WindowFunnelAggregate {
    fn default() -> Self {
        Self::new()
    }
}

/// Where the arguments of a `window_funnel` call are: the timestamp's index (1 or 2).
fn funnel_layout(types: &[DataType]) -> DFResult<usize> {
    let ts = match types.get(1) {
        Some(t) if crate::convert::is_string_type(t) => 2,
        _ => 1,
    };
    if !types.first().is_some_and(DataType::is_integer) {
        return Err(plan_error(
            FUNNEL,
            "window",
            "expected an integer window literal",
        ));
    }
    match types.get(ts) {
        Some(t) if t.is_integer() || matches!(t, DataType::Timestamp(..) | DataType::Date32) => {}
        other => {
            return Err(plan_error(
                FUNNEL,
                "timestamp",
                format!("expected an integer, TIMESTAMP or DATE column, got {other:?}"),
            ));
        }
    }
    check_conditions(FUNNEL, &types[(ts + 1).min(types.len())..])?;
    Ok(ts)
}

/// 1 to [`MAX_CONDITIONS`] boolean conditions.
fn check_conditions(function: &str, types: &[DataType]) -> DFResult<()> {
    if types.is_empty() || types.len() > MAX_CONDITIONS {
        return Err(plan_error(
            function,
            "conditions",
            format!(
                "expected 1 to {MAX_CONDITIONS} conditions, got {}",
                types.len()
            ),
        ));
    }
    if let Some((i, t)) = types
        .iter()
        .enumerate()
        .find(|(_, t)| !matches!(t, DataType::Boolean | DataType::Null))
    {
        return Err(plan_error(
            function,
            &format!("cond{}", i + 1),
            format!("expected a BOOLEAN condition, got {t}"),
        ));
    }
    Ok(())
}

/// The single, nullable state field `name` of an aggregate.
fn one_state_field(args: &StateFieldsArgs, name: &str, data_type: DataType) -> Vec<FieldRef> {
    vec![Arc::new(Field::new(
        format_state_name(args.name, name),
        data_type,
        true,
    ))]
}

/// A literal argument's value.
fn literal(args: &AccumulatorArgs, i: usize, what: &str) -> DFResult<ScalarValue> {
    args.exprs
        .get(i)
        .and_then(|e| e.downcast_ref::<Literal>())
        .map(|l| l.value().clone())
        .ok_or_else(|| plan_error(FUNNEL, what, "must be a literal"))
}

/// The step order of a `modes` literal.
fn parse_order(text: &str) -> DFResult<StepOrder> {
    match text.trim() {
        "attain_strict" => Ok(StepOrder::Strict),
        "attain_any_order" => Ok(StepOrder::AnyOrder),
        other => WindowFunnelModes::parse(other)
            .map(StepOrder::WindowFunnel)
            .map_err(|e| plan_error(FUNNEL, "modes", e)),
    }
}

impl AggregateUDFImpl for WindowFunnelAggregate {
    fn name(&self) -> &str {
        FUNNEL
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, arg_types: &[DataType]) -> DFResult<DataType> {
        funnel_layout(arg_types)?;
        Ok(DataType::UInt8)
    }

    fn accumulator(&self, args: AccumulatorArgs) -> DFResult<Box<dyn Accumulator>> {
        let types: Vec<DataType> = args
            .expr_fields
            .iter()
            .map(|f| f.data_type().clone())
            .collect();
        let ts = funnel_layout(&types)?;
        let window = match literal(&args, 0, "window")? {
            ScalarValue::Int64(Some(w)) => w,
            v => v
                .cast_to(&DataType::Int64)
                .ok()
                .and_then(|v| match v {
                    ScalarValue::Int64(w) => w,
                    _ => None,
                })
                .ok_or_else(|| plan_error(FUNNEL, "window", format!("not an integer: {v}")))?,
        };
        if window < 0 {
            return Err(plan_error(FUNNEL, "window", "must be >= 0"));
        }
        let order = if ts == 2 {
            match literal(&args, 1, "modes")? {
                ScalarValue::Utf8(Some(s))
                | ScalarValue::LargeUtf8(Some(s))
                | ScalarValue::Utf8View(Some(s)) => parse_order(&s)?,
                v => return Err(plan_error(FUNNEL, "modes", format!("not a string: {v}"))),
            }
        } else {
            StepOrder::WindowFunnel(WindowFunnelModes::default())
        };
        let steps = types.len() - ts - 1;
        let options = MeasureOptions::default().window(window).order(order);
        // Check the options once, here, rather than at the first group.
        measure(&[], steps, &options).map_err(|e| plan_error(FUNNEL, "modes", e))?;
        let others = matches!(order, StepOrder::WindowFunnel(m) if m.strict_order);
        Ok(Box::new(FunnelAccumulator {
            ts,
            steps,
            options,
            others,
            column: args
                .expr_fields
                .get(ts)
                .map_or_else(|| "timestamp".to_owned(), |f| f.name().clone()),
            events: Vec::new(),
        }))
    }

    fn state_fields(&self, args: StateFieldsArgs) -> DFResult<Vec<FieldRef>> {
        Ok(one_state_field(&args, "events", DataType::Binary))
    }
}

/// One group's events.
#[derive(Debug)]
struct FunnelAccumulator {
    ts: usize,
    steps: usize,
    options: MeasureOptions,
    /// Whether rows meeting no condition are kept as [`OTHER_STEP`] events (`strict_order`).
    others: bool,
    column: String,
    events: Vec<(i64, u32)>,
}

/// A timestamp column as `i64` values in its own unit (days for `DATE`).
fn timestamps(array: &ArrayRef, column: &str) -> DFResult<Vec<Option<i64>>> {
    Ok(match array.data_type() {
        DataType::Date32 => array
            .as_primitive::<Date32Type>()
            .iter()
            .map(|v| v.map(i64::from))
            .collect(),
        DataType::Timestamp(..) => {
            let cast = datafusion::arrow::compute::cast(array, &DataType::Int64)
                .map_err(|e| column_error(FUNNEL, column, e.to_string()))?;
            cast.as_primitive::<Int64Type>().iter().collect()
        }
        _ => crate::convert::integers(array, FUNNEL, column)?,
    })
}

impl Accumulator for FunnelAccumulator {
    fn update_batch(&mut self, values: &[ArrayRef]) -> DFResult<()> {
        let ts = timestamps(&values[self.ts], &self.column)?;
        let conditions: Vec<Option<&BooleanArray>> = values[self.ts + 1..]
            .iter()
            .map(|a| a.as_boolean_opt())
            .collect();
        for (row, t) in ts.iter().enumerate() {
            let mut any = false;
            for (step, c) in conditions.iter().enumerate() {
                if c.is_some_and(|c| c.is_valid(row) && c.value(row)) {
                    let t = t.ok_or_else(|| {
                        column_error(
                            FUNNEL,
                            &self.column,
                            format!("NULL timestamp in row {}", row + 1),
                        )
                    })?;
                    self.events.push((t, step as u32));
                    any = true;
                }
            }
            if !any && self.others {
                let t = t.ok_or_else(|| {
                    column_error(
                        FUNNEL,
                        &self.column,
                        format!("NULL timestamp in row {}", row + 1),
                    )
                })?;
                self.events.push((t, OTHER_STEP));
            }
        }
        Ok(())
    }

    fn evaluate(&mut self) -> DFResult<ScalarValue> {
        if self.events.is_empty() {
            return Ok(ScalarValue::UInt8(Some(0)));
        }
        let events: Vec<Event> = self
            .events
            .iter()
            .map(|&(timestamp, step)| Event {
                entity: 0,
                step,
                timestamp,
                group: 0,
            })
            .collect();
        let m = measure(&events, self.steps, &self.options)
            .map_err(|e| DataFusionError::External(Box::new(e)))?;
        let level = m.total.steps.iter().filter(|s| s.reached > 0).count();
        Ok(ScalarValue::UInt8(Some(
            u8::try_from(level).unwrap_or(u8::MAX),
        )))
    }

    fn size(&self) -> usize {
        size_of_val(self) + self.events.capacity() * size_of::<(i64, u32)>()
    }

    fn state(&mut self) -> DFResult<Vec<ScalarValue>> {
        let mut bytes = Vec::with_capacity(1 + self.events.len() * EVENT_BYTES);
        bytes.push(STATE_VERSION);
        for &(t, s) in &self.events {
            bytes.extend_from_slice(&t.to_le_bytes());
            bytes.extend_from_slice(&s.to_le_bytes());
        }
        Ok(vec![ScalarValue::Binary(Some(bytes))])
    }

    fn merge_batch(&mut self, states: &[ArrayRef]) -> DFResult<()> {
        let Some(array) = states.first() else {
            return Ok(());
        };
        let binary: &BinaryArray = array.as_binary_opt().ok_or_else(|| {
            column_error(
                FUNNEL,
                "state",
                format!("expected Binary, got {}", array.data_type()),
            )
        })?;
        for bytes in binary.iter().flatten() {
            decode_events(bytes, self.steps, &mut self.events)?;
        }
        Ok(())
    }
}

/// Appends the events of one encoded partial state to `out`.
fn decode_events(bytes: &[u8], steps: usize, out: &mut Vec<(i64, u32)>) -> DFResult<()> {
    let corrupt = |reason: &str| {
        column_error(
            FUNNEL,
            "state",
            format!("corrupted partial state: {reason}"),
        )
    };
    let Some((&version, body)) = bytes.split_first() else {
        return Err(corrupt("empty"));
    };
    if version != STATE_VERSION {
        return Err(corrupt(&format!(
            "version {version}, expected {STATE_VERSION}"
        )));
    }
    if body.len() % EVENT_BYTES != 0 {
        return Err(corrupt("length is not a whole number of events"));
    }
    for chunk in body.chunks_exact(EVENT_BYTES) {
        let mut t = [0u8; 8];
        t.copy_from_slice(&chunk[..8]);
        let mut s = [0u8; 4];
        s.copy_from_slice(&chunk[8..]);
        let step = u32::from_le_bytes(s);
        if step != OTHER_STEP && step as usize >= steps {
            return Err(corrupt(&format!("step {step} of a {steps}-step funnel")));
        }
        out.push((i64::from_le_bytes(t), step));
    }
    Ok(())
}

/// The SQL aggregate `retention(cond1, ..., condN)`: ClickHouse's `retention`, an array of
/// `N` `UInt8` flags per group: element 1 is whether `cond1` holds on some row, element `i`
/// whether `cond1` and `condi` each hold on some row ([`condition_retention`]).
///
/// ```
/// use attain_datafusion::RetentionAggregate;
/// use datafusion::arrow::array::{Int64Array, RecordBatch, StringArray};
/// use datafusion::arrow::datatypes::{DataType, Field, Schema};
/// use datafusion::prelude::SessionContext;
/// use std::sync::Arc;
///
/// let schema = Arc::new(Schema::new(vec![
///     Field::new("user", DataType::Utf8, false),
///     Field::new("day", DataType::Int64, false),
/// ]));
/// let batch = RecordBatch::try_new(schema, vec![
///     Arc::new(StringArray::from(vec!["ann", "ann", "bob", "cid"])),
///     Arc::new(Int64Array::from(vec![0, 2, 0, 1])),
/// ])?;
/// let ctx = SessionContext::new();
/// ctx.register_batch("visits", batch)?;
/// ctx.register_udaf(RetentionAggregate::new().into());
/// let sql = "SELECT user, retention(day = 0, day = 1, day = 2) AS r FROM visits GROUP BY user ORDER BY user";
/// let batches = tokio::runtime::Runtime::new()?
///     .block_on(async { ctx.sql(sql).await?.collect().await })?;
/// let text = datafusion::arrow::util::pretty::pretty_format_batches(&batches)?.to_string();
/// assert!(text.contains("| ann  | [1, 0, 1] |"), "{text}");
/// assert!(text.contains("| bob  | [1, 0, 0] |"), "{text}");
/// assert!(text.contains("| cid  | [0, 0, 0] |"), "{text}"); // day 1 without day 0 counts nothing
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// Conditions are 1 to 32 `BOOLEAN` expressions (NULL counts as false). The partial state
/// is one `UInt64` bit set per group, merged by OR, so partitions never change the result.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RetentionAggregate {
    signature: Signature,
}

impl RetentionAggregate {
    /// The function, named `retention`.
    #[must_use]
    pub fn new() -> Self {
        RetentionAggregate {
            signature: Signature::variadic_any(Volatility::Immutable),
        }
    }
}

impl Default for RetentionAggregate {
    fn default() -> Self {
        Self::new()
    }
}

fn retention_type() -> DataType {
    DataType::List(Arc::new(Field::new_list_field(DataType::UInt8, true)))
}

impl AggregateUDFImpl for RetentionAggregate {
    fn name(&self) -> &str {
        RETENTION
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, arg_types: &[DataType]) -> DFResult<DataType> {
        check_conditions(RETENTION, arg_types)?;
        Ok(retention_type())
    }

    fn accumulator(&self, args: AccumulatorArgs) -> DFResult<Box<dyn Accumulator>> {
        Ok(Box::new(RetentionAccumulator {
            conditions: args.expr_fields.len(),
            holds: 0,
        }))
    }

    fn state_fields(&self, args: StateFieldsArgs) -> DFResult<Vec<FieldRef>> {
        Ok(one_state_field(&args, "holds", DataType::UInt64))
    }
}

/// One group's conditions seen, bit `i` for `cond(i+1)`.
#[derive(Debug)]
struct RetentionAccumulator {
    conditions: usize,
    holds: u64,
}

impl Accumulator for RetentionAccumulator {
    fn update_batch(&mut self, values: &[ArrayRef]) -> DFResult<()> {
        for (i, a) in values.iter().enumerate().take(self.conditions) {
            // `true_count` leaves NULLs out: a NULL condition is not true.
            if a.as_boolean_opt().is_some_and(|c| c.true_count() > 0) {
                self.holds |= 1 << i;
            }
        }
        Ok(())
    }

    fn evaluate(&mut self) -> DFResult<ScalarValue> {
        let holds: Vec<bool> = (0..self.conditions)
            .map(|i| self.holds & (1 << i) != 0)
            .collect();
        let flags: Vec<ScalarValue> = condition_retention(&holds)
            .into_iter()
            .map(|b| ScalarValue::UInt8(Some(u8::from(b))))
            .collect();
        Ok(ScalarValue::List(ScalarValue::new_list_nullable(
            &flags,
            &DataType::UInt8,
        )))
    }

    fn size(&self) -> usize {
        size_of_val(self)
    }

    fn state(&mut self) -> DFResult<Vec<ScalarValue>> {
        Ok(vec![ScalarValue::UInt64(Some(self.holds))])
    }

    fn merge_batch(&mut self, states: &[ArrayRef]) -> DFResult<()> {
        if let Some(a) = states.first() {
            let bits: &UInt64Array = a.as_primitive_opt().ok_or_else(|| {
                column_error(
                    RETENTION,
                    "state",
                    format!("expected UInt64, got {}", a.data_type()),
                )
            })?;
            for b in bits.iter().flatten() {
                self.holds |= b;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn funnel_states_round_trip_and_reject_corruption() {
        let mut acc = FunnelAccumulator {
            ts: 1,
            steps: 2,
            options: MeasureOptions::default().window(10),
            others: false,
            column: "ts".to_owned(),
            events: vec![(5, 0), (-3, 1), (7, OTHER_STEP)],
        };
        let ScalarValue::Binary(Some(bytes)) = acc.state().unwrap().remove(0) else {
            panic!("not binary")
        };
        let mut back = Vec::new();
        decode_events(&bytes, 2, &mut back).unwrap();
        assert_eq!(back, acc.events);
        assert!(decode_events(&[], 2, &mut back).is_err());
        assert!(decode_events(&[2], 2, &mut back).is_err());
        assert!(decode_events(&bytes[..bytes.len() - 1], 2, &mut back).is_err());
        // Step 1 of a 1-step funnel is corruption, not a panic in the funnel.
        assert!(decode_events(&bytes, 1, &mut back).is_err());
    }

    #[test]
    fn modes_parse_clickhouse_names_and_attains_own() {
        assert_eq!(parse_order("attain_strict").unwrap(), StepOrder::Strict);
        assert_eq!(
            parse_order("attain_any_order").unwrap(),
            StepOrder::AnyOrder
        );
        let StepOrder::WindowFunnel(m) = parse_order("strict_order,allow_reentry").unwrap() else {
            panic!("not windowFunnel")
        };
        assert!(m.strict_order && m.allow_reentry);
        assert!(parse_order("strict").is_err());
        assert!(parse_order("allow_reentry").is_err());
    }
}
