//! Command implementations, one module per top-level command.

mod content;
mod demo;
mod deploy;
mod devnet;
mod keys;
mod node;
mod onchain;

use crate::args::{Cli, Command};

/// Runs the parsed command line.
pub(crate) fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Content(cmd) => content::run(cmd),
        Command::Devnet(args) => devnet::run(&args),
        Command::Keys(cmd) => keys::run(cmd),
        Command::Deploy(args) if args.chain.network.is_some() => deploy::run(&args),
        Command::Deploy(args) => onchain::deploy(&args),
        Command::Register(args) => onchain::register(&args),
        Command::Escrow(cmd) => onchain::escrow(cmd),
        Command::Status(args) => onchain::status(&args),
        Command::Demo(args) => demo::demo(&args),
    }
}
