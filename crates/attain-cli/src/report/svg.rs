//! A tiny hand-made SVG toolkit for the report: escaping, number formatting, "nice" axis
//! ticks, colour scales, legends and the frame of a chart (title, axes, axis labels).
//!
//! Geometry is `f64` (pixels); every number a reader sees is formatted from exact values by
//! the caller or with thousands separators here. The output is well-formed XML (every element
//! closed, every attribute quoted and escaped), so the report parses as XHTML.

use std::fmt::Write as _;

use attain_types::{Currency, Decimal, group_thousands};

/// The report's categorical palette (colour-blind safe, Okabe-Ito based).
pub(super) const PALETTE: [&str; 8] = [
    "#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#999999",
];
/// [`PALETTE`] lightened (60% toward white), for planned amounts beside saturated actuals.
pub(super) const TINTS: [&str; 8] = [
    "#99C7E0", "#F5D999", "#99D8C7", "#EBC9DC", "#BBE1F6", "#EEBF99", "#F9F4B3", "#D6D6D6",
];
/// Dark grey for actuals.
pub(super) const ACTUAL: &str = "#333333";
/// Light blue-grey for "required" bars.
pub(super) const REQUIRED: &str = "#9EC5E8";

/// Escapes text for XML content and attribute values.
pub(super) fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// A money amount with the currency's minor unit and thousands separators (`12,345.60`).
pub(super) fn money(amount: Decimal, currency: Currency) -> String {
    let dp = currency.minor_units();
    let rounded =
        amount.round_dp_with_strategy(dp, attain_types::RoundingStrategy::MidpointAwayFromZero);
    group_thousands(&format!("{rounded:.prec$}", prec = dp as usize))
}

/// An `f64` estimate as money (minor unit, separators); non-finite values as `n/a`.
pub(super) fn money_f64(value: f64, currency: Currency) -> String {
    match Decimal::try_from(value) {
        Ok(d) if value.is_finite() => money(d, currency),
        _ => "n/a".to_owned(),
    }
}

/// A whole count with thousands separators.
pub(super) fn count(n: u64) -> String {
    group_thousands(&n.to_string())
}

/// An axis tick value: whole numbers with separators, or up to two decimals for small steps.
pub(super) fn tick(value: f64, step: f64) -> String {
    if value.abs() < step.abs() * 1e-9 || value == 0.0 {
        return "0".to_owned();
    }
    let decimals = (0..4_usize)
        .find(|&d| {
            let scaled = step * 10f64.powi(d as i32);
            (scaled - scaled.round()).abs() < 1e-6
        })
        .unwrap_or(4);
    let text = format!("{value:.decimals$}");
    if text.starts_with('-') && text.trim_start_matches(['-', '0', '.']).is_empty() {
        return text.trim_start_matches('-').to_owned();
    }
    group_thousands(&text)
}

/// A share as a percentage with one decimal (`42.5%`).
pub(super) fn percent(share: f64) -> String {
    format!("{:.1}%", share * 100.0)
}

/// Ticks from 0 covering `max` with about `target` steps of 1, 2 or 5 times a power of ten:
/// returns (ticks, the axis top).
pub(super) fn nice_ticks(max: f64, target: usize) -> (Vec<f64>, f64) {
    let max = if max.is_finite() && max > 0.0 {
        max
    } else {
        1.0
    };
    let raw = max / target.max(1) as f64;
    let mag = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 2.5, 5.0, 10.0]
        .iter()
        .map(|m| m * mag)
        .find(|s| *s >= raw)
        .unwrap_or(10.0 * mag);
    let n = (max / step).ceil().max(1.0) as usize;
    let ticks = (0..=n).map(|i| i as f64 * step).collect();
    (ticks, n as f64 * step)
}

/// A sequential colour for `t` in 0..=1, from near-white to deep blue (perceptually even
/// enough for a heatmap; interpolated in sRGB between five stops).
pub(super) fn blues(t: f64) -> String {
    const STOPS: [(f64, f64, f64); 5] = [
        (247.0, 251.0, 255.0),
        (198.0, 219.0, 239.0),
        (107.0, 174.0, 214.0),
        (33.0, 113.0, 181.0),
        (8.0, 48.0, 107.0),
    ];
    let t = if t.is_finite() {
        t.clamp(0.0, 1.0)
    } else {
        0.0
    };
    let x = t * (STOPS.len() - 1) as f64;
    let i = (x.floor() as usize).min(STOPS.len() - 2);
    let f = x - i as f64;
    let (a, b) = (STOPS[i], STOPS[i + 1]);
    let mix = |p: f64, q: f64| (p + (q - p) * f).round() as u8;
    format!(
        "#{:02x}{:02x}{:02x}",
        mix(a.0, b.0),
        mix(a.1, b.1),
        mix(a.2, b.2)
    )
}

