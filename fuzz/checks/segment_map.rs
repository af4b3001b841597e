//! Segment maps: the text parser and the linter on arbitrary text, and the serde form on
//! arbitrary JSON. A parsed map is valid (bins in range, every range and code within its bins,
//! named rules); the linter's counts account for every code exactly once and agree with
//! `assign`; nothing panics on a deserialized map, however odd.

use attain_rfm::{Matcher, RfmScore, SegmentMap};

fn lint_agrees(map: &SegmentMap) {
    let lint = map.lint();
    let b = map.bins.clamp(1, 10);
    let codes = usize::from(b).pow(3);
    let wins: usize = lint.wins.iter().map(|(_, w)| w).sum();
    assert_eq!(
        wins + lint.fallback.len() + lint.uncovered.len(),
        codes,
        "lint loses codes"
    );
    assert_eq!(lint.wins.len(), map.rules.len());
    let mut counted = vec![0usize; map.rules.len()];
    for r in 1..=b {
        for f in 1..=b {
            for m in 1..=b {
                let s = RfmScore::new(r, f, m);
                match map.rules.iter().position(|rule| {
                    let one = SegmentMap {
                        rules: vec![rule.clone()],
                        fallback: None,
                        ..map.clone()
                    };
                    one.assign(s).is_some()
                }) {
                    Some(i) => {
                        counted[i] += 1;
                        assert_eq!(map.assign(s), Some(map.rules[i].name.as_str()));
                    }
                    None => assert_eq!(map.assign(s), map.fallback.as_deref()),
                }
            }
        }
    }
    let by_lint: Vec<usize> = lint.wins.iter().map(|(_, w)| *w).collect();
    assert_eq!(by_lint, counted, "lint's wins differ from assign's");
    let zero: Vec<&str> = map
        .rules
        .iter()
        .zip(&counted)
        .filter(|(_, w)| **w == 0)
        .map(|(r, _)| r.name.as_str())
        .collect();
    assert_eq!(
        lint.unreachable
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>(),
        zero
    );
    let scores: Vec<RfmScore> = (1..=b).map(|s| RfmScore::new(s, s, s)).collect();
    let _ = map.assign_all(&scores, map.bins);
}

pub fn check(data: &[u8]) {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    if mode & 1 == 0 {
        let Ok(text) = std::str::from_utf8(rest) else {
            return;
        };
        let Ok(map) = SegmentMap::parse("fuzz", text) else {
            return;
        };
        assert!((2..=10).contains(&map.bins), "bins {}", map.bins);
        for rule in &map.rules {
            assert!(
                !rule.name.is_empty() && rule.name.trim() == rule.name,
                "rule name {:?}",
                rule.name
            );
            match &rule.matcher {
                Matcher::Scores { r, f, m } => {
                    for range in [r, f, m] {
                        assert!(1 <= range.min && range.min <= range.max, "range {range:?}");
                        assert!(
                            range.max <= map.bins || range.max == u8::MAX,
                            "range {range:?} beyond {} bins",
                            map.bins
                        );
                    }
                }
                Matcher::Codes(codes) => {
                    assert!(!codes.is_empty());
                    for c in codes {
                        assert!(
                            [c.r, c.f, c.m].iter().all(|s| (1..=map.bins).contains(s)),
                            "code {c:?}"
                        );
                    }
                }
            }
        }
        assert_eq!(
            SegmentMap::parse("fuzz", text).ok().as_ref(),
            Some(&map),
            "parsing is not deterministic"
        );
        lint_agrees(&map);
    } else if let Ok(map) = serde_json::from_slice::<SegmentMap>(rest) {
        lint_agrees(&map);
    }
}
