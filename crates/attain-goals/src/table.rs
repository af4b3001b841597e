//! Dimension tables: 1-D share splits and 2-D tables rounded jointly by the **nearest
//! controlled rounding**, exact on both margins.
//!
//! # The problem
//!
//! A 2-D table (month x customer type, customer type x product line) has exact cell values
//! `x[i][j]` that are fractions of a minor unit. Rounding the row totals, the column totals and
//! then the cells independently can leave no integer table that matches both sets of rounded
//! totals (zero cells make this easy to hit). The cells must be rounded jointly.
//!
//! # The method: nearest zero-restricted controlled rounding by network flow
//!
//! attain uses the construction of Bacharach (1966) and Cox & Ernst (1982) (L. H. Cox,
//! "A constructive procedure for unbiased controlled rounding", JASA 82, 1987): rounding a
//! two-way table with its margins is a feasible-flow problem.
//!
//! * Nodes: a source, one node per row, one per column, a sink.
//! * Edges: source -> row `i` with flow in `[floor R_i, ceil R_i]`; row `i` -> column `j` with
//!   flow in `[floor x_ij, ceil x_ij]`; column `j` -> sink in `[floor C_j, ceil C_j]`; and a
//!   total flow of exactly `T` (the target, a whole number of minor units).
//! * The exact table is a feasible *fractional* flow, and all bounds are integers, so by the
//!   integrality theorem of network flows an *integral* feasible flow exists, and so does an
//!   integral one of least cost. attain works on the lower-bound-reduced network (only the
//!   fractional cells become edges of capacity one).
//!
//! **Nearest.** Among all these roundings attain returns one that minimises the total absolute
//! deviation of the cells from their exact values, [`Table::deviation`], reported as an exact
//! fraction of a minor unit ([`Deviation`], `8/3`; never `f64`). Rounding cell `(i, j)` up
//! instead of down changes its deviation from `f` to `1 - f` (`f` its fraction), so each cell
//! edge costs `1 - 2f` per unit, and the nearest rounding is a **minimum-cost** feasible flow on
//! the same network (primal-dual shortest paths, exact integer costs in units of the shared
//! denominator). A property test compares the deviation with brute force over every controlled
//! rounding of small random tables. Margins are free only between their floor and ceiling; the
//! deviation counts cells only. Worked case: 100,000 units in three equal rows split
//! 50 / 30 / 20 (exact cells 16,666.667 / 10,000 / 6,666.667 in every row, row totals 33,334 /
//! 33,333 / 33,333): the deviation is `8/3` units, and no controlled rounding does better.
//!
//! **Guarantees** (each is checked by property tests with random targets, weights including
//! zeros, and JPY/USD/KWD minor units): the grand total equals the target exactly; every row
//! of cells sums exactly to its row total and every column to its column total; every cell,
//! row total and column total is its exact value rounded down or up, so within one minor unit;
//! a cell, row or column whose exact value is already whole (zero in particular) keeps it
//! exactly ("zero-restricted"). A negative target is rounded as the mirror image of its
//! absolute value.
//!
//! **Which way a fractional cell goes** is not "largest remainder": the least total deviation
//! can need a 0.9 down and a 0.1 up when row and column constraints bind. Among roundings of
//! equal deviation the choice is deterministic for given inputs.
//!
//! **Fixed margins.** [`fit_rows`] keeps row totals you already set (months from a time plan)
//! and fits the cells and columns to them; [`fit_margins`] keeps both margins. They fail with
//! [`Error::MarginMismatch`] when the margins do not add up to one total.
//!
//! # Deeper nesting (time x customer x product)
//!
//! Controlled rounding with every 2-D margin of a 3-D table does not always exist, and finding
//! the nearest one is **not a network problem**: the constraints of a three-way table are not
//! totally unimodular, so no flow (min-cost or otherwise) models them and the nearest rounding
//! is an integer program (Causey, Cox & Ernst 1985). attain does not solve that program.
//! [`nest3`] rounds along a nesting path instead: it fits the (outer x middle) table to the
//! fixed outer totals, then the (middle x inner) table to the middle totals, then, for each
//! middle category, the (outer x inner) slice to both of those margins. Every cell sums exactly
//! to its (outer, middle) and (middle, inner) totals.
//!
//! **What is guaranteed:** each of those 2-D steps is the nearest controlled rounding *given
//! its fixed margins* (the margins the previous step produced); [`Cube::deviation`] reports the
//! total absolute deviation of the cells from their exact 3-D shares, exactly. **Not
//! guaranteed:** that no other rounding of the cube has a smaller total deviation. **Limit:**
//! the (outer x inner) totals, summed over the middle dimension, are exact in total but each
//! may drift from its exact value by up to one minor unit per middle category.
//!
//! ```
//! use attain_goals::table::round_product;
//! use attain_types::{Currency, Money, dec};
//!
//! // METHOD.md 1.2: customer new 40 / repeat 60 by product new 60 / mature 40.
//! let target = Money::new(dec!(12000000), Currency::CNY);
//! let t = round_product(target, &[dec!(40), dec!(60)], &[dec!(60), dec!(40)])?;
//! assert_eq!(t.row_totals[0].amount(), dec!(4800000));
//! assert_eq!(t.column_totals[0].amount(), dec!(7200000));
//! assert_eq!(t.cell(0, 0).map(|m| m.amount()), Some(dec!(2880000)));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use attain_types::{Currency, Decimal, Money, allocate};

