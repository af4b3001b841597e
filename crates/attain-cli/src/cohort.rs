//! `attain cohort` (being built).

/// Arguments of `attain cohort`.
#[derive(Debug, clap::Args)]
pub(crate) struct CohortArgs {}

pub(crate) fn run(_args: &CohortArgs) -> anyhow::Result<()> {
    anyhow::bail!("`attain cohort` is not built yet")
}
