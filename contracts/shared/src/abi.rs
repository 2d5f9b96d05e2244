//! The Ethereum entry point: Solidity-ABI calls arriving through method 3844450837.
//!
//! Lotus turns an Ethereum transaction with a `to` into a Filecoin message to method
//! `InvokeEVM` (FRC-42 hash 3844450837) whose parameters are the calldata as one CBOR byte
//! string (no parameters for empty calldata). Filmark's actors implement that method and decode
//! the calldata with `alloy-sol-types` against a `sol!` interface they share with the SDK. The
//! return value goes back, as the EVM actor does it, as one CBOR byte string holding the
//! ABI-encoded return; an error keeps its exit code and carries a Solidity `Error(string)`
//! revert payload as its return data, so `eth_call` and wallets show the reason.

use alloy_sol_types::abi::AbiDecoderConfig;
use alloy_sol_types::{Revert, SolError, SolInterface};
use fvm_ipld_encoding::ipld_block::IpldBlock;
use fvm_ipld_encoding::{BytesDe, BytesSer, CBOR, DAG_CBOR, IPLD_RAW};
use fvm_shared::ActorID;
use fvm_shared::address::{Address, Payload};

use crate::builtin::EAM_ACTOR_ID;
use crate::{ActorError, Runtime};

/// FRC-42 number of `InvokeEVM`: the method Ethereum transactions are delivered to. Plain ETH
/// value transfers arrive here too, with no parameters.
pub const INVOKE_EVM_METHOD: u64 = frc42_dispatch::method_hash!("InvokeEVM");

/// Longest CID accepted, in bytes of its binary form (from ABI `bytes` or in CBOR params): the
/// FVM's own limit, `fvm_shared::MAX_CID_LEN` (a CID carries at most a 64-byte digest).
pub const MAX_CID_BYTES: usize = fvm_shared::MAX_CID_LEN;

/// First 12 bytes of an Ethereum address that encodes a Filecoin actor ID (`0xff` + 11 zeros).
pub const MASKED_ID_PREFIX: [u8; 12] = [0xff, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];

/// Extracts the calldata from `InvokeEVM` parameters.
///
/// # Errors
/// `USR_SERIALIZATION` when the parameters are not one CBOR byte string.
pub fn calldata(params: Option<IpldBlock>) -> Result<Vec<u8>, ActorError> {
    match params {
        None => Ok(Vec::new()),
        Some(block) if block.data.is_empty() => Ok(Vec::new()),
        Some(block) if block.codec == CBOR || block.codec == DAG_CBOR => {
            let BytesDe(bytes) = crate::dispatch::decode_cbor(&block.data).map_err(|e| {
                ActorError::serialization(format!("calldata must be a CBOR byte string: {e}"))
            })?;
            Ok(bytes)
        }
        Some(block) if block.codec == IPLD_RAW => Ok(block.data),
        Some(block) => Err(ActorError::serialization(format!(
            "unsupported calldata codec {:#x}",
            block.codec
        ))),
    }
}

/// Decodes non-empty calldata into a call of the `sol!` interface `C` (its `…Calls` enum).
/// Callers decide first what empty calldata means (a plain value transfer).
///
/// # Errors
/// `USR_UNHANDLED_MESSAGE` for calldata shorter than a selector or a selector `C` does not
/// have; `USR_SERIALIZATION` when the arguments do not decode strictly: alloy's validating,
/// strict decoder refuses dirty high bits (a `uint64` word above 2^64 − 1, a `bool` other
/// than 0 or 1, an address with a dirty prefix), non-canonical offsets and trailing bytes.
pub fn decode_call<C: SolInterface>(data: &[u8]) -> Result<C, ActorError> {
    let Some(selector) = data.get(..4).and_then(|s| <[u8; 4]>::try_from(s).ok()) else {
        return Err(ActorError::unhandled_message(format!(
            "calldata of {} bytes is shorter than a function selector",
            data.len()
        )));
    };
    if !C::valid_selector(selector) {
        return Err(ActorError::unhandled_message(format!(
            "unknown function selector 0x{}",
            alloy_primitives::hex::encode(selector)
        )));
    }
    C::abi_decode_with_config(data, AbiDecoderConfig::new().strict(true))
        .map_err(|e| ActorError::serialization(format!("malformed calldata: {e}")))
}

