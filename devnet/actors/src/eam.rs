//! The Ethereum address manager (`f010`): creates EVM contracts as FEVM's EAM does.
//!
//! - `Create` (EVM `CREATE`, from an EVM actor): address = `keccak256(rlp([creator, nonce]))[12..]`;
//! - `Create2` (EVM `CREATE2`): `keccak256(0xff ++ creator ++ salt ++ keccak256(initcode))[12..]`;
//! - `CreateExternal` (an Ethereum transaction without `to`, from an `f410` account): as
//!   `Create`, with the message's nonce.
//!
//! Each then calls init's `Exec4` with the EVM actor's code and the new address as the `f410`
//! sub-address, and returns the new actor's ids and Ethereum address.

use filmark_actor_shared::methods;
use fvm_ipld_encoding::strict_bytes;
use fvm_ipld_encoding::tuple::*;
use fvm_shared::address::Address;
use fvm_shared::{ActorID, METHOD_CONSTRUCTOR};
use serde::{Deserialize, Serialize};

methods! {
    /// The EAM's methods (FEVM's numbers).
    pub enum Method {
        /// Caller: the system actor.
        Constructor = METHOD_CONSTRUCTOR,
        /// [`CreateParams`] → [`CreateReturn`]: EVM `CREATE`; caller: an EVM actor.
        Create = 2,
        /// [`Create2Params`] → [`CreateReturn`]: EVM `CREATE2`; caller: an EVM actor.
        Create2 = 3,
        /// [`CreateExternalParams`] → [`CreateReturn`]: an Ethereum deployment transaction;
        /// caller: an `f410` account, the message's origin.
        CreateExternal = 4,
    }
}

/// A 20-byte Ethereum address, CBOR-encoded as a byte string (as FEVM's `EthAddress`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct EthAddress(#[serde(with = "strict_bytes")] pub [u8; 20]);

/// Params of [`Method::Create`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct CreateParams {
    /// The new contract's initcode.
    #[serde(with = "strict_bytes")]
    pub initcode: Vec<u8>,
    /// The creating contract's nonce.
    pub nonce: u64,
}

/// Params of [`Method::Create2`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct Create2Params {
    /// The new contract's initcode.
    #[serde(with = "strict_bytes")]
    pub initcode: Vec<u8>,
    /// The `CREATE2` salt.
    #[serde(with = "strict_bytes")]
    pub salt: [u8; 32],
}

/// Params of [`Method::CreateExternal`]: the initcode, one CBOR byte string.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct CreateExternalParams(#[serde(with = "strict_bytes")] pub Vec<u8>);

/// Return of every create.
#[derive(Clone, Debug, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct CreateReturn {
    /// The new actor's id.
    pub actor_id: ActorID,
    /// Its robust (`f2`) address.
    pub robust_address: Option<Address>,
    /// Its Ethereum address (the sub-address of its `f410` address).
    pub eth_address: EthAddress,
}

/// The address of a contract created by `creator` at `nonce` (EVM `CREATE` and Ethereum
/// deployments): the last 20 bytes of `keccak256(rlp([creator, nonce]))`.
pub fn create_address(
    keccak: impl Fn(&[u8]) -> [u8; 32],
    creator: &[u8; 20],
    nonce: u64,
) -> [u8; 20] {
    // rlp(nonce): a single byte below 0x80 (0 is the empty string 0x80), else 0x80 + length
    // followed by the big-endian bytes without leading zeros.
    let nonce_be = nonce.to_be_bytes();
    let skip = nonce_be.iter().take_while(|b| **b == 0).count();
    let mut nonce_rlp = Vec::with_capacity(9);
    match &nonce_be[skip..] {
        [] => nonce_rlp.push(0x80),
        [b] if *b < 0x80 => nonce_rlp.push(*b),
        bytes => {
            #[allow(clippy::cast_possible_truncation)]
            nonce_rlp.push(0x80 + bytes.len() as u8);
            nonce_rlp.extend_from_slice(bytes);
        }
    }
    let payload_len = 21 + nonce_rlp.len();
    let mut rlp = Vec::with_capacity(1 + payload_len);
    #[allow(clippy::cast_possible_truncation)]
    rlp.push(0xc0 + payload_len as u8);
    rlp.push(0x80 + 20);
    rlp.extend_from_slice(creator);
    rlp.extend_from_slice(&nonce_rlp);
    last20(&keccak(&rlp))
}

