//! Compiles Filmark's actors to FVM wasm modules in `OUT_DIR` (see `filmark_wasm_build`).
//!
//! `filmark-registry` and `filmark-escrow` are build-dependencies so that cargo knows this
//! crate is built from them; the modules themselves come from a nested wasm build, because a
//! build-dependency is compiled for the host (cargo's artifact dependencies, which would give
//! the wasm module itself, are unstable).

use filmark_wasm_build::{Build, Targets, build_bundle};

fn main() {
    build_bundle(
        &[
            Build {
                package: "filmark-registry",
                features: "fil-actor",
                targets: Targets::Lib,
                modules: &[("filmark_registry", "registry")],
            },
            Build {
                package: "filmark-escrow",
                features: "fil-actor",
                targets: Targets::Lib,
                modules: &[("filmark_escrow", "escrow")],
            },
        ],
        &[
            "contracts/abi",
            "contracts/shared",
            "contracts/registry",
            "contracts/escrow",
        ],
    );
}
