//! Periods on `chrono`: a half-open date range [`Period`], named periods (year, quarter,
//! month, ISO week, day, fiscal year) and splitting into sub-periods by [`Granularity`].

use core::fmt;

use chrono::{Datelike, Days, NaiveDate, Weekday};

use crate::error::{Error, Result};

/// A half-open range of dates `[start, end)`, with `start <= end` enforced.
///
/// `end` is exclusive, so consecutive periods share a boundary and never overlap:
/// the year 2026 is `2026-01-01 .. 2027-01-01` and has 365 days.
///
/// ```
/// use attain_types::{Granularity, Period};
/// let year = Period::year(2026)?;
/// assert_eq!(year.days(), 365);
/// let weeks = year.split(Granularity::IsoWeek);
/// assert_eq!(weeks.len(), 53); // clipped at both ends: 2026-01-01 is a Thursday
/// assert_eq!(weeks[0].days(), 4);
/// assert_eq!(weeks.iter().map(|w| w.days()).sum::<i64>(), 365);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Period {
    start: NaiveDate,
    end: NaiveDate,
}

/// How finely to split a period. Weeks are ISO weeks (Monday to Sunday).
/// The default is [`Granularity::Day`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "kebab-case"))]
#[non_exhaustive]
pub enum Granularity {
    /// One day.
    #[default]
    Day,
    /// An ISO week, Monday to Sunday.
    IsoWeek,
    /// A calendar month.
    Month,
    /// A calendar quarter (January, April, July, October).
    Quarter,
    /// A calendar year.
    Year,
}

impl Granularity {
    /// A whole-number index of the period containing `date`: consecutive periods have
    /// consecutive indices (days from 0001-01-01 for days; `year * 12 + month0` for months;
    /// `year * 4 + quarter0` for quarters; the year for years; weeks counted from the ISO week
    /// of 0001-01-01, a Monday). Cohort tables number periods with it.
    ///
    /// ```
    /// use attain_types::{Granularity, NaiveDate};
    /// let d = |m, day| NaiveDate::from_ymd_opt(2026, m, day).ok_or("bad date");
    /// let g = Granularity::Month;
    /// assert_eq!(g.period_index(d(3, 31)?) + 1, g.period_index(d(4, 1)?));
    /// assert_eq!(Granularity::IsoWeek.period_index(d(3, 8)?) + 1, Granularity::IsoWeek.period_index(d(3, 9)?));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn period_index(self, date: NaiveDate) -> i64 {
        let days = i64::from(date.num_days_from_ce()); // 0001-01-01 (a Monday) is day 1
        let year = i64::from(date.year());
        match self {
            Granularity::Day => days,
            Granularity::IsoWeek => (days - 1).div_euclid(7),
            Granularity::Month => year * 12 + i64::from(date.month0()),
            Granularity::Quarter => year * 4 + i64::from(date.month0() / 3),
            Granularity::Year => year,
        }
    }
}

fn date(y: i32, m: u32, d: u32, what: &'static str, value: i64) -> Result<NaiveDate> {
    NaiveDate::from_ymd_opt(y, m, d).ok_or(Error::InvalidDate { what, value })
}

impl Period {
    /// The range `[start, end)`.
    ///
    /// # Errors
    /// [`Error::InvalidPeriod`] if `end < start`.
    pub fn new(start: NaiveDate, end: NaiveDate) -> Result<Period> {
        if end < start {
            Err(Error::InvalidPeriod { start, end })
        } else {
            Ok(Period { start, end })
        }
    }

    /// The inclusive range `first ..= last`.
    ///
    /// # Errors
    /// [`Error::InvalidPeriod`] if `last < first`, [`Error::InvalidDate`] at the end of time.
    pub fn from_inclusive(first: NaiveDate, last: NaiveDate) -> Result<Period> {
        let end = last.succ_opt().ok_or(Error::InvalidDate {
            what: "date",
            value: i64::from(last.year()),
        })?;
        Period::new(first, end)
    }

    /// One day.
    ///
    /// # Errors
    /// [`Error::InvalidDate`] for the last representable date.
    pub fn day(day: NaiveDate) -> Result<Period> {
        Period::from_inclusive(day, day)
    }

    /// A calendar year.
    ///
    /// # Errors
    /// [`Error::InvalidDate`] if the year is outside chrono's range.
    pub fn year(year: i32) -> Result<Period> {
        let v = i64::from(year);
        Ok(Period {
            start: date(year, 1, 1, "year", v)?,
            end: date(
                year.checked_add(1).ok_or(Error::InvalidDate {
                    what: "year",
                    value: v,
                })?,
                1,
                1,
                "year",
                v,
            )?,
        })
    }

    /// Quarter `quarter` (1..=4) of a calendar year.
    ///
    /// # Errors
    /// [`Error::InvalidDate`] for a quarter outside 1..=4 or a year out of range.
    pub fn quarter(year: i32, quarter: u32) -> Result<Period> {
        if !(1..=4).contains(&quarter) {
            return Err(Error::InvalidDate {
                what: "quarter",
                value: i64::from(quarter),
            });
        }
        let start = date(year, 3 * quarter - 2, 1, "year", i64::from(year))?;
        Ok(Period {
            start,
            end: next_boundary(start, Granularity::Quarter)?,
        })
    }

