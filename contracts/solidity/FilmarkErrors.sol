// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity 0.8.37;

/// The reverts of Filmark's Solidity contracts, one per exit code of the native actors
/// (contracts/README.md, "Exit codes"): a dapp maps either kind to the same error. Each carries
/// the message the native actor would give, naming what failed.
library FilmarkErrors {
    /// USR_ILLEGAL_ARGUMENT (16): a parameter out of range or over a limit.
    error IllegalArgument(string reason);
    /// USR_NOT_FOUND (17): the thing named does not exist, or an address does not resolve.
    error NotFound(string reason);
    /// USR_FORBIDDEN (18): the caller may not do this.
    error Forbidden(string reason);
    /// USR_INSUFFICIENT_FUNDS (19): not enough available funds.
    error InsufficientFunds(string reason);
    /// USR_ILLEGAL_STATE (20): the request is valid but the state does not allow it now.
    error IllegalState(string reason);
    /// USR_SERIALIZATION (21): arguments that do not decode.
    error Serialization(string reason);
    /// USR_UNHANDLED_MESSAGE (22): an unknown function, or a plain transfer where none is taken.
    error UnhandledMessage(string reason);
    /// USR_UNSPECIFIED (23): a call to another actor or contract failed.
    error Unspecified(string reason);
    /// USR_ASSERTION_FAILED (24): bookkeeping that does not add up (a bug).
    error AssertionFailed(string reason);
    /// USR_READ_ONLY (25): a change in a read-only call.
    error ReadOnly(string reason);
    /// USR_NOT_PAYABLE (26): value sent to a function that takes none.
    error NotPayable(string reason);
}
