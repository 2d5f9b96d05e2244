//! Every embedded module is a wasm module the FVM can load.

use filmark_actor_bundle::{BUILTIN_ACTORS, FILMARK_ACTORS, code_cid};
use wasmparser::{Parser, Payload, TypeRef, Validator, WasmFeatures};

/// Budget per module (issue 4: "under 400 KB each"), in decimal kilobytes.
const MAX_MODULE_SIZE: usize = 400_000;

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

#[derive(Debug, Default)]
struct Summary {
    exports: Vec<String>,
    imports: Vec<(String, String)>,
}

fn inspect(name: &str, wasm: &[u8]) -> Summary {
    Validator::new_with_features(fvm_features())
        .validate_all(wasm)
        .unwrap_or_else(|e| panic!("{name}: not valid under the FVM's wasm features: {e}"));
    let mut summary = Summary::default();
    for payload in Parser::new(0).parse_all(wasm) {
        match payload.unwrap_or_else(|e| panic!("{name}: {e}")) {
            Payload::ExportSection(exports) => {
                for export in exports {
                    summary.exports.push(export.unwrap().name.to_owned());
                }
            }
            Payload::ImportSection(imports) => {
                for import in imports {
                    let import = import.unwrap();
                    assert!(
                        matches!(import.ty, TypeRef::Func(_)),
                        "{name}: imports a non-function {}::{}",
                        import.module,
                        import.name
                    );
                    summary
                        .imports
                        .push((import.module.to_owned(), import.name.to_owned()));
                }
            }
            _ => {}
        }
    }
    summary
}

fn check_actor(name: &str, wasm: &[u8]) -> Summary {
    println!(
        "{name:<14} {:>7} bytes ({:+} vs the {MAX_MODULE_SIZE}-byte budget)  {}",
        wasm.len(),
        wasm.len() as i64 - MAX_MODULE_SIZE as i64,
        code_cid(wasm)
    );
    assert!(
        wasm.len() < MAX_MODULE_SIZE,
        "{name} is {} bytes, over the {MAX_MODULE_SIZE}-byte budget",
        wasm.len()
    );
    let summary = inspect(name, wasm);
    for (module, field) in &summary.imports {
        assert!(
            FVM_IMPORT_MODULES.contains(&module.as_str()),
            "{name}: imports {module}::{field}, which is no FVM syscall (wasm-bindgen or WASI?)"
        );
    }
    summary
}

#[test]
fn builtin_actors_export_invoke_and_memory() {
    assert_eq!(
        BUILTIN_ACTORS
            .iter()
            .map(|(name, _)| *name)
            .collect::<Vec<_>>(),
        filmark_devnet_actors::MANIFEST_NAMES,
    );
    for (name, wasm) in BUILTIN_ACTORS {
        let summary = check_actor(name, wasm);
        for export in ["invoke", "memory"] {
            assert!(
                summary.exports.iter().any(|e| e == export),
                "{name} exports no `{export}`"
            );
        }
    }
}

#[test]
fn filmark_actors_are_loadable() {
    for (name, wasm) in FILMARK_ACTORS {
        let summary = check_actor(name, wasm);
        for export in ["invoke", "memory"] {
            assert!(
                summary.exports.iter().any(|e| e == export),
                "{name} exports no `{export}`"
            );
        }
    }
}

#[test]
fn every_module_has_its_own_code_cid() {
    let mut cids: Vec<_> = BUILTIN_ACTORS
        .iter()
        .chain(FILMARK_ACTORS)
        .map(|(_, wasm)| code_cid(wasm))
        .collect();
    let n = cids.len();
    cids.sort();
    cids.dedup();
    assert_eq!(cids.len(), n, "two actors compiled to the same module");
}
