//! `attain plan` end to end on the built binary.
#![cfg(feature = "goals")]
// The helpers below run outside `#[test]` functions but are test code.
#![allow(clippy::unwrap_used)]

mod common;

use common::attain;

/// The amount column (last) of CSV output, summed in cents.
fn cents(csv: &str) -> i64 {
    csv.lines()
        .skip(1)
        .map(|l| {
            let a = l.rsplit(',').next().unwrap();
            let (i, f) = a.split_once('.').unwrap_or((a, "00"));
            i.parse::<i64>().unwrap() * 100 + f.parse::<i64>().unwrap()
        })
        .sum()
}

#[test]
fn plan_months_by_customer_csv() {
    // METHOD.md 1.2: 12,000,000 a year, months of 1,000,000, new customers 40% / repeat 60%.
    let (code, out, err) = attain(&[
        "plan",
        "--target",
        "12000000",
        "--year",
        "2026",
        "--by",
        "month",
        "--split",
        "customer=new:40,repeat:60",
        "--currency",
        "CNY",
    ]);
    assert_eq!(code, 0, "{err}");
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines[0], "period,first_day,last_day,customer,amount");
    assert_eq!(lines[1], "2026-01,2026-01-01,2026-01-31,new,400000.00");
    assert_eq!(lines[2], "2026-01,2026-01-01,2026-01-31,repeat,600000.00");
    assert_eq!(lines.len(), 1 + 24);
    assert_eq!(cents(&out), 1_200_000_000);
}

