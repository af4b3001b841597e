//! `attain segments`: what each segment map does with every score code (the linter).

use std::fmt::Write as _;
use std::io::Write as _;

use anyhow::Context;
use attain_rfm::{BUILTIN_MAPS, RfmScore, SegmentMap};

use crate::usage::UsageContext;

/// Arguments of `attain segments`.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  $ attain segments\n  $ attain segments r-rfm pymc\n\n\
A map file (the format `attain rfm --segments FILE` reads) is linted the same way."
)]
pub(crate) struct SegmentsArgs {
    /// Built-in map names or map files [default: every built-in map].
    maps: Vec<String>,
}

pub(crate) fn run(args: &SegmentsArgs) -> anyhow::Result<()> {
    let names: Vec<String> = if args.maps.is_empty() {
        BUILTIN_MAPS.iter().map(|n| (*n).to_owned()).collect()
    } else {
        args.maps.clone()
    };
    let mut text = String::new();
    for name in &names {
        describe(&mut text, &load(name, "")?);
    }
    std::io::stdout()
        .lock()
        .write_all(text.as_bytes())
        .context("cannot write to standard output")?;
    Ok(())
}

/// A built-in map by name, else the map file `name`; `flag` prefixes the usage error
/// (`"--segments "` for `attain rfm`).
pub(crate) fn load(name: &str, flag: &str) -> anyhow::Result<SegmentMap> {
    if let Some(map) = SegmentMap::builtin(name) {
        return Ok(map);
    }
    let body = std::fs::read_to_string(name).with_usage(|| {
        format!(
            "{flag}{}: not a built-in map ({}) and cannot be read",
            crate::output::shown(std::path::Path::new(name)),
            BUILTIN_MAPS.join(", ")
        )
    })?;
    SegmentMap::parse(name, &body).with_context(|| name.to_owned())
}

fn codes(list: &[RfmScore]) -> String {
    if list.is_empty() {
        return "none".to_owned();
    }
    let shown: Vec<String> = list.iter().map(RfmScore::code_string).collect();
    format!("{} ({})", list.len(), shown.join(" "))
}

/// One map: its rules with the codes each wins, then every gap the linter finds.
fn describe(text: &mut String, map: &SegmentMap) {
    let lint = map.lint();
    let total = usize::from(map.bins).pow(3);
    let _ = writeln!(
        text,
        "{} ({} bins, {} codes, {} rules, first match wins)",
        map.name,
        map.bins,
        total,
        map.rules.len()
    );
    let width = lint
        .wins
        .iter()
        .map(|w| w.0.len())
        .max()
        .unwrap_or(0)
        .max(7);
    let _ = writeln!(text, "  {:<width$}  codes it takes", "segment");
    for (rule, won) in &lint.wins {
        let _ = writeln!(text, "  {rule:<width$}  {won:>3}");
    }
    match &map.fallback {
        Some(name) => {
            let _ = writeln!(
                text,
                "  codes only the fallback {name:?} takes: {}",
                codes(&lint.fallback)
            );
        }
        None => {
            let _ = writeln!(text, "  codes with no segment: {}", codes(&lint.uncovered));
        }
    }
    let unreachable = if lint.unreachable.is_empty() {
        "none".to_owned()
    } else {
        lint.unreachable.join(", ")
    };
    let _ = writeln!(text, "  rules that never win: {unreachable}");
    let _ = writeln!(
        text,
        "  codes an earlier rule takes from a later one: {}\n",
        lint.shadowed.len()
    );
}
