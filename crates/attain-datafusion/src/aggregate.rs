//! The `rfm` aggregate function: attain-rfm's mergeable [`CustomerState`] as a DataFusion
//! aggregate whose partial state is the state's binary encoding.

use std::sync::Arc;

use attain_rfm::{
    AfterAsOf, AggregateOptions, CustomerState, CustomerValues, MonetaryMode, ReturnsMode,
    Tracking, Transaction,
};
use attain_types::NaiveDate;
use datafusion::arrow::array::{
    Array, ArrayRef, AsArray, BinaryArray, BooleanArray, Date32Array, Decimal128Array, Int64Array,
    StructArray, UInt64Array,
};
use datafusion::arrow::buffer::{Buffer, NullBuffer, OffsetBuffer, ScalarBuffer};
use datafusion::arrow::datatypes::{DataType, Field, FieldRef, Fields};
use datafusion::common::ScalarValue;
use datafusion::error::Result as DFResult;
use datafusion::logical_expr::function::{AccumulatorArgs, StateFieldsArgs};
use datafusion::logical_expr::utils::format_state_name;
use datafusion::logical_expr::{
    Accumulator, AggregateUDFImpl, EmitTo, GroupsAccumulator, Signature, TypeSignature, Volatility,
};

use crate::convert::{
    Strings, check_scale, dates, days_from_date, decimal_to_i128, decimals, is_date_type,
    is_string_type, plan_error,
};
use crate::error::{column_error, rfm_error};

const NAME: &str = "rfm";

/// The smallest monetary scale of the mean modes.
pub const MEAN_SCALE: u32 = 10;

/// The SQL aggregate `rfm(order_date, amount [, order_id])`: one customer's recency,
/// frequency and monetary values at a fixed `as_of`, exactly as [`attain_rfm::aggregate`]
/// computes them.
///
/// # Arguments
///
/// | argument | types | NULL |
/// |---|---|---|
/// | `order_date` | `DATE` (`Date32`, `Date64`), `TIMESTAMP` without time zone (its date) | an error naming the column |
/// | `amount` | `DECIMAL(p, s)` (`Decimal128`), `s` in `0..=28`; floats and integers are rejected at planning | an error naming the column |
/// | `order_id` (optional) | `VARCHAR` (`Utf8`, `LargeUtf8`, `Utf8View`) | an anonymous order: counts once per row |
///
/// Rows dated after `as_of` and refunds (negative amounts) are kept or left out as the
/// [`AggregateOptions`] say, exactly as [`attain_rfm::Aggregator::push`] does.
///
/// # Result
///
/// A struct, NULL for a group whose every row was left out (a customer the in-memory path
/// does not list):
///
/// | field | type |
/// |---|---|
/// | `recency_days` | `Int64`: `as_of - last_purchase` in days |
/// | `frequency` | `UInt64` |
/// | `monetary` | `Decimal128(38, S)`: `S` is the amount's scale for [`MonetaryMode::Sum`] (exact); for the mean modes `S = max(scale, 10)` and the mean is rounded half-even to `S` digits |
/// | `first_purchase`, `last_purchase` | `Date32` |
///
/// # Partial state and distribution
///
/// The partial state is one `Binary` column holding [`CustomerState::to_bytes`] (encoding
/// version 2); partial states are merged with [`CustomerState::merge`], an associative and
/// commutative monoid, so any split of the rows over partitions, threads or machines gives
/// the same result. The distinct order ids are kept exactly (never a probabilistic sketch):
/// an id of at most 15 bytes is one packed 16-byte key in a sorted vector per customer,
/// merged by a linear merge of sorted runs, and only longer ids are kept as text. A
/// `GroupsAccumulator` keeps one state per group and reports its heap size (the states'
/// vectors at their capacity, in constant time per touched group) to DataFusion's memory
/// pool, so the aggregation spills or fails with `ResourcesExhausted` instead of outgrowing
/// the pool.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RfmAggregate {
    as_of: NaiveDate,
    options: AggregateOptions,
    signature: Signature,
}

