//! The Ethereum `eth_*`, `net_*` and `web3_*` namespaces, as Lotus maps them.

use crate::table::Method;

/// This namespace's rows of the table.
pub(crate) const METHODS: &[Method] = &[];
