#![doc = include_str!("../README.md")]

use std::env;
use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use cid::Cid;
use multihash_codetable::{Code, MultihashDigest};

#[cfg(feature = "check")]
pub mod check;

/// The code CID of a wasm module as the FVM names it: CIDv1, IPLD raw (0x55), blake2b-256.
pub fn code_cid(wasm: &[u8]) -> Cid {
    Cid::new_v1(0x55, Code::Blake2b256.digest(wasm))
}

/// Which targets of a package one cargo invocation builds.
#[derive(Debug, Clone, Copy)]
pub enum Targets {
    /// The package's library, as a cdylib (`cargo rustc --lib --crate-type cdylib`: the
    /// library is an rlib in its `Cargo.toml`, see [`build_bundle`]).
    Lib,
    /// Its cdylib examples, one module each, against one build of the library (`--examples`).
    Examples,
}

/// One cargo invocation: one package, built for the FVM with the `wasm` profile.
#[derive(Debug)]
pub struct Build {
    /// The package (`-p`).
    pub package: &'static str,
    /// Its features (`--no-default-features --features`).
    pub features: &'static str,
    /// Its targets.
    pub targets: Targets,
    /// (wasm target name, output file stem) for each module: `<OUT_DIR>/<stem>.wasm`.
    pub modules: &'static [(&'static str, &'static str)],
}

/// Codegen for the FVM, stable `rustc` options only.
///
/// Rust 1.95's `wasm32-unknown-unknown` enables post-MVP features by default, among them
/// multi-value and reference types. fvm 4.8.4 configures wasmtime with SIMD, relaxed SIMD,
/// multi-value, tail calls, multi-memory, memory64, wide arithmetic and extended-const off,
/// and its gas instrumentation prices no reference-type instructions. So the actors start from
/// the MVP and add back what the FVM enables and prices: bulk memory (`memory.copy`/
/// `memory.fill`, linearly priced), sign extension, non-trapping float-to-int and mutable
/// globals. The prebuilt std is compiled for the newer baseline, but it ships its LLVM bitcode
/// and `lto = true` (profile `wasm`) generates its code again with these flags; what LTO leaves
/// alone (`compiler_builtins`) uses none of the features the FVM refuses. The bundles' tests
/// hold every module to exactly this feature set, and the devnet runs them in the FVM.
///
/// `--compress-relocations` makes wasm-ld write relocated indices as minimal LEBs: without it,
/// some `call_indirect`s keep a 5-byte padded table index, which only the reference-types
/// encoding allows (an MVP module must have the single byte 0x00 there). Still needed with the
/// prebuilt std: without it the registry fails the bundle test ("zero byte expected") and is
/// 30 KB larger.
///
/// `-zstack-size=65536` links every module with a 64 KiB stack instead of Rust's 1 MiB default:
/// the FVM initialises each page of an actor's initial memory on every invocation (0.4 gas per
/// byte, 26,214 gas per 64 KiB page), so the default stack alone cost ~420k gas per call. The
/// stack sits first in memory: an overflow traps (the call aborts), it never corrupts the heap.
///
/// The nested builds add path remappings (the workspace, cargo's registry and git sources) so
/// that a module's bytes, and so its code CID, do not depend on where those sit.
pub const RUSTFLAGS: &[&str] = &[
    "-Ctarget-cpu=mvp",
    "-Ctarget-feature=+bulk-memory,+mutable-globals,+sign-ext,+nontrapping-fptoint",
    "-Clink-arg=--compress-relocations",
    "-Clink-arg=-zstack-size=65536",
];

/// Env var: embed an empty module for an actor that does not build instead of failing (for
/// working on the devnet while an actor crate is mid-edit; never set in CI).
pub const ALLOW_BROKEN: &str = "FILMARK_BUNDLE_ALLOW_BROKEN";

/// Files of the workspace (relative to its root) that change every module when they change.
const WORKSPACE_FILES: &[&str] = &[
    "Cargo.toml",
    "Cargo.lock",
    ".cargo/config.toml",
    "rust-toolchain.toml",
];

