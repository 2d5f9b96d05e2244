#![doc = include_str!("../README.md")]

use filmark_devnet_actors::manifest;
pub use filmark_wasm_build::code_cid;

macro_rules! module {
    ($(#[$meta:meta])* $name:ident = $file:literal) => {
        $(#[$meta])*
        pub const $name: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/", $file));
    };
}

module!(
    /// The system actor (`f00`).
    SYSTEM_WASM = "system.wasm"
);
module!(
    /// The init actor (`f01`), built with `m2-native`.
    INIT_WASM = "init.wasm"
);
module!(
    /// The account actor (`f1`/`f3` keys).
    ACCOUNT_WASM = "account.wasm"
);
module!(
    /// The placeholder actor (unknown `f410` addresses).
    PLACEHOLDER_WASM = "placeholder.wasm"
);
module!(
    /// The ethaccount actor (`f410` keys).
    ETHACCOUNT_WASM = "ethaccount.wasm"
);
module!(
    /// The Ethereum address manager (`f010`), without an EVM.
    EAM_WASM = "eam.wasm"
);
module!(
    /// The reward actor (`f02`), also used for burnt funds (`f099`).
    REWARD_WASM = "reward.wasm"
);
module!(
    /// The simulated storage market (`f05`).
    MARKET_WASM = "market.wasm"
);

module!(
    /// The EVM actor (one per Solidity contract; revm's interpreter).
    EVM_WASM = "evm.wasm"
);

/// The builtin actors as (manifest name, wasm module), in the order of [`manifest::NAMES`]:
/// every name the FVM requires first.
pub const BUILTIN_ACTORS: &[(&str, &[u8])] = &[
    (manifest::SYSTEM, SYSTEM_WASM),
    (manifest::INIT, INIT_WASM),
    (manifest::ACCOUNT, ACCOUNT_WASM),
    (manifest::PLACEHOLDER, PLACEHOLDER_WASM),
    (manifest::EAM, EAM_WASM),
    (manifest::ETHACCOUNT, ETHACCOUNT_WASM),
    (manifest::STORAGE_MARKET, MARKET_WASM),
    (manifest::REWARD, REWARD_WASM),
    (manifest::EVM, EVM_WASM),
];
