//! Segment maps as data: named rules over the R, F and M scores, first match wins.
//!
//! Built in ([`SegmentMap::builtin`], names in [`BUILTIN_MAPS`]):
//!
//! | name | source | bins | codes no rule takes |
//! |---|---|---|---|
//! | `three` | the three groups of the sales practice attain follows (METHOD.md 3.1) | 5 | "Between groups" |
//! | `standard11` | the published 11-segment table, an exact lookup of all 125 codes ([`SegmentMap::standard11`]) | 5 | none |
//! | `rf10` | the 10-pattern R/F regex map used with it ([`SegmentMap::rf10`]) | 5 | none |
//! | `r-rfm` | R `rfm` 0.3.0's README and article segments, first match ([`SegmentMap::r_rfm`]) | 5 | "Others" |
//! | `pymc` | PyMC-Marketing 0.19's default `segment_config` ([`SegmentMap::pymc`]) | 4 | "Other" |
//! | `pypi-rfm` | PyPI `rfm` 1.0.9's ten segments, first match ([`SegmentMap::pypi_rfm`]) | 5 | none |
//! | `attain11` | attain's own 11 R/F/M boxes (not the published table) ([`SegmentMap::attain11`]) | 5 | none |
//!
//! Each map named after a source assigns every code exactly as that source does: the
//! workspace's `data/compat/maps/` holds each source's own assignment of every code, made by
//! running the source (or, for `standard11`, read from its table), and a test compares all of
//! them. [`SegmentMap::lint`] reports, for any map, the codes no rule takes and the rules that
//! can never win. Maps can also be read from a small text format ([`SegmentMap::parse`]).

use crate::score::{RfmScore, check_bins};
use crate::{Error, Result};

/// An inclusive range of scores, `min..=max`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct ScoreRange {
    /// Lowest score matched.
    pub min: u8,
    /// Highest score matched.
    pub max: u8,
}

impl ScoreRange {
    /// `min..=max`.
    #[must_use]
    pub const fn new(min: u8, max: u8) -> Self {
        ScoreRange { min, max }
    }
    /// Every score.
    pub const ANY: ScoreRange = ScoreRange {
        min: 1,
        max: u8::MAX,
    };

    fn contains(&self, s: u8) -> bool {
        self.min <= s && s <= self.max
    }
}

/// What a rule matches.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum Matcher {
    /// A box of scores: R, F and M each in a range.
    Scores {
        /// Recency range.
        r: ScoreRange,
        /// Frequency range.
        f: ScoreRange,
        /// Monetary range.
        m: ScoreRange,
    },
    /// Exact score triples.
    Codes(Vec<RfmScore>),
}

impl Matcher {
    fn matches(&self, s: RfmScore) -> bool {
        match self {
            Matcher::Scores { r, f, m } => r.contains(s.r) && f.contains(s.f) && m.contains(s.m),
            Matcher::Codes(c) => c.contains(&s),
        }
    }
}

/// A named rule.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct SegmentRule {
    /// The segment's name.
    pub name: String,
    /// What it matches.
    pub matcher: Matcher,
}

/// An ordered list of rules (first match wins) and an optional catch-all.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct SegmentMap {
    /// The map's name.
    pub name: String,
    /// The number of bins its rules are written for.
    pub bins: u8,
    /// Rules in order.
    pub rules: Vec<SegmentRule>,
    /// The segment of scores no rule matches.
    pub fallback: Option<String>,
}

/// What [`SegmentMap::lint`] found.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct MapLint {
    /// Score triples no rule matches and no fallback catches.
    pub uncovered: Vec<RfmScore>,
    /// Score triples only the fallback catches.
    pub fallback: Vec<RfmScore>,
    /// Names of rules that never win (every code they match is taken by an earlier rule).
    pub unreachable: Vec<String>,
    /// Codes a rule matches that an earlier rule takes first, with the later rule's name.
    pub shadowed: Vec<(String, RfmScore)>,
    /// Number of codes each rule wins, in rule order.
    pub wins: Vec<(String, usize)>,
}

