//! Precompiles. Filecoin's (FEVM's `0xfe00..` range): 1 `resolve_address`,
//! 2 `lookup_delegated_address`; the others are not offered yet (see the README). Ethereum's
//! are not offered yet: a call to one fails (returns 0) with no data.

use fvm_shared::address::Address as FilAddress;
use fvm_shared::ActorID;

/// A Filecoin precompile: (success, output).
pub(crate) fn filecoin(index: u8, input: &[u8], _is_static: bool) -> (bool, Vec<u8>) {
    match index {
        1 => resolve_address(input),
        2 => lookup_delegated_address(input),
        _ => (false, Vec::new()),
    }
}

/// An Ethereum precompile: not offered.
pub(crate) fn ethereum(_index: u8, _input: &[u8]) -> (bool, Vec<u8>) {
    (false, Vec::new())
}

/// `resolve_address(bytes filecoin_address)`: the input is the address's bytes; the output is
/// the actor id as a 32-byte word, or empty when the address names no actor; malformed input
/// fails.
fn resolve_address(input: &[u8]) -> (bool, Vec<u8>) {
    let Ok(addr) = FilAddress::from_bytes(input) else {
        return (false, Vec::new());
    };
    match fvm_sdk::actor::resolve_address(&addr) {
        Some(id) => (true, word(id)),
        None => (true, Vec::new()),
    }
}

/// `lookup_delegated_address(uint64 id)` (one 32-byte word): the actor's `f4` address bytes,
/// or empty.
fn lookup_delegated_address(input: &[u8]) -> (bool, Vec<u8>) {
    let Some(id) = id_word(input) else {
        return (false, Vec::new());
    };
    match fvm_sdk::actor::lookup_delegated_address(id) {
        Some(addr) => (true, addr.to_bytes()),
        None => (true, Vec::new()),
    }
}

fn word(id: ActorID) -> Vec<u8> {
    let mut out = vec![0; 32];
    out[24..].copy_from_slice(&id.to_be_bytes());
    out
}

/// An actor id in one 32-byte word, if the input is exactly that and the id fits 64 bits.
fn id_word(input: &[u8]) -> Option<ActorID> {
    let word: &[u8; 32] = input.try_into().ok()?;
    (word[..24] == [0; 24]).then(|| {
        let mut id = [0; 8];
        id.copy_from_slice(&word[24..]);
        u64::from_be_bytes(id)
    })
}