impl RfmAggregate {
    /// The function for `as_of` and `options`.
    #[must_use]
    pub fn new(as_of: NaiveDate, options: AggregateOptions) -> Self {
        RfmAggregate {
            as_of,
            options,
            signature: Signature::one_of(
                vec![TypeSignature::Any(2), TypeSignature::Any(3)],
                Volatility::Immutable,
            ),
        }
    }

    /// The date recency counts back from.
    #[must_use]
    pub fn as_of(&self) -> NaiveDate {
        self.as_of
    }

    /// The aggregation options.
    #[must_use]
    pub fn options(&self) -> AggregateOptions {
        self.options
    }

    /// The monetary scale of the result for an amount of `input_scale`.
    #[must_use]
    pub fn monetary_scale(&self, input_scale: u32) -> u32 {
        match self.options.monetary {
            MonetaryMode::Sum => input_scale,
            _ => input_scale.max(MEAN_SCALE),
        }
    }

    fn result_type(&self, types: &[DataType], names: &[&str]) -> DFResult<DataType> {
        let name = |i: usize| names.get(i).copied().unwrap_or("?");
        if !(2..=3).contains(&types.len()) {
            return Err(plan_error(
                NAME,
                "*",
                "expects (order_date, amount [, order_id])",
            ));
        }
        if !is_date_type(&types[0]) {
            return Err(plan_error(
                NAME,
                name(0),
                format_args!(
                    "expected a DATE or a TIMESTAMP without time zone, got {}",
                    types[0]
                ),
            ));
        }
        let scale = match &types[1] {
            DataType::Decimal128(_, s) => check_scale(*s, NAME, name(1)).map_err(|_| {
                plan_error(
                    NAME,
                    name(1),
                    format_args!("decimal scale {s} is outside 0..=28"),
                )
            })?,
            other => {
                return Err(plan_error(
                    NAME,
                    name(1),
                    format_args!(
                        "expected DECIMAL(p, s), got {other}; money is never a float and an \
                         integer does not say its unit: store or CAST the amounts as DECIMAL"
                    ),
                ));
            }
        };
        if let Some(t) = types.get(2)
            && !is_string_type(t)
            && *t != DataType::Null
        {
            return Err(plan_error(
                NAME,
                name(2),
                format_args!("expected a string order id, got {t}"),
            ));
        }
        Ok(DataType::Struct(result_fields(self.monetary_scale(scale))))
    }
}

/// The fields of the `rfm` result struct with monetary scale `scale`.
pub(crate) fn result_fields(scale: u32) -> Fields {
    let scale = i8::try_from(scale).unwrap_or(i8::MAX);
    Fields::from(vec![
        Field::new("recency_days", DataType::Int64, true),
        Field::new("frequency", DataType::UInt64, true),
        Field::new("monetary", DataType::Decimal128(38, scale), true),
        Field::new("first_purchase", DataType::Date32, true),
        Field::new("last_purchase", DataType::Date32, true),
    ])
}

impl AggregateUDFImpl for RfmAggregate {
    fn name(&self) -> &str {
        NAME
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, arg_types: &[DataType]) -> DFResult<DataType> {
        self.result_type(arg_types, &["order_date", "amount", "order_id"])
    }

    fn return_field(&self, arg_fields: &[FieldRef]) -> DFResult<FieldRef> {
        let types: Vec<DataType> = arg_fields.iter().map(|f| f.data_type().clone()).collect();
        let names: Vec<&str> = arg_fields.iter().map(|f| f.name().as_str()).collect();
        Ok(Arc::new(Field::new(
            NAME,
            self.result_type(&types, &names)?,
            true,
        )))
    }

    fn accumulator(&self, args: AccumulatorArgs) -> DFResult<Box<dyn Accumulator>> {
        Ok(Box::new(RfmAccumulator {
            inner: RfmGroups::new(self, &args)?,
        }))
    }

    fn state_fields(&self, args: StateFieldsArgs) -> DFResult<Vec<FieldRef>> {
        Ok(vec![Arc::new(Field::new(
            format_state_name(args.name, "customer_state"),
            DataType::Binary,
            true,
        ))])
    }

