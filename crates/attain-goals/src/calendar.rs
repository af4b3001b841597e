//! Planning calendars beyond the civil one: ISO years of 52 or 53 weeks, fiscal years, and
//! retail 4-4-5 / 4-5-4 / 5-4-4 calendars. Each gives [`NamedPeriod`]s that plug into
//! [`Level::Periods`](crate::Level::Periods) (nested plans) and
//! [`DailyPlan::roll_up`](crate::DailyPlan::roll_up) (finest-grain roll-ups).
//!
//! A retail year is 52 whole weeks (364 days) or, every five or six years, 53. Each quarter is
//! 13 weeks split into three "months" (periods) of 4-4-5, 4-5-4 or 5-4-4 weeks; in a 53-week
//! year the extra week is added to the last period of the year (the common NRF convention).
//!
//! ```
//! use attain_goals::calendar::{RetailPattern, RetailYear};
//!
//! let y = RetailYear::iso(2026, RetailPattern::FourFourFive)?; // ISO 2026 has 53 weeks
//! let months = y.months()?;
//! let weeks: Vec<i64> = months.iter().map(|m| m.period.days() / 7).collect();
//! assert_eq!(weeks, [4, 4, 5, 4, 4, 5, 4, 4, 5, 4, 4, 6]);
//! assert_eq!(months[0].label, "R2026-P01");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use attain_types::{NaiveDate, Period};
use chrono::Days;

use crate::error::{Error, Result};
use crate::time::NamedPeriod;

/// Weeks per period within each retail quarter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub enum RetailPattern {
    /// 4, 4, 5 weeks.
    FourFourFive,
    /// 4, 5, 4 weeks.
    FourFiveFour,
    /// 5, 4, 4 weeks.
    FiveFourFour,
}

impl RetailPattern {
    /// The weeks of the three periods of a quarter.
    #[must_use]
    pub fn weeks(self) -> [u64; 3] {
        match self {
            RetailPattern::FourFourFive => [4, 4, 5],
            RetailPattern::FourFiveFour => [4, 5, 4],
            RetailPattern::FiveFourFour => [5, 4, 4],
        }
    }
}

/// A retail (52/53-week) year.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct RetailYear {
    /// The year's name, used in labels (`R2026-P01`).
    pub name: i32,
    /// The first day.
    pub start: NaiveDate,
    /// 52 or 53.
    pub weeks: u32,
    /// The period pattern of each quarter.
    pub pattern: RetailPattern,
}

fn add_days(d: NaiveDate, n: u64) -> Result<NaiveDate> {
    d.checked_add_days(Days::new(n)).ok_or(Error::Overflow {
        operation: "calendar date",
    })
}

impl RetailYear {
    /// The retail year aligned on ISO year `iso_year`: it starts on the Monday of ISO week 1
    /// and has as many weeks as the ISO year (53 for 2026).
    ///
    /// # Errors
    /// [`Error::Types`] for a year outside chrono's range.
    pub fn iso(iso_year: i32, pattern: RetailPattern) -> Result<RetailYear> {
        let start = Period::iso_week(iso_year, 1)?.start();
        let weeks = Period::iso_weeks_in_year(iso_year)?;
        Ok(RetailYear {
            name: iso_year,
            start,
            weeks,
            pattern,
        })
    }

    fn check(&self) -> Result<()> {
        if self.weeks == 52 || self.weeks == 53 {
            Ok(())
        } else {
            Err(Error::Invalid {
                what: "retail year weeks",
                reason: format!("{} is not 52 or 53", self.weeks),
            })
        }
    }

    /// The whole year.
    ///
    /// # Errors
    /// [`Error::Invalid`] unless `weeks` is 52 or 53; [`Error::Overflow`] at the end of time.
    pub fn period(&self) -> Result<Period> {
        self.check()?;
        Ok(Period::new(
            self.start,
            add_days(self.start, u64::from(self.weeks) * 7)?,
        )?)
    }

    /// The weeks, labelled `R2026-W01` ..
    ///
    /// # Errors
    /// As [`RetailYear::period`].
    pub fn weeks(&self) -> Result<Vec<NamedPeriod>> {
        self.check()?;
        (0..u64::from(self.weeks))
            .map(|w| {
                let s = add_days(self.start, w * 7)?;
                Ok(NamedPeriod {
                    label: format!("R{}-W{:02}", self.name, w + 1),
                    period: Period::new(s, add_days(s, 7)?)?,
                })
            })
            .collect()
    }

