//! The nouns every calculation crate shares about a transaction log.

use chrono::NaiveDate;
use rust_decimal::Decimal;

/// One order line of a transaction log: the row every attain reader produces and every
/// calculation crate (RFM, cohorts, CLV) consumes. A plain input struct: build it literally.
///
/// A timestamp is reduced to its calendar date before it gets here (recency and cohorts count
/// whole days); the readers take the date as written in an RFC 3339 timestamp, in its own
/// offset (see [`input`](crate::input)).
///
/// ```
/// use attain_types::{Transaction, NaiveDate, dec};
/// let row = Transaction {
///     customer_id: "C1",
///     date: NaiveDate::from_ymd_opt(2026, 1, 5).ok_or("bad date")?,
///     amount: dec!(19.90),
///     order_id: Some("O1"),
/// };
/// assert_eq!(row.amount, dec!(19.90));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Transaction<'a> {
    /// The customer.
    pub customer_id: &'a str,
    /// The calendar date of the order.
    pub date: NaiveDate,
    /// The amount; negative for a return or refund.
    pub amount: Decimal,
    /// The order id, if the log has one. Rows without one each count as their own order.
    pub order_id: Option<&'a str>,
}
