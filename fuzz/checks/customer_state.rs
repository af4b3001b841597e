//! `CustomerState`: decoding arbitrary bytes never panics and what decodes re-encodes to a state
//! that decodes equal; and on states built from arbitrary transactions (and on their decoded
//! copies) the monoid laws hold: `merge` is commutative and associative, `default()` is its
//! identity, and the state of all rows is the merge of the states of any split of them.

use arbitrary::{Result, Unstructured};
use attain_rfm::{CustomerState, Tracking, Transaction};
use attain_types::{Decimal, NaiveDate};

fn merged(mut a: CustomerState, b: CustomerState) -> Option<CustomerState> {
    a.merge(b).ok().map(|()| a)
}

fn round_trip(s: &CustomerState) {
    let bytes = s.to_bytes();
    let back = CustomerState::from_bytes(&bytes).expect("a written state decodes");
    assert_eq!(&back, s, "decode(encode(s)) != s");
    assert_eq!(back.to_bytes(), bytes, "the encoding is not canonical");
}

type Row = (u8, i32, Decimal, Option<String>);

fn row(u: &mut Unstructured<'_>) -> Result<Row> {
    let customer = u.int_in_range(0..=1)?;
    let day = u.int_in_range(729_000..=729_040)?;
    let amount = if u.ratio(1, 16)? {
        Decimal::from_parts(
            u.arbitrary()?,
            u.arbitrary()?,
            u.arbitrary()?,
            u.arbitrary()?,
            u.int_in_range(0..=28)?,
        )
    } else {
        Decimal::new(u.int_in_range(-2_000..=20_000)?, u.int_in_range(0..=3)?)
    };
    let order = match u.int_in_range(0..=3)? {
        0 => None,
        1 => Some(format!("o{}", u.int_in_range(0..=6)?)),
        2 => Some(format!(
            "{}-a-long-order-id-{}",
            u.int_in_range(0..=3)?,
            "x".repeat(u.int_in_range(0..=20)?)
        )),
        _ => Some(u.arbitrary::<String>()?),
    };
    Ok((customer, day, amount, order))
}

fn state_of(rows: &[Row], tracking: Tracking) -> Option<CustomerState> {
    let mut s = CustomerState::new(tracking);
    for (customer, day, amount, order) in rows {
        let date = NaiveDate::from_num_days_from_ce_opt(*day)?;
        let id = customer.to_string();
        s.add(&Transaction {
            customer_id: &id,
            date,
            amount: *amount,
            order_id: order.as_deref(),
        })
        .ok()?;
    }
    Some(s)
}

fn laws(u: &mut Unstructured<'_>) -> Result<()> {
    let mut states = Vec::new();
    let mut all_rows = Vec::new();
    let tracking = Tracking {
        order_ids: u.arbitrary()?,
        days: u.arbitrary()?,
    };
    for _ in 0..3 {
        let n = u.int_in_range(0..=8)?;
        let rows: Vec<Row> = (0..n).map(|_| row(u)).collect::<Result<_>>()?;
        // Mostly the same tracking, sometimes another: merging keeps what both track.
        let t = if u.ratio(1, 4)? {
            Tracking {
                order_ids: u.arbitrary()?,
                days: u.arbitrary()?,
            }
        } else {
            tracking
        };
        let Some(mut s) = state_of(&rows, t) else {
            return Ok(());
        };
        if u.arbitrary()? {
            s.compact();
        }
        round_trip(&s);
        // A decoded copy behaves as the original.
        if u.arbitrary()? {
            s = CustomerState::from_bytes(&s.to_bytes()).expect("decodes");
        }
        if t == tracking {
            all_rows.extend(rows);
        }
        states.push((s, t == tracking));
    }
    let [(a, _), (b, _), (c, _)] = <[_; 3]>::try_from(states.clone()).expect("three states");
    if let (Some(ab), Some(ba)) = (merged(a.clone(), b.clone()), merged(b.clone(), a.clone())) {
        assert_eq!(ab, ba, "merge is not commutative");
        assert_eq!(
            ab.to_bytes(),
            ba.to_bytes(),
            "commuted merges encode differently"
        );
        round_trip(&ab);
        if let (Some(ab_c), Some(bc)) = (merged(ab, c.clone()), merged(b.clone(), c.clone()))
            && let Some(a_bc) = merged(a.clone(), bc)
        {
            if ab_c != a_bc {
                eprintln!("A {a:?}\nB {b:?}\nC {c:?}");
            }
            assert_eq!(ab_c, a_bc, "merge is not associative");
        }
    }
    for s in [&a, &b, &c] {
        assert_eq!(
            merged(s.clone(), CustomerState::default()).as_ref(),
            Some(s),
            "default is not a right identity"
        );
        assert_eq!(
            merged(CustomerState::default(), s.clone()).as_ref(),
            Some(s),
            "default is not a left identity"
        );
    }
    // The rows of the states with the common tracking, added to one state, equal their merge.
    if let Some(whole) = state_of(&all_rows, tracking) {
        let mut acc = Some(CustomerState::new(tracking));
        for (s, same) in &states {
            if *same {
                acc = acc.and_then(|m| merged(m, s.clone()));
            }
        }
        if let Some(m) = acc {
            assert_eq!(m, whole, "merge of the parts != the state of all rows");
        }
    }
    Ok(())
}

pub fn check(data: &[u8]) {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    if mode & 1 == 0 {
        if let Ok(s) = CustomerState::from_bytes(rest) {
            round_trip(&s);
            let mut twice = s.clone();
            if twice.merge(s.clone()).is_ok() {
                round_trip(&twice);
            }
            assert_eq!(
                merged(s.clone(), CustomerState::default()).as_ref(),
                Some(&s),
                "identity on a decoded state"
            );
        }
    } else {
        let _ = laws(&mut Unstructured::new(rest));
    }
}
