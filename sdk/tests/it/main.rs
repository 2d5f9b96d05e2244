//! Integration tests of the content pipeline: vectors, CAR read-back, streaming vs reference.

mod car_reader;
mod input;
mod keys;
mod reference;
mod vectors;