impl MapLint {
    /// True when every code lands in a segment and every rule can win.
    #[must_use]
    pub fn is_clean(&self) -> bool {
        self.uncovered.is_empty() && self.unreachable.is_empty()
    }
}

fn rule(name: &str, r: (u8, u8), f: (u8, u8), m: (u8, u8)) -> SegmentRule {
    SegmentRule {
        name: name.to_owned(),
        matcher: Matcher::Scores {
            r: ScoreRange::new(r.0, r.1),
            f: ScoreRange::new(f.0, f.1),
            m: ScoreRange::new(m.0, m.1),
        },
    }
}

/// The catch-all segment of [`SegmentMap::three`].
pub const BETWEEN_GROUPS: &str = "Between groups";

/// The names of the built-in maps, as [`SegmentMap::builtin`] and the CLI's `--segments` take
/// them.
pub const BUILTIN_MAPS: [&str; 7] = [
    "three",
    "standard11",
    "rf10",
    "r-rfm",
    "pymc",
    "pypi-rfm",
    "attain11",
];

/// A map of exact codes: one rule per segment, codes as three digits.
fn codes_map(name: &str, bins: u8, table: &[(&str, &str)], fallback: Option<&str>) -> SegmentMap {
    let digit = |c: u8| c.wrapping_sub(b'0');
    SegmentMap {
        name: name.to_owned(),
        bins,
        rules: table
            .iter()
            .map(|(segment, codes)| SegmentRule {
                name: (*segment).to_owned(),
                matcher: Matcher::Codes(
                    codes
                        .split_whitespace()
                        .map(|c| {
                            let b = c.as_bytes();
                            RfmScore::new(digit(b[0]), digit(b[1]), digit(b[2]))
                        })
                        .collect(),
                ),
            })
            .collect(),
        fallback: fallback.map(str::to_owned),
    }
}

impl SegmentMap {
    /// The three groups of METHOD.md 3.1 (5 bins): **High value** (R, F, M all 4-5),
    /// **Potential** (R 4-5, F 1-3, M 2-4), **Dormant** (R, F, M all 1-2), and
    /// "Between groups" for every other code.
    #[must_use]
    pub fn three() -> Self {
        SegmentMap {
            name: "three".to_owned(),
            bins: 5,
            rules: vec![
                rule("High value", (4, 5), (4, 5), (4, 5)),
                rule("Potential", (4, 5), (1, 3), (2, 4)),
                rule("Dormant", (1, 2), (1, 2), (1, 2)),
            ],
            fallback: Some(BETWEEN_GROUPS.to_owned()),
        }
    }

    /// The published 11-segment table: an exact lookup of all 125 codes of 5 bins, each in
    /// exactly one segment (444 is "Loyal"; Champions are 555, 554, 544, 545, 454, 455, 445).
    ///
    /// Source: the "RFM Segments" table of the README of
    /// `github.com/hangnt1623/Python_E-commerce_RFM-Analysis-for-Customer-Segmentation`
    /// (commit `f00b2ba`), the table many public analyst projects copy code for code.
    #[must_use]
    pub fn standard11() -> Self {
        let table: [(&str, &str); 11] = [
            ("Champions", "555 554 544 545 454 455 445"),
            ("Loyal", "543 444 435 355 354 345 344 335"),
            (
                "Potential Loyalist",
                "553 551 552 541 542 533 532 531 452 451 442 441 431 453 433 432 423 353 352 351 \
                 342 341 333 323",
            ),
            ("New Customers", "512 511 422 421 412 411 311"),
            (
                "Promising",
                "525 524 523 522 521 515 514 513 425 424 413 414 415 315 314 313",
            ),
            ("Need Attention", "535 534 443 434 343 334 325 324"),
            ("About To Sleep", "331 321 312 221 213 231 241 251"),
            (
                "At Risk",
                "255 254 245 244 253 252 243 242 235 234 225 224 153 152 145 143 142 135 134 133 \
                 125 124",
            ),
            ("Cannot Lose Them", "155 154 144 214 215 115 114 113"),
            ("Hibernating", "332 322 233 232 223 222 132 123 122 212 211"),
            ("Lost", "111 112 121 131 141 151"),
        ];
        codes_map("standard11", 5, &table, None)
    }

