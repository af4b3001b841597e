//! Fitted thresholds read back from JSON (how `fit_thresholds` output is stored and reused):
//! deserialization accepts exactly what `Thresholds::new` accepts, and scoring with any
//! accepted thresholds gives scores within `1..=bins`.

use arbitrary::Unstructured;
use attain_rfm::Thresholds;
use attain_types::Decimal;

pub fn check(data: &[u8]) {
    let split = data.iter().position(|&b| b == 0).unwrap_or(data.len());
    let (json, values) = data.split_at(split);
    let Ok(t) = serde_json::from_slice::<Thresholds>(json) else {
        return;
    };
    let rebuilt = Thresholds::new(
        t.bins(),
        t.recency().to_vec(),
        t.frequency().to_vec(),
        t.monetary().to_vec(),
    );
    assert_eq!(
        rebuilt.as_ref().ok(),
        Some(&t),
        "deserialized thresholds that Thresholds::new refuses: {rebuilt:?}"
    );
    let mut u = Unstructured::new(values);
    for _ in 0..8 {
        let (Ok(r), Ok(f), Ok(m)) = (
            u.arbitrary::<i64>(),
            u.arbitrary::<u64>(),
            u.arbitrary::<i64>(),
        ) else {
            break;
        };
        let s = t.score_values(r, f, Decimal::from(m));
        for v in [s.r, s.f, s.m] {
            assert!(
                (1..=t.bins()).contains(&v),
                "score {s:?} outside 1..={}",
                t.bins()
            );
        }
    }
    let s = t.score_values(0, 0, Decimal::ZERO);
    assert!((1..=t.bins()).contains(&s.r), "{s:?}");
    let back: Thresholds =
        serde_json::from_str(&serde_json::to_string(&t).expect("serializes")).expect("round trip");
    assert_eq!(back, t);
}
