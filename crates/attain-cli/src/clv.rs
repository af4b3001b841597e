//! `attain clv` (being built).

/// Arguments of `attain clv`.
#[derive(Debug, clap::Args)]
pub(crate) struct ClvArgs {}

pub(crate) fn run(_args: &ClvArgs) -> anyhow::Result<()> {
    anyhow::bail!("`attain clv` is not built yet")
}