use crate::error::{Error, Result};
use crate::flow::CostFlow;
use crate::int;

/// A named dimension with share weights, such as customer type `new:40, repeat:60`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Dimension {
    /// The dimension's name (`customer`).
    pub name: String,
    /// One label per category (`new`, `repeat`).
    pub labels: Vec<String>,
    /// One non-negative weight per category (`40`, `60`); only ratios matter.
    #[cfg_attr(feature = "serde", serde(with = "attain_types::serde::decimal_vec"))]
    pub weights: Vec<Decimal>,
}

impl Dimension {
    /// Splits `total` by the weights (largest remainder; see `attain_types::allocate`).
    ///
    /// # Errors
    /// [`Error::LengthMismatch`] if labels and weights differ in length; [`Error::Types`] for
    /// empty, zero or negative weights, or a total that is not whole minor units.
    pub fn split(&self, total: Money) -> Result<Vec<Money>> {
        self.check()?;
        Ok(allocate(total, &self.weights)?)
    }

    fn check(&self) -> Result<()> {
        if self.labels.len() == self.weights.len() {
            Ok(())
        } else {
            Err(Error::LengthMismatch {
                what: "dimension labels and weights",
                expected: self.labels.len(),
                got: self.weights.len(),
            })
        }
    }
}

/// A 2-D table rounded jointly: cells in row-major order with exact margins.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct Table {
    /// The number of rows.
    pub rows: usize,
    /// The number of columns.
    pub columns: usize,
    /// The cells, row by row (`cells[r * columns + c]`).
    pub cells: Vec<Money>,
    /// The row totals (each the exact sum of its row of cells).
    pub row_totals: Vec<Money>,
    /// The column totals (each the exact sum of its column of cells).
    pub column_totals: Vec<Money>,
    /// The grand total.
    pub total: Money,
    /// The total absolute deviation of the cells from their exact shares, in minor units:
    /// the least any controlled rounding of this table can have.
    pub deviation: Deviation,
}

impl Table {
    /// The cell at row `r`, column `c`, or `None` out of range.
    #[must_use]
    pub fn cell(&self, r: usize, c: usize) -> Option<Money> {
        if r < self.rows && c < self.columns {
            self.cells.get(r * self.columns + c).copied()
        } else {
            None
        }
    }

    /// Row `r` of cells (empty out of range).
    #[must_use]
    pub fn row(&self, r: usize) -> &[Money] {
        if r < self.rows {
            self.cells
                .get(r * self.columns..(r + 1) * self.columns)
                .unwrap_or(&[])
        } else {
            &[]
        }
    }
}

/// An exact value `floor + rem / den` (the denominator is shared by its group).
#[derive(Debug, Clone, Copy)]
struct Exact {
    floor: u128,
    rem: u128,
}

fn exact(a: u128, b: u128, c: u128) -> Result<Exact> {
    let (floor, rem) = int::mul_div(a, b, c).ok_or(Error::Overflow {
        operation: "table cell",
    })?;
    Ok(Exact { floor, rem })
}

