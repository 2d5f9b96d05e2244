//! The `filmark` command.
fn main() {}
