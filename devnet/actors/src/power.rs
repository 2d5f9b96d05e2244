//! The storage power actor (`f04`), as much of it as a contract can see: it creates miner
//! actors (`CreateMiner`, which Execs the `storageminer` code through init, as on mainnet) and
//! answers the exported power getters. The devnet has no sectors, so every miner's raw power,
//! and the network's, is zero and no miner meets the consensus minimum.
//!
//! Method numbers and CBOR shapes are builtin-actors v18's. Differences: `CreateMiner` takes no
//! deposit and ignores the proof type, peer id and multiaddrs beyond handing them to the miner.

use filmark_actor_shared::methods;
use fvm_ipld_encoding::tuple::*;
use fvm_ipld_encoding::{BytesDe, strict_bytes};
use fvm_shared::address::Address;
use fvm_shared::bigint::bigint_ser;
use fvm_shared::sector::{RegisteredPoStProof, StoragePower};
use fvm_shared::{ActorID, METHOD_CONSTRUCTOR};
use serde::{Deserialize, Serialize};

methods! {
    /// The power actor's methods (mainnet's numbers).
    pub enum Method {
        /// Caller: the system actor.
        Constructor = METHOD_CONSTRUCTOR,
        /// [`CreateMinerParams`] → [`CreateMinerReturn`].
        CreateMiner = 2,
        /// Exported [`Method::CreateMiner`].
        CreateMinerExported = frc42_dispatch::method_hash!("CreateMiner"),
        /// No params → the network's raw byte power ([`StoragePower`], zero here).
        NetworkRawPowerExported = frc42_dispatch::method_hash!("NetworkRawPower"),
        /// [`MinerRawPowerParams`] → [`MinerRawPowerReturn`].
        MinerRawPowerExported = frc42_dispatch::method_hash!("MinerRawPower"),
        /// No params → the number of miners (`i64`).
        MinerCountExported = frc42_dispatch::method_hash!("MinerCount"),
        /// No params → the number of miners meeting the consensus minimum (`i64`, zero here).
        MinerConsensusCountExported = frc42_dispatch::method_hash!("MinerConsensusCount"),
    }
}

/// The power actor's state: the miners it created, in order. A bare CBOR list, so the empty
/// state genesis gives stateless actors (an empty array) is a valid empty state.
pub type State = Vec<ActorID>;

/// Params of [`Method::CreateMiner`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct CreateMinerParams {
    /// The owner (resolved to an ID address by the miner).
    pub owner: Address,
    /// The worker key.
    pub worker: Address,
    /// The window PoSt proof type.
    pub window_post_proof_type: RegisteredPoStProof,
    /// The libp2p peer id.
    #[serde(with = "strict_bytes")]
    pub peer: Vec<u8>,
    /// The multiaddrs.
    pub multiaddrs: Vec<BytesDe>,
}

/// Return of [`Method::CreateMiner`], init's `ExecReturn`.
pub type CreateMinerReturn = crate::init::ExecReturn;

/// Params of [`Method::MinerRawPowerExported`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct MinerRawPowerParams {
    /// The miner's actor id.
    pub miner: ActorID,
}

/// Return of [`Method::MinerRawPowerExported`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct MinerRawPowerReturn {
    /// The miner's raw byte power.
    #[serde(with = "bigint_ser")]
    pub raw_byte_power: StoragePower,
    /// Whether it meets the consensus minimum.
    pub meets_consensus_minimum: bool,
}