/// Rounds a table whose cells weigh `weights[r][c]` (rectangular, non-negative, not all
/// zero) so that cells and margins sum exactly to `total`; see the [module docs](self).
///
/// # Errors
/// [`Error::Empty`], [`Error::LengthMismatch`] for a ragged matrix, [`Error::NegativeWeight`],
/// [`Error::Types`] if every weight is zero (`ZeroWeights`) or the total is not whole minor
/// units, [`Error::Overflow`] for weights beyond 128 bits at one scale.
pub fn round_table(total: Money, weights: &[Vec<Decimal>]) -> Result<Table> {
    let rows = weights.len();
    let columns = weights.first().map_or(0, Vec::len);
    if rows == 0 || columns == 0 {
        return Err(Error::Empty {
            what: "table weights",
        });
    }
    if let Some(bad) = weights.iter().find(|r| r.len() != columns) {
        return Err(Error::LengthMismatch {
            what: "table row",
            expected: columns,
            got: bad.len(),
        });
    }
    let flat: Vec<Decimal> = weights.iter().flatten().copied().collect();
    let w = int::integer_weights("table weight", &flat)?;
    let sum = int::checked_sum(&w)?;
    if sum == 0 {
        return Err(attain_types::Error::ZeroWeights { count: w.len() }.into());
    }
    let (t, negative) = magnitude(total)?;
    let cells = w
        .iter()
        .map(|&x| exact(t, x, sum))
        .collect::<Result<Vec<_>>>()?;
    let row_w: Vec<u128> = (0..rows)
        .map(|r| w[r * columns..(r + 1) * columns].iter().sum())
        .collect();
    let col_w: Vec<u128> = (0..columns)
        .map(|c| (0..rows).map(|r| w[r * columns + c]).sum())
        .collect();
    let row_x = row_w
        .iter()
        .map(|&x| exact(t, x, sum))
        .collect::<Result<Vec<_>>>()?;
    let col_x = col_w
        .iter()
        .map(|&x| exact(t, x, sum))
        .collect::<Result<Vec<_>>>()?;
    solve(
        total.currency(),
        negative,
        t,
        sum,
        rows,
        columns,
        &cells,
        &row_x,
        &col_x,
    )
}

/// Rounds the product table `total * row_weights[r] * column_weights[c] / (sum * sum)` of two
/// independent dimensions (customer type x product line) jointly; see the [module docs](self).
///
/// # Errors
/// As [`round_table`].
pub fn round_product(
    total: Money,
    row_weights: &[Decimal],
    column_weights: &[Decimal],
) -> Result<Table> {
    let r = int::integer_weights("row weight", row_weights)?;
    let c = int::integer_weights("column weight", column_weights)?;
    let to_dec = |x: u128| int::to_decimal(x);
    let weights = r
        .iter()
        .map(|&a| {
            c.iter()
                .map(|&b| {
                    a.checked_mul(b)
                        .ok_or(Error::Overflow {
                            operation: "product weight",
                        })
                        .and_then(to_dec)
                })
                .collect::<Result<Vec<_>>>()
        })
        .collect::<Result<Vec<_>>>()?;
    round_table(total, &weights)
}

/// Keeps the given row totals (for example months already set by a time plan) and splits each
/// row by `column_weights`, rounding cells and column totals jointly. The column totals are
/// within one minor unit of `sum(rows) * weight / sum(weights)`.
///
/// # Errors
/// [`Error::Empty`]; [`Error::Infeasible`] if row totals have mixed signs; [`Error::Types`] for
/// all-zero column weights, a currency mismatch, or amounts not in whole minor units.
pub fn fit_rows(row_totals: &[Money], column_weights: &[Decimal]) -> Result<Table> {
    let first = row_totals
        .first()
        .ok_or(Error::Empty { what: "row totals" })?;
    if column_weights.is_empty() {
        return Err(Error::Empty {
            what: "column weights",
        });
    }
    let currency = first.currency();
    let total = Money::try_sum(row_totals.iter().copied(), currency)?;
    let (t, negative) = magnitude(total)?;
    let rows = same_sign(row_totals, negative, "row totals")?;
    let c = int::integer_weights("column weight", column_weights)?;
    let sum = int::checked_sum(&c)?;
    if sum == 0 {
        return Err(attain_types::Error::ZeroWeights { count: c.len() }.into());
    }
    let mut cells = Vec::with_capacity(rows.len() * c.len());
    for &r in &rows {
        for &w in &c {
            cells.push(exact(r, w, sum)?);
        }
    }
    let row_x: Vec<Exact> = rows.iter().map(|&r| Exact { floor: r, rem: 0 }).collect();
    let col_x = c
        .iter()
        .map(|&w| exact(t, w, sum))
        .collect::<Result<Vec<_>>>()?;
    solve(
        currency,
        negative,
        t,
        sum,
        rows.len(),
        c.len(),
        &cells,
        &row_x,
        &col_x,
    )
}

