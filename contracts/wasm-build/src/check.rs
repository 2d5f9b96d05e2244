//! The bundles' tests: every module is one the FVM can load, within the size budget.

use wasmparser::{Parser, Payload, TypeRef, Validator, WasmFeatures};

use crate::code_cid;

/// Budget per module: 1 MiB. No Filecoin network that runs user actors limits them below it,
/// and the devnet accepts any size.
pub const MAX_MODULE_SIZE: usize = 1 << 20;

/// Syscall modules the FVM links (fvm 4.8.4 `syscalls/mod.rs`), plus `gas`.
const FVM_IMPORT_MODULES: &[&str] = &[
    "vm", "network", "ipld", "self", "message", "actor", "crypto", "event", "rand", "gas", "send",
    "debug",
];

/// What the FVM's wasmtime accepts and its gas instrumentation prices: the MVP with mutable
/// globals, bulk memory, sign extension and saturating float-to-int. No SIMD, no multi-value,
/// no reference types.
fn fvm_features() -> WasmFeatures {
    WasmFeatures::WASM1
        | WasmFeatures::BULK_MEMORY
        | WasmFeatures::SIGN_EXTENSION
        | WasmFeatures::SATURATING_FLOAT_TO_INT
}

/// Checks the actor module `wasm` and prints its size and code CID: it validates under the
/// FVM's wasm features, imports only FVM syscall modules (no wasm-bindgen or WASI), exports
/// `invoke` and `memory`, and is at most [`MAX_MODULE_SIZE`] bytes.
///
/// # Panics
///
/// When any of these does not hold (it is a test).
pub fn check_actor_module(name: &str, wasm: &[u8]) {
    println!(
        "{name:<14} {:>9} bytes ({:>5.1} % of the {MAX_MODULE_SIZE}-byte budget)  {}",
        wasm.len(),
        wasm.len() as f64 * 100.0 / MAX_MODULE_SIZE as f64,
        code_cid(wasm)
    );
    assert!(
        wasm.len() <= MAX_MODULE_SIZE,
        "{name} is {} bytes, over the {MAX_MODULE_SIZE}-byte budget",
        wasm.len()
    );
    Validator::new_with_features(fvm_features())
        .validate_all(wasm)
        .unwrap_or_else(|e| panic!("{name}: not valid under the FVM's wasm features: {e}"));
    let mut exports = Vec::new();
    for payload in Parser::new(0).parse_all(wasm) {
        match payload.unwrap_or_else(|e| panic!("{name}: {e}")) {
            Payload::ExportSection(section) => {
                for export in section {
                    exports.push(export.expect("validated").name.to_owned());
                }
            }
            Payload::ImportSection(section) => {
                for import in section {
                    let import = import.expect("validated");
                    assert!(
                        matches!(import.ty, TypeRef::Func(_)),
                        "{name}: imports a non-function {}::{}",
                        import.module,
                        import.name
                    );
                    assert!(
                        FVM_IMPORT_MODULES.contains(&import.module),
                        "{name}: imports {}::{}, which is no FVM syscall (wasm-bindgen or WASI?)",
                        import.module,
                        import.name
                    );
                }
            }
            _ => {}
        }
    }
    for export in ["invoke", "memory"] {
        assert!(
            exports.iter().any(|e| e == export),
            "{name} exports no `{export}`"
        );
    }
}

/// Checks that no two of `modules` share a code CID (the FVM tells builtin actor types apart
/// by code CID).
///
/// # Panics
///
/// When two do.
pub fn check_distinct_code_cids(modules: &[(&str, &[u8])]) {
    for (i, (a, wasm_a)) in modules.iter().enumerate() {
        for (b, wasm_b) in &modules[i + 1..] {
            assert_ne!(
                code_cid(wasm_a),
                code_cid(wasm_b),
                "{a} and {b} compiled to the same module"
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[should_panic(expected = "over the 1048576-byte budget")]
    fn a_module_over_the_budget_fails() {
        check_actor_module("big", &vec![0; MAX_MODULE_SIZE + 1]);
    }

    #[test]
    #[should_panic(expected = "not valid under the FVM's wasm features")]
    fn a_module_that_is_no_wasm_fails() {
        check_actor_module("junk", b"junk");
    }

    #[test]
    #[should_panic(expected = "a and b compiled to the same module")]
    fn two_equal_modules_fail() {
        check_distinct_code_cids(&[("a", b"x"), ("b", b"x")]);
    }
}
