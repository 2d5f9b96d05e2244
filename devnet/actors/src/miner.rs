//! The storage miner actor, one per provider created through the power actor's `CreateMiner`
//! (init Execs it, as on mainnet). It holds the provider's owner, worker and control addresses,
//! peer id and multiaddrs, answers who controls it, and holds the FIL paid to it until its owner
//! withdraws it; it has no sectors, deadlines, pledge or vesting (the simulated market activates
//! deals itself), so all its balance is available.
//!
//! Method numbers and CBOR shapes are builtin-actors v18's. Differences: the beneficiary is
//! always the owner (no `ChangeBeneficiary`); `ChangeWorkerAddress` changes the worker at once
//! (v18: after a delay, confirmed by `ConfirmChangeWorkerAddress`); no method changes the owner,
//! peer id or multiaddrs after the constructor.

use filmark_actor_shared::methods;
use fvm_ipld_encoding::tuple::*;
use fvm_ipld_encoding::{BytesDe, strict_bytes};
use fvm_shared::METHOD_CONSTRUCTOR;
use fvm_shared::address::Address;
use fvm_shared::clock::ChainEpoch;
use fvm_shared::econ::TokenAmount;
use fvm_shared::sector::{RegisteredPoStProof, SectorSize};

methods! {
    /// The miner actor's methods (mainnet's numbers).
    pub enum Method {
        /// [`ConstructorParams`]; caller: the init actor.
        Constructor = METHOD_CONSTRUCTOR,
        /// No params → [`GetControlAddressesReturn`].
        ControlAddresses = 2,
        /// [`WithdrawBalanceParams`] → [`TokenAmount`] withdrawn; caller: the owner.
        WithdrawBalance = 16,
        /// Exported [`Method::WithdrawBalance`].
        WithdrawBalanceExported = frc42_dispatch::method_hash!("WithdrawBalance"),
        /// [`ChangeWorkerAddressParams`] → nothing; caller: the owner. The worker changes at
        /// once (v18: after a delay, on `ConfirmChangeWorkerAddress`), the control addresses
        /// at once (as v18).
        ChangeWorkerAddressExported = frc42_dispatch::method_hash!("ChangeWorkerAddress"),
        /// No params → [`GetBeneficiaryReturn`] (the owner, with an empty term).
        GetBeneficiaryExported = frc42_dispatch::method_hash!("GetBeneficiary"),
        /// No params → [`GetOwnerReturn`].
        GetOwnerExported = frc42_dispatch::method_hash!("GetOwner"),
        /// An [`Address`] → `bool`: whether it is the owner, the worker or a control address.
        IsControllingAddressExported = frc42_dispatch::method_hash!("IsControllingAddress"),
        /// No params → the [`SectorSize`] of the miner's window PoSt proof type.
        GetSectorSizeExported = frc42_dispatch::method_hash!("GetSectorSize"),
        /// No params → [`TokenAmount`]: the actor's balance (nothing is locked here).
        GetAvailableBalanceExported = frc42_dispatch::method_hash!("GetAvailableBalance"),
        /// No params → [`GetVestingFundsReturn`] (always empty: nothing vests here).
        GetVestingFundsExported = frc42_dispatch::method_hash!("GetVestingFunds"),
        /// No params → [`GetPeerIdReturn`].
        GetPeerIdExported = frc42_dispatch::method_hash!("GetPeerID"),
        /// No params → [`GetMultiaddrsReturn`].
        GetMultiaddrsExported = frc42_dispatch::method_hash!("GetMultiaddrs"),
    }
}

/// Params of the constructor (what the power actor passes through init).
#[derive(Clone, Debug, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct ConstructorParams {
    /// The owner.
    pub owner: Address,
    /// The worker key.
    pub worker: Address,
    /// Further control addresses.
    pub control_addresses: Vec<Address>,
    /// The window PoSt proof type.
    pub window_post_proof_type: RegisteredPoStProof,
    /// The libp2p peer id.
    #[serde(with = "strict_bytes")]
    pub peer_id: Vec<u8>,
    /// The multiaddrs.
    pub multiaddrs: Vec<BytesDe>,
}

