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
    /// The init actor (`f01`), built with `m2-native`, with the devnet's user-wasm extension
    /// (`InstallCode`, `Exec` of installed code) on.
    INIT_WASM = "init.wasm"
);
module!(
    /// The init actor (`f01`) with the user-wasm extension off: the devnet behaves as mainnet.
    INIT_MAINNET_WASM = "init_mainnet.wasm"
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
    /// The reward actor (`f02`).
    REWARD_WASM = "reward.wasm"
);
module!(
    /// The cron actor (`f03`), a stub.
    CRON_WASM = "cron.wasm"
);
module!(
    /// The storage power actor (`f04`).
    POWER_WASM = "power.wasm"
);
module!(
    /// The storage miner actor.
    MINER_WASM = "miner.wasm"
);
module!(
    /// The payment channel actor, a stub.
    PAYMENT_CHANNEL_WASM = "paymentchannel.wasm"
);
module!(
    /// The multisig actor, a stub.
    MULTISIG_WASM = "multisig.wasm"
);
module!(
    /// The verified registry (`f06`).
    VERIFREG_WASM = "verifreg.wasm"
);
module!(
    /// The DataCap token (`f07`).
    DATACAP_WASM = "datacap.wasm"
);
module!(
    /// The EVM actor, a stub.
    EVM_WASM = "evm.wasm"
);
module!(
    /// The simulated storage market (`f05`).
    MARKET_WASM = "market.wasm"
);

/// The builtin actors as (manifest name, wasm module), in mainnet's manifest order
/// ([`manifest::NAMES`]; the builtin type id of each is its position, from 1), with the
/// devnet's user-wasm extension on.
pub const BUILTIN_ACTORS: &[(&str, &[u8])] = &builtin_actors(INIT_WASM);

/// [`BUILTIN_ACTORS`] with the user-wasm extension off ([`INIT_MAINNET_WASM`]).
pub const BUILTIN_ACTORS_MAINNET: &[(&str, &[u8])] = &builtin_actors(INIT_MAINNET_WASM);

const fn builtin_actors(init: &'static [u8]) -> [(&'static str, &'static [u8]); 16] {
    [
        (manifest::SYSTEM, SYSTEM_WASM),
        (manifest::INIT, init),
        (manifest::CRON, CRON_WASM),
        (manifest::ACCOUNT, ACCOUNT_WASM),
        (manifest::STORAGE_POWER, POWER_WASM),
        (manifest::STORAGE_MINER, MINER_WASM),
        (manifest::STORAGE_MARKET, MARKET_WASM),
        (manifest::PAYMENT_CHANNEL, PAYMENT_CHANNEL_WASM),
        (manifest::MULTISIG, MULTISIG_WASM),
        (manifest::REWARD, REWARD_WASM),
        (manifest::VERIFIED_REGISTRY, VERIFREG_WASM),
        (manifest::DATACAP, DATACAP_WASM),
        (manifest::PLACEHOLDER, PLACEHOLDER_WASM),
        (manifest::EVM, EVM_WASM),
        (manifest::EAM, EAM_WASM),
        (manifest::ETHACCOUNT, ETHACCOUNT_WASM),
    ]
}