/// The address of a contract created by `creator` with EVM `CREATE2`: the last 20 bytes of
/// `keccak256(0xff ++ creator ++ salt ++ keccak256(initcode))`.
pub fn create2_address(
    keccak: impl Fn(&[u8]) -> [u8; 32],
    creator: &[u8; 20],
    salt: &[u8; 32],
    initcode: &[u8],
) -> [u8; 20] {
    let mut preimage = Vec::with_capacity(85);
    preimage.push(0xff);
    preimage.extend_from_slice(creator);
    preimage.extend_from_slice(salt);
    preimage.extend_from_slice(&keccak(initcode));
    last20(&keccak(&preimage))
}

fn last20(hash: &[u8; 32]) -> [u8; 20] {
    let mut out = [0; 20];
    out.copy_from_slice(&hash[12..]);
    out
}

/// The Ethereum address of an actor: its `f410` sub-address, or the masked id address
/// (`0xff`, 11 zero bytes, the 8-byte id) when it has none.
pub fn eth_address_of(id: ActorID, delegated: Option<&Address>) -> [u8; 20] {
    if let Some(fvm_shared::address::Payload::Delegated(d)) = delegated.map(Address::payload)
        && d.namespace() == crate::EAM_ACTOR_ID
        && let Ok(sub) = <[u8; 20]>::try_from(d.subaddress())
    {
        return sub;
    }
    let mut out = [0; 20];
    out[0] = 0xff;
    out[12..].copy_from_slice(&id.to_be_bytes());
    out
}

/// Runs one method of this actor in the FVM (what the wasm `invoke` export calls).
///
/// # Errors
///
/// The method's exit code and message; `USR_UNHANDLED_MESSAGE` for an unknown method.
#[cfg(feature = "fil-actor")]
pub fn dispatch(
    method: fvm_shared::MethodNum,
    params: Option<fvm_ipld_encoding::ipld_block::IpldBlock>,
) -> crate::ActorResult<Option<fvm_ipld_encoding::ipld_block::IpldBlock>> {
    use filmark_actor_shared::dispatch::{params as decode_params, ret as encode_return};

    match Method::from_number(method) {
        Some(Method::Constructor) => crate::fvm::construct_stateless(),
        Some(Method::Create) => {
            let creator = actor::evm_caller()?;
            let p: CreateParams = decode_params(params)?;
            let addr = create_address(actor::keccak, &creator, p.nonce);
            encode_return(&actor::create(creator, addr, p.initcode)?)
        }
        Some(Method::Create2) => {
            let creator = actor::evm_caller()?;
            let p: Create2Params = decode_params(params)?;
            let addr = create2_address(actor::keccak, &creator, &p.salt, &p.initcode);
            encode_return(&actor::create(creator, addr, p.initcode)?)
        }
        Some(Method::CreateExternal) => {
            let creator = actor::external_caller()?;
            let CreateExternalParams(initcode) = decode_params(params)?;
            let addr = create_address(actor::keccak, &creator, fvm_sdk::message::nonce());
            encode_return(&actor::create(creator, addr, initcode)?)
        }
        None => Err(crate::fvm::unhandled("EAM", method)),
    }
}

#[cfg(feature = "fil-actor")]
mod actor {
    use filmark_actor_shared::dispatch::decode_return;
    use fvm_ipld_encoding::ipld_block::IpldBlock;
    use fvm_shared::crypto::hash::SupportedHashes;
    use fvm_shared::sys::SendFlags;

