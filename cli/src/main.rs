#![doc = include_str!("../README.md")]

mod args;
mod cmd;
mod keystore;
mod output;

use std::process::ExitCode;

use clap::{Parser, error::ErrorKind};

/// mimalloc rather than glibc's malloc: the FVM allocates and frees many small objects a
/// message; `filmark devnet` under the RPC load bench's 10,000 instant sends took 265–280 µs of
/// CPU a transaction with it against 331–343 µs without (alternating runs, same binary code).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = match args::Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) if matches!(e.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion) => {
            e.exit()
        }
        Err(e) => {
            eprintln!("error: {} (see --help)", usage_error(&e));
            return ExitCode::from(2);
        }
    };
    match cmd::run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            // Each error of the chain once, `outer: cause: root cause`, on one line (a node's
            // failure message may carry a multi-line FVM backtrace: its lines joined by ` | `).
            let text = format!("{e:#}");
            let line = text
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .collect::<Vec<_>>()
                .join(" | ");
            eprintln!("error: {line}");
            ExitCode::FAILURE
        }
    }
}

/// clap's message on one line: without its `error:` label, usage and tips.
fn usage_error(e: &clap::Error) -> String {
    let text = e.render().to_string();
    let text = text.trim_start_matches("error: ");
    let first = text.split("\n\n").next().unwrap_or_default();
    first
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}