/// Wraps ABI-encoded return data the way the EVM actor returns it (one CBOR byte string).
///
/// # Errors
/// Never in practice; encoding a byte string cannot fail.
pub fn abi_return(abi: &[u8]) -> Result<Option<IpldBlock>, ActorError> {
    crate::dispatch::ret(&BytesSer(abi))
}

/// Unwraps a return block produced by [`abi_return`].
///
/// # Errors
/// `USR_SERIALIZATION` when the block is not one CBOR byte string.
pub fn abi_return_bytes(block: Option<IpldBlock>) -> Result<Vec<u8>, ActorError> {
    calldata(block)
}

/// The Solidity `Error(string)` payload for an actor error.
pub fn revert_payload(err: &ActorError) -> Vec<u8> {
    Revert::from(format!(
        "{} (exit code {})",
        err.msg(),
        err.exit_code().value()
    ))
    .abi_encode()
}

/// Attaches a Solidity revert payload (as a CBOR byte string) to an error, keeping its exit code.
pub fn into_revert(err: ActorError) -> ActorError {
    let payload = revert_payload(&err);
    let data = crate::dispatch::encode_cbor(&BytesSer(&payload)).ok();
    err.with_data(data)
}

/// Decodes the revert reason from an error's return data, if it carries one.
pub fn decode_revert(data: &[u8]) -> Option<String> {
    let BytesDe(bytes) = crate::dispatch::decode_cbor(data).ok()?;
    Revert::abi_decode(&bytes).ok().map(|r| r.reason)
}

/// The 20-byte Ethereum address under which an actor appears: its f410 address if it has one,
/// else the masked ID address `0xff‖0^11‖id`.
pub fn eth_address_of<RT: Runtime>(rt: &RT, id: ActorID) -> [u8; 20] {
    rt.lookup_delegated_address(id)
        .and_then(|addr| eth_address_from_f4(&addr))
        .unwrap_or_else(|| masked_id_address(id))
}

/// [`eth_address_of`] as a `sol!` address value.
pub fn eth_of<RT: Runtime>(rt: &RT, id: ActorID) -> alloy_primitives::Address {
    alloy_primitives::Address::from(eth_address_of(rt, id))
}

/// The Filecoin address of an ABI address; the zero address means "none".
///
/// # Errors
/// Never for 20 bytes; kept fallible like [`address_from_eth`].
pub fn opt_address_from_abi(a: alloy_primitives::Address) -> Result<Option<Address>, ActorError> {
    if a.is_zero() {
        Ok(None)
    } else {
        address_from_eth(a.0.0).map(Some)
    }
}

/// Decodes a CID from its ABI `bytes`: the whole input must be one CID of at most
/// [`MAX_CID_BYTES`] bytes. `what` names the field in the error.
///
/// # Errors
/// `USR_ILLEGAL_ARGUMENT` when the bytes are too long, not a CID, or have trailing bytes.
pub fn cid_from_abi(what: &str, bytes: &[u8]) -> Result<::cid::Cid, ActorError> {
    if bytes.len() > MAX_CID_BYTES {
        return Err(ActorError::illegal_argument(format!(
            "{what} is {} bytes, over MAX_CID_BYTES = {MAX_CID_BYTES}",
            bytes.len()
        )));
    }
    let mut reader = bytes;
    let cid = ::cid::Cid::read_bytes(&mut reader)
        .map_err(|e| ActorError::illegal_argument(format!("{what} is not a CID: {e}")))?;
    if !reader.is_empty() {
        return Err(ActorError::illegal_argument(format!(
            "{what} has {} trailing bytes after the CID",
            reader.len()
        )));
    }
    Ok(cid)
}

/// [`cid_from_abi`] where empty `bytes` mean "none".
///
/// # Errors
/// As [`cid_from_abi`].
pub fn opt_cid_from_abi(what: &str, bytes: &[u8]) -> Result<Option<::cid::Cid>, ActorError> {
    if bytes.is_empty() {
        Ok(None)
    } else {
        cid_from_abi(what, bytes).map(Some)
    }
}

