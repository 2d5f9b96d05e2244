//! `filmark demo` (needs the devnet's simulated provider).

use crate::args::DemoArgs;

pub(crate) fn demo(_args: &DemoArgs) -> anyhow::Result<()> {
    anyhow::bail!("demo: the devnet's simulated provider is not in this build yet")
}