    /// The 10-pattern R/F map used with [`SegmentMap::standard11`]'s table: the regular
    /// expressions over the two-character RF code (`[1-2][1-2]` hibernating, `[1-2][3-4]`
    /// at_Risk, `[1-2]5` cant_loose, `3[1-2]` about_to_sleep, `33` need_attention, `[3-4][4-5]`
    /// loyal_customers, `41` promising, `51` new_customers, `[4-5][2-3]` potential_loyalists,
    /// `5[4-5]` champions), applied as their users apply them,
    /// `rf_code.replace(seg_map, regex=True)` in pandas. M does not matter; every code has a
    /// segment. Names are spelled as in the source.
    #[must_use]
    pub fn rf10() -> Self {
        let any = (1, 5);
        SegmentMap {
            name: "rf10".to_owned(),
            bins: 5,
            rules: vec![
                rule("hibernating", (1, 2), (1, 2), any),
                rule("at_Risk", (1, 2), (3, 4), any),
                rule("cant_loose", (1, 2), (5, 5), any),
                rule("about_to_sleep", (3, 3), (1, 2), any),
                rule("need_attention", (3, 3), (3, 3), any),
                rule("loyal_customers", (3, 4), (4, 5), any),
                rule("promising", (4, 4), (1, 1), any),
                rule("new_customers", (5, 5), (1, 1), any),
                rule("potential_loyalists", (4, 5), (2, 3), any),
                rule("champions", (5, 5), (4, 5), any),
            ],
            fallback: None,
        }
    }

    /// R `rfm` 0.3.0's ten segments (its README and its article "RFM - Transaction Level
    /// Data"), applied as `rfm_segment()` applies them: the first segment whose R, F and M
    /// ranges all hold the scores, else "Others".
    ///
    /// | segment | R | F | M |
    /// |---|---|---|---|
    /// | Champions | 5 | 5 | 5 |
    /// | Potential Loyalist | 3-5 | 3-5 | 2-5 |
    /// | Loyal Customers | 2-4 | 2-4 | 2-4 |
    /// | Promising | 3-4 | 1-3 | 3-5 |
    /// | New Customers | 4-5 | 1-3 | 1-5 |
    /// | Can't Lose Them | 1-2 | 3-4 | 4-5 |
    /// | At Risk | 1-2 | 2-5 | 4-5 |
    /// | Need Attention | 1-3 | 3-5 | 3-5 |
    /// | About To Sleep | 2-3 | 1-3 | 1-4 |
    /// | Lost | 1 | 1-5 | 1-5 |
    #[must_use]
    pub fn r_rfm() -> Self {
        SegmentMap {
            name: "r-rfm".to_owned(),
            bins: 5,
            rules: vec![
                rule("Champions", (5, 5), (5, 5), (5, 5)),
                rule("Potential Loyalist", (3, 5), (3, 5), (2, 5)),
                rule("Loyal Customers", (2, 4), (2, 4), (2, 4)),
                rule("Promising", (3, 4), (1, 3), (3, 5)),
                rule("New Customers", (4, 5), (1, 3), (1, 5)),
                rule("Can't Lose Them", (1, 2), (3, 4), (4, 5)),
                rule("At Risk", (1, 2), (2, 5), (4, 5)),
                rule("Need Attention", (1, 3), (3, 5), (3, 5)),
                rule("About To Sleep", (2, 3), (1, 3), (1, 4)),
                rule("Lost", (1, 1), (1, 5), (1, 5)),
            ],
            fallback: Some("Others".to_owned()),
        }
    }

    /// PyMC-Marketing 0.19's default segment config (`_default_rfm_segment_config` in
    /// `pymc_marketing/clv/utils.py`) over its quartile codes (4 bins, 64 codes), used with
    /// [`Scoring::Pymc`](crate::Scoring::Pymc); codes it does not list become "Other", as in
    /// `rfm_segments`.
    #[must_use]
    pub fn pymc() -> Self {
        let table: [(&str, &str); 5] = [
            ("Premium Customer", "334 443 444 344 434 433 343 333"),
            ("Repeat Customer", "244 234 232 332 143 233 243"),
            (
                "Top Spender",
                "424 414 144 314 324 124 224 423 413 133 323 313 134",
            ),
            (
                "At Risk Customer",
                "422 223 212 122 222 132 322 312 412 123 214",
            ),
            ("Inactive Customer", "411 111 113 114 112 211 311"),
        ];
        codes_map("pymc", 4, &table, Some("Other"))
    }