/// The masked ID Ethereum address of an actor: `0xff‖0^11‖id` (8 bytes big-endian).
pub fn masked_id_address(id: ActorID) -> [u8; 20] {
    let mut out = [0u8; 20];
    out[..12].copy_from_slice(&MASKED_ID_PREFIX);
    out[12..].copy_from_slice(&id.to_be_bytes());
    out
}

/// The 20 bytes of an f410 address, or `None` for other addresses.
pub fn eth_address_from_f4(addr: &Address) -> Option<[u8; 20]> {
    match addr.payload() {
        Payload::Delegated(d) if d.namespace() == EAM_ACTOR_ID => d.subaddress().try_into().ok(),
        _ => None,
    }
}

/// The actor ID a masked ID Ethereum address encodes, `None` for any other address.
pub fn masked_id_of(eth: &[u8; 20]) -> Option<ActorID> {
    if eth[..12] == MASKED_ID_PREFIX {
        let mut id = [0u8; 8];
        id.copy_from_slice(&eth[12..]);
        Some(u64::from_be_bytes(id))
    } else {
        None
    }
}

/// The Ethereum address of a Filecoin address: the masked ID address for `f0<id>`, the 20
/// bytes of an f410 address; `None` for other addresses (f1, f2, f3, other namespaces).
pub fn eth_address_of_filecoin(addr: &Address) -> Option<[u8; 20]> {
    match addr.payload() {
        Payload::ID(id) => Some(masked_id_address(*id)),
        _ => eth_address_from_f4(addr),
    }
}

/// The f410 address of a 20-byte Ethereum address (namespace [`EAM_ACTOR_ID`]).
pub fn f410_address(eth: &[u8; 20]) -> Address {
    match Address::new_delegated(EAM_ACTOR_ID, eth) {
        Ok(addr) => addr,
        // A 20-byte subaddress is always within the 54-byte limit.
        Err(_) => unreachable!("20 bytes make a valid f410 address"),
    }
}

/// The Filecoin address an Ethereum address stands for, as Lotus maps it: f0 for a masked ID
/// address, else f410.
pub fn filecoin_address_of_eth(eth: &[u8; 20]) -> Address {
    masked_id_of(eth).map_or_else(|| f410_address(eth), Address::new_id)
}

/// [`filecoin_address_of_eth`], fallible for the ABI decoders' `?` chains.
///
/// # Errors
/// Never.
pub fn address_from_eth(eth: [u8; 20]) -> Result<Address, ActorError> {
    Ok(filecoin_address_of_eth(&eth))
}

#[cfg(test)]
mod tests {
    use fvm_shared::error::ExitCode;

    use super::*;

    #[test]
    fn invoke_evm_number_matches_lotus() {
        assert_eq!(INVOKE_EVM_METHOD, 3_844_450_837);
    }

    #[test]
    fn calldata_round_trips() {
        let block = abi_return(&[1, 2, 3]).unwrap();
        assert_eq!(calldata(block).unwrap(), vec![1, 2, 3]);
        assert!(calldata(None).unwrap().is_empty());
        let bad = Some(IpldBlock {
            codec: DAG_CBOR,
            data: vec![0x01],
        });
        assert_eq!(
            calldata(bad).unwrap_err().exit_code(),
            ExitCode::USR_SERIALIZATION
        );
    }

    #[test]
    fn reverts_decode() {
        let e = into_revert(ActorError::forbidden("not the owner"));
        assert_eq!(e.exit_code(), ExitCode::USR_FORBIDDEN);
        let reason = decode_revert(&e.data().unwrap().data).unwrap();
        assert_eq!(reason, "not the owner (exit code 18)");
    }

