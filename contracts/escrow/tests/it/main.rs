//! The escrow's behaviour tests: one module per behaviour over the shared [`harness`] (a
//! `FakeRuntime`), each test ending with the actor's invariant check. One test binary for the
//! crate, so the actor links once.

mod harness;

mod abi;
mod accounts;
mod app_keys;
mod bind_deal;
mod create_order;
mod malformed;
mod market_callbacks;
mod model;
mod registry_link;
mod settle;
mod sponsors;