    /// PyPI `rfm` 1.0.9's ten segments (`RFM.find_segments`), first match; codes no rule
    /// takes get no segment, as there (its table holds NaN).
    ///
    /// | segment | R | F | M |
    /// |---|---|---|---|
    /// | Champions | 4-5 | 4-5 | 4-5 |
    /// | Promising | 4-5 | 1-2 | 3-5 |
    /// | Loyal Accounts | 3-5 | 3-5 | 3-5 |
    /// | Potential Loyalist | 3-5 | 2-3 | 2-4 |
    /// | New Active Accounts | 5 | 1 | 1-5 |
    /// | Low Spenders | 3-5 | 1-5 | 1-2 |
    /// | Need Attention | 2-3 | 1-2 | 4-5 |
    /// | About to Sleep | 2-3 | 1-2 | 1-3 |
    /// | At Risk | 1-2 | 1-5 | 3-5 |
    /// | Lost | 1-2 | 1-5 | 1-2 |
    #[must_use]
    pub fn pypi_rfm() -> Self {
        SegmentMap {
            name: "pypi-rfm".to_owned(),
            bins: 5,
            rules: vec![
                rule("Champions", (4, 5), (4, 5), (4, 5)),
                rule("Promising", (4, 5), (1, 2), (3, 5)),
                rule("Loyal Accounts", (3, 5), (3, 5), (3, 5)),
                rule("Potential Loyalist", (3, 5), (2, 3), (2, 4)),
                rule("New Active Accounts", (5, 5), (1, 1), (1, 5)),
                rule("Low Spenders", (3, 5), (1, 5), (1, 2)),
                rule("Need Attention", (2, 3), (1, 2), (4, 5)),
                rule("About to Sleep", (2, 3), (1, 2), (1, 3)),
                rule("At Risk", (1, 2), (1, 5), (3, 5)),
                rule("Lost", (1, 2), (1, 5), (1, 2)),
            ],
            fallback: None,
        }
    }

    /// attain's own 11 boxes over R and F (M splits Champions from Loyal), 5 bins, each of the
    /// 125 codes in exactly one segment. Not the published table ([`SegmentMap::standard11`]):
    /// here 444 is "Champions".
    ///
    /// | segment | R | F | M |
    /// |---|---|---|---|
    /// | Champions | 4-5 | 4-5 | 4-5 |
    /// | Loyal | 3-5 | 4-5 | any (after Champions) |
    /// | Potential Loyalist | 4-5 | 2-3 | any |
    /// | New Customers | 5 | 1 | any |
    /// | Promising | 4 | 1 | any |
    /// | Need Attention | 3 | 2-3 | any |
    /// | About To Sleep | 3 | 1 | any |
    /// | Cannot Lose Them | 1-2 | 5 | any |
    /// | At Risk | 1-2 | 3-4 | any |
    /// | Hibernating | 2 | 1-2 | any |
    /// | Lost | 1 | 1-2 | any |
    #[must_use]
    pub fn attain11() -> Self {
        let any = (1, 5);
        SegmentMap {
            name: "attain11".to_owned(),
            bins: 5,
            rules: vec![
                rule("Champions", (4, 5), (4, 5), (4, 5)),
                rule("Loyal", (3, 5), (4, 5), any),
                rule("Potential Loyalist", (4, 5), (2, 3), any),
                rule("New Customers", (5, 5), (1, 1), any),
                rule("Promising", (4, 4), (1, 1), any),
                rule("Need Attention", (3, 3), (2, 3), any),
                rule("About To Sleep", (3, 3), (1, 1), any),
                rule("Cannot Lose Them", (1, 2), (5, 5), any),
                rule("At Risk", (1, 2), (3, 4), any),
                rule("Hibernating", (2, 2), (1, 2), any),
                rule("Lost", (1, 1), (1, 2), any),
            ],
            fallback: None,
        }
    }

