//! Value parsers for argument values, by the shared input grammar ([`attain_types::input`]):
//! a date typed on the command line is read exactly as a date in a file.

use attain_types::NaiveDate;

/// A date argument: `YYYY-MM-DD` (or an RFC 3339 timestamp, whose date is taken as written).
pub(crate) fn date(text: &str) -> Result<NaiveDate, String> {
    attain_types::input::parse_date(text).map_err(|e| e.to_string())
}
