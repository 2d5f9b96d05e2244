//! Precompiles, as FEVM (builtin-actors v18) lays them out: addresses `0x00…nn` (Ethereum's)
//! and `0xfe00…nn` (Filecoin's) are reserved; a precompile that fails makes the CALL return 0
//! with no data, and an empty slot of FEVM's tables succeeds with no output.
//!
//! Filecoin's, offered: 1 `resolve_address`, 2 `lookup_delegated_address`, 3 `call_actor`,
//! 5 `call_actor_id` (both only through `DELEGATECALL`, as in FEVM), 6 `get_randomness`
//! (4, `get_actor_type`, is disabled in FEVM too: an empty slot, which succeeds with no output).
//! Ethereum's: see [`ethereum`].

use fvm_ipld_encoding::CBOR;
use fvm_ipld_encoding::ipld_block::IpldBlock;
use fvm_shared::address::Address as FilAddress;
use fvm_shared::crypto::hash::SupportedHashes;
use fvm_shared::sys::SendFlags;
use fvm_shared::{METHOD_SEND, MethodNum};
use revm_interpreter::CallScheme;
use revm_interpreter::primitives::U256;

/// FEVM's highest reserved method number: `call_actor` may not call methods 1..=1023.
const MAX_RESERVED_METHOD: MethodNum = 1023;

/// What a precompile returns: `None` is a failure (the CALL returns 0, no data).
type Output = Option<Vec<u8>>;

/// A Filecoin precompile.
pub(crate) fn filecoin(index: u8, input: &[u8], scheme: CallScheme, gas: u64) -> Output {
    match index {
        1 => resolve_address(input),
        2 => lookup_delegated_address(input),
        3 | 5 if scheme == CallScheme::DelegateCall => call_actor(input, index == 5, gas),
        6 => get_randomness(input),
        3 | 5 => None,
        _ => Some(Vec::new()),
    }
}

/// An Ethereum precompile (index 1..=0xff, or 0x0100). FEVM's table: 0x01 ecrecover, 0x02
/// SHA-256, 0x03 RIPEMD-160 (these three through FVM syscalls, as FEVM), 0x04 identity,
/// 0x05 modexp, 0x06–0x08 BN254 add, mul and pairing, 0x09 BLAKE2F, 0x0100 P256VERIFY;
/// 0x0b–0x11 (BLS12-381, EIP-2537) are FEVM's but not offered here (the call fails); any other
/// reserved index is an empty slot, which succeeds with no output, as in FEVM.
pub(crate) fn ethereum(index: u16, input: &[u8]) -> Output {
    use crate::ethereum as eth;
    match index {
        1 => Some(ecrecover(input)),
        2 => Some(hash(SupportedHashes::Sha2_256, input)),
        3 => {
            let mut out = vec![0; 12];
            out.extend(hash(SupportedHashes::Ripemd160, input));
            Some(out)
        }
        4 => eth::identity(input),
        5 => eth::modexp(input),
        6 => eth::ec_add(input),
        7 => eth::ec_mul(input),
        8 => eth::ec_pairing(input),
        9 => eth::blake2f(input),
        0x0100 => eth::p256_verify(input),
        0x0b..=0x11 => None,
        _ => Some(Vec::new()),
    }
}

/// A digest through the FVM's hash syscall.
fn hash(hasher: SupportedHashes, input: &[u8]) -> Vec<u8> {
    fvm_sdk::crypto::hash_owned(hasher, input)
}

/// ecrecover: the signer's address as a word, or no output when the input is no valid
/// signature (the call still succeeds).
fn ecrecover(input: &[u8]) -> Vec<u8> {
    let Some((digest, sig)) = crate::ethereum::ecrecover_input(input) else {
        return Vec::new();
    };
    let Ok(public) = fvm_sdk::crypto::recover_secp_public_key(&digest, &sig) else {
        return Vec::new();
    };
    let mut out = crate::actor::keccak(&public[1..]);
    out[..12].fill(0);
    out.to_vec()
}

/// 32-byte words of an input, zero past its end (as FEVM's reader).
struct Words<'a> {
    input: &'a [u8],
    at: usize,
}

impl<'a> Words<'a> {
    fn new(input: &'a [u8]) -> Self {
        Words { input, at: 0 }
    }