    /// A built-in map by name (one of [`BUILTIN_MAPS`]).
    #[must_use]
    pub fn builtin(name: &str) -> Option<Self> {
        match name {
            "three" => Some(Self::three()),
            "standard11" => Some(Self::standard11()),
            "rf10" => Some(Self::rf10()),
            "r-rfm" => Some(Self::r_rfm()),
            "pymc" => Some(Self::pymc()),
            "pypi-rfm" => Some(Self::pypi_rfm()),
            "attain11" => Some(Self::attain11()),
            _ => None,
        }
    }

    /// The segment of one score triple: the first matching rule, else the fallback.
    #[must_use]
    pub fn assign(&self, score: RfmScore) -> Option<&str> {
        self.rules
            .iter()
            .find(|r| r.matcher.matches(score))
            .map(|r| r.name.as_str())
            .or(self.fallback.as_deref())
    }

    /// The segment of every score, checking that the map fits the bins.
    ///
    /// # Errors
    ///
    /// [`Error::SegmentBins`] when `bins` differs from the map's.
    pub fn assign_all(&self, scores: &[RfmScore], bins: u8) -> Result<Vec<Option<&str>>> {
        if bins != self.bins {
            return Err(Error::SegmentBins {
                map: self.name.clone(),
                expected: self.bins,
                bins,
            });
        }
        Ok(scores.iter().map(|&s| self.assign(s)).collect())
    }

    /// Checks the map against every code of its bins: uncovered codes and rules that can
    /// never win.
    #[must_use]
    pub fn lint(&self) -> MapLint {
        let b = self.bins.clamp(1, crate::score::MAX_BINS);
        let mut wins = vec![0usize; self.rules.len()];
        let (mut uncovered, mut fallback, mut shadowed) = (Vec::new(), Vec::new(), Vec::new());
        for r in 1..=b {
            for f in 1..=b {
                for m in 1..=b {
                    let s = RfmScore::new(r, f, m);
                    let mut matching = self
                        .rules
                        .iter()
                        .enumerate()
                        .filter(|(_, x)| x.matcher.matches(s))
                        .map(|(i, _)| i);
                    let first = matching.next();
                    shadowed.extend(matching.map(|i| (self.rules[i].name.clone(), s)));
                    match first {
                        Some(i) => wins[i] += 1,
                        None if self.fallback.is_some() => fallback.push(s),
                        None => uncovered.push(s),
                    }
                }
            }
        }
        MapLint {
            uncovered,
            fallback,
            shadowed,
            unreachable: self
                .rules
                .iter()
                .zip(&wins)
                .filter(|(_, w)| **w == 0)
                .map(|(r, _)| r.name.clone())
                .collect(),
            wins: self
                .rules
                .iter()
                .zip(wins)
                .map(|(r, w)| (r.name.clone(), w))
                .collect(),
        }
    }