    fn groups_accumulator_supported(&self, _args: AccumulatorArgs) -> bool {
        true
    }

    fn create_groups_accumulator(
        &self,
        args: AccumulatorArgs,
    ) -> DFResult<Box<dyn GroupsAccumulator>> {
        Ok(Box::new(RfmGroups::new(self, &args)?))
    }
}

/// One state per group, plus what is needed to read the input and to report memory.
#[derive(Debug)]
struct RfmGroups {
    as_of: NaiveDate,
    options: AggregateOptions,
    tracking: Tracking,
    columns: [String; 3],
    scale: u32,
    states: Vec<CustomerState>,
    /// `heap[g]` is `states[g].heap_size()` as of the last batch.
    heap: Vec<usize>,
    heap_total: usize,
    touched: Vec<usize>,
}

impl RfmGroups {
    fn new(f: &RfmAggregate, args: &AccumulatorArgs) -> DFResult<Self> {
        let name = |i: usize| {
            args.expr_fields
                .get(i)
                .map_or_else(|| format!("argument {}", i + 1), |f| f.name().clone())
        };
        let columns = [name(0), name(1), name(2)];
        let DataType::Struct(fields) = args.return_field.data_type() else {
            return Err(plan_error(NAME, "*", "unexpected return type"));
        };
        let scale = match fields.find("monetary").map(|(_, f)| f.data_type()) {
            Some(DataType::Decimal128(_, s)) => u32::from(s.unsigned_abs()),
            _ => return Err(plan_error(NAME, "*", "unexpected return type")),
        };
        Ok(RfmGroups {
            as_of: f.as_of,
            options: f.options,
            tracking: f.options.tracking(),
            columns,
            scale,
            states: Vec::new(),
            heap: Vec::new(),
            heap_total: 0,
            touched: Vec::new(),
        })
    }

    fn resize(&mut self, total: usize) {
        if self.states.len() < total {
            let tracking = self.tracking;
            // A new state already holds heap memory (the boxed order-id set): count it now,
            // as a group whose rows are all filtered out is never touched.
            let base = CustomerState::new(tracking).heap_size();
            self.heap_total += (total - self.states.len()) * base;
            self.states
                .resize_with(total, || CustomerState::new(tracking));
            self.heap.resize(total, base);
        }
    }

    /// Recomputes the heap size of the groups touched by the last batch.
    fn account(&mut self) {
        self.touched.sort_unstable();
        self.touched.dedup();
        for &g in &self.touched {
            let new = self.states[g].heap_size();
            self.heap_total = self.heap_total - self.heap[g] + new;
            self.heap[g] = new;
        }
        self.touched.clear();
    }