    /// Month `month` (1..=12) of a year.
    ///
    /// # Errors
    /// [`Error::InvalidDate`] for a month outside 1..=12 or a year out of range.
    pub fn month(year: i32, month: u32) -> Result<Period> {
        if !(1..=12).contains(&month) {
            return Err(Error::InvalidDate {
                what: "month",
                value: i64::from(month),
            });
        }
        let start = date(year, month, 1, "year", i64::from(year))?;
        Ok(Period {
            start,
            end: next_boundary(start, Granularity::Month)?,
        })
    }

    /// ISO week `week` of ISO year `iso_year` (Monday to Sunday; 52 or 53 weeks a year).
    ///
    /// # Errors
    /// [`Error::InvalidDate`] for a week the ISO year does not have.
    pub fn iso_week(iso_year: i32, week: u32) -> Result<Period> {
        let start =
            NaiveDate::from_isoywd_opt(iso_year, week, Weekday::Mon).ok_or(Error::InvalidDate {
                what: "iso week",
                value: i64::from(week),
            })?;
        let end = start
            .checked_add_days(Days::new(7))
            .ok_or(Error::InvalidDate {
                what: "iso week",
                value: i64::from(week),
            })?;
        Ok(Period { start, end })
    }

    /// The number of ISO weeks (52 or 53) in an ISO year (2026 has 53).
    ///
    /// # Errors
    /// [`Error::InvalidDate`] for a year out of range.
    pub fn iso_weeks_in_year(iso_year: i32) -> Result<u32> {
        // December 28 is always in the last ISO week of its year.
        Ok(date(iso_year, 12, 28, "year", i64::from(iso_year))?
            .iso_week()
            .week())
    }

    /// A fiscal year of twelve months starting on the first of `start_month`, named after the
    /// calendar year in which it **starts** (`fiscal_year(2026, 4)` is 2026-04-01 .. 2027-04-01).
    /// For fiscal years named after the year they end in (US federal style), pass `year - 1`.
    ///
    /// # Errors
    /// [`Error::InvalidDate`] for a month outside 1..=12 or a year out of range.
    pub fn fiscal_year(start_year: i32, start_month: u32) -> Result<Period> {
        let first = Period::month(start_year, start_month)?;
        let end = date(
            start_year.checked_add(1).ok_or(Error::InvalidDate {
                what: "year",
                value: i64::from(start_year),
            })?,
            start_month,
            1,
            "year",
            i64::from(start_year),
        )?;
        Ok(Period {
            start: first.start,
            end,
        })
    }

    /// The period of `granularity` that contains `day`: its day, ISO week (Monday to Sunday),
    /// calendar month, quarter or year.
    ///
    /// ```
    /// use attain_types::{Granularity, Period, NaiveDate};
    /// let d = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(); // a Thursday
    /// assert_eq!(Period::containing(d, Granularity::IsoWeek)?.to_string(), "2025-12-29..2026-01-05");
    /// assert_eq!(Period::containing(d, Granularity::Quarter)?, Period::quarter(2026, 1)?);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::InvalidDate`] at the edges of chrono's date range.
    pub fn containing(day: NaiveDate, granularity: Granularity) -> Result<Period> {
        let start = match granularity {
            Granularity::Day => day,
            Granularity::IsoWeek => day
                .checked_sub_days(Days::new(u64::from(day.weekday().num_days_from_monday())))
                .ok_or(Error::InvalidDate {
                    what: "date",
                    value: i64::from(day.year()),
                })?,
            Granularity::Month => date(day.year(), day.month(), 1, "year", i64::from(day.year()))?,
            Granularity::Quarter => date(
                day.year(),
                day.month0() / 3 * 3 + 1,
                1,
                "year",
                i64::from(day.year()),
            )?,
            Granularity::Year => date(day.year(), 1, 1, "year", i64::from(day.year()))?,
        };
        Ok(Period {
            start,
            end: next_boundary(start, granularity)?,
        })
    }

    /// The first day (inclusive).
    #[must_use]
    pub const fn start(&self) -> NaiveDate {
        self.start
    }

    /// The day after the last day (exclusive).
    #[must_use]
    pub const fn end(&self) -> NaiveDate {
        self.end
    }

    /// The last day, or `None` for an empty period.
    #[must_use]
    pub fn last_day(&self) -> Option<NaiveDate> {
        if self.is_empty() {
            None
        } else {
            self.end.pred_opt()
        }
    }

    /// The number of days.
    #[must_use]
    pub fn days(&self) -> i64 {
        (self.end - self.start).num_days()
    }

