//! The report's chart types, drawn with [`super::svg`]: stacked bars with actuals and a
//! run-rate line, horizontal bar panels, heatmaps and a histogram. Inputs carry the numbers
//! for geometry (`f64`) and the exact, formatted text a reader sees (labels and tooltips).

use super::svg::{self, Area, PALETTE, Svg};

/// One series: a value per category (`None`: not observed) and the text of each value.
#[derive(Debug, Clone)]
pub(super) struct Series {
    pub(super) name: String,
    pub(super) values: Vec<Option<f64>>,
    pub(super) texts: Vec<String>,
}

/// Stacked monthly bars (the plan), a narrower stacked bar beside each (actuals) and a
/// dashed line (the run rate). Each stack is a list of (series, colour).
#[derive(Debug)]
pub(super) struct StackedBars {
    pub(super) id: String,
    pub(super) title: String,
    pub(super) x_label: String,
    pub(super) y_label: String,
    pub(super) categories: Vec<String>,
    pub(super) stacks: Vec<(Series, String)>,
    pub(super) actual: Vec<(Series, String)>,
    pub(super) line: Option<Series>,
}

/// The sum of the stack's values in category `i`.
fn stack_total(stack: &[(Series, String)], i: usize) -> f64 {
    stack
        .iter()
        .filter_map(|(st, _)| st.values.get(i).copied().flatten())
        .sum()
}

/// Draws one stacked bar of `stack` in category `i` at `x`, `w` wide.
fn draw_stack(
    s: &mut Svg,
    stack: &[(Series, String)],
    (i, cat): (usize, &str),
    what: &str,
    (x, w): (f64, f64),
    y_of: &dyn Fn(f64) -> f64,
) {
    let mut base = 0.0;
    for (st, colour) in stack {
        let Some(v) = st.values.get(i).copied().flatten() else {
            continue;
        };
        let (y1, y2) = (y_of(base + v), y_of(base));
        let tip = format!(
            "{cat} {what}, {}: {}",
            st.name,
            st.texts.get(i).map_or("", String::as_str)
        );
        s.rect(x, y1, w, (y2 - y1).max(0.0), colour, &tip);
        base += v;
    }
}

pub(super) fn stacked_bars(c: &StackedBars) -> String {
    let mut s = Svg::new(&c.id, 1000.0, 430.0, &c.title);
    let area = Area {
        left: 92.0,
        top: 70.0,
        width: 880.0,
        height: 290.0,
    };
    let n = c.categories.len().max(1);
    let mut max = (0..n)
        .map(|i| stack_total(&c.stacks, i).max(stack_total(&c.actual, i)))
        .fold(0.0, f64::max);
    if let Some(line) = &c.line {
        max = line.values.iter().flatten().copied().fold(max, f64::max);
    }
    let (ticks, top) = svg::nice_ticks(max * 1.04, 5);
    s.y_axis(area, &ticks, top, &c.y_label);
    let slot = area.width / n as f64;
    let bar_w = if c.actual.is_empty() {
        slot * 0.62
    } else {
        slot * 0.4
    };
    let y_of = |v: f64| area.bottom() - v.max(0.0) / top * area.height;
    for (i, cat) in c.categories.iter().enumerate() {
        let x0 = area.left + slot * i as f64 + slot * 0.1;
        draw_stack(&mut s, &c.stacks, (i, cat), "plan", (x0, bar_w), &y_of);
        draw_stack(
            &mut s,
            &c.actual,
            (i, cat),
            "actual",
            (x0 + bar_w + 2.0, bar_w),
            &y_of,
        );
        s.text(
            area.left + slot * (i as f64 + 0.5),
            area.bottom() + 16.0,
            "middle",
            "tick",
            cat,
        );
    }
    if let Some(line) = &c.line {
        let mut d = String::new();
        for (i, v) in line.values.iter().enumerate() {
            let Some(v) = v else { continue };
            let (xa, xb) = (
                area.left + slot * i as f64,
                area.left + slot * (i as f64 + 1.0),
            );
            let y = y_of(*v);
            let cmd = if d.is_empty() { 'M' } else { 'L' };
            d.push_str(&format!("{cmd}{xa:.1} {y:.1} L{xb:.1} {y:.1} "));
        }
        if !d.is_empty() {
            s.raw(&format!(
                r#"<path class="run-rate" d="{}"><title>{}</title></path>"#,
                d.trim_end(),
                svg::esc(&format!(
                    "{}: {}",
                    line.name,
                    line.texts.first().map_or("", String::as_str)
                ))
            ));
        }
    }
    s.x_label(area, &c.x_label);
    let mut legend: Vec<(&str, &str, bool)> = c
        .stacks
        .iter()
        .chain(&c.actual)
        .map(|(st, colour)| (st.name.as_str(), colour.as_str(), false))
        .collect();
    if let Some(l) = &c.line {
        legend.push((l.name.as_str(), PALETTE[5], true));
    }
    s.legend(area.left, 52.0, &legend);
    s.finish()
}

