//! Command implementations, one module per top-level command.

mod content;
mod devnet;

use crate::args::{Cli, Command};

/// Runs the parsed command line.
pub(crate) fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Content(cmd) => content::run(cmd),
        Command::Devnet(args) => devnet::run(&args),
    }
}
