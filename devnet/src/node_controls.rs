//! The node's side of the devnet controls that act outside messages, as Anvil's: balances and
//! time. A snapshot records what they change ([`super::snapshot`]).

use fvm::state_tree::StateTree;
use fvm_shared::address::Address;
use fvm_shared::clock::ChainEpoch;
use fvm_shared::econ::TokenAmount;

use super::Node;
use crate::config::BLOCK_DELAY_SECS;
use crate::genesis::fvm_err;
use crate::{Error, Result};

impl Node {
    /// The timestamp of a tipset at `height`: the genesis timestamp plus 30 s per epoch, moved by
    /// the time controls.
    pub(crate) fn timestamp_at(&self, height: ChainEpoch) -> u64 {
        let base = self.config.genesis_timestamp.saturating_add(
            u64::try_from(height)
                .unwrap_or(0)
                .saturating_mul(BLOCK_DELAY_SECS),
        );
        base.saturating_add_signed(self.time_offset)
    }

    /// Sets the balance of the actor at `address` in the head's state (the state the next tipset
    /// starts from). The head's block does not change: its state root is the result of its
    /// execution, which no header commits to yet.
    pub(crate) fn set_balance(&mut self, address: &Address, balance: TokenAmount) -> Result<()> {
        if balance.is_negative() {
            return Err(Error::InvalidMessage(format!("negative balance {balance}")));
        }
        let root = self.head().state_root;
        let mut tree = StateTree::new_from_root(self.store.clone(), &root).map_err(fvm_err)?;
        let id = tree
            .lookup_id(address)
            .map_err(fvm_err)?
            .ok_or_else(|| Error::NotFound(format!("actor {address}")))?;
        let mut actor = tree
            .get_actor(id)
            .map_err(fvm_err)?
            .ok_or_else(|| Error::NotFound(format!("actor {address}")))?;
        actor.balance = balance;
        tree.set_actor(id, actor);
        let root = tree.flush().map_err(fvm_err)?;
        self.chain
            .last_mut()
            .expect("the chain always has genesis")
            .state_root = root;
        Ok(())
    }

    /// Makes the next tipset's timestamp `secs` (later ones follow 30 s per epoch from it).
    pub(crate) fn set_next_timestamp(&mut self, secs: u64) -> Result<()> {
        let head = self.head().header.timestamp;
        if secs <= head {
            return Err(Error::InvalidMessage(format!(
                "timestamp {secs} is not after the head's {head}"
            )));
        }
        let natural =
            self.timestamp_at(self.head().height() + 1) as i128 - self.time_offset as i128;
        self.time_offset = i64::try_from(i128::from(secs) - natural)
            .map_err(|_| Error::InvalidMessage(format!("timestamp {secs} is out of range")))?;
        Ok(())
    }

    /// Moves the timestamps of later tipsets by `secs`; returns the total shift.
    pub(crate) fn increase_time(&mut self, secs: u64) -> Result<i64> {
        let secs = i64::try_from(secs)
            .ok()
            .and_then(|s| self.time_offset.checked_add(s))
            .ok_or_else(|| Error::InvalidMessage(format!("cannot move time by {secs} s")))?;
        self.time_offset = secs;
        Ok(secs)
    }
}