/// Keeps both margins (for example months from a time plan and customer totals already agreed)
/// and fits the cells: cell `(r, c)` is within one minor unit of `row[r] * column[c] / total`.
///
/// # Errors
/// [`Error::Empty`]; [`Error::MarginMismatch`] if the two margins sum to different totals;
/// [`Error::Infeasible`] for mixed signs; [`Error::Types`] for a currency mismatch or amounts
/// not in whole minor units.
pub fn fit_margins(row_totals: &[Money], column_totals: &[Money]) -> Result<Table> {
    let first = row_totals
        .first()
        .ok_or(Error::Empty { what: "row totals" })?;
    if column_totals.is_empty() {
        return Err(Error::Empty {
            what: "column totals",
        });
    }
    let currency = first.currency();
    let total = Money::try_sum(row_totals.iter().copied(), currency)?;
    let col_total = Money::try_sum(column_totals.iter().copied(), currency)?;
    if total != col_total {
        return Err(Error::MarginMismatch {
            what: "column totals",
            expected: total.amount(),
            got: col_total.amount(),
        });
    }
    let (t, negative) = magnitude(total)?;
    let rows = same_sign(row_totals, negative, "row totals")?;
    let cols = same_sign(column_totals, negative, "column totals")?;
    let mut cells = Vec::with_capacity(rows.len() * cols.len());
    for &r in &rows {
        for &c in &cols {
            cells.push(if t == 0 {
                Exact { floor: 0, rem: 0 }
            } else {
                exact(r, c, t)?
            });
        }
    }
    let row_x: Vec<Exact> = rows.iter().map(|&r| Exact { floor: r, rem: 0 }).collect();
    let col_x: Vec<Exact> = cols.iter().map(|&c| Exact { floor: c, rem: 0 }).collect();
    solve(
        currency,
        negative,
        t,
        t.max(1),
        rows.len(),
        cols.len(),
        &cells,
        &row_x,
        &col_x,
    )
}

fn magnitude(total: Money) -> Result<(u128, bool)> {
    let u = total.to_minor_units()?;
    Ok((u.unsigned_abs(), u < 0))
}

/// Magnitudes of amounts that must all have the sign of the total (zero allowed).
fn same_sign(values: &[Money], negative: bool, what: &'static str) -> Result<Vec<u128>> {
    let currency = values.first().map(Money::currency);
    values
        .iter()
        .map(|m| {
            if Some(m.currency()) != currency {
                return Err(attain_types::Error::CurrencyMismatch {
                    left: currency.map(|c| c.code().to_owned()).unwrap_or_default(),
                    right: m.currency().code().to_owned(),
                }
                .into());
            }
            let u = m.to_minor_units()?;
            if u != 0 && (u < 0) != negative {
                return Err(Error::Infeasible {
                    reason: format!(
                        "{what} must all have the sign of their sum; got {}",
                        m.amount()
                    ),
                });
            }
            Ok(u.unsigned_abs())
        })
        .collect()
}

