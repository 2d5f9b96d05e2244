//! The RPC crate's integration tests (one binary).

mod eth;
mod support;
