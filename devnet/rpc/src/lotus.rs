//! Lotus' `Filecoin.*` namespace, in Lotus' JSON shapes.

use crate::table::Method;

/// This namespace's rows of the table.
pub(crate) const METHODS: &[Method] = &[];
