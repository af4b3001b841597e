//! Segment maps as data: named rules over the R, F and M scores, first match wins.
//!
//! Built in: [`SegmentMap::three`], the three groups of the sales practice attain follows
//! (METHOD.md 3.1) plus a catch-all, and [`SegmentMap::standard11`], the common 11-segment
//! map. Both cover every one of the 125 codes of 5 bins exactly once ([`SegmentMap::lint`]
//! checks it). Maps can also be read from a small text format ([`SegmentMap::parse`]).

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

    /// The common 11-segment map over R and F (M splits Champions from Loyal), 5 bins, each of
    /// the 125 codes in exactly one segment:
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
    pub fn standard11() -> Self {
        let any = (1, 5);
        SegmentMap {
            name: "standard11".to_owned(),
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

    /// A built-in map by name: `three` or `standard11`.
    #[must_use]
    pub fn builtin(name: &str) -> Option<Self> {
        match name {
            "three" => Some(Self::three()),
            "standard11" => Some(Self::standard11()),
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
        let (mut uncovered, mut fallback) = (Vec::new(), Vec::new());
        for r in 1..=b {
            for f in 1..=b {
                for m in 1..=b {
                    let s = RfmScore::new(r, f, m);
                    match self.rules.iter().position(|x| x.matcher.matches(s)) {
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
        }
        Ok(map)
    }
}
