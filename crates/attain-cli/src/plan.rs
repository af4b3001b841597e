//! `attain plan` (being built).

/// Arguments of `attain plan`.
#[derive(Debug, clap::Args)]
pub(crate) struct PlanArgs {}

pub(crate) fn run(_args: &PlanArgs) -> anyhow::Result<()> {
    anyhow::bail!("`attain plan` is not built yet")
}
