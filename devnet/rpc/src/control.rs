//! The devnet's controls (Anvil's names where one exists).

use crate::table::Method;

/// This namespace's rows of the table.
pub(crate) const METHODS: &[Method] = &[];