    use super::{CreateReturn, EthAddress, eth_address_of};
    use crate::init::{Exec4Params, ExecReturn};
    use crate::{ActorError, ActorResult, manifest};

    pub(super) fn keccak(data: &[u8]) -> [u8; 32] {
        let mut out = [0; 32];
        fvm_sdk::crypto::hash_into(SupportedHashes::Keccak256, data, &mut out);
        out
    }

    /// The calling EVM actor's Ethereum address.
    pub(super) fn evm_caller() -> ActorResult<[u8; 20]> {
        let caller = fvm_sdk::message::caller();
        let code =
            fvm_sdk::actor::get_actor_code_cid(&fvm_shared::address::Address::new_id(caller));
        let evm = fvm_sdk::actor::get_code_cid_for_type(crate::types::EVM);
        if code != Some(evm) {
            return Err(ActorError::forbidden(format!(
                "caller f0{caller} is not an EVM actor: only contracts CREATE"
            )));
        }
        Ok(eth_address_of(
            caller,
            fvm_sdk::actor::lookup_delegated_address(caller).as_ref(),
        ))
    }

    /// The Ethereum address of an external deployer: the origin, with an `f410` address.
    pub(super) fn external_caller() -> ActorResult<[u8; 20]> {
        let caller = fvm_sdk::message::caller();
        if caller != fvm_sdk::message::origin() {
            return Err(ActorError::forbidden(
                "CreateExternal must be called by the message's origin",
            ));
        }
        match fvm_sdk::actor::lookup_delegated_address(caller) {
            Some(addr) => Ok(eth_address_of(caller, Some(&addr))),
            None => Err(ActorError::forbidden(format!(
                "caller f0{caller} has no f410 address: only Ethereum accounts deploy contracts"
            ))),
        }
    }

    /// Execs an EVM actor at `addr` through init and returns its addresses.
    pub(super) fn create(
        creator: [u8; 20],
        addr: [u8; 20],
        initcode: Vec<u8>,
    ) -> ActorResult<CreateReturn> {
        let constructor = fvm_ipld_encoding::to_vec(&crate::evm::ConstructorParams {
            creator: EthAddress(creator),
            initcode: initcode.into(),
        })
        .map_err(|e| ActorError::serialization(format!("cannot encode params: {e}")))?;
        let params = IpldBlock::serialize_cbor(&Exec4Params {
            code_cid: fvm_sdk::actor::get_code_cid_for_type(crate::types::EVM),
            constructor_params: constructor.into(),
            subaddress: addr.to_vec().into(),
        })
        .map_err(|e| ActorError::serialization(format!("cannot encode params: {e}")))?;
        let ret = crate::fvm::send(
            &fvm_shared::address::Address::new_id(crate::INIT_ACTOR_ID),
            crate::init::Method::Exec4 as u64,
            params,
            fvm_sdk::message::value_received(),
            SendFlags::empty(),
        )?;
        if !ret.exit_code.is_success() {
            return Err(ActorError::unchecked(
                ret.exit_code,
                "init's Exec4 of the EVM actor failed".to_owned(),
            )
            .with_data(ret.return_data));
        }
        let exec: ExecReturn = decode_return(ret.return_data)?;
        let actor_id = exec
            .id_address
            .id()
            .map_err(|_| ActorError::illegal_state("init returned no id address"))?;
        Ok(CreateReturn {
            actor_id,
            robust_address: Some(exec.robust_address),
            eth_address: EthAddress(addr),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // `create_address` / `create2_address` are checked against alloy's `Address::create` and
    // `create2` in `filmark-devnet-evm` (which has a keccak on the host).

    #[test]
    fn eth_address_of_masks_ids_without_an_f410() {
        let mut want = [0; 20];
        want[0] = 0xff;
        want[19] = 0x2a;
        assert_eq!(eth_address_of(42, None), want);
        let f410 = Address::new_delegated(crate::EAM_ACTOR_ID, &[5; 20]).unwrap();
        assert_eq!(eth_address_of(42, Some(&f410)), [5; 20]);
    }
}
