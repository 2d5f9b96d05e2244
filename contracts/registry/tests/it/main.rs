//! The content registry's behaviour tests: one module per behaviour over the shared [`harness`] (a
//! `FakeRuntime`), each test ending with the actor's invariant check. One test binary for the
//! crate, so the actor links once.

mod harness;

mod abi;
mod cbor;
mod escrow_link;
mod golden;
mod invariants;
mod limits;
mod list;
mod malformed;
mod metadata;
mod model;
mod register;
mod signers;
mod transfer;