/// Text colour readable on [`blues`]`(t)`.
pub(super) fn on_blues(t: f64) -> &'static str {
    if t > 0.55 { "#ffffff" } else { "#1a1a1a" }
}

/// An SVG document being built. Coordinates are pixels in a `width x height` view box.
#[derive(Debug)]
pub(super) struct Svg {
    buf: String,
    width: f64,
}

/// The plotting area of a chart (inside the margins).
#[derive(Debug, Clone, Copy)]
pub(super) struct Area {
    pub(super) left: f64,
    pub(super) top: f64,
    pub(super) width: f64,
    pub(super) height: f64,
}

impl Area {
    pub(super) fn bottom(&self) -> f64 {
        self.top + self.height
    }
    pub(super) fn right(&self) -> f64 {
        self.left + self.width
    }
}

impl Svg {
    /// A new chart with a title (an SVG `<title>` for assistive tech and a visible heading).
    pub(super) fn new(id: &str, width: f64, height: f64, title: &str) -> Svg {
        let mut buf = String::new();
        let _ = write!(
            buf,
            r#"<svg xmlns="http://www.w3.org/2000/svg" id="{id}" class="chart" viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img" aria-labelledby="{id}-title"><title id="{id}-title">{t}</title>"#,
            id = esc(id),
            t = esc(title),
        );
        let _ = write!(
            buf,
            r#"<text class="chart-title" x="12" y="24">{}</text>"#,
            esc(title)
        );
        Svg { buf, width }
    }

    /// The full width.
    pub(super) fn width(&self) -> f64 {
        self.width
    }

    /// Appends raw, already well-formed SVG.
    pub(super) fn raw(&mut self, s: &str) {
        self.buf.push_str(s);
    }

    /// A rectangle with a tooltip.
    pub(super) fn rect(&mut self, x: f64, y: f64, w: f64, h: f64, fill: &str, tip: &str) {
        if ![x, y, w, h].iter().all(|v| v.is_finite()) {
            return;
        }
        let _ = write!(
            self.buf,
            r#"<rect x="{x:.1}" y="{y:.1}" width="{w:.1}" height="{h:.1}" fill="{fill}"><title>{}</title></rect>"#,
            esc(tip)
        );
    }

    /// A line.
    pub(super) fn line(&mut self, x1: f64, y1: f64, x2: f64, y2: f64, class: &str) {
        let _ = write!(
            self.buf,
            r#"<line class="{class}" x1="{x1:.1}" y1="{y1:.1}" x2="{x2:.1}" y2="{y2:.1}"/>"#
        );
    }

    /// Text; `anchor` is `start`, `middle` or `end`.
    pub(super) fn text(&mut self, x: f64, y: f64, anchor: &str, class: &str, text: &str) {
        let _ = write!(
            self.buf,
            r#"<text class="{class}" x="{x:.1}" y="{y:.1}" text-anchor="{anchor}">{}</text>"#,
            esc(text)
        );
    }

    /// A vertical value axis on the left with grid lines, tick labels and a rotated label.
    pub(super) fn y_axis(&mut self, area: Area, ticks: &[f64], top: f64, label: &str) {
        let step = ticks.get(1).copied().unwrap_or(1.0);
        for &t in ticks {
            let y = area.bottom() - t / top * area.height;
            self.line(area.left, y, area.right(), y, "grid");
            self.text(area.left - 6.0, y + 4.0, "end", "tick", &tick(t, step));
        }
        self.line(area.left, area.top, area.left, area.bottom(), "axis");
        let (x, y) = (16.0, area.top + area.height / 2.0);
        let _ = write!(
            self.buf,
            r#"<text class="axis-label" x="{x:.1}" y="{y:.1}" text-anchor="middle" transform="rotate(-90 {x:.1} {y:.1})">{}</text>"#,
            esc(label)
        );
    }

    /// A horizontal value axis at the bottom with grid lines, tick labels and a label.
    pub(super) fn x_value_axis(&mut self, area: Area, ticks: &[f64], top: f64, label: &str) {
        let step = ticks.get(1).copied().unwrap_or(1.0);
        for &t in ticks {
            let x = area.left + t / top * area.width;
            self.line(x, area.top, x, area.bottom(), "grid");
            self.text(x, area.bottom() + 16.0, "middle", "tick", &tick(t, step));
        }
        self.line(
            area.left,
            area.bottom(),
            area.right(),
            area.bottom(),
            "axis",
        );
        self.x_label(area, label);
    }