    /// The twelve periods ("months"), labelled `R2026-P01` ..; the 53rd week, if any, is added
    /// to the twelfth.
    ///
    /// # Errors
    /// As [`RetailPattern`] and [`RetailYear::period`].
    pub fn months(&self) -> Result<Vec<NamedPeriod>> {
        self.check()?;
        let mut out = Vec::with_capacity(12);
        let mut cursor = self.start;
        for m in 0..12u64 {
            let mut weeks = self.pattern.weeks()[(m % 3) as usize];
            if m == 11 && self.weeks == 53 {
                weeks += 1;
            }
            let end = add_days(cursor, weeks * 7)?;
            out.push(NamedPeriod {
                label: format!("R{}-P{:02}", self.name, m + 1),
                period: Period::new(cursor, end)?,
            });
            cursor = end;
        }
        Ok(out)
    }

    /// The four quarters of 13 weeks (the fourth has 14 in a 53-week year), labelled
    /// `R2026-Q1` ..
    ///
    /// # Errors
    /// As [`RetailYear::period`].
    pub fn quarters(&self) -> Result<Vec<NamedPeriod>> {
        let months = self.months()?;
        months
            .chunks(3)
            .enumerate()
            .map(|(q, c)| {
                Ok(NamedPeriod {
                    label: format!("R{}-Q{}", self.name, q + 1),
                    period: Period::new(c[0].period.start(), c[2].period.end())?,
                })
            })
            .collect()
    }
}

/// The ISO year `iso_year` as a period: from the Monday of week 1 to the Monday of the next
/// year's week 1 (364 or 371 days; 2026 has 53 weeks).
///
/// # Errors
/// [`Error::Types`] for a year outside chrono's range.
pub fn iso_year(iso_year: i32) -> Result<Period> {
    let start = Period::iso_week(iso_year, 1)?.start();
    let weeks = Period::iso_weeks_in_year(iso_year)?;
    Ok(Period::new(start, add_days(start, u64::from(weeks) * 7)?)?)
}

/// The twelve months of a fiscal year starting on the first of `start_month` of `start_year`,
/// labelled `FY{start_year}-M01` .. (see `attain_types::Period::fiscal_year` for naming).
///
/// # Errors
/// [`Error::Types`] for a month outside 1..=12 or a year out of range.
pub fn fiscal_months(start_year: i32, start_month: u32) -> Result<Vec<NamedPeriod>> {
    let fy = Period::fiscal_year(start_year, start_month)?;
    Ok(fy
        .split(attain_types::Granularity::Month)
        .into_iter()
        .enumerate()
        .map(|(i, period)| NamedPeriod {
            label: format!("FY{start_year}-M{:02}", i + 1),
            period,
        })
        .collect())
}

/// The four quarters of a fiscal year (three fiscal months each), labelled `FY{start_year}-Q1` ..
///
/// # Errors
/// As [`fiscal_months`].
pub fn fiscal_quarters(start_year: i32, start_month: u32) -> Result<Vec<NamedPeriod>> {
    let months = fiscal_months(start_year, start_month)?;
    months
        .chunks(3)
        .enumerate()
        .map(|(q, c)| {
            Ok(NamedPeriod {
                label: format!("FY{start_year}-Q{}", q + 1),
                period: Period::new(c[0].period.start(), c[2].period.end())?,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retail_patterns_and_iso_years() {
        let y = RetailYear::iso(2025, RetailPattern::FiveFourFour).unwrap();
        assert_eq!(y.weeks, 52);
        assert_eq!(y.period().unwrap().days(), 364);
        assert_eq!(y.months().unwrap()[0].period.days(), 35);
        assert_eq!(iso_year(2026).unwrap().days(), 371);
        assert_eq!(
            chrono::Datelike::weekday(&iso_year(2026).unwrap().start()),
            attain_types::Weekday::Mon
        );
        let bad = RetailYear { weeks: 50, ..y };
        assert!(bad.months().is_err());
        let q = fiscal_quarters(2026, 2).unwrap();
        assert_eq!(q[0].period.to_string(), "2026-02-01..2026-05-01");
        assert_eq!(q[3].label, "FY2026-Q4");
    }
}
