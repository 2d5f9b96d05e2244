//! Integration tests of the SDK (content: vectors, CAR read-back, streaming vs reference).

mod car_reader;
mod clients;
mod directories;
mod escrow_twin;
#[cfg(feature = "std")]
mod errors;
mod input;
mod keys;
mod mnemonic;
mod reference;
mod vectors;
