//! Compiles the devnet's builtin actors to FVM wasm modules in `OUT_DIR` (see
//! `filmark_wasm_build`): the cdylib examples of `filmark-devnet-actors`, one per actor, built
//! together against one build of the library.
//!
//! `filmark-devnet-actors` is a build-dependency so that cargo knows this crate is built from
//! it; the modules themselves come from a nested wasm build, because a build-dependency is
//! compiled for the host (cargo's artifact dependencies, which would give the wasm module
//! itself, are unstable).

use filmark_wasm_build::{Build, Targets, build_bundle};

fn main() {
    build_bundle(
        &[Build {
            package: "filmark-devnet-actors",
            features: "fil-actor,m2-native",
            targets: Targets::Examples,
            modules: &[
                ("system", "system"),
                ("init", "init"),
                ("account", "account"),
                ("placeholder", "placeholder"),
                ("ethaccount", "ethaccount"),
                ("eam", "eam"),
                ("reward", "reward"),
                ("market", "market"),
                ("cron", "cron"),
                ("power", "power"),
                ("miner", "miner"),
                ("paymentchannel", "paymentchannel"),
                ("multisig", "multisig"),
                ("verifreg", "verifreg"),
                ("datacap", "datacap"),
                ("evm", "evm"),
                ("init_mainnet", "init_mainnet"),
            ],
        }],
        &["contracts/shared", "devnet/actors"],
    );
}
