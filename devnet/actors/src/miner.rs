//! The storage miner actor, one per provider created through the power actor's `CreateMiner`
//! (init Execs it, as on mainnet). It holds the provider's owner, worker and control addresses
//! and answers who controls it; it has no sectors, deadlines or balances (the simulated market
//! activates deals itself).
//!
//! Method numbers and CBOR shapes are builtin-actors v18's.

use filmark_actor_shared::methods;
use fvm_ipld_encoding::tuple::*;
use fvm_ipld_encoding::{BytesDe, strict_bytes};
use fvm_shared::METHOD_CONSTRUCTOR;
use fvm_shared::address::Address;
use fvm_shared::sector::RegisteredPoStProof;

methods! {
    /// The miner actor's methods (mainnet's numbers).
    pub enum Method {
        /// [`ConstructorParams`]; caller: the init actor.
        Constructor = METHOD_CONSTRUCTOR,
        /// No params → [`GetControlAddressesReturn`].
        ControlAddresses = 2,
        /// No params → [`GetOwnerReturn`].
        GetOwnerExported = frc42_dispatch::method_hash!("GetOwner"),
        /// An [`Address`] → `bool`: whether it is the owner, the worker or a control address.
        IsControllingAddressExported = frc42_dispatch::method_hash!("IsControllingAddress"),
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

/// The miner's state here: who controls it, as ID addresses.
#[derive(Clone, Debug, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct State {
    /// The owner.
    pub owner: Address,
    /// The worker.
    pub worker: Address,
    /// Further control addresses.
    pub control_addresses: Vec<Address>,
}

/// Return of [`Method::ControlAddresses`].
pub type GetControlAddressesReturn = State;

/// Return of [`Method::GetOwnerExported`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct GetOwnerReturn {
    /// The owner (an ID address).
    pub owner: Address,
    /// A proposed new owner (never, here).
    pub proposed: Option<Address>,
}

impl State {
    /// Whether `id` (an ID address) is the owner, the worker or a control address.
    #[must_use]
    pub fn is_controlling(&self, id: &Address) -> bool {
        self.owner == *id || self.worker == *id || self.control_addresses.contains(id)
    }
}

/// Runs one method of this actor in the FVM (what the wasm `invoke` export calls).
///
/// # Errors
///
/// The method's exit code and message: `USR_FORBIDDEN` for a constructor not called by init,
/// `USR_ILLEGAL_ARGUMENT` for a control address that does not resolve to an actor;
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
            let state = State {
                owner: resolve(&p.owner)?,
                worker: resolve(&p.worker)?,
                control_addresses: p
                    .control_addresses
                    .iter()
                    .map(resolve)
                    .collect::<Result<_, _>>()?,
            };
            fvm::save_state(&state)?;
            Ok(None)
        }
        Some(Method::ControlAddresses) => encode_return(&fvm::load_state::<State>()?),
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
        None => Err(fvm::unhandled(crate::manifest::STORAGE_MINER, method)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn method_numbers_match_mainnet() {
        assert_eq!(Method::GetOwnerExported.number(), 3_275_365_574);
        assert_eq!(Method::IsControllingAddressExported.number(), 348_244_887);
    }

    #[test]
    fn owner_worker_and_controls_control() {
        let state = State {
            owner: Address::new_id(100),
            worker: Address::new_id(101),
            control_addresses: vec![Address::new_id(102)],
        };
        for id in [100, 101, 102] {
            assert!(state.is_controlling(&Address::new_id(id)));
        }
        assert!(!state.is_controlling(&Address::new_id(103)));
    }
}
