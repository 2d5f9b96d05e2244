//! Devnet controls that act outside messages, as Anvil's: set a balance, move time, see the
//! messages queued behind a nonce gap. Snapshots ([`Devnet::snapshot`]) undo them.

use fvm_ipld_encoding::RawBytes;
use fvm_shared::METHOD_SEND;
use fvm_shared::address::Address;
use fvm_shared::econ::TokenAmount;

use crate::Result;
use crate::chain::TipsetRef;
use crate::devnet::Devnet;

impl Devnet {
    /// Sets the balance of any address (Anvil's `anvil_setBalance`), in the state the next
    /// tipset starts from; reads at the head see it at once. An f1, f3 or f410 address with no
    /// actor gets one first: a tipset with an implicit send of nothing to it is mined.
    ///
    /// # Errors
    ///
    /// [`crate::Error::InvalidMessage`] for a negative balance; [`crate::Error::ImplicitFailed`]
    /// if no actor can be made at `address` (an unknown f0 or f2); a store failure.
    pub fn set_balance(&self, address: &Address, balance: TokenAmount) -> Result<()> {
        if self.lookup_id(address, TipsetRef::Head)?.is_none() {
            self.system_call(
                *address,
                METHOD_SEND,
                RawBytes::default(),
                "create the actor whose balance is set",
            )?;
        }
        self.node().set_balance(address, balance)
    }

    /// Makes the next tipset's timestamp `secs` (Anvil's `evm_setNextBlockTimestamp`); later
    /// tipsets follow at 30 s per epoch from it.
    ///
    /// # Errors
    ///
    /// [`crate::Error::InvalidMessage`] unless `secs` is after the head's timestamp.
    pub fn set_next_timestamp(&self, secs: u64) -> Result<()> {
        self.node().set_next_timestamp(secs)
    }

    /// Moves the timestamps of the tipsets mined from now on by `secs` (Anvil's
    /// `evm_increaseTime`); returns the total shift so far, in seconds.
    ///
    /// # Errors
    ///
    /// [`crate::Error::InvalidMessage`] if the shift overflows.
    pub fn increase_time(&self, secs: u64) -> Result<i64> {
        self.node().increase_time(secs)
    }

    /// How many messages wait behind a nonce gap (not counted by [`Devnet::pending`]).
    pub fn queued(&self) -> usize {
        self.node().pool.future_len()
    }
}