    /// Reads a map from text, one rule per line, first match wins:
    ///
    /// ```text
    /// # comments and blank lines are ignored
    /// @bins 5
    /// Champions = r4-5 f4-5 m4-5
    /// Big spenders = m5          (omitted metrics match any score)
    /// Exact = codes 155 255
    /// Everyone else = *          (the catch-all; at most one, last)
    /// ```
    ///
    /// ```
    /// use attain_rfm::{RfmScore, SegmentMap};
    /// let map = SegmentMap::parse("mine", "Top = r5 f5\nRest = *\n")?;
    /// assert_eq!(map.assign(RfmScore::new(5, 5, 1)), Some("Top"));
    /// assert_eq!(map.assign(RfmScore::new(4, 5, 1)), Some("Rest"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// Every score must lie within `1..=bins` and every range run upwards (`r2-4`, not `r4-2`
    /// or `r7` in five bins): a rule that could never match is refused, not kept.
    ///
    /// # Errors
    ///
    /// [`Error::SegmentMap`] naming the line; [`Error::InvalidBins`].
    pub fn parse(name: &str, text: &str) -> Result<Self> {
        let mut map = SegmentMap {
            name: name.to_owned(),
            bins: 5,
            rules: Vec::new(),
            fallback: None,
        };
        let mut rule_lines = Vec::new();
        for (i, raw) in text.lines().enumerate() {
            let line_no = i + 1;
            let err = |reason: String| Error::SegmentMap {
                line: line_no,
                reason,
            };
            let line = raw.split('#').next().unwrap_or("").trim();
            if line.is_empty() {
                continue;
            }
            if let Some(rest) = line.strip_prefix("@bins") {
                let b: u8 = rest
                    .trim()
                    .parse()
                    .map_err(|_| err(format!("bad bins {:?}", rest.trim())))?;
                check_bins(b)?;
                map.bins = b;
                continue;
            }
            if map.fallback.is_some() {
                return Err(err("rule after the catch-all `*`".to_owned()));
            }
            let Some((name, spec)) = line.split_once('=') else {
                return Err(err(format!("expected `NAME = SPEC`, got {line:?}")));
            };
            let (name, spec) = (name.trim(), spec.trim());
            if name.is_empty() {
                return Err(err("empty segment name".to_owned()));
            }
            if spec == "*" {
                map.fallback = Some(name.to_owned());
                continue;
            }
            let matcher = if let Some(codes) = spec.strip_prefix("codes") {
                let mut v = Vec::new();
                for c in codes.split_whitespace() {
                    let d: Vec<u8> = c
                        .chars()
                        .map(|ch| ch.to_digit(11).map(|x| x as u8))
                        .collect::<Option<Vec<u8>>>()
                        .filter(|d| d.len() == 3)
                        .ok_or_else(|| {
                            err(format!("bad code {c:?}: expected three score digits"))
                        })?;
                    v.push(RfmScore::new(d[0], d[1], d[2]));
                }
                Matcher::Codes(v)
            } else {
                let (mut r, mut f, mut m) = (ScoreRange::ANY, ScoreRange::ANY, ScoreRange::ANY);
                for part in spec.split_whitespace() {
                    let (metric, range) =
                        part.split_at(part.char_indices().nth(1).map_or(part.len(), |x| x.0));
                    let (lo, hi) = range.split_once('-').unwrap_or((range, range));
                    let parse = |s: &str| {
                        s.parse::<u8>()
                            .map_err(|_| err(format!("bad range {part:?}")))
                    };
                    let sr = ScoreRange::new(parse(lo)?, parse(hi)?);
                    match metric {
                        "r" | "R" => r = sr,
                        "f" | "F" => f = sr,
                        "m" | "M" => m = sr,
                        _ => return Err(err(format!("bad term {part:?}: expected r, f or m"))),
                    }
                }
                Matcher::Scores { r, f, m }
            };
            map.rules.push(SegmentRule {
                name: name.to_owned(),
                matcher,
            });
            rule_lines.push(line_no);
        }
        // Scores are checked once the bins are known (`@bins` may follow a rule): a score
        // outside `1..=bins` or an inverted range would make a rule that silently never matches.
        for (rule, &line) in map.rules.iter().zip(&rule_lines) {
            let bad = |reason: String| Error::SegmentMap { line, reason };
            let bins = map.bins;
            match &rule.matcher {
                Matcher::Scores { r, f, m } => {
                    for (metric, range) in [("r", r), ("f", f), ("m", m)] {
                        if *range != ScoreRange::ANY
                            && !(1 <= range.min && range.min <= range.max && range.max <= bins)
                        {
                            return Err(bad(format!(
                                "{metric}{}-{} is not a range of scores within 1..={bins}",
                                range.min, range.max
                            )));
                        }
                    }
                }
                Matcher::Codes(codes) => {
                    if codes.is_empty() {
                        return Err(bad("`codes` lists no code".to_owned()));
                    }
                    if let Some(c) = codes
                        .iter()
                        .find(|c| [c.r, c.f, c.m].iter().any(|s| !(1..=bins).contains(s)))
                    {
                        return Err(bad(format!(
                            "code {} has a score outside 1..={bins}",
                            c.code_string()
                        )));
                    }
                }
            }
        }
        Ok(map)
    }
}