/// The miner's state here: who controls it (as ID addresses) and how it is reached.
#[derive(Clone, Debug, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct State {
    /// The owner (also the beneficiary).
    pub owner: Address,
    /// The worker.
    pub worker: Address,
    /// Further control addresses.
    pub control_addresses: Vec<Address>,
    /// The window PoSt proof type.
    pub window_post_proof_type: RegisteredPoStProof,
    /// The libp2p peer id.
    #[serde(with = "strict_bytes")]
    pub peer_id: Vec<u8>,
    /// The multiaddrs.
    pub multiaddrs: Vec<BytesDe>,
}

/// Return of [`Method::ControlAddresses`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct GetControlAddressesReturn {
    /// The owner.
    pub owner: Address,
    /// The worker.
    pub worker: Address,
    /// Further control addresses.
    pub control_addresses: Vec<Address>,
}

/// Return of [`Method::GetOwnerExported`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct GetOwnerReturn {
    /// The owner (an ID address).
    pub owner: Address,
    /// A proposed new owner (never, here).
    pub proposed: Option<Address>,
}

/// Params of [`Method::WithdrawBalance`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct WithdrawBalanceParams {
    /// The most to withdraw.
    pub amount_requested: TokenAmount,
}

/// Params of [`Method::ChangeWorkerAddressExported`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct ChangeWorkerAddressParams {
    /// The new worker.
    pub new_worker: Address,
    /// The new control addresses (replacing all of them).
    pub new_control_addresses: Vec<Address>,
}

/// A beneficiary's quota and expiry (all zero here: the beneficiary is the owner).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct BeneficiaryTerm {
    /// What the beneficiary may withdraw in all.
    pub quota: TokenAmount,
    /// What it withdrew.
    pub used_quota: TokenAmount,
    /// When its rights end.
    pub expiration: ChainEpoch,
}

/// The active beneficiary of [`GetBeneficiaryReturn`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct ActiveBeneficiary {
    /// Who receives withdrawals.
    pub beneficiary: Address,
    /// Its term.
    pub term: BeneficiaryTerm,
}

/// A proposed beneficiary change (never, here).
#[derive(Clone, Debug, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct PendingBeneficiaryChange {
    /// The nominee.
    pub new_beneficiary: Address,
    /// Its quota.
    pub new_quota: TokenAmount,
    /// Its expiry.
    pub new_expiration: ChainEpoch,
    /// Whether the current beneficiary approved.
    pub approved_by_beneficiary: bool,
    /// Whether the nominee approved.
    pub approved_by_nominee: bool,
}

/// Return of [`Method::GetBeneficiaryExported`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct GetBeneficiaryReturn {
    /// The beneficiary.
    pub active: ActiveBeneficiary,
    /// A proposed change.
    pub proposed: Option<PendingBeneficiaryChange>,
}

/// Return of [`Method::GetVestingFundsExported`].
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct GetVestingFundsReturn {
    /// `(epoch, amount)` of each vesting tranche.
    pub vesting_funds: Vec<(ChainEpoch, TokenAmount)>,
}

/// Return of [`Method::GetPeerIdExported`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct GetPeerIdReturn {
    /// The libp2p peer id.
    #[serde(with = "strict_bytes")]
    pub peer_id: Vec<u8>,
}

/// Return of [`Method::GetMultiaddrsExported`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct GetMultiaddrsReturn {
    /// The multiaddrs.
    pub multi_addrs: Vec<BytesDe>,
}

impl State {
    /// Whether `id` (an ID address) is the owner, the worker or a control address.
    #[must_use]
    pub fn is_controlling(&self, id: &Address) -> bool {
        self.owner == *id || self.worker == *id || self.control_addresses.contains(id)
    }

    /// The [`Method::ControlAddresses`] answer.
    #[must_use]
    pub fn control_addresses(&self) -> GetControlAddressesReturn {
        GetControlAddressesReturn {
            owner: self.owner,
            worker: self.worker,
            control_addresses: self.control_addresses.clone(),
        }
    }

