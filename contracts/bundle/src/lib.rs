#![doc = include_str!("../README.md")]

use cid::Cid;
use multihash_codetable::{Code, MultihashDigest};

macro_rules! module {
    ($(#[$meta:meta])* $name:ident = $file:literal) => {
        $(#[$meta])*
        pub const $name: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/", $file));
    };
}

module!(
    /// The Filmark content registry actor (`filmark-registry`).
    REGISTRY_WASM = "registry.wasm"
);
module!(
    /// The Filmark storage-deal escrow actor (`filmark-escrow`).
    ESCROW_WASM = "escrow.wasm"
);
module!(
    /// The devnet's system actor (`f00`).
    SYSTEM_WASM = "system.wasm"
);
module!(
    /// The devnet's init actor (`f01`), built with `m2-native`.
    INIT_WASM = "init.wasm"
);
module!(
    /// The devnet's account actor (`f1`/`f3` keys).
    ACCOUNT_WASM = "account.wasm"
);
module!(
    /// The devnet's placeholder actor (unknown `f410` addresses).
    PLACEHOLDER_WASM = "placeholder.wasm"
);
module!(
    /// The devnet's ethaccount actor (`f410` keys).
    ETHACCOUNT_WASM = "ethaccount.wasm"
);
module!(
    /// The devnet's Ethereum address manager (`f010`), without an EVM.
    EAM_WASM = "eam.wasm"
);
module!(
    /// The devnet's reward actor (`f02`), also used for burnt funds (`f099`).
    REWARD_WASM = "reward.wasm"
);
module!(
    /// The devnet's simulated storage market (`f05`).
    MARKET_WASM = "market.wasm"
);

/// The devnet's builtin actors as (manifest name, wasm module), every name the FVM requires
/// first.
pub const BUILTIN_ACTORS: &[(&str, &[u8])] = &[
    ("system", SYSTEM_WASM),
    ("init", INIT_WASM),
    ("account", ACCOUNT_WASM),
    ("placeholder", PLACEHOLDER_WASM),
    ("eam", EAM_WASM),
    ("ethaccount", ETHACCOUNT_WASM),
    ("storagemarket", MARKET_WASM),
    ("reward", REWARD_WASM),
];

/// Filmark's own actors as (name, wasm module).
pub const FILMARK_ACTORS: &[(&str, &[u8])] =
    &[("registry", REGISTRY_WASM), ("escrow", ESCROW_WASM)];

/// The code CID of a wasm module as the FVM names it: CIDv1, IPLD raw (0x55), blake2b-256.
pub fn code_cid(wasm: &[u8]) -> Cid {
    Cid::new_v1(0x55, Code::Blake2b256.digest(wasm))
}