/// Runs one method of this actor in the FVM (what the wasm `invoke` export calls).
///
/// # Errors
///
/// The method's exit code and message: `USR_NOT_FOUND` for `MinerRawPower` of an actor that is
/// not one of its miners; `USR_UNHANDLED_MESSAGE` for an unknown method.
#[cfg(feature = "fil-actor")]
pub fn dispatch(
    method: fvm_shared::MethodNum,
    params: Option<fvm_ipld_encoding::ipld_block::IpldBlock>,
) -> crate::ActorResult<Option<fvm_ipld_encoding::ipld_block::IpldBlock>> {
    use crate::{ActorError, fvm, miner};
    use filmark_actor_shared::dispatch::{params as decode_params, ret as encode_return};
    use fvm_ipld_encoding::RawBytes;

    match Method::from_number(method) {
        Some(Method::Constructor) => {
            fvm::validate_caller(crate::SYSTEM_ACTOR_ID, crate::manifest::SYSTEM)?;
            fvm::save_state(&State::new())?;
            Ok(None)
        }
        Some(Method::CreateMiner | Method::CreateMinerExported) => {
            let p: CreateMinerParams = decode_params(params)?;
            let mut state: State = fvm::load_state()?;
            let ctor = miner::ConstructorParams {
                owner: p.owner,
                worker: p.worker,
                control_addresses: vec![],
                window_post_proof_type: p.window_post_proof_type,
                peer_id: p.peer,
                multiaddrs: p.multiaddrs,
            };
            let exec = crate::init::ExecParams {
                code_cid: fvm_sdk::actor::get_code_cid_for_type(crate::types::MINER),
                constructor_params: RawBytes::serialize(ctor)
                    .map_err(|e| ActorError::serialization(e.to_string()))?,
            };
            let ret = fvm::send(
                &Address::new_id(crate::INIT_ACTOR_ID),
                crate::init::Method::Exec.number(),
                filmark_actor_shared::dispatch::ret(&exec)?,
                fvm_sdk::message::value_received(),
                fvm_shared::sys::SendFlags::empty(),
            )?;
            if !ret.exit_code.is_success() {
                return Err(ActorError::unchecked(
                    ret.exit_code,
                    "init could not create the miner",
                ));
            }
            let created: CreateMinerReturn = ret
                .return_data
                .ok_or_else(|| ActorError::illegal_state("init returned nothing"))?
                .deserialize()
                .map_err(|e| ActorError::serialization(e.to_string()))?;
            let id = created
                .id_address
                .id()
                .map_err(|e| ActorError::illegal_state(e.to_string()))?;
            state.push(id);
            fvm::save_state(&state)?;
            encode_return(&created)
        }
        Some(Method::NetworkRawPowerExported) => encode_return(&BigIntRet(StoragePower::default())),
        Some(Method::MinerRawPowerExported) => {
            let p: MinerRawPowerParams = decode_params(params)?;
            let state: State = fvm::load_state()?;
            if !state.contains(&p.miner) {
                return Err(ActorError::not_found(format!(
                    "f0{} is not a miner of the power actor",
                    p.miner
                )));
            }
            encode_return(&MinerRawPowerReturn {
                raw_byte_power: StoragePower::default(),
                meets_consensus_minimum: false,
            })
        }
        Some(Method::MinerCountExported) => {
            let state: State = fvm::load_state()?;
            encode_return(&i64::try_from(state.len()).unwrap_or(i64::MAX))
        }
        Some(Method::MinerConsensusCountExported) => encode_return(&0_i64),
        None => Err(fvm::unhandled(crate::manifest::STORAGE_POWER, method)),
    }
}

/// A big integer as the builtin actors return one (`bigint_ser` bytes).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct BigIntRet(#[serde(with = "bigint_ser")] pub StoragePower);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn method_numbers_match_mainnet() {
        assert_eq!(Method::CreateMinerExported.number(), 1_173_380_165);
        assert_eq!(Method::NetworkRawPowerExported.number(), 931_722_534);
        assert_eq!(Method::MinerRawPowerExported.number(), 3_753_401_894);
        assert_eq!(Method::MinerConsensusCountExported.number(), 196_739_875);
    }

    #[test]
    fn empty_array_is_the_empty_state() {
        let state: State = fvm_ipld_encoding::from_slice(&[0x80]).unwrap();
        assert!(state.is_empty());
    }

    #[test]
    fn miner_raw_power_params_are_a_bare_id() {
        let bytes = fvm_ipld_encoding::to_vec(&MinerRawPowerParams { miner: 1000 }).unwrap();
        assert_eq!(bytes, fvm_ipld_encoding::to_vec(&1000_u64).unwrap());
    }
}