    #[test]
    fn abi_cids_are_whole_and_bounded() {
        use multihash_codetable::{Code, MultihashDigest};
        let c = cid::Cid::new_v1(0x55, Code::Sha2_256.digest(b"x"));
        assert_eq!(cid_from_abi("cid", &c.to_bytes()).unwrap(), c);
        assert_eq!(opt_cid_from_abi("cid", &[]).unwrap(), None);
        let mut trailing = c.to_bytes();
        trailing.push(0);
        assert!(
            cid_from_abi("cid", &trailing)
                .unwrap_err()
                .msg()
                .contains("trailing")
        );
        assert!(
            cid_from_abi("cid", &[1; 101])
                .unwrap_err()
                .msg()
                .contains("MAX_CID_BYTES")
        );
        assert!(
            cid_from_abi("cid", &[0xff])
                .unwrap_err()
                .msg()
                .contains("not a CID")
        );
        assert_eq!(
            opt_address_from_abi(alloy_primitives::Address::ZERO).unwrap(),
            None
        );
    }

    #[test]
    fn eth_addresses_map_both_ways() {
        let masked = masked_id_address(1234);
        assert_eq!(masked, *b"\xff\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\x04\xd2");
        assert_eq!(masked_id_of(&masked), Some(1234));
        assert_eq!(address_from_eth(masked).unwrap(), Address::new_id(1234));
        assert_eq!(
            eth_address_of_filecoin(&Address::new_id(1234)),
            Some(masked)
        );
        let eth = [0x11u8; 20];
        let f4 = address_from_eth(eth).unwrap();
        assert_eq!(f4, f410_address(&eth));
        assert_eq!(
            f4.to_string(),
            "f410fceirceirceirceirceirceirceirceirvj62oxy"
        );
        assert_eq!(eth_address_from_f4(&f4), Some(eth));
        assert_eq!(eth_address_of_filecoin(&f4), Some(eth));
        // 0xff followed by a non-zero byte is an ordinary address.
        let mut almost = masked;
        almost[5] = 1;
        assert_eq!(masked_id_of(&almost), None);
        assert_eq!(filecoin_address_of_eth(&almost), f410_address(&almost));
        let f1 = Address::new_secp256k1(&[4; 65]).unwrap();
        assert_eq!(eth_address_of_filecoin(&f1), None);
        let other_namespace = Address::new_delegated(32, &[1; 20]).unwrap();
        assert_eq!(eth_address_of_filecoin(&other_namespace), None);
    }

    alloy_sol_types::sol! {
        #[derive(Debug)]
        interface ITest {
            function ping(uint64 n) external;
        }
    }

    #[test]
    fn calls_decode_with_one_exit_code_per_failure() {
        use alloy_sol_types::SolCall;
        let good = ITest::pingCall { n: 7 }.abi_encode();
        assert!(matches!(
            decode_call::<ITest::ITestCalls>(&good).unwrap(),
            ITest::ITestCalls::ping(ITest::pingCall { n: 7 })
        ));
        let short = decode_call::<ITest::ITestCalls>(&good[..3]).unwrap_err();
        assert_eq!(short.exit_code(), ExitCode::USR_UNHANDLED_MESSAGE);
        assert_eq!(
            short.msg(),
            "calldata of 3 bytes is shorter than a function selector"
        );
        let unknown = decode_call::<ITest::ITestCalls>(&[1, 2, 3, 4]).unwrap_err();
        assert_eq!(unknown.exit_code(), ExitCode::USR_UNHANDLED_MESSAGE);
        assert_eq!(unknown.msg(), "unknown function selector 0x01020304");
        let truncated = decode_call::<ITest::ITestCalls>(&good[..20]).unwrap_err();
        assert_eq!(truncated.exit_code(), ExitCode::USR_SERIALIZATION);
        assert!(
            truncated.msg().starts_with("malformed calldata: "),
            "{}",
            truncated.msg()
        );
        // Dirty high bits of a uint64 (2^64 + 7 would truncate to 7) and trailing bytes are
        // refused, not silently accepted.
        let mut dirty = good.clone();
        dirty[4 + 23] = 1;
        let e = decode_call::<ITest::ITestCalls>(&dirty).unwrap_err();
        assert_eq!(e.exit_code(), ExitCode::USR_SERIALIZATION, "{}", e.msg());
        let trailing = [good.as_slice(), &[0]].concat();
        let e = decode_call::<ITest::ITestCalls>(&trailing).unwrap_err();
        assert_eq!(e.exit_code(), ExitCode::USR_SERIALIZATION, "{}", e.msg());
    }
}
