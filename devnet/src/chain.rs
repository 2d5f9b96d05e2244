//! Chain data: block headers, tipsets of one block, receipts and message records.

use cid::Cid;
use fvm_ipld_encoding::tuple::*;
use fvm_ipld_encoding::{RawBytes, to_vec};
use fvm_shared::address::Address;
use fvm_shared::clock::ChainEpoch;
use fvm_shared::econ::TokenAmount;
use fvm_shared::error::ExitCode;
use fvm_shared::event::StampedEvent;
use fvm_shared::message::Message;

use filmark_sdk::keys::SignedMessage;
use multihash_codetable::{Code, MultihashDigest};

use crate::Result;

/// Bit width of the message, receipt and event AMTs (events use the FVM's own width, 5).
pub(crate) const RECEIPTS_AMT_BITWIDTH: u32 = 3;
/// Bit width of the events AMT, as the FVM computes a receipt's `events_root`.
pub(crate) const EVENTS_AMT_BITWIDTH: u32 = 5;

/// A block header, Lotus-shaped where the devnet has the data: the block at height `h` carries the
/// state and receipts computed from its parent (as Lotus), and the messages it includes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct BlockHeader {
    /// The block producer (the devnet's reward actor, f02).
    pub miner: Address,
    /// CIDs of the parent tipset's blocks (one; empty for genesis).
    pub parents: Vec<Cid>,
    /// The epoch.
    pub height: ChainEpoch,
    /// The state after executing the parent tipset's messages.
    pub parent_state_root: Cid,
    /// Root of the AMT of the parent tipset's receipts.
    pub parent_message_receipts: Cid,
    /// Root of the AMT of the CIDs of the messages this block includes.
    pub messages: Cid,
    /// Seconds since the Unix epoch.
    pub timestamp: u64,
    /// The base fee this block's messages paid.
    pub parent_base_fee: TokenAmount,
}

impl BlockHeader {
    /// The block's CID: DAG-CBOR blake2b-256 of the header.
    ///
    /// # Errors
    ///
    /// Fails if the header cannot be encoded.
    pub fn cid(&self) -> Result<Cid> {
        Ok(Cid::new_v1(
            fvm_ipld_encoding::DAG_CBOR,
            Code::Blake2b256.digest(&to_vec(self)?),
        ))
    }
}

/// A tipset of one block, with what the devnet computed by executing it.
///
/// Persisted as a CBOR tuple (field order is the encoding: append fields, never reorder).
#[derive(Debug, Clone, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct Tipset {
    /// The block.
    pub header: BlockHeader,
    /// The block's CID, which is also the tipset key.
    pub cid: Cid,
    /// The state after executing this tipset's messages (the next block's `parent_state_root`).
    pub state_root: Cid,
    /// Root of the AMT of this tipset's receipts (the next block's `parent_message_receipts`).
    pub receipts_root: Cid,
    /// CIDs of the messages this tipset includes, in execution order (explicit messages only).
    pub messages: Vec<Cid>,
}

impl Tipset {
    /// The tipset's epoch.
    pub const fn height(&self) -> ChainEpoch {
        self.header.height
    }

    /// The tipset's Ethereum block hash, as Lotus derives it (`EthHashFromCid` of the tipset
    /// key's CID): the blake2b-256 digest of the DAG-CBOR array of its block CIDs.
    pub fn eth_block_hash(&self) -> [u8; 32] {
        let key = to_vec(&[self.cid]).expect("a CID array always encodes");
        let mut out = [0u8; 32];
        out.copy_from_slice(Code::Blake2b256.digest(&key).digest());
        out
    }
}

/// Which tipset to read state at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum TipsetRef {
    /// The head.
    #[default]
    Head,
    /// The tipset at this height.
    Height(ChainEpoch),
    /// The tipset with this key (block CID).
    Key(Cid),
}

/// A message receipt, as stored on chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct Receipt {
    /// The exit code.
    pub exit_code: ExitCode,
    /// The return value (CBOR or raw, as the actor returned it).
    pub return_data: RawBytes,
    /// Gas used.
    pub gas_used: u64,
    /// Root of the events AMT, if the message emitted events.
    pub events_root: Option<Cid>,
}

impl From<fvm_shared::receipt::Receipt> for Receipt {
    fn from(r: fvm_shared::receipt::Receipt) -> Self {
        Self {
            exit_code: r.exit_code,
            return_data: r.return_data,
            gas_used: r.gas_used,
            events_root: r.events_root,
        }
    }
}

/// Everything the devnet knows about an executed message.
///
/// Persisted as a CBOR tuple (field order is the encoding: append fields, never reorder).
#[derive(Debug, Clone, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct MessageRecord {
    /// The message's chain CID (`SignedMessage::cid` for explicit messages, the message CID for
    /// implicit ones).
    pub cid: Cid,
    /// The message.
    pub message: Message,
    /// The signed message (absent for the devnet's implicit messages).
    pub signed: Option<SignedMessage>,
    /// The tipset that included it.
    pub height: ChainEpoch,
    /// Its index among the tipset's explicit messages (implicit ones: `None`).
    pub index: Option<usize>,
    /// The receipt.
    pub receipt: Receipt,
    /// The events it emitted, in order.
    pub events: Vec<StampedEvent>,
    /// The FVM's failure description (backtrace), if it failed.
    pub failure: Option<String>,
    /// Base fee burnt + over-estimation burnt + miner tip (what the sender paid beyond `value`).
    pub gas_cost: TokenAmount,
    /// Its gas by FVM charge name, if the devnet traced gas when it ran
    /// ([`crate::DevnetConfig::gas_tracing`]).
    pub gas_trace: Option<crate::GasBreakdown>,
}

/// Where a message landed: the inclusion tipset, the execution tipset (the next one, whose header
/// carries the resulting state, once mined) and the receipt.
#[derive(Debug, Clone)]
pub struct MessageLookup {
    /// The record.
    pub record: MessageRecord,
    /// The CID of the tipset that included the message.
    pub inclusion: Cid,
    /// The CID of the tipset whose `parent_state_root` includes the message's effects, if mined.
    pub execution: Option<Cid>,
}

#[cfg(test)]
#[path = "chain_tests.rs"]
mod tests;