/// The controlled-rounding core: among integer cells within `[floor, ceil]` of each exact
/// cell (`floor + rem / den`), with row and column sums within `[floor, ceil]` of theirs and
/// total `t`, finds the one nearest the exact cells (least total absolute deviation).
#[allow(clippy::too_many_arguments)]
fn solve(
    currency: Currency,
    negative: bool,
    t: u128,
    den: u128,
    rows: usize,
    columns: usize,
    cells: &[Exact],
    row_x: &[Exact],
    col_x: &[Exact],
) -> Result<Table> {
    let infeasible = || Error::Infeasible {
        reason: "no controlled rounding satisfies the fixed margins".into(),
    };
    let overflow = || Error::Overflow {
        operation: "controlled rounding",
    };
    let big = |x: u128| i64::try_from(x).map_err(|_| overflow());
    // Residual bounds after taking every cell's floor.
    let floor_sum = cells
        .iter()
        .try_fold(0u128, |a, c| a.checked_add(c.floor))
        .ok_or(infeasible())?;
    let k = big(t.checked_sub(floor_sum).ok_or_else(infeasible)?)?;
    let mut row_lo = Vec::with_capacity(rows);
    for (r, x) in row_x.iter().enumerate() {
        let s: u128 = cells[r * columns..(r + 1) * columns]
            .iter()
            .map(|c| c.floor)
            .sum();
        row_lo.push(big(x.floor.checked_sub(s).ok_or_else(infeasible)?)?);
    }
    let mut col_lo = Vec::with_capacity(columns);
    for (c, x) in col_x.iter().enumerate() {
        let s: u128 = (0..rows).map(|r| cells[r * columns + c].floor).sum();
        col_lo.push(big(x.floor.checked_sub(s).ok_or_else(infeasible)?)?);
    }
    // Nodes: 0 source, 1 sink, rows, columns, super source, super sink. Lower bounds are
    // moved to node excesses, met from the super source and drained to the super sink.
    let (s, snk) = (0usize, 1usize);
    let row_node = |r: usize| 2 + r;
    let col_node = |c: usize| 2 + rows + c;
    let (ss, tt) = (2 + rows + columns, 3 + rows + columns);
    let mut g = CostFlow::new(4 + rows + columns);
    let mut excess = vec![0i64; 4 + rows + columns];
    let mut bounded = |g: &mut CostFlow, u: usize, v: usize, lo: i64, hi: i64| {
        if hi > lo {
            g.add_edge(u, v, hi - lo, 0);
        }
        excess[v] += lo;
        excess[u] -= lo;
    };
    for r in 0..rows {
        let lo = row_lo[r];
        bounded(
            &mut g,
            s,
            row_node(r),
            lo,
            lo + i64::from(row_x[r].rem != 0),
        );
    }
    for c in 0..columns {
        let lo = col_lo[c];
        bounded(
            &mut g,
            col_node(c),
            snk,
            lo,
            lo + i64::from(col_x[c].rem != 0),
        );
    }
    bounded(&mut g, snk, s, k, k);
    // Rounding a cell up instead of down moves its deviation from `rem / den` to
    // `(den - rem) / den`: the edge costs `den - 2 rem` (in units of `1 / den`).
    let den_i = i128::try_from(den).map_err(|_| overflow())?;
    let mut cell_edges = vec![usize::MAX; cells.len()];
    for r in 0..rows {
        for c in 0..columns {
            let cell = cells[r * columns + c];
            if cell.rem != 0 {
                let rem = i128::try_from(cell.rem).map_err(|_| overflow())?;
                let cost = den_i.checked_sub(rem).and_then(|d| d.checked_sub(rem));
                let cost = cost.ok_or_else(overflow)?;
                cell_edges[r * columns + c] = g.add_edge(row_node(r), col_node(c), 1, cost);
            }
        }
    }
    let mut need = 0i64;
    for (v, &e) in excess.iter().enumerate() {
        if e > 0 {
            g.add_edge(ss, v, e, 0);
            need += e;
        } else if e < 0 {
            g.add_edge(v, tt, -e, 0);
        }
    }
    if g.min_cost_flow(ss, tt, need).ok_or_else(overflow)? != need {
        return Err(infeasible());
    }
    let sign = |u: u128| -> Result<i128> {
        let v = i128::try_from(u).map_err(|_| overflow())?;
        Ok(if negative { -v } else { v })
    };
    let to_money = |u: u128| -> Result<Money> { Ok(Money::from_minor_units(sign(u)?, currency)?) };
    let mut out = Vec::with_capacity(cells.len());
    let mut row_sum = vec![0u128; rows];
    let mut col_sum = vec![0u128; columns];
    let mut deviation = 0u128;
    for (i, cell) in cells.iter().enumerate() {
        let up = cell_edges[i] != usize::MAX && g.residual(cell_edges[i]) == 0;
        let v = cell.floor + u128::from(up);
        let off = if up { den - cell.rem } else { cell.rem };
        deviation = deviation.checked_add(off).ok_or_else(overflow)?;
        row_sum[i / columns] += v;
        col_sum[i % columns] += v;
        out.push(to_money(v)?);
    }
    Ok(Table {
        rows,
        columns,
        cells: out,
        row_totals: row_sum.into_iter().map(to_money).collect::<Result<_>>()?,
        column_totals: col_sum.into_iter().map(to_money).collect::<Result<_>>()?,
        total: to_money(t)?,
        deviation: Deviation::new(deviation, den),
    })
}

