//! `attain rfm` (being built).

/// Arguments of `attain rfm`.
#[derive(Debug, clap::Args)]
pub(crate) struct RfmArgs {}

pub(crate) fn run(_args: &RfmArgs) -> anyhow::Result<()> {
    anyhow::bail!("`attain rfm` is not built yet")
}