/// What a bundle's `build.rs` runs: builds each of `builds` for `wasm32-unknown-unknown` with
/// the workspace's `wasm` profile and leaves its modules in `OUT_DIR` for `include_bytes!`.
///
/// One package (and, for the devnet actors, one feature set) per cargo invocation: building
/// several packages at once would unify their features, and host-only features (std alloy,
/// tokio, ...) must never reach an actor.
///
/// `sources` are the folders (relative to the workspace root) of the compiled crates. The
/// bundle names those crates as build-dependencies, but a host build of them reads neither
/// their `fil-actor`/wasm32-only files nor their `entry/` examples, so the script also reruns
/// when anything under `sources` changes; the nested cargo then rebuilds only what changed.
///
/// A compiled library must not be a cdylib in its own `Cargo.toml` ([`Targets::Lib`] makes it
/// one for the nested build only): cdylib files carry no hash in their names, so the
/// build-dependency's host build and the crate's other builds in the same target dir would
/// overwrite each other's `.rlib` (cargo warns "output filename collision").
///
/// # Panics
///
/// When a module does not build (unless [`ALLOW_BROKEN`] is set) or cargo's environment is
/// not a build script's.
pub fn build_bundle(builds: &[Build], sources: &[&str]) {
    let manifest_dir =
        PathBuf::from(env::var_os("CARGO_MANIFEST_DIR").expect("CARGO_MANIFEST_DIR"));
    let workspace = workspace_root(&manifest_dir);
    let out_dir = PathBuf::from(env::var_os("OUT_DIR").expect("OUT_DIR"));

    for source in sources.iter().chain(WORKSPACE_FILES) {
        println!(
            "cargo:rerun-if-changed={}",
            workspace.join(source).display()
        );
    }
    println!("cargo:rerun-if-env-changed={ALLOW_BROKEN}");
    let allow_broken = env::var_os(ALLOW_BROKEN).is_some_and(|v| !v.is_empty() && v != "0");

    let target_dir = wasm_target_dir(&out_dir);
    let cargo = env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    for build in builds {
        let built = run_cargo(&cargo, &workspace, &target_dir, build);
        for (target, stem) in build.modules {
            let dest = out_dir.join(format!("{stem}.wasm"));
            let wasm = built.clone().and_then(|modules| {
                modules
                    .into_iter()
                    .find(|(name, _)| name == target)
                    .map(|(_, path)| path)
                    .ok_or_else(|| {
                        format!("cargo built no wasm module for {} {target}", build.package)
                    })
            });
            match wasm {
                Ok(wasm) => {
                    std::fs::copy(&wasm, &dest).unwrap_or_else(|e| {
                        panic!("cannot copy {} to {}: {e}", wasm.display(), dest.display())
                    });
                }
                Err(e) if allow_broken => {
                    println!("cargo:warning={e}; {stem}.wasm is empty ({ALLOW_BROKEN} is set)");
                    std::fs::write(&dest, []).expect("cannot write to OUT_DIR");
                }
                Err(e) => panic!("{e} (set {ALLOW_BROKEN}=1 to embed an empty module instead)"),
            }
        }
    }
}

/// The nearest ancestor of `dir` whose `Cargo.toml` has a `[workspace]` table.
fn workspace_root(dir: &Path) -> PathBuf {
    dir.ancestors()
        .find(|d| {
            std::fs::read_to_string(d.join("Cargo.toml"))
                .is_ok_and(|toml| toml.lines().any(|l| l.trim() == "[workspace]"))
        })
        .unwrap_or_else(|| panic!("{} is in no cargo workspace", dir.display()))
        .to_path_buf()
}

/// The nested builds' target dir: `<outer target dir>/fvm-wasm`, shared by every bundle and
/// every outer profile (dev, test, clippy, release) so the wasm dependencies compile once, and
/// distinct from the outer target dir, whose lock the outer build holds.
fn wasm_target_dir(out_dir: &Path) -> PathBuf {
    // OUT_DIR = <target>[/<triple>]/<profile>/build/<package>-<hash>/out
    out_dir
        .ancestors()
        .find(|dir| dir.file_name().is_some_and(|name| name == "build"))
        .and_then(Path::parent)
        .and_then(Path::parent)
        .map_or_else(
            || out_dir.join("fvm-wasm"),
            |target| target.join("fvm-wasm"),
        )
}