    /// Whether the period has no days.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.start == self.end
    }

    /// Whether `day` lies in `[start, end)`.
    #[must_use]
    pub fn contains(&self, day: NaiveDate) -> bool {
        self.start <= day && day < self.end
    }

    /// Whether `other` lies wholly inside `self`.
    #[must_use]
    pub fn contains_period(&self, other: &Period) -> bool {
        self.start <= other.start && other.end <= self.end
    }

    /// The overlap of two periods, or `None` if they do not overlap.
    #[must_use]
    pub fn intersect(&self, other: &Period) -> Option<Period> {
        let start = self.start.max(other.start);
        let end = self.end.min(other.end);
        (start < end).then_some(Period { start, end })
    }

    /// Every day of the period, in order.
    pub fn iter_days(&self) -> impl Iterator<Item = NaiveDate> + '_ {
        self.start.iter_days().take_while(move |d| *d < self.end)
    }

    /// Splits into consecutive sub-periods at the boundaries of `granularity`, clipped to this
    /// period at both ends: no gap, no overlap, and the pieces cover the period exactly.
    /// An empty period gives no pieces.
    #[must_use]
    pub fn split(&self, granularity: Granularity) -> Vec<Period> {
        let mut out = Vec::new();
        let mut cursor = self.start;
        while cursor < self.end {
            let next = next_boundary(cursor, granularity).map_or(self.end, |b| b.min(self.end));
            out.push(Period {
                start: cursor,
                end: next,
            });
            cursor = next;
        }
        out
    }

    /// A short label of the period that starts at `self.start()` at a granularity:
    /// `2026-03-05`, `2026-W10`, `2026-03`, `2026-Q1`, `2026`.
    #[must_use]
    pub fn label(&self, granularity: Granularity) -> String {
        let s = self.start;
        match granularity {
            Granularity::Day => s.format("%Y-%m-%d").to_string(),
            Granularity::IsoWeek => {
                let w = s.iso_week();
                format!("{}-W{:02}", w.year(), w.week())
            }
            Granularity::Month => s.format("%Y-%m").to_string(),
            Granularity::Quarter => format!("{}-Q{}", s.year(), s.month0() / 3 + 1),
            Granularity::Year => s.year().to_string(),
        }
    }
}

/// The first boundary of `granularity` strictly after `day`.
fn next_boundary(day: NaiveDate, granularity: Granularity) -> Result<NaiveDate> {
    let overflow = || Error::InvalidDate {
        what: "date",
        value: i64::from(day.year()),
    };
    let first_of = |y: i32, m: u32| -> Result<NaiveDate> {
        let (y, m) = if m > 12 {
            (y.checked_add(1).ok_or_else(overflow)?, m - 12)
        } else {
            (y, m)
        };
        NaiveDate::from_ymd_opt(y, m, 1).ok_or_else(overflow)
    };
    match granularity {
        Granularity::Day => day.succ_opt().ok_or_else(overflow),
        Granularity::IsoWeek => {
            let to_monday = 7 - u64::from(day.weekday().num_days_from_monday());
            day.checked_add_days(Days::new(to_monday))
                .ok_or_else(overflow)
        }
        Granularity::Month => first_of(day.year(), day.month() + 1),
        Granularity::Quarter => first_of(day.year(), (day.month0() / 3 + 1) * 3 + 1),
        Granularity::Year => first_of(day.year().checked_add(1).ok_or_else(overflow)?, 1),
    }
}

impl fmt::Debug for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}..{}", self.start, self.end)
    }
}

/// `2026-01-01..2027-01-01` (half-open).
impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}..{}", self.start, self.end)
    }
}

#[cfg(feature = "serde")]
impl<'de> serde::Deserialize<'de> for Period {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> core::result::Result<Self, D::Error> {
        #[derive(serde::Deserialize)]
        struct Repr {
            start: NaiveDate,
            end: NaiveDate,
        }
        let r = Repr::deserialize(d)?;
        Period::new(r.start, r.end).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn named_periods() {
        assert_eq!(Period::quarter(2026, 4).unwrap().end(), d(2027, 1, 1));
        assert_eq!(Period::month(2024, 2).unwrap().days(), 29);
        assert_eq!(Period::iso_week(2026, 53).unwrap().start(), d(2026, 12, 28));
        assert!(Period::iso_week(2025, 53).is_err());
        assert_eq!(Period::iso_weeks_in_year(2026).unwrap(), 53);
        assert_eq!(
            Period::fiscal_year(2026, 4).unwrap().to_string(),
            "2026-04-01..2027-04-01"
        );
        assert!(Period::month(2026, 13).is_err());
        assert!(Period::new(d(2026, 2, 1), d(2026, 1, 1)).is_err());
    }

    #[test]
    fn split_quarters_and_months() {
        let y = Period::year(2026).unwrap();
        let q = y.split(Granularity::Quarter);
        assert_eq!(q.len(), 4);
        assert_eq!(q[1], Period::quarter(2026, 2).unwrap());
        assert_eq!(y.split(Granularity::Month).len(), 12);
        assert_eq!(y.split(Granularity::Day).len(), 365);
        assert_eq!(q[0].label(Granularity::Quarter), "2026-Q1");
        assert_eq!(
            Period::iso_week(2026, 1)
                .unwrap()
                .label(Granularity::IsoWeek),
            "2026-W01"
        );
    }
}
