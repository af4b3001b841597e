//! Segment maps: built-ins, the text format, the linter, migration.

use attain_rfm::{BETWEEN_GROUPS, RfmScore, SegmentMap, migration};

#[test]
fn standard11_covers_every_code_once() {
    let map = SegmentMap::standard11();
    let lint = map.lint();
    assert!(lint.is_clean(), "{lint:?}");
    assert!(lint.fallback.is_empty() && map.fallback.is_none());
    assert_eq!(lint.wins.len(), 11);
    assert_eq!(lint.wins.iter().map(|w| w.1).sum::<usize>(), 125);
    // The published table: 444 is Loyal, Champions are seven codes.
    assert_eq!(map.assign(RfmScore::new(4, 4, 4)), Some("Loyal"));
    assert_eq!(map.assign(RfmScore::new(4, 4, 5)), Some("Champions"));
    assert_eq!(lint.wins[0], ("Champions".to_owned(), 7));
    assert_eq!(map.assign(RfmScore::new(1, 1, 1)), Some("Lost"));
}

#[test]
fn attain11_is_our_own_boxes() {
    let map = SegmentMap::attain11();
    let lint = map.lint();
    assert!(lint.is_clean(), "{lint:?}");
    assert_eq!(lint.wins.iter().map(|w| w.1).sum::<usize>(), 125);
    assert_eq!(map.assign(RfmScore::new(4, 4, 4)), Some("Champions"));
    assert_eq!(map.assign(RfmScore::new(5, 5, 1)), Some("Loyal"));
    assert_eq!(map.assign(RfmScore::new(5, 1, 3)), Some("New Customers"));
    assert_eq!(map.assign(RfmScore::new(1, 5, 5)), Some("Cannot Lose Them"));
}

#[test]
fn linter_reports_each_builtin_maps_gaps() {
    // (map, codes only the fallback takes, codes no segment takes, rules that never win)
    let expected = [
        ("three", 91, 0, 0),
        ("standard11", 0, 0, 0),
        ("rf10", 0, 0, 0),
        ("r-rfm", 10, 0, 0),
        ("pymc", 18, 0, 0),
        ("pypi-rfm", 0, 0, 0),
        ("attain11", 0, 0, 0),
    ];
    for (name, fallback, uncovered, unreachable) in expected {
        let lint = SegmentMap::builtin(name).unwrap().lint();
        assert_eq!(
            (
                lint.fallback.len(),
                lint.uncovered.len(),
                lint.unreachable.len()
            ),
            (fallback, uncovered, unreachable),
            "{name}"
        );
    }
    // The exact-code tables list no code twice; first-match box maps overlap by design.
    for name in ["standard11", "pymc"] {
        assert!(
            SegmentMap::builtin(name)
                .unwrap()
                .lint()
                .shadowed
                .is_empty(),
            "{name}"
        );
    }
    assert!(!SegmentMap::r_rfm().lint().shadowed.is_empty());
}

#[test]
fn three_has_named_catch_all() {
    let map = SegmentMap::three();
    let lint = map.lint();
    assert!(lint.is_clean(), "{lint:?}");
    assert_eq!(
        lint.wins,
        [
            ("High value".to_owned(), 8),
            ("Potential".to_owned(), 18),
            ("Dormant".to_owned(), 8)
        ]
    );
    assert_eq!(lint.fallback.len(), 125 - 34);
    assert_eq!(map.assign(RfmScore::new(5, 4, 4)), Some("High value"));
    assert_eq!(map.assign(RfmScore::new(4, 2, 3)), Some("Potential"));
    assert_eq!(map.assign(RfmScore::new(1, 2, 1)), Some("Dormant"));
    assert_eq!(map.assign(RfmScore::new(3, 3, 3)), Some(BETWEEN_GROUPS));
}

#[test]
fn linter_finds_gaps_and_dead_rules() {
    let map = SegmentMap::parse(
        "t",
        "@bins 2\nTop = r2\nShadowed = r2 f2\nSome = codes 111\n",
    )
    .unwrap();
    let lint = map.lint();
    assert_eq!(lint.unreachable, ["Shadowed"]);
    assert_eq!(
        lint.shadowed,
        [
            ("Shadowed".to_owned(), RfmScore::new(2, 2, 1)),
            ("Shadowed".to_owned(), RfmScore::new(2, 2, 2))
        ]
    );
    assert_eq!(
        lint.uncovered,
        [
            RfmScore::new(1, 1, 2),
            RfmScore::new(1, 2, 1),
            RfmScore::new(1, 2, 2)
        ]
    );
    assert!(!lint.is_clean());
}

#[test]
fn parse_rejects_bad_lines_naming_them() {
    let err = SegmentMap::parse("t", "A = r1\nB = q3\n").unwrap_err();
    assert!(err.to_string().contains("line 2"), "{err}");
    assert!(SegmentMap::parse("t", "Rest = *\nA = r1\n").is_err());
    assert!(SegmentMap::parse("t", "no equals sign\n").is_err());
    assert!(SegmentMap::parse("t", "@bins 12\n").is_err());
}

#[test]
fn assign_all_checks_bins() {
    let map = SegmentMap::three();
    assert!(map.assign_all(&[RfmScore::new(1, 1, 1)], 4).is_err());
    assert_eq!(
        map.assign_all(&[RfmScore::new(1, 1, 1)], 5).unwrap(),
        [Some("Dormant")]
    );
}

#[test]
fn migration_matrix_counts_moves() {
    let before = [("a", "Lost"), ("b", "Champions"), ("c", "Lost")];
    let after = [("a", "Champions"), ("b", "Champions"), ("d", "New")];
    let m = migration(before, after);
    assert_eq!(m.labels, ["(absent)", "Champions", "Lost", "New"]);
    assert_eq!(m.get("Lost", "Champions"), 1);
    assert_eq!(m.get("Champions", "Champions"), 1);
    assert_eq!(m.get("Lost", "(absent)"), 1);
    assert_eq!(m.get("(absent)", "New"), 1);
    assert_eq!(m.counts.iter().flatten().sum::<u64>(), 4);
}

#[test]
fn segment_maps_round_trip_through_json() {
    for map in attain_rfm::BUILTIN_MAPS.map(|n| SegmentMap::builtin(n).unwrap()) {
        let json = serde_json::to_string(&map).unwrap();
        let back: SegmentMap = serde_json::from_str(&json).unwrap();
        assert_eq!(back, map);
    }
}