    fn padded(&mut self, len: usize) -> Vec<u8> {
        let mut out = vec![0; len];
        if let Some(rest) = self.input.get(self.at..) {
            let n = rest.len().min(len);
            out[..n].copy_from_slice(&rest[..n]);
        }
        self.at = self.at.saturating_add(len);
        out
    }

    fn word(&mut self) -> U256 {
        U256::from_be_slice(&self.padded(32))
    }

    /// A word that must fit in a u64.
    fn u64(&mut self) -> Option<u64> {
        u64::try_from(self.word()).ok()
    }

    fn seek(&mut self, at: u64) -> Option<()> {
        self.at = usize::try_from(at).ok()?;
        Some(())
    }
}

fn word_of(id: u64) -> Vec<u8> {
    U256::from(id).to_be_bytes::<32>().to_vec()
}

/// `resolve_address(bytes)`: the input is a Filecoin address's bytes; the id as a word, or empty
/// when it names no actor.
fn resolve_address(input: &[u8]) -> Output {
    let addr = FilAddress::from_bytes(input).ok()?;
    Some(
        fvm_sdk::actor::resolve_address(&addr)
            .map(word_of)
            .unwrap_or_default(),
    )
}

/// `lookup_delegated_address(uint64 id)`: the actor's `f4` address bytes, or empty.
fn lookup_delegated_address(input: &[u8]) -> Output {
    let id = Words::new(input).u64()?;
    Some(
        fvm_sdk::actor::lookup_delegated_address(id)
            .map(|a| a.to_bytes())
            .unwrap_or_default(),
    )
}

/// `get_randomness(int64 epoch)`: the beacon randomness of the epoch.
fn get_randomness(input: &[u8]) -> Output {
    let epoch = i64::try_from(Words::new(input).u64()?).ok()?;
    fvm_sdk::rand::get_beacon_randomness(epoch)
        .ok()
        .map(|r| r.to_vec())
}

/// `call_actor` / `call_actor_id`: ABI `(uint64 method, uint256 value, uint64 flags, uint64
/// codec, bytes params, bytes address | uint64 id)` → `(int256 exit, uint64 codec, bytes
/// return)`; a syscall error is the negated error number.
fn call_actor(input: &[u8], by_id: bool, gas: u64) -> Output {
    let mut w = Words::new(input);
    let method = w.u64()?;
    let value = w.word();
    let flags = SendFlags::from_bits(w.u64()?)?;
    let codec = w.u64()?;
    let params_at = w.u64()?;
    let target = w.u64()?;
    w.seek(params_at)?;
    let params_len = usize::try_from(w.u64()?).ok()?;
    let params = w.padded(params_len);
    let to = if by_id {
        FilAddress::new_id(target)
    } else {
        w.seek(target)?;
        let len = usize::try_from(w.u64()?).ok()?;
        FilAddress::from_bytes(&w.padded(len)).ok()?
    };
    if method <= MAX_RESERVED_METHOD && method != METHOD_SEND {
        return None;
    }
    let params = match codec {
        CBOR => Some(IpldBlock {
            codec,
            data: params,
        }),
        0 if params.is_empty() => None,
        _ => return None,
    };
    let gas_limit = gas.min(fvm_sdk::gas::available());
    let value = crate::host::u256_to_amount(&value);
    let (exit, ret) = match fvm_sdk::send::send(&to, method, params, value, Some(gas_limit), flags)
    {
        Ok(r) => (U256::from(r.exit_code.value()), r.return_data),
        Err(errno) => (U256::ZERO.wrapping_sub(U256::from(errno as u32)), None),
    };
    let ret = ret.unwrap_or(IpldBlock {
        codec: 0,
        data: Vec::new(),
    });
    let mut out = Vec::with_capacity(128 + ret.data.len());
    out.extend(exit.to_be_bytes::<32>());
    out.extend(U256::from(ret.codec).to_be_bytes::<32>());
    out.extend(U256::from(96).to_be_bytes::<32>());
    out.extend(U256::from(ret.data.len()).to_be_bytes::<32>());
    out.extend(&ret.data);
    out.resize(out.len().div_ceil(32) * 32, 0);
    Some(out)
}