/// A total absolute deviation from exact shares, in minor units, as an exact fraction
/// `numerator / denominator` in lowest terms (`8/3`: exact shares are rarely decimals).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(from = "DeviationRepr"))]
pub struct Deviation {
    numerator: u128,
    denominator: u128,
}

/// The unchecked wire form of a [`Deviation`]; deserializing brings it to lowest terms.
#[cfg(feature = "serde")]
#[derive(serde::Deserialize)]
struct DeviationRepr {
    numerator: u128,
    denominator: u128,
}

#[cfg(feature = "serde")]
impl From<DeviationRepr> for Deviation {
    fn from(r: DeviationRepr) -> Deviation {
        Deviation::new(r.numerator, r.denominator)
    }
}

impl Deviation {
    /// `numerator / denominator` in lowest terms (a zero denominator is read as one).
    #[must_use]
    pub fn new(numerator: u128, denominator: u128) -> Deviation {
        let denominator = denominator.max(1);
        let g = int::gcd(numerator, denominator).max(1);
        Deviation {
            numerator: numerator / g,
            denominator: denominator / g,
        }
    }

    /// The numerator, in lowest terms.
    #[must_use]
    pub fn numerator(&self) -> u128 {
        self.numerator
    }

    /// The denominator, in lowest terms (at least one).
    #[must_use]
    pub fn denominator(&self) -> u128 {
        self.denominator
    }

    /// Whether the rounding is exact (no cell moved).
    #[must_use]
    pub fn is_zero(&self) -> bool {
        self.numerator == 0
    }

    /// The deviation as an amount of `currency`, rounded half away from zero to `decimals`
    /// decimals of the minor unit (for display; the fraction itself is exact).
    ///
    /// # Errors
    /// [`Error::Overflow`] beyond `Decimal`'s range.
    pub fn to_money(&self, currency: Currency, decimals: u32) -> Result<Money> {
        let overflow = || Error::Overflow {
            operation: "deviation to decimal",
        };
        let n = int::to_decimal(self.numerator)?;
        let d = int::to_decimal(self.denominator)?;
        let units = n.checked_div(d).ok_or_else(overflow)?;
        let amount = units
            .checked_mul(Decimal::new(1, currency.minor_units()))
            .ok_or_else(overflow)?
            .round_dp_with_strategy(
                currency.minor_units() + decimals,
                attain_types::RoundingStrategy::MidpointAwayFromZero,
            );
        Ok(Money::new(amount, currency))
    }
}

impl core::fmt::Display for Deviation {
    /// `8/3`, or `2` when the denominator is one (minor units).
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        if self.denominator == 1 {
            write!(f, "{}", self.numerator)
        } else {
            write!(f, "{}/{}", self.numerator, self.denominator)
        }
    }
}

/// A 3-D table rounded along a nesting path (outer x middle x inner, such as month x customer
/// type x product line); see the [module docs](self) for what is exact and the limit.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct Cube {
    /// The sizes `[outer, middle, inner]`.
    pub dims: [usize; 3],
    /// The cells, `cells[(o * middle + m) * inner + i]`.
    pub cells: Vec<Money>,
    /// The (outer x middle) table, exact on both margins.
    pub outer_middle: Table,
    /// The (middle x inner) table, exact on both margins.
    pub middle_inner: Table,
    /// The total absolute deviation of the cells from their exact shares
    /// `outer[o] * middle[m] * inner[i] / (sum(middle) * sum(inner))`, in minor units. Each
    /// rounding step is nearest for its fixed margins; this total is not claimed minimal
    /// (see the [module docs](self)).
    pub deviation: Deviation,
}