/// One panel of horizontal bars: one bar per series in each category.
#[derive(Debug)]
pub(super) struct Panel {
    pub(super) title: String,
    pub(super) x_label: String,
    pub(super) series: Vec<(Series, &'static str)>,
}

/// Side-by-side panels of horizontal bars sharing the category labels on the left.
pub(super) fn hbar_panels(
    id: &str,
    title: &str,
    categories: &[String],
    panels: &[Panel],
) -> String {
    let per_bar = 18.0;
    let groups = panels
        .iter()
        .map(|p| p.series.len())
        .max()
        .unwrap_or(1)
        .max(1);
    let row_h = per_bar * groups as f64 + 12.0;
    let legend_h = 24.0;
    let top = 58.0 + legend_h;
    let height = top + row_h * categories.len().max(1) as f64 + 52.0;
    let mut s = Svg::new(id, 1000.0, height, title);
    let label_w = 170.0;
    let gap = 40.0;
    let avail = s.width() - label_w - 20.0 - gap * (panels.len().saturating_sub(1)) as f64;
    let panel_w = avail / panels.len().max(1) as f64;
    for (i, cat) in categories.iter().enumerate() {
        let y = top + row_h * i as f64 + row_h / 2.0 + 4.0;
        s.text(label_w - 8.0, y, "end", "cat", cat);
    }
    for (p_i, panel) in panels.iter().enumerate() {
        let area = Area {
            left: label_w + (panel_w + gap) * p_i as f64,
            top,
            width: panel_w - 60.0,
            height: row_h * categories.len().max(1) as f64,
        };
        let max = panel
            .series
            .iter()
            .flat_map(|(se, _)| se.values.iter().flatten().copied())
            .fold(0.0, f64::max);
        // Fewer ticks when their labels are long (millions), so they never touch.
        let (ticks, tmax) = svg::nice_ticks(max, if max >= 1e6 { 3 } else { 4 });
        s.x_value_axis(area, &ticks, tmax, &panel.x_label);
        s.text(area.left, top - 8.0, "start", "panel-title", &panel.title);
        for (i, cat) in categories.iter().enumerate() {
            for (k, (se, colour)) in panel.series.iter().enumerate() {
                let y = area.top + row_h * i as f64 + 6.0 + per_bar * k as f64;
                let text = se.texts.get(i).map_or("", String::as_str);
                match se.values.get(i).copied().flatten() {
                    Some(v) => {
                        let w = v.max(0.0) / tmax * area.width;
                        s.rect(
                            area.left,
                            y,
                            w,
                            per_bar - 3.0,
                            colour,
                            &format!("{cat}, {}: {text}", se.name),
                        );
                        s.text(
                            area.left + w + 4.0,
                            y + per_bar - 6.0,
                            "start",
                            "value",
                            text,
                        );
                    }
                    None => s.text(area.left + 4.0, y + per_bar - 6.0, "start", "value", text),
                }
            }
        }
        let items: Vec<(&str, &str, bool)> = panel
            .series
            .iter()
            .map(|(se, c)| (se.name.as_str(), *c, false))
            .collect();
        s.legend(area.left, 50.0, &items);
    }
    s.finish()
}

/// A heatmap: one row per row label, one column per column label, colour by `shade` (0..=1).
#[derive(Debug)]
pub(super) struct Heatmap {
    pub(super) id: String,
    pub(super) title: String,
    pub(super) x_label: String,
    pub(super) y_label: String,
    pub(super) rows: Vec<String>,
    pub(super) columns: Vec<String>,
    /// `cells[row][col]`: `None` leaves the cell blank (not observed).
    pub(super) cells: Vec<Vec<Option<Cell>>>,
    pub(super) scale_title: String,
    pub(super) scale_lo: String,
    pub(super) scale_hi: String,
}

/// One heatmap cell.
#[derive(Debug, Clone)]
pub(super) struct Cell {
    pub(super) shade: f64,
    pub(super) text: String,
    pub(super) tip: String,
    /// Drawn in neutral grey instead of the scale (a reference cell such as period 0).
    pub(super) neutral: bool,
}

pub(super) fn heatmap(h: &Heatmap) -> String {
    let label_w = 150.0;
    let cols = h.columns.len().max(1) as f64;
    let cell_w = ((1000.0 - label_w - 30.0) / cols).min(110.0);
    let cell_h = if h.rows.len() > 24 { 18.0 } else { 30.0 };
    let top = 70.0;
    let grid_h = cell_h * h.rows.len().max(1) as f64;
    let height = top + grid_h + 100.0;
    let mut s = Svg::new(&h.id, 1000.0, height, &h.title);
    let area = Area {
        left: label_w,
        top,
        width: cell_w * cols,
        height: grid_h,
    };
    let show_text = cell_w >= 34.0 && cell_h >= 18.0;
    let col_step = (28.0 / cell_w).ceil().max(1.0) as usize;
    for (c, label) in h.columns.iter().enumerate() {
        if c % col_step == 0 {
            s.text(
                area.left + cell_w * (c as f64 + 0.5),
                area.bottom() + 16.0,
                "middle",
                "tick",
                label,
            );
        }
    }
    for (r, label) in h.rows.iter().enumerate() {
        let y = area.top + cell_h * r as f64;
        s.text(area.left - 8.0, y + cell_h / 2.0 + 4.0, "end", "cat", label);
        for (c, cell) in h.cells.get(r).into_iter().flatten().enumerate() {
            let Some(cell) = cell else { continue };
            let x = area.left + cell_w * c as f64;
            let fill = if cell.neutral {
                "#e0e0e0".to_owned()
            } else {
                svg::blues(cell.shade)
            };
            s.rect(x, y, cell_w - 1.0, cell_h - 1.0, &fill, &cell.tip);
            if show_text {
                let colour = if cell.neutral {
                    "#1a1a1a"
                } else {
                    svg::on_blues(cell.shade)
                };
                s.raw(&format!(
                    r#"<text class="cell" x="{:.1}" y="{:.1}" text-anchor="middle" fill="{colour}">{}</text>"#,
                    x + (cell_w - 1.0) / 2.0,
                    y + cell_h / 2.0 + 4.0,
                    svg::esc(&cell.text)
                ));
            }
        }
    }
    s.x_label(area, &h.x_label);
    s.text(
        area.left - 8.0,
        area.top - 10.0,
        "end",
        "axis-label",
        &h.y_label,
    );
    s.scale_legend(
        area.left + 140.0,
        area.bottom() + 56.0,
        240.0,
        &h.scale_title,
        &h.scale_lo,
        &h.scale_hi,
    );
    s.finish()
}

/// A histogram of counts per bin, with labelled vertical markers (mean, median).
#[derive(Debug)]
pub(super) struct Histogram {
    pub(super) id: String,
    pub(super) title: String,
    pub(super) x_label: String,
    pub(super) y_label: String,
    /// Bin edges (`edges.len() == counts.len() + 1`), in x units.
    pub(super) edges: Vec<f64>,
    pub(super) counts: Vec<u64>,
    /// Tooltip per bin.
    pub(super) tips: Vec<String>,
    /// What a bar counts, for the legend.
    pub(super) bar_name: String,
    /// The text of the top edge, when the last bin is open (`2,000 or more`).
    pub(super) open_last: Option<String>,
    pub(super) markers: Vec<(String, f64)>,
}

pub(super) fn histogram(h: &Histogram) -> String {
    let mut s = Svg::new(&h.id, 1000.0, 410.0, &h.title);
    let area = Area {
        left: 92.0,
        top: 80.0,
        width: 860.0,
        height: 260.0,
    };
    let max = h.counts.iter().copied().max().unwrap_or(0) as f64;
    let (ticks, top) = svg::nice_ticks(max * 1.04, 5);
    s.y_axis(area, &ticks, top, &h.y_label);
    let (lo, hi) = match (h.edges.first(), h.edges.last()) {
        (Some(&a), Some(&b)) if b > a => (a, b),
        _ => (0.0, 1.0),
    };
    let x_of = |v: f64| area.left + (v - lo) / (hi - lo) * area.width;
    for (i, &n) in h.counts.iter().enumerate() {
        let (Some(&a), Some(&b)) = (h.edges.get(i), h.edges.get(i + 1)) else {
            continue;
        };
        let y = area.bottom() - n as f64 / top * area.height;
        let fill = if h.open_last.is_some() && i + 1 == h.counts.len() {
            PALETTE[4]
        } else {
            PALETTE[0]
        };
        s.rect(
            x_of(a) + 0.5,
            y,
            (x_of(b) - x_of(a) - 1.0).max(0.5),
            area.bottom() - y,
            fill,
            h.tips.get(i).map_or("", String::as_str),
        );
    }
    // Value axis ticks at about 6 round positions; an open last bin is labelled at its centre.
    let closed_hi = match (&h.open_last, h.edges.len()) {
        (Some(_), n) if n >= 2 => h.edges[n - 2],
        _ => hi,
    };
    let (xt, _) = svg::nice_ticks(closed_hi - lo, 6);
    let step = xt.get(1).copied().unwrap_or(1.0);
    let last_tick = if h.open_last.is_some() {
        closed_hi - step / 2.0
    } else {
        hi + 1e-9
    };
    for t in xt.iter().map(|t| lo + t).filter(|t| *t <= last_tick) {
        s.line(x_of(t), area.bottom(), x_of(t), area.bottom() + 4.0, "axis");
        s.text(
            x_of(t),
            area.bottom() + 16.0,
            "middle",
            "tick",
            &svg::tick(t, step),
        );
    }
    if let Some(text) = &h.open_last {
        s.text(
            (x_of(closed_hi) + x_of(hi)) / 2.0,
            area.bottom() + 16.0,
            "middle",
            "tick",
            text,
        );
    }
    s.line(
        area.left,
        area.bottom(),
        area.right(),
        area.bottom(),
        "axis",
    );
    for (k, (label, v)) in h.markers.iter().enumerate() {
        if !v.is_finite() || *v < lo || *v > hi {
            continue;
        }
        let x = x_of(*v);
        s.line(x, area.top - 4.0, x, area.bottom(), "marker");
        let y = area.top + 10.0 + 16.0 * k as f64;
        s.text(x + 5.0, y, "start", "marker-text", label);
    }
    s.x_label(area, &h.x_label);
    let mut legend = vec![(h.bar_name.as_str(), PALETTE[0], false)];
    if h.open_last.is_some() {
        legend.push(("open-ended last bin", PALETTE[4], false));
    }
    legend.push(("median and mean", "#D55E00", true));
    s.legend(area.left, 52.0, &legend);
    s.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn series(values: Vec<Option<f64>>) -> Series {
        Series {
            name: "s".to_owned(),
            texts: values.iter().map(|_| "v".to_owned()).collect(),
            values,
        }
    }

    /// Every element opened is closed (a cheap well-formedness check; the integration tests
    /// parse the whole page with an XML parser).
    fn balanced(svg: &str) -> bool {
        svg.starts_with("<svg")
            && svg.ends_with("</svg>")
            && svg.matches("<svg").count() == svg.matches("</svg>").count()
            && svg.matches("<text").count() == svg.matches("</text>").count()
            && svg.matches("<title").count() == svg.matches("</title>").count()
            && !svg.contains("inf")
            && !svg.contains("NaN")
    }

    #[test]
    fn empty_and_odd_inputs_draw_without_panicking() {
        let bars = stacked_bars(&StackedBars {
            id: "a".into(),
            title: "t".into(),
            x_label: "x".into(),
            y_label: "y".into(),
            categories: vec![],
            stacks: vec![],
            actual: vec![],
            line: None,
        });
        assert!(balanced(&bars), "{bars}");
        let bars = stacked_bars(&StackedBars {
            id: "a".into(),
            title: "t <&>".into(),
            x_label: "x".into(),
            y_label: "y".into(),
            categories: vec!["Jan".into(), "Feb".into()],
            stacks: vec![(series(vec![Some(f64::NAN), Some(-3.0)]), "#000".into())],
            actual: vec![(series(vec![None, Some(f64::INFINITY)]), "#111".into())],
            line: Some(series(vec![Some(1.0), None])),
        });
        assert!(balanced(&bars), "{bars}");
        assert!(bars.contains("t &lt;&amp;&gt;"));
        let panels = hbar_panels("b", "t", &[], &[]);
        assert!(balanced(&panels), "{panels}");
        let heat = heatmap(&Heatmap {
            id: "c".into(),
            title: "t".into(),
            x_label: "x".into(),
            y_label: "y".into(),
            rows: vec![],
            columns: vec![],
            cells: vec![],
            scale_title: "s".into(),
            scale_lo: "0".into(),
            scale_hi: "1".into(),
        });
        assert!(balanced(&heat), "{heat}");
        let hist = histogram(&Histogram {
            id: "d".into(),
            title: "t".into(),
            x_label: "x".into(),
            y_label: "y".into(),
            edges: vec![],
            counts: vec![],
            tips: vec![],
            bar_name: "n".into(),
            open_last: Some("9+".into()),
            markers: vec![("m".into(), f64::NAN)],
        });
        assert!(balanced(&hist), "{hist}");
    }

    #[test]
    fn stacks_sum_and_legend_names_every_series() {
        let svg = stacked_bars(&StackedBars {
            id: "p".into(),
            title: "t".into(),
            x_label: "x".into(),
            y_label: "y".into(),
            categories: vec!["Jan".into()],
            stacks: vec![
                (series(vec![Some(40.0)]), "#a".into()),
                (series(vec![Some(60.0)]), "#b".into()),
            ],
            actual: vec![(series(vec![Some(50.0)]), "#c".into())],
            line: Some(series(vec![Some(70.0)])),
        });
        assert_eq!(
            stack_total(&[(series(vec![Some(40.0)]), String::new())], 0),
            40.0
        );
        assert_eq!(svg.matches("class=\"legend-text\"").count(), 4);
        assert_eq!(svg.matches("<path class=\"run-rate\"").count(), 1);
    }
}

/// Lines over categories: actual (solid) beside a model's expectation (dashed), with an
/// optional dashed vertical marker after category `marker_after` (the calibration end).
#[derive(Debug)]
pub(super) struct Lines {
    pub(super) id: String,
    pub(super) title: String,
    pub(super) x_label: String,
    pub(super) y_label: String,
    pub(super) categories: Vec<String>,
    /// Each series with its colour and whether it is dashed.
    pub(super) series: Vec<(Series, String, bool)>,
    pub(super) marker_after: Option<(usize, String)>,
}

pub(super) fn lines(c: &Lines) -> String {
    let mut s = Svg::new(&c.id, 1000.0, 430.0, &c.title);
    let area = Area {
        left: 92.0,
        top: 70.0,
        width: 880.0,
        height: 290.0,
    };
    let n = c.categories.len().max(1);
    let max = c
        .series
        .iter()
        .flat_map(|(st, _, _)| st.values.iter().flatten().copied())
        .filter(|v| v.is_finite())
        .fold(0.0, f64::max);
    let (ticks, top) = svg::nice_ticks(max * 1.04, 5);
    s.y_axis(area, &ticks, top, &c.y_label);
    let slot = area.width / n as f64;
    let x_of = |i: usize| area.left + slot * (i as f64 + 0.5);
    let y_of = |v: f64| area.bottom() - v.max(0.0) / top * area.height;
    let label_step = n.div_ceil(26).max(1);
    for (i, cat) in c.categories.iter().enumerate() {
        if i % label_step == 0 {
            s.text(x_of(i), area.bottom() + 16.0, "middle", "tick", cat);
        }
    }
    if let Some((after, label)) = &c.marker_after {
        let x = area.left + slot * (*after as f64 + 1.0);
        s.line(x, area.top, x, area.bottom(), "marker");
        s.text(x + 4.0, area.top + 12.0, "start", "tick", label);
    }
    for (st, colour, dashed) in &c.series {
        let mut d = String::new();
        for (i, v) in st.values.iter().enumerate() {
            let Some(v) = v.filter(|v| v.is_finite()) else {
                continue;
            };
            let cmd = if d.is_empty() { 'M' } else { 'L' };
            d.push_str(&format!("{cmd}{:.1} {:.1} ", x_of(i), y_of(v)));
        }
        if d.is_empty() {
            continue;
        }
        let dash = if *dashed {
            r#" stroke-dasharray="6 3""#
        } else {
            ""
        };
        s.raw(&format!(
            r#"<path d="{}" fill="none" stroke="{colour}" stroke-width="2.5"{dash}><title>{}</title></path>"#,
            d.trim_end(),
            svg::esc(&st.name)
        ));
        for (i, v) in st.values.iter().enumerate() {
            let Some(v) = v.filter(|v| v.is_finite()) else {
                continue;
            };
            let tip = format!(
                "{} {}: {}",
                c.categories.get(i).map_or("", String::as_str),
                st.name,
                st.texts.get(i).map_or("", String::as_str)
            );
            s.raw(&format!(
                r#"<circle cx="{:.1}" cy="{:.1}" r="3" fill="{colour}"><title>{}</title></circle>"#,
                x_of(i),
                y_of(v),
                svg::esc(&tip)
            ));
        }
    }
    s.x_label(area, &c.x_label);
    let legend: Vec<(&str, &str, bool)> = c
        .series
        .iter()
        .map(|(st, colour, dashed)| (st.name.as_str(), colour.as_str(), *dashed))
        .collect();
    s.legend(area.left, 52.0, &legend);
    s.finish()
}
