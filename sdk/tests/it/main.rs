//! Integration tests of the SDK (content: vectors, CAR read-back, streaming vs reference).

mod car_reader;
mod clients;
mod directories;
#[cfg(feature = "std")]
mod errors;
mod escrow_twin;
mod input;
mod keys;
mod mnemonic;
mod reference;
mod twins;
mod vectors;
