//! The `filmark` binary, run as a process.

mod content;
mod deploy;
mod devnet;
mod errors;
mod keys;
mod onchain;