impl Cube {
    /// The cell `(o, m, i)`, or `None` out of range.
    #[must_use]
    pub fn cell(&self, o: usize, m: usize, i: usize) -> Option<Money> {
        let [a, b, c] = self.dims;
        if o < a && m < b && i < c {
            self.cells.get((o * b + m) * c + i).copied()
        } else {
            None
        }
    }
}

/// Nests two share dimensions under fixed outer totals (for example the months of a time
/// plan): see the [module docs](self).
///
/// # Errors
/// As [`fit_rows`] and [`fit_margins`].
pub fn nest3(
    outer: &[Money],
    middle_weights: &[Decimal],
    inner_weights: &[Decimal],
) -> Result<Cube> {
    let outer_middle = fit_rows(outer, middle_weights)?;
    let middle_inner = fit_rows(&outer_middle.column_totals, inner_weights)?;
    let (a, b, c) = (outer.len(), middle_weights.len(), inner_weights.len());
    let mut cells = vec![Money::zero(outer_middle.total.currency()); a * b * c];
    for m in 0..b {
        let col: Vec<Money> = (0..a).map(|o| outer_middle.cells[o * b + m]).collect();
        let slice = fit_margins(&col, middle_inner.row(m))?;
        for o in 0..a {
            for i in 0..c {
                cells[(o * b + m) * c + i] = slice.cells[o * c + i];
            }
        }
    }
    let deviation = cube_deviation(outer, middle_weights, inner_weights, &cells)?;
    Ok(Cube {
        dims: [a, b, c],
        cells,
        outer_middle,
        middle_inner,
        deviation,
    })
}

/// `sum |cell - outer[o] * wm * wi / (Wm * Wi)|` over the cube, exactly.
fn cube_deviation(
    outer: &[Money],
    middle_weights: &[Decimal],
    inner_weights: &[Decimal],
    cells: &[Money],
) -> Result<Deviation> {
    let overflow = || Error::Overflow {
        operation: "cube deviation",
    };
    let wm = int::integer_weights("middle weight", middle_weights)?;
    let wi = int::integer_weights("inner weight", inner_weights)?;
    let den = int::checked_sum(&wm)?
        .checked_mul(int::checked_sum(&wi)?)
        .ok_or_else(overflow)?;
    let mut total = 0u128;
    let mut k = 0;
    for o in outer {
        let ou = o.to_minor_units()?.unsigned_abs();
        for &m in &wm {
            for &i in &wi {
                let exact = ou
                    .checked_mul(m)
                    .and_then(|x| x.checked_mul(i))
                    .ok_or_else(overflow)?;
                let cell = cells.get(k).ok_or_else(overflow)?;
                let got = cell
                    .to_minor_units()?
                    .unsigned_abs()
                    .checked_mul(den)
                    .ok_or_else(overflow)?;
                total = total
                    .checked_add(got.abs_diff(exact))
                    .ok_or_else(overflow)?;
                k += 1;
            }
        }
    }
    Ok(Deviation::new(total, den))
}

#[cfg(test)]
mod tests {
    use super::*;
    use attain_types::dec;

    fn usd(x: Decimal) -> Money {
        Money::new(x, Currency::USD)
    }

    #[test]
    fn table_zero_cells_stay_zero() {
        let w = vec![
            vec![dec!(1), dec!(0), dec!(1)],
            vec![dec!(0), dec!(1), dec!(1)],
            vec![dec!(1), dec!(1), dec!(0)],
        ];
        let t = round_table(usd(dec!(0.10)), &w).unwrap();
        assert_eq!(t.cell(0, 1).unwrap().amount(), dec!(0));
        assert_eq!(t.cell(2, 2).unwrap().amount(), dec!(0));
        assert_eq!(
            Money::try_sum(t.cells.clone(), Currency::USD).unwrap(),
            usd(dec!(0.10))
        );
    }

    #[test]
    fn fit_margins_rejects_mismatch() {
        let r = [usd(dec!(1)), usd(dec!(2))];
        let c = [usd(dec!(1))];
        assert!(matches!(
            fit_margins(&r, &c),
            Err(Error::MarginMismatch { .. })
        ));
        let mixed = [usd(dec!(3)), usd(dec!(-1))];
        assert!(matches!(
            fit_rows(&mixed, &[dec!(1)]),
            Err(Error::Infeasible { .. })
        ));
    }
}