    /// Calls `f(row, transaction)` for every row that counts (the filter and `Aggregator::push`'s
    /// exclusions applied).
    fn for_each_row(
        &self,
        values: &[ArrayRef],
        filter: Option<&BooleanArray>,
        mut f: impl FnMut(usize, &Transaction<'_>) -> DFResult<()>,
    ) -> DFResult<()> {
        let (date_col, amount_col, id_col) = (&self.columns[0], &self.columns[1], &self.columns[2]);
        let dates = dates(&values[0], NAME, date_col)?;
        let amounts = decimals(&values[1], NAME, amount_col)?;
        let ids = match values.get(2) {
            Some(a) if *a.data_type() != DataType::Null => Some(Strings::new(a, NAME, id_col)?),
            _ => None,
        };
        for (i, (date, amount)) in dates.iter().zip(&amounts).enumerate() {
            if filter.is_some_and(|f| !f.is_valid(i) || !f.value(i)) {
                continue;
            }
            let date = date.ok_or_else(|| {
                column_error(NAME, date_col, format!("NULL date in row {}", i + 1))
            })?;
            let amount = amount.ok_or_else(|| {
                column_error(NAME, amount_col, format!("NULL amount in row {}", i + 1))
            })?;
            if date > self.as_of && self.options.after_as_of == AfterAsOf::Exclude {
                continue;
            }
            if amount.is_sign_negative()
                && !amount.is_zero()
                && self.options.returns == ReturnsMode::Excluded
            {
                continue;
            }
            let tx = Transaction {
                customer_id: "",
                date,
                amount,
                order_id: ids.and_then(|s| s.get(i)),
            };
            f(i, &tx)?;
        }
        Ok(())
    }

    fn values(&self, states: &[CustomerState]) -> DFResult<ArrayRef> {
        let values = states
            .iter()
            .map(|s| s.values("", self.as_of, &self.options))
            .collect::<Result<Vec<Option<CustomerValues>>, _>>()
            .map_err(rfm_error)?;
        build_result(&values, self.scale, &self.columns[1])
    }

    /// The states' encodings as one `Binary` array, written into one buffer.
    fn encode(states: &[CustomerState]) -> DFResult<ArrayRef> {
        let mut values: Vec<u8> = Vec::with_capacity(states.len() * 96);
        let mut offsets: Vec<i32> = Vec::with_capacity(states.len() + 1);
        offsets.push(0);
        for s in states {
            s.write_bytes(&mut values);
            let end = i32::try_from(values.len()).map_err(|_| {
                column_error(
                    NAME,
                    &format_state_name(NAME, "customer_state"),
                    "a batch of partial states exceeds 2 GiB",
                )
            })?;
            offsets.push(end);
        }
        Ok(Arc::new(BinaryArray::try_new(
            OffsetBuffer::new(ScalarBuffer::from(offsets)),
            Buffer::from_vec(values),
            None,
        )?))
    }

    fn merge_rows(
        &mut self,
        values: &[ArrayRef],
        mut group: impl FnMut(usize) -> usize,
    ) -> DFResult<()> {
        let column = format_state_name(NAME, "customer_state");
        let Some(DataType::Binary) = values.first().map(|a| a.data_type().clone()) else {
            return Err(column_error(
                NAME,
                &column,
                "expected a Binary partial state",
            ));
        };
        let bytes = values[0].as_binary::<i32>();
        for i in 0..bytes.len() {
            if bytes.is_null(i) {
                continue;
            }
            let s = CustomerState::from_bytes(bytes.value(i)).map_err(rfm_error)?;
            let g = group(i);
            self.states[g].merge(s).map_err(rfm_error)?;
            self.touched.push(g);
        }
        self.account();
        Ok(())
    }
}

/// The result struct of `rfm` for each (possibly absent) customer.
pub(crate) fn build_result(
    values: &[Option<CustomerValues>],
    scale: u32,
    amount_col: &str,
) -> DFResult<ArrayRef> {
    let n = values.len();
    let mut recency = Vec::with_capacity(n);
    let mut frequency = Vec::with_capacity(n);
    let mut monetary = Vec::with_capacity(n);
    let mut first = Vec::with_capacity(n);
    let mut last = Vec::with_capacity(n);
    for v in values {
        match v {
            Some(v) => {
                let m = decimal_to_i128(v.monetary, scale).ok_or_else(|| {
                    column_error(
                        NAME,
                        amount_col,
                        format!("monetary {} does not fit DECIMAL(38, {scale})", v.monetary),
                    )
                })?;
                recency.push(Some(v.recency_days));
                frequency.push(Some(v.frequency));
                monetary.push(Some(m));
                first.push(Some(days_from_date(v.first_purchase)));
                last.push(Some(days_from_date(v.last_purchase)));
            }
            None => {
                recency.push(None);
                frequency.push(None);
                monetary.push(None);
                first.push(None);
                last.push(None);
            }
        }
    }
    let scale_i8 = i8::try_from(scale).unwrap_or(i8::MAX);
    let columns: Vec<ArrayRef> = vec![
        Arc::new(Int64Array::from(recency)),
        Arc::new(UInt64Array::from(frequency)),
        Arc::new(Decimal128Array::from(monetary).with_precision_and_scale(38, scale_i8)?),
        Arc::new(Date32Array::from(first)),
        Arc::new(Date32Array::from(last)),
    ];
    let nulls = NullBuffer::from(values.iter().map(Option::is_some).collect::<Vec<bool>>());
    let nulls = (nulls.null_count() > 0).then_some(nulls);
    Ok(Arc::new(StructArray::try_new(
        result_fields(scale),
        columns,
        nulls,
    )?))
}

impl GroupsAccumulator for RfmGroups {
    fn update_batch(
        &mut self,
        values: &[ArrayRef],
        group_indices: &[usize],
        opt_filter: Option<&BooleanArray>,
        total_num_groups: usize,
    ) -> DFResult<()> {
        self.resize(total_num_groups);
        let mut states = std::mem::take(&mut self.states);
        let mut touched = std::mem::take(&mut self.touched);
        let r = self.for_each_row(values, opt_filter, |i, tx| {
            let g = group_indices[i];
            touched.push(g);
            states[g].add(tx).map_err(rfm_error)
        });
        self.states = states;
        self.touched = touched;
        self.account();
        r
    }

