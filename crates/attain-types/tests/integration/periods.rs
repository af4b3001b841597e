use attain_types::proptest as strat;
use attain_types::{Granularity, Period, WorkingCalendar};
use chrono::Weekday;
use proptest::prelude::*;

use strat::granularity;

fn calendar() -> impl Strategy<Value = WorkingCalendar> {
    let days = [
        Weekday::Mon,
        Weekday::Tue,
        Weekday::Wed,
        Weekday::Thu,
        Weekday::Fri,
        Weekday::Sat,
        Weekday::Sun,
    ];
    (
        prop::collection::vec(any::<bool>(), 7),
        prop::collection::vec(strat::date(), 0..40),
    )
        .prop_map(move |(mask, hol)| {
            let weekend: Vec<Weekday> = days
                .iter()
                .zip(mask)
                .filter(|(_, m)| *m)
                .map(|(d, _)| *d)
                .collect();
            WorkingCalendar::new(weekend).with_holidays(hol)
        })
}

proptest! {
    #[test]
    fn prop_split_partitions_exactly(p in strat::period(1200), g in granularity()) {
        let parts = p.split(g);
        if p.is_empty() { prop_assert!(parts.is_empty()); }
        let mut cursor = p.start();
        for part in &parts {
            prop_assert_eq!(part.start(), cursor, "gap or overlap");
            prop_assert!(!part.is_empty());
            cursor = part.end();
        }
        prop_assert_eq!(cursor, p.end());
        prop_assert_eq!(parts.iter().map(Period::days).sum::<i64>(), p.days());
    }

    #[test]
    fn prop_nested_split_agrees(p in strat::period(800)) {
        // Splitting months into ISO weeks gives the same day count as splitting to days.
        let via_months: usize = p.split(Granularity::Month).iter().map(|m| m.split(Granularity::Day).len()).sum();
        prop_assert_eq!(via_months, p.split(Granularity::Day).len());
    }

    #[test]
    fn prop_working_days_of_split_sum_to_whole(p in strat::period(1200), g in granularity(), cal in calendar()) {
        let whole = cal.working_days(&p);
        let parts: u64 = p.split(g).iter().map(|s| cal.working_days(s)).sum();
        prop_assert_eq!(parts, whole);
        prop_assert_eq!(whole, cal.iter_working_days(&p).count() as u64);
    }
}

#[test]
fn fiscal_year_splits_into_fiscal_quarters() {
    let fy = Period::fiscal_year(2026, 4).unwrap();
    let months = fy.split(Granularity::Month);
    assert_eq!(months.len(), 12);
    assert_eq!(months[0].label(Granularity::Month), "2026-04");
    assert_eq!(fy.days(), 365);
    // Calendar quarters of an April fiscal year line up with its fiscal quarters.
    assert_eq!(fy.split(Granularity::Quarter).len(), 4);
}

proptest! {
    #[test]
    fn prop_containing_contains_and_is_one_split_piece(d in strat::date(), g in granularity()) {
        let p = Period::containing(d, g).unwrap();
        prop_assert!(p.contains(d));
        // The containing period is exactly one piece of splitting a wider span at g.
        let span = Period::new(p.start(), p.end()).unwrap();
        prop_assert_eq!(span.split(g), vec![p]);
    }
}