#[test]
fn plan_four_weeks_a_month() {
    let (code, out, err) = attain(&[
        "plan",
        "--target",
        "12000000",
        "--year",
        "2026",
        "--parts",
        "4",
        "--currency",
        "CNY",
    ]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(out.lines().count(), 1 + 48);
    assert!(
        out.lines().skip(1).all(|l| l.ends_with(",250000.00")),
        "{out}"
    );
}

#[test]
fn plan_two_splits_json() {
    let (code, out, err) = attain(&[
        "plan",
        "--target",
        "12000000",
        "--year",
        "2026",
        "--by",
        "quarter",
        "--split",
        "customer=new:40,repeat:60",
        "--split",
        "product=new:60,mature:40",
        "--currency",
        "CNY",
        "--format",
        "json",
    ]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let rows = v["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 16);
    assert_eq!(rows[0]["customer"], "new");
    assert_eq!(rows[0]["product"], "new");
    assert_eq!(rows[0]["amount"], "720000.00"); // 3,000,000 x 40% x 60%
    assert_eq!(v["currency"], "CNY");
}

#[test]
fn plan_finest_weeks_sum_to_target() {
    // ISO weeks of a working-day plan straddle months and the year's edges; they still sum exactly.
    let (code, out, err) = attain(&[
        "plan",
        "--target",
        "1000000",
        "--year",
        "2026",
        "--by",
        "week",
        "--mode",
        "finest",
        "--weights",
        "working-days",
        "--holiday",
        "2026-01-01,2026-12-25",
        "--currency",
        "USD",
    ]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(cents(&out), 100_000_000);
    assert!(out.contains("\n2026-W01,2026-01-01,2026-01-04,"), "{out}");
    // Finest grain: ISO week 5 straddles January and February in one row.
    assert!(out.contains("\n2026-W05,2026-01-26,2026-02-01,"), "{out}");
    assert_eq!(out.lines().count(), 1 + 53);
}

#[test]
fn plan_seasonality_and_jpy() {
    let (code, out, err) = attain(&[
        "plan",
        "--target",
        "1300",
        "--year",
        "2026",
        "--by",
        "month",
        "--mode",
        "finest",
        "--seasonality",
        "1,1,1,1,1,1,1,1,1,1,1,2",
        "--currency",
        "JPY",
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(out.lines().nth(1).unwrap().ends_with(",100"), "{out}");
    assert!(out.lines().nth(12).unwrap().ends_with(",200"), "{out}");
}

#[test]
fn plan_errors_are_one_line() {
    let (code, _, err) = attain(&["plan", "--target", "12,000", "--year", "2026"]);
    assert_eq!(code, 2, "an option value is a usage error");
    assert!(err.contains("--target"), "{err}");
    assert_eq!(err.trim().lines().count(), 1);
    let (code, _, err) = attain(&[
        "plan",
        "--target",
        "1",
        "--year",
        "2026",
        "--split",
        "customer=new:40,repeat",
    ]);
    assert_eq!(code, 2, "an option value is a usage error");
    assert!(err.contains("--split") && err.contains("repeat"), "{err}");
    let (code, _, err) = attain(&[
        "plan",
        "--target",
        "1",
        "--year",
        "2026",
        "--seasonality",
        "1,2",
    ]);
    assert_eq!(code, 2, "too few seasonality indices is a usage error");
    assert!(err.contains("expected 12 items, got 2"), "{err}");
    let (code, _, err) = attain(&[
        "plan",
        "--target",
        "1",
        "--year",
        "2026",
        "--weekend",
        "caturday",
    ]);
    assert_eq!(code, 2, "an option value is a usage error");
    assert!(err.contains("caturday"), "{err}");
    let (code, _, _) = attain(&[
        "plan",
        "--target",
        "1",
        "--by",
        "fortnight",
        "--year",
        "2026",
    ]);
    assert_eq!(code, 2);
    let (code, _, _) = attain(&["plan", "--target", "1"]);
    assert_eq!(code, 2);
}

/// The amount column (last) of CSV output, summed exactly (as decimals).
fn sum_amounts(csv: &str) -> attain_types::Decimal {
    csv.lines()
        .skip(1)
        .map(|l| {
            l.rsplit(',')
                .next()
                .unwrap()
                .parse::<attain_types::Decimal>()
                .unwrap()
        })
        .sum()
}

/// `attain allocate --total AMOUNT --weights WEIGHTS --currency CURRENCY`.
fn allocate<'a>(amount: &'a str, weights: &'a str, currency: &'a str) -> Vec<&'a str> {
    let args = ["allocate", "--total", amount, "--weights", weights];
    [&args[..], &["--currency", currency]].concat()
}

/// `attain plan --target AMOUNT --year 2026 --by quarter --currency CURRENCY`.
fn plan_quarters<'a>(amount: &'a str, currency: &'a str) -> Vec<&'a str> {
    let args = [
        "plan", "--target", amount, "--year", "2026", "--by", "quarter",
    ];
    [&args[..], &["--currency", currency]].concat()
}

/// Issue 12, item 5: amounts from 10^27 USD up were rescaled (10^27 printed as 10^26).
/// Every amount is now held exactly at the currency's minor unit or refused with exit 2,
/// naming the option and the currency.
#[test]
fn amounts_beyond_the_minor_unit_scale_are_refused_not_shrunk() {
    let e27 = "1000000000000000000000000000";
    let e30 = "1000000000000000000000000000000";
    let cents_over = "792281625142643375935439503.4";
    for (args, amount, currency, option) in [
        (allocate(e27, "a=1", "USD"), e27, "USD", "--total"),
        (allocate(e30, "a=1", "USD"), e30, "USD", "--total"),
        (allocate(e30, "a=1", "JPY"), e30, "JPY", "--total"),
        (
            allocate(cents_over, "a=1", "USD"),
            cents_over,
            "USD",
            "--total",
        ),
        (plan_quarters(e27, "USD"), e27, "USD", "--target"),
        (plan_quarters(e30, "JPY"), e30, "JPY", "--target"),
    ] {
        let (code, out, err) = attain(&args);
        assert_eq!(code, 2, "{args:?}: {out}{err}");
        assert!(out.is_empty(), "{args:?}: {out}");
        let prefix = format!("attain: error: {option}: ");
        assert!(err.starts_with(&prefix), "{err}");
        // 10^30 does not fit a Decimal at all; the others do, but not at the minor unit.
        assert!(
            err.contains(currency) || (amount == e30 && err.contains("too large")),
            "{err}"
        );
    }
}

#[test]
fn amounts_at_the_limit_are_split_exactly() {
    for (amount, currency) in [
        ("10000000000000000000000000000", "JPY"),
        ("79228162514264337593543950335", "JPY"),
        ("792281625142643375935439503.35", "USD"),
        ("79228162514264337593543950.335", "KWD"),
    ] {
        let total: attain_types::Decimal = amount.parse().unwrap();
        let (code, out, err) = attain(&allocate(amount, "a=1,b=2,c=4", currency));
        assert_eq!(code, 0, "{amount} {currency}: {err}");
        assert_eq!(out.lines().count(), 1 + 3, "{out}");
        assert_eq!(sum_amounts(&out), total, "{out}");
        let split = [
            &plan_quarters(amount, currency)[..],
            &["--split", "c=a:1,b:2"],
        ]
        .concat();
        let (code, out, err) = attain(&split);
        assert_eq!(code, 0, "{amount} {currency}: {err}");
        assert_eq!(out.lines().count(), 1 + 8, "{out}");
        assert_eq!(sum_amounts(&out), total, "{out}");
    }
}

/// Issue 12 (messages): `allocate --total 10.005 --currency USD` blamed `--weights`.
#[test]
fn a_total_finer_than_the_minor_unit_blames_total() {
    let (code, _, err) = attain(&allocate("10.005", "1", "USD"));
    assert_eq!(code, 2, "{err}");
    assert!(err.starts_with("attain: error: --total: "), "{err}");
    assert!(err.contains("10.005") && err.contains("USD"), "{err}");
}

/// Issue 12 (messages): `--start 2026-02-01 --end 2026-01-01` reported end `2026-01-02`.
#[test]
fn an_end_before_the_start_is_reported_as_typed() {
    let (code, _, err) = attain(&[
        "plan",
        "--target",
        "10",
        "--start",
        "2026-02-01",
        "--end",
        "2026-01-01",
    ]);
    assert_ne!(code, 0);
    assert!(
        err.contains("2026-01-01") && err.contains("2026-02-01"),
        "{err}"
    );
    assert!(!err.contains("2026-01-02"), "{err}");
}

#[test]
fn plan_weeks_weigh_by_days_in_nested_mode() {
    // The weekly plan: a one-day or two-day piece of an ISO week gets its days' share
    // of the month, not a full week's.
    let (code, out, err) = plan_words("--target 12000000 --year 2026 --by week --currency CNY");
    assert_eq!(code, 0, "{err}");
    for row in [
        "2026-W09,2026-02-23,2026-02-28,214285.71",
        "2026-W09,2026-03-01,2026-03-01,32258.07",
        "2026-W10,2026-03-02,2026-03-08,225806.45",
        "2026-W14,2026-03-30,2026-03-31,64516.13",
    ] {
        assert!(out.lines().any(|l| l == row), "{row} missing from\n{out}");
    }
    assert_eq!(cents(&out), 1_200_000_000);
}

#[test]
fn plan_by_year_splits_dimensions_only() {
    let (code, out, err) =
        plan_words("--target 1234.57 --year 2026 --by year --split x=a:20,b:30,c:50");
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        out,
        "period,first_day,last_day,x,amount\n\
         2026,2026-01-01,2026-12-31,a,246.91\n\
         2026,2026-01-01,2026-12-31,b,370.37\n\
         2026,2026-01-01,2026-12-31,c,617.29\n"
    );
    // A fiscal year is one row too, labelled as its quarters are.
    let (code, out, err) =
        plan_words("--target 100 --year 2026 --fiscal-start-month 4 --by year --mode finest");
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        out,
        "period,first_day,last_day,amount\nFY2026,2026-04-01,2027-03-31,100.00\n"
    );
}

/// `attain plan` with its arguments written as one line of words.
fn plan_words(words: &str) -> (i32, String, String) {
    let mut args = vec!["plan"];
    args.extend(words.split_whitespace());
    attain(&args)
}

#[test]
fn plan_without_currency_names_no_placeholder_code() {
    let (code, _, err) = plan_words("--target 1.234 --year 2026");
    assert_eq!(code, 2, "{err}");
    assert!(!err.contains("XXX"), "{err}");
    assert!(err.contains("no --currency"), "{err}");
    // With a currency, the message names it.
    let (code, _, err) = plan_words("--target 1.234 --year 2026 --currency USD");
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("USD (2 decimals)"), "{err}");
}

/// Issue 19's checked case through the CLI: 100,000 yen split 1:1:1 by 5:3:2 for the whole
/// year; the JSON reports the exact total deviation of the rounded cells, 8/3 yen.
#[test]
fn plan_json_reports_the_rounding_deviation() {
    let (code, out, err) = plan_words(
        "--target 100000 --year 2026 --by year --split a=x:1,y:1,z:1 --split b=p:5,q:3,r:2 \
         --currency JPY --format json",
    );
    assert_eq!(code, 0, "{err}");
    let doc: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(doc["rounding_deviation"], "8/3");
    let amounts: Vec<&str> = doc["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["amount"].as_str().unwrap())
        .collect();
    assert_eq!(amounts.len(), 9);
    // Without --split nothing is rounded across a table.
    let (_, out, _) = plan_words("--target 100 --year 2026 --by quarter --format json");
    let doc: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(doc["rounding_deviation"], "0");
}