    /// The label under the horizontal axis.
    pub(super) fn x_label(&mut self, area: Area, label: &str) {
        self.text(
            area.left + area.width / 2.0,
            area.bottom() + 36.0,
            "middle",
            "axis-label",
            label,
        );
    }

    /// A horizontal legend starting at (x, y): swatches (`dashed` draws a dashed line).
    pub(super) fn legend(&mut self, x: f64, y: f64, items: &[(&str, &str, bool)]) {
        let mut cx = x;
        let _ = write!(self.buf, r#"<g class="legend">"#);
        for (label, colour, dashed) in items {
            if *dashed {
                let _ = write!(
                    self.buf,
                    r#"<line x1="{cx:.1}" y1="{:.1}" x2="{:.1}" y2="{:.1}" stroke="{colour}" stroke-width="2.5" stroke-dasharray="6 3"/>"#,
                    y - 4.0,
                    cx + 18.0,
                    y - 4.0
                );
            } else {
                let _ = write!(
                    self.buf,
                    r#"<rect x="{cx:.1}" y="{:.1}" width="14" height="12" fill="{colour}"/>"#,
                    y - 10.0
                );
            }
            let _ = write!(
                self.buf,
                r#"<text class="legend-text" x="{:.1}" y="{y:.1}">{}</text>"#,
                cx + 22.0,
                esc(label)
            );
            cx += 22.0 + 7.5 * label.chars().count() as f64 + 20.0;
        }
        self.buf.push_str("</g>");
    }

    /// A horizontal colour-scale legend for [`blues`] from `lo` to `hi` labels.
    pub(super) fn scale_legend(
        &mut self,
        x: f64,
        y: f64,
        width: f64,
        title: &str,
        lo: &str,
        hi: &str,
    ) {
        let n = 24;
        let w = width / f64::from(n);
        for i in 0..n {
            let t = f64::from(i) / f64::from(n - 1);
            let _ = write!(
                self.buf,
                r#"<rect x="{:.1}" y="{y:.1}" width="{:.1}" height="10" fill="{}"/>"#,
                x + f64::from(i) * w,
                w + 0.5,
                blues(t)
            );
        }
        self.text(x, y + 24.0, "start", "tick", lo);
        self.text(x + width, y + 24.0, "end", "tick", hi);
        self.text(x - 8.0, y + 9.0, "end", "legend-text", title);
    }

    /// The finished `<svg>` element.
    pub(super) fn finish(mut self) -> String {
        self.buf.push_str("</svg>");
        self.buf
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use attain_types::dec;

    #[test]
    fn money_keeps_the_minor_unit_and_groups() {
        assert_eq!(money(dec!(1234567.5), Currency::USD), "1,234,567.50");
        assert_eq!(money(dec!(-1234.567), Currency::KWD), "-1,234.567");
        assert_eq!(money(dec!(1234.5), Currency::JPY), "1,235");
        assert_eq!(money_f64(f64::NAN, Currency::USD), "n/a");
        assert_eq!(count(1_234_567), "1,234,567");
    }

    #[test]
    fn ticks_are_round_and_cover_the_max() {
        // 107,759 / 5 steps = 21,552 a step: the next round step is 25,000.
        let (t, top) = nice_ticks(107_759.0, 5);
        assert_eq!(top, 125_000.0);
        assert_eq!(t.len(), 6);
        assert_eq!(tick(t[1], t[1]), "25,000");
        let (t, top) = nice_ticks(100_000.0, 5);
        assert_eq!((top, t[1]), (100_000.0, 20_000.0));
        let (t, top) = nice_ticks(0.0, 5);
        assert!(top > 0.0 && t.len() >= 2);
        assert_eq!(tick(0.25, 0.25), "0.25");
        assert_eq!(tick(0.5, 0.1), "0.5");
        assert_eq!(tick(-0.0, 1.0), "0");
        assert_eq!(tick(0.0, 0.2), "0");
    }

    #[test]
    fn escaping_and_colours() {
        assert_eq!(esc("a<b & \"c\""), "a&lt;b &amp; &quot;c&quot;");
        assert_eq!(blues(0.0), "#f7fbff");
        assert_eq!(blues(1.0), "#08306b");
        assert_eq!(blues(f64::NAN), "#f7fbff");
        assert_eq!(on_blues(0.9), "#ffffff");
    }
}