    /// The [`Method::GetBeneficiaryExported`] answer: the owner, an empty term, no proposal.
    #[must_use]
    pub fn beneficiary(&self) -> GetBeneficiaryReturn {
        GetBeneficiaryReturn {
            active: ActiveBeneficiary {
                beneficiary: self.owner,
                term: BeneficiaryTerm::default(),
            },
            proposed: None,
        }
    }

    /// The sector size of the miner's proof type.
    ///
    /// # Errors
    ///
    /// The proof type's message if it has no sector size.
    pub fn sector_size(&self) -> Result<SectorSize, String> {
        self.window_post_proof_type.sector_size()
    }
}

/// Runs one method of this actor in the FVM (what the wasm `invoke` export calls).
///
/// # Errors
///
/// The method's exit code and message: `USR_FORBIDDEN` for a constructor not called by init or a
/// withdrawal not asked by the owner; `USR_ILLEGAL_ARGUMENT` for a control address that does
/// not resolve to an actor, a proof type without a sector size or a negative withdrawal;
/// `USR_UNHANDLED_MESSAGE` for an unknown method.
#[cfg(feature = "fil-actor")]
pub fn dispatch(
    method: fvm_shared::MethodNum,
    params: Option<fvm_ipld_encoding::ipld_block::IpldBlock>,
) -> crate::ActorResult<Option<fvm_ipld_encoding::ipld_block::IpldBlock>> {
    use crate::{ActorError, fvm};
    use filmark_actor_shared::dispatch::{params as decode_params, ret as encode_return};
    use filmark_actor_shared::show::Addr;

    let resolve = |a: &Address| {
        fvm_sdk::actor::resolve_address(a)
            .map(Address::new_id)
            .ok_or_else(|| ActorError::illegal_argument(format!("{} has no actor", Addr(a))))
    };
    match Method::from_number(method) {
        Some(Method::Constructor) => {
            fvm::validate_caller(crate::INIT_ACTOR_ID, crate::manifest::INIT)?;
            let p: ConstructorParams = decode_params(params)?;
            p.window_post_proof_type.sector_size().map_err(|e| {
                ActorError::illegal_argument(format!("unsupported window PoSt proof type: {e}"))
            })?;
            let state = State {
                owner: resolve(&p.owner)?,
                worker: resolve(&p.worker)?,
                control_addresses: p
                    .control_addresses
                    .iter()
                    .map(resolve)
                    .collect::<Result<_, _>>()?,
                window_post_proof_type: p.window_post_proof_type,
                peer_id: p.peer_id,
                multiaddrs: p.multiaddrs,
            };
            fvm::save_state(&state)?;
            Ok(None)
        }
        Some(Method::ControlAddresses) => {
            encode_return(&fvm::load_state::<State>()?.control_addresses())
        }
        Some(Method::WithdrawBalance | Method::WithdrawBalanceExported) => {
            let p: WithdrawBalanceParams = decode_params(params)?;
            if p.amount_requested.is_negative() {
                return Err(ActorError::illegal_argument(format!(
                    "negative fund requested for withdrawal: {}",
                    p.amount_requested
                )));
            }
            let state: State = fvm::load_state()?;
            let owner = state.owner.id().unwrap_or_default();
            fvm::validate_caller(owner, "owner")?;
            let withdrawn = fvm_sdk::sself::current_balance().min(p.amount_requested);
            if withdrawn.is_positive() {
                let ret = fvm::send(
                    &state.owner,
                    fvm_shared::METHOD_SEND,
                    None,
                    withdrawn.clone(),
                    fvm_shared::sys::SendFlags::empty(),
                )?;
                if !ret.exit_code.is_success() {
                    return Err(ActorError::unchecked(
                        ret.exit_code,
                        "transfer to the owner failed",
                    ));
                }
            }
            encode_return(&withdrawn)
        }
        Some(Method::ChangeWorkerAddressExported) => {
            let p: ChangeWorkerAddressParams = decode_params(params)?;
            let mut state: State = fvm::load_state()?;
            fvm::validate_caller(state.owner.id().unwrap_or_default(), "owner")?;
            state.worker = resolve(&p.new_worker)?;
            state.control_addresses = p
                .new_control_addresses
                .iter()
                .map(resolve)
                .collect::<Result<_, _>>()?;
            fvm::save_state(&state)?;
            Ok(None)
        }
        Some(Method::GetBeneficiaryExported) => {
            encode_return(&fvm::load_state::<State>()?.beneficiary())
        }
        Some(Method::GetOwnerExported) => {
            let state: State = fvm::load_state()?;
            encode_return(&GetOwnerReturn {
                owner: state.owner,
                proposed: None,
            })
        }
        Some(Method::IsControllingAddressExported) => {
            let address: Address = decode_params(params)?;
            let state: State = fvm::load_state()?;
            // An address without an actor controls nothing (as on mainnet).
            let controls = fvm_sdk::actor::resolve_address(&address)
                .is_some_and(|id| state.is_controlling(&Address::new_id(id)));
            encode_return(&controls)
        }
        Some(Method::GetSectorSizeExported) => {
            let size = fvm::load_state::<State>()?
                .sector_size()
                .map_err(ActorError::illegal_state)?;
            encode_return(&size)
        }
        Some(Method::GetAvailableBalanceExported) => {
            encode_return(&fvm_sdk::sself::current_balance())
        }
        Some(Method::GetVestingFundsExported) => encode_return(&GetVestingFundsReturn::default()),
        Some(Method::GetPeerIdExported) => encode_return(&GetPeerIdReturn {
            peer_id: fvm::load_state::<State>()?.peer_id,
        }),
        Some(Method::GetMultiaddrsExported) => encode_return(&GetMultiaddrsReturn {
            multi_addrs: fvm::load_state::<State>()?.multiaddrs,
        }),
        None => Err(fvm::unhandled(crate::manifest::STORAGE_MINER, method)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state() -> State {
        State {
            owner: Address::new_id(100),
            worker: Address::new_id(101),
            control_addresses: vec![Address::new_id(102)],
            window_post_proof_type: RegisteredPoStProof::StackedDRGWindow32GiBV1P1,
            peer_id: vec![1, 2],
            multiaddrs: vec![],
        }
    }

    #[test]
    fn method_numbers_match_mainnet() {
        assert_eq!(Method::GetOwnerExported.number(), 3_275_365_574);
        assert_eq!(Method::IsControllingAddressExported.number(), 348_244_887);
        assert_eq!(Method::GetBeneficiaryExported.number(), 4_158_972_569);
        assert_eq!(Method::GetAvailableBalanceExported.number(), 4_026_106_874);
        assert_eq!(Method::GetSectorSizeExported.number(), 3_858_292_296);
        assert_eq!(Method::WithdrawBalanceExported.number(), 2_280_458_852);
        assert_eq!(Method::ChangeWorkerAddressExported.number(), 3_302_309_124);
        assert_eq!(Method::GetVestingFundsExported.number(), 1_726_876_304);
        assert_eq!(Method::GetPeerIdExported.number(), 2_812_875_329);
        assert_eq!(Method::GetMultiaddrsExported.number(), 1_332_909_407);
    }

    #[test]
    fn owner_worker_and_controls_control() {
        let state = state();
        for id in [100, 101, 102] {
            assert!(state.is_controlling(&Address::new_id(id)));
        }
        assert!(!state.is_controlling(&Address::new_id(103)));
    }

    #[test]
    fn the_beneficiary_is_the_owner_and_the_sector_size_the_proof_types() {
        let state = state();
        assert_eq!(state.beneficiary().active.beneficiary, state.owner);
        assert_eq!(state.beneficiary().proposed, None);
        assert_eq!(state.sector_size(), Ok(SectorSize::_32GiB));
        let ret = state.control_addresses();
        assert_eq!(
            (ret.owner, ret.worker, ret.control_addresses),
            (state.owner, state.worker, state.control_addresses)
        );
    }
}
