//! The market's params and returns, CBOR shapes as the real storage market's.

use core::fmt;

use cid::Cid;
use fvm_ipld_bitfield::BitField;
use fvm_ipld_encoding::strict_bytes;
use fvm_ipld_encoding::tuple::*;
use fvm_shared::address::Address;
use fvm_shared::clock::ChainEpoch;
use fvm_shared::crypto::signature::Signature;
use fvm_shared::econ::TokenAmount;
use fvm_shared::error::ExitCode;
use fvm_shared::piece::PaddedPieceSize;
use serde::{Deserialize, Deserializer, Serialize, Serializer, de};

/// A deal's id, allocated in publication order from 0.
pub type DealID = u64;

/// A deal label: a CBOR text string or byte string (at most [`MAX_LABEL_SIZE`] bytes).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Label {
    /// A UTF-8 label (CBOR major type 3), usually the payload CID.
    String(String),
    /// A binary label (CBOR major type 2).
    Bytes(Vec<u8>),
}

/// Longest label accepted, in bytes.
pub const MAX_LABEL_SIZE: usize = 256;

impl Label {
    /// The label's length in bytes.
    pub fn len(&self) -> usize {
        match self {
            Self::String(s) => s.len(),
            Self::Bytes(b) => b.len(),
        }
    }

    /// Whether the label is empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl Default for Label {
    fn default() -> Self {
        Self::String(String::new())
    }
}

impl Serialize for Label {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Self::String(s) => serializer.serialize_str(s),
            Self::Bytes(b) => serializer.serialize_bytes(b),
        }
    }
}

impl<'de> Deserialize<'de> for Label {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct LabelVisitor;

        impl de::Visitor<'_> for LabelVisitor {
            type Value = Label;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string or bytes")
            }

            fn visit_str<E: de::Error>(self, v: &str) -> Result<Label, E> {
                Ok(Label::String(v.to_owned()))
            }

            fn visit_bytes<E: de::Error>(self, v: &[u8]) -> Result<Label, E> {
                Ok(Label::Bytes(v.to_vec()))
            }
        }

        deserializer.deserialize_any(LabelVisitor)
    }
}

/// A storage deal proposal, field for field the real market's.
#[derive(Clone, Debug, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct DealProposal {
    /// The piece commitment (CIDv1, fil-commitment-unsealed, sha2-256-trunc254-padded).
    pub piece_cid: Cid,
    /// Padded piece size: a power of two, at least 128.
    pub piece_size: PaddedPieceSize,
    /// Whether the deal uses DataCap (recorded only: this devnet has no verified registry).
    pub verified_deal: bool,
    /// The client; stored as its ID address once published.
    pub client: Address,
    /// The provider; stored as its ID address once published.
    pub provider: Address,
    /// Free-form label.
    pub label: Label,
    /// First epoch of storage; the deal must be activated by then.
    pub start_epoch: ChainEpoch,
    /// Epoch the deal ends (exclusive).
    pub end_epoch: ChainEpoch,
    /// Paid from client to provider for every epoch in `[start, end)` while active.
    pub storage_price_per_epoch: TokenAmount,
    /// Locked from the provider at publication, burnt if the deal is terminated or dropped.
    pub provider_collateral: TokenAmount,
    /// Locked from the client at publication, returned at the end.
    pub client_collateral: TokenAmount,
}

impl DealProposal {
    /// `end_epoch - start_epoch`.
    pub const fn duration(&self) -> ChainEpoch {
        self.end_epoch - self.start_epoch
    }

    /// Price per epoch × duration.
    pub fn total_storage_fee(&self) -> TokenAmount {
        &self.storage_price_per_epoch * self.duration()
    }

    /// What the client locks at publication: the total fee plus its collateral.
    pub fn client_balance_requirement(&self) -> TokenAmount {
        self.total_storage_fee() + &self.client_collateral
    }
}

/// A proposal with the client's signature over its CBOR bytes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct ClientDealProposal {
    /// The proposal.
    pub proposal: DealProposal,
    /// The client's signature; its raw bytes go to the client's `AuthenticateMessage`.
    pub client_signature: Signature,
}

/// Params of `PublishStorageDeals`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct PublishStorageDealsParams {
    /// The deals, all from the calling provider.
    pub deals: Vec<ClientDealProposal>,
}

/// Return of `PublishStorageDeals`.
#[derive(Clone, Debug, PartialEq, Serialize_tuple, Deserialize_tuple)]
pub struct PublishStorageDealsReturn {
    /// Ids of the published deals, in the order of `valid_deals`.
    pub ids: Vec<DealID>,
    /// Indexes (in the params) of the deals that were valid and published.
    pub valid_deals: BitField,
}

