//! A working-day calendar: a weekend mask plus a list of holidays.

use std::collections::BTreeSet;

use chrono::{Datelike, NaiveDate, Weekday};

use crate::period::Period;

/// Which days are working days: every day except the weekend days and the holidays.
///
/// ```
/// use attain_types::{Period, WorkingCalendar};
/// use chrono::NaiveDate;
/// let new_year = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
/// let cal = WorkingCalendar::default().with_holidays([new_year]);
/// assert_eq!(cal.working_days(&Period::month(2026, 1)?), 21); // 22 weekdays less New Year
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct WorkingCalendar {
    /// `weekend[i]` is true when the weekday `i` days after Monday is a weekend day.
    weekend: [bool; 7],
    holidays: BTreeSet<NaiveDate>,
}

/// Saturday and Sunday off, no holidays.
impl Default for WorkingCalendar {
    fn default() -> Self {
        WorkingCalendar::new([Weekday::Sat, Weekday::Sun])
    }
}

impl WorkingCalendar {
    /// A calendar with the given weekend days and no holidays (an empty weekend is allowed:
    /// every day works).
    #[must_use]
    pub fn new<I: IntoIterator<Item = Weekday>>(weekend: I) -> Self {
        let mut mask = [false; 7];
        for day in weekend {
            mask[day.num_days_from_monday() as usize] = true;
        }
        WorkingCalendar {
            weekend: mask,
            holidays: BTreeSet::new(),
        }
    }

    /// Every day is a working day.
    #[must_use]
    pub fn every_day() -> Self {
        WorkingCalendar::new([])
    }

    /// Adds holidays (duplicates and weekend holidays are harmless).
    #[must_use]
    pub fn with_holidays<I: IntoIterator<Item = NaiveDate>>(mut self, holidays: I) -> Self {
        self.holidays.extend(holidays);
        self
    }

    /// The holidays, in order.
    pub fn holidays(&self) -> impl Iterator<Item = NaiveDate> + '_ {
        self.holidays.iter().copied()
    }

    /// Whether a weekday is a weekend day.
    #[must_use]
    pub fn is_weekend(&self, day: Weekday) -> bool {
        self.weekend[day.num_days_from_monday() as usize]
    }

    /// Whether `day` is a working day.
    #[must_use]
    pub fn is_working_day(&self, day: NaiveDate) -> bool {
        !self.is_weekend(day.weekday()) && !self.holidays.contains(&day)
    }

    /// The number of working days in a period, in O(holidays in the period).
    #[must_use]
    pub fn working_days(&self, period: &Period) -> u64 {
        let days = u64::try_from(period.days()).unwrap_or(0);
        let per_week = self.weekend.iter().filter(|w| !**w).count() as u64;
        let first = period.start().weekday().num_days_from_monday() as usize;
        let partial = (0..(days % 7) as usize)
            .filter(|i| !self.weekend[(first + i) % 7])
            .count() as u64;
        let holidays = self
            .holidays
            .range(period.start()..period.end())
            .filter(|h| !self.is_weekend(h.weekday()))
            .count() as u64;
        (days / 7) * per_week + partial - holidays
    }

    /// The working days of a period, in order.
    pub fn iter_working_days<'a>(
        &'a self,
        period: &'a Period,
    ) -> impl Iterator<Item = NaiveDate> + 'a {
        period.iter_days().filter(move |d| self.is_working_day(*d))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn working_days_counts_weekdays() {
        let cal = WorkingCalendar::default();
        assert_eq!(cal.working_days(&Period::year(2026).unwrap()), 261);
        let p = Period::month(2026, 2).unwrap();
        assert_eq!(
            cal.working_days(&p),
            cal.iter_working_days(&p).count() as u64
        );
        assert_eq!(WorkingCalendar::every_day().working_days(&p), 28);
        let fri_sat = WorkingCalendar::new([Weekday::Fri, Weekday::Sat]);
        assert_eq!(
            fri_sat.working_days(&Period::iso_week(2026, 10).unwrap()),
            5
        );
    }
}
