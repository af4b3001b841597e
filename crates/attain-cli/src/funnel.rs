//! `attain funnel` (being built).

/// Arguments of `attain funnel`.
#[derive(Debug, clap::Args)]
pub(crate) struct FunnelArgs {}

pub(crate) fn run(_args: &FunnelArgs) -> anyhow::Result<()> {
    anyhow::bail!("`attain funnel` is not built yet")
}