/// Runs one cargo invocation and returns (target name, module path) for each wasm module.
fn run_cargo(
    cargo: &OsStr,
    workspace: &Path,
    target_dir: &Path,
    build: &Build,
) -> Result<Vec<(String, PathBuf)>, String> {
    let Build {
        package, features, ..
    } = build;
    let targets: &[&str] = match build.targets {
        Targets::Lib => &["rustc", "--lib", "--crate-type", "cdylib"],
        Targets::Examples => &["build", "--examples"],
    };
    let output = Command::new(cargo)
        .current_dir(workspace)
        .args(targets)
        .arg("--locked")
        .arg("--message-format=json-render-diagnostics")
        .args(["--target", "wasm32-unknown-unknown", "--profile", "wasm"])
        .args([
            "-p",
            package,
            "--no-default-features",
            "--features",
            features,
        ])
        .arg("--target-dir")
        .arg(target_dir)
        // What the outer build leaks into its build scripts' environment: clippy's driver,
        // the outer flags and target, and the outer target dir (whose lock it holds).
        .env_remove("RUSTC_WORKSPACE_WRAPPER")
        .env_remove("RUSTFLAGS")
        .env_remove("CARGO_BUILD_RUSTFLAGS")
        .env_remove("CARGO_TARGET_DIR")
        .env_remove("CARGO_BUILD_TARGET")
        .env_remove("CARGO_BUILD_TARGET_DIR")
        .env("CARGO_ENCODED_RUSTFLAGS", rustflags(workspace).join("\x1f"))
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .output()
        .map_err(|e| format!("cannot run cargo for {package}: {e}"))?;
    if !output.status.success() {
        return Err(format!(
            "building {package} --features {features} for wasm failed ({})",
            output.status
        ));
    }
    Ok(modules(&output.stdout))
}

/// [`RUSTFLAGS`] plus the path remappings: the workspace and cargo's registry and git sources
/// each become a fixed prefix. (std's paths are already `/rustc/<commit>/...` in the prebuilt
/// std.)
fn rustflags(workspace: &Path) -> Vec<String> {
    let mut flags: Vec<String> = RUSTFLAGS.iter().map(|f| (*f).to_owned()).collect();
    let mut remap = |from: PathBuf, to: &str| {
        flags.push(format!("--remap-path-prefix={}={to}", from.display()));
    };
    remap(workspace.to_path_buf(), "/filmark");
    if let Some(home) = cargo_home() {
        remap(home.join("registry").join("src"), "/cargo/registry/src");
        remap(home.join("git").join("checkouts"), "/cargo/git/checkouts");
    }
    flags
}

/// `$CARGO_HOME`, or `~/.cargo`.
fn cargo_home() -> Option<PathBuf> {
    env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| env::var_os("HOME").map(|home| PathBuf::from(home).join(".cargo")))
}

/// The `.wasm` files in cargo's JSON messages, by target name.
fn modules(messages: &[u8]) -> Vec<(String, PathBuf)> {
    String::from_utf8_lossy(messages)
        .lines()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .filter(|msg| msg["reason"] == "compiler-artifact")
        .filter_map(|msg| {
            let name = msg["target"]["name"].as_str()?.to_owned();
            let wasm = msg["filenames"]
                .as_array()?
                .iter()
                .filter_map(|f| f.as_str().map(PathBuf::from))
                .find(|f| f.extension().is_some_and(|ext| ext == "wasm"))?;
            Some((name, wasm))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_cid_is_raw_blake2b_256() {
        // CIDv1 of no bytes: 0x01 (v1), 0x55 (raw), 0xa0e402 (blake2b-256), 0x20 (32 bytes),
        // then the digest, base32 (computed apart with Python's hashlib and base64).
        assert_eq!(
            code_cid(&[]).to_string(),
            "bafk2bzaceahfouoae3suhmxivmxlayez3kq5dzo7i53y654h7kvultprf7r2q"
        );
    }

    #[test]
    fn the_wasm_target_dir_sits_beside_the_profiles() {
        let out = Path::new("/t/debug/build/filmark-actor-bundle-0123/out");
        assert_eq!(wasm_target_dir(out), Path::new("/t/fvm-wasm"));
        let out = Path::new("/t/x86_64-unknown-linux-gnu/release/build/b-1/out");
        assert_eq!(
            wasm_target_dir(out),
            Path::new("/t/x86_64-unknown-linux-gnu/fvm-wasm")
        );
    }
}