/// Params of `WithdrawBalance`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct WithdrawBalanceParams {
    /// Whose escrow to withdraw from: must be the caller.
    pub provider_or_client: Address,
    /// Most to withdraw; at most the unlocked balance is.
    pub amount: TokenAmount,
}

/// Return of `GetBalance`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct GetBalanceReturn {
    /// Escrow balance, locked funds included.
    pub balance: TokenAmount,
    /// The locked part.
    pub locked: TokenAmount,
}

/// Return of `GetDealDataCommitment`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct GetDealDataCommitmentReturn {
    /// The piece CID.
    pub data: Cid,
    /// Its padded size.
    pub size: PaddedPieceSize,
}

/// Return of `GetDealTerm`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct GetDealTermReturn {
    /// Start epoch.
    pub start: ChainEpoch,
    /// Duration in epochs.
    pub duration: ChainEpoch,
}

/// Return of `GetDealActivation`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct GetDealActivationReturn {
    /// Epoch the deal was activated, or -1.
    pub activated: ChainEpoch,
    /// Epoch the deal was terminated (slashed), or -1.
    pub terminated: ChainEpoch,
}

/// Params of the `MarketNotifyDeal` callback sent to a client actor.
#[derive(Clone, Debug, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct MarketNotifyDealParams {
    /// CBOR of the published proposal (client and provider as ID addresses).
    #[serde(with = "strict_bytes")]
    pub proposal: Vec<u8>,
    /// The new deal's id.
    pub deal_id: DealID,
}

/// Params of `SettleDealPayments`: a bitfield of deal ids.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct SettleDealPaymentsParams {
    /// The deals to settle.
    pub deal_ids: BitField,
}

/// One failure of a batch: the item's index in the batch and its exit code.
#[derive(Clone, Debug, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct FailCode {
    /// Index of the failed item.
    pub idx: u32,
    /// Why it failed.
    pub code: ExitCode,
}

/// The outcome of a batch, as builtin-actors' `BatchReturn`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct BatchReturn {
    /// Items that succeeded.
    pub success_count: u32,
    /// The failed items, in index order.
    pub fail_codes: Vec<FailCode>,
}

impl BatchReturn {
    /// Whether every item succeeded.
    pub fn all_ok(&self) -> bool {
        self.fail_codes.is_empty()
    }

    /// Each item's exit code, successes included (`OK`).
    pub fn codes(&self) -> Vec<ExitCode> {
        let size = self.success_count as usize + self.fail_codes.len();
        let mut codes = vec![ExitCode::OK; size];
        for fail in &self.fail_codes {
            if let Some(code) = codes.get_mut(fail.idx as usize) {
                *code = fail.code;
            }
        }
        codes
    }
}

/// What settling one deal did.
#[derive(Clone, Debug, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct DealSettlementSummary {
    /// Paid from client to provider by this settlement.
    pub payment: TokenAmount,
    /// Whether the deal was settled for the last time (and removed).
    pub completed: bool,
}

/// Return of `SettleDealPayments`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct SettleDealPaymentsReturn {
    /// Success or failure of each deal, in bitfield order.
    pub results: BatchReturn,
    /// One summary per deal that succeeded, in order.
    pub settlements: Vec<DealSettlementSummary>,
}

/// Params of the devnet-only `ActivateDeals`: deals activated in one sector.
#[derive(Clone, Debug, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct ActivateDealsParams {
    /// The sector number `GetDealSector` answers.
    pub sector_number: u64,
    /// The deals.
    pub deal_ids: Vec<DealID>,
}

/// Params of the devnet-only `RegisterProvider`: the addresses that control a provider, as a
/// miner actor's owner, worker and control addresses.
#[derive(Clone, Debug, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct RegisterProviderParams {
    /// The provider (the deals' `provider`).
    pub provider: Address,
    /// Receives its withdrawals; may publish and withdraw.
    pub owner: Address,
    /// May publish and withdraw.
    pub worker: Address,
    /// May publish.
    pub control_addresses: Vec<Address>,
}

/// Params of the devnet-only `TerminateDeals`: the deal ids.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct DealIdsParams {
    /// The deals.
    pub deal_ids: Vec<DealID>,
}

/// Multicodec DAG-CBOR.
const DAG_CBOR: u64 = 0x71;

/// Multihash blake2b-256.
const BLAKE2B_256: u64 = 0xb220;

/// A proposal's CID (what duplicates are detected by): CIDv1 DAG-CBOR over `digest`, the
/// blake2b-256 of the proposal's CBOR with ID-address parties.
pub fn proposal_cid(digest: &[u8; 32]) -> Cid {
    // A 32-byte digest always fits a multihash.
    let hash = cid::multihash::Multihash::wrap(BLAKE2B_256, digest).unwrap_or_default();
    Cid::new_v1(DAG_CBOR, hash)
}
