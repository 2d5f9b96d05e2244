//! The JSON-RPC server, over real sockets: transport, Lotus methods, controls, fuzzing.

mod common;
mod controls;
mod fuzz;
mod lotus;
mod transport;