    fn evaluate(&mut self, emit_to: EmitTo) -> DFResult<ArrayRef> {
        let states = emit_to.take_needed(&mut self.states);
        let heap = emit_to.take_needed(&mut self.heap);
        self.heap_total -= heap.iter().sum::<usize>();
        self.values(&states)
    }

    fn state(&mut self, emit_to: EmitTo) -> DFResult<Vec<ArrayRef>> {
        let states = emit_to.take_needed(&mut self.states);
        let heap = emit_to.take_needed(&mut self.heap);
        self.heap_total -= heap.iter().sum::<usize>();
        Ok(vec![Self::encode(&states)?])
    }

    fn merge_batch(
        &mut self,
        values: &[ArrayRef],
        group_indices: &[usize],
        total_num_groups: usize,
    ) -> DFResult<()> {
        self.resize(total_num_groups);
        self.merge_rows(values, |i| group_indices[i])
    }

    fn convert_to_state(
        &self,
        values: &[ArrayRef],
        opt_filter: Option<&BooleanArray>,
    ) -> DFResult<Vec<ArrayRef>> {
        let n = values.first().map_or(0, |a| a.len());
        let mut states: Vec<CustomerState> =
            (0..n).map(|_| CustomerState::new(self.tracking)).collect();
        self.for_each_row(values, opt_filter, |i, tx| {
            states[i].add(tx).map_err(rfm_error)
        })?;
        Ok(vec![Self::encode(&states)?])
    }

    fn size(&self) -> usize {
        size_of::<Self>()
            + self.states.capacity() * size_of::<CustomerState>()
            + self.heap.capacity() * size_of::<usize>()
            + self.touched.capacity() * size_of::<usize>()
            + self.heap_total
    }
}

/// The plain accumulator (one group): used by DataFusion without `GROUP BY` and in windows.
#[derive(Debug)]
struct RfmAccumulator {
    inner: RfmGroups,
}

impl Accumulator for RfmAccumulator {
    fn update_batch(&mut self, values: &[ArrayRef]) -> DFResult<()> {
        let n = values.first().map_or(0, |a| a.len());
        GroupsAccumulator::update_batch(&mut self.inner, values, &vec![0; n], None, 1)
    }

    fn evaluate(&mut self) -> DFResult<ScalarValue> {
        self.inner.resize(1);
        let array = self.inner.values(&self.inner.states)?;
        ScalarValue::try_from_array(&array, 0)
    }

    fn size(&self) -> usize {
        GroupsAccumulator::size(&self.inner)
    }

    fn state(&mut self) -> DFResult<Vec<ScalarValue>> {
        self.inner.resize(1);
        let bytes = self.inner.states[0].to_bytes();
        Ok(vec![ScalarValue::Binary(Some(bytes))])
    }

    fn merge_batch(&mut self, states: &[ArrayRef]) -> DFResult<()> {
        self.inner.resize(1);
        self.inner.merge_rows(states, |_| 0)
    }
}
