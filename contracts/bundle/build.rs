//! Compiles every actor to `wasm32-unknown-unknown` with the workspace's `wasm` profile and
//! leaves the modules in `OUT_DIR` for `include_bytes!`.
//!
//! One package (and, for the devnet actors, one actor feature) per cargo invocation: building
//! several packages at once would unify their features, and host-only features (std alloy,
//! tokio, ...) must never reach an actor.

use std::env;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// One cargo invocation.
struct Build {
    package: &'static str,
    features: &'static str,
    /// `--lib` or `--examples`.
    targets: &'static str,
    /// (wasm target name, output stem); the stem names the const in `src/lib.rs`.
    modules: &'static [(&'static str, &'static str)],
}

/// The devnet's builtin actors are the cdylib examples of `filmark-devnet-actors`, one per
/// actor, built together against one build of the library.
const BUILDS: &[Build] = &[
    Build {
        package: "filmark-registry",
        features: "fil-actor",
        targets: "--lib",
        modules: &[("filmark_registry", "registry")],
    },
    Build {
        package: "filmark-escrow",
        features: "fil-actor",
        targets: "--lib",
        modules: &[("filmark_escrow", "escrow")],
    },
    Build {
        package: "filmark-devnet-actors",
        features: "fil-actor,m2-native",
        targets: "--examples",
        modules: &[
            ("system", "system"),
            ("init", "init"),
            ("account", "account"),
            ("placeholder", "placeholder"),
            ("ethaccount", "ethaccount"),
            ("eam", "eam"),
            ("reward", "reward"),
            ("market", "market"),
        ],
    },
];

/// Source folders whose changes rebuild the modules (relative to the workspace root).
const SOURCES: &[&str] = &[
    "contracts/shared",
    "contracts/registry",
    "contracts/escrow",
    "devnet/actors",
    "Cargo.toml",
    "Cargo.lock",
    ".cargo/config.toml",
];

/// Codegen for the FVM. Rust 1.95's wasm32-unknown-unknown enables post-MVP features by
/// default, among them multi-value and reference types. fvm 4.8.4 configures wasmtime with
/// SIMD, relaxed SIMD, multi-value, tail calls, multi-memory, memory64, wide arithmetic and
/// extended-const off, and its gas instrumentation prices no reference-type instructions. So
/// start from the MVP and add back exactly what the FVM enables and prices: bulk memory
/// (`memory.copy`/`memory.fill`, linearly priced), sign extension, non-trapping float-to-int
/// and mutable globals. std is rebuilt with these flags too (see [`BUILD_STD`]).
///
/// `--compress-relocations` makes wasm-ld write relocated indices as minimal LEBs: without it,
/// some `call_indirect`s keep a 5-byte padded table index, which only the reference-types
/// encoding allows (an MVP module must have the single byte 0x00 there).
///
/// Size (issue 4: under 400 KB a module): `-Zfmt-debug=none` turns every `Debug` impl into a
/// no-op and `-Zlocation-detail=none` drops file/line/column from panic locations. Much of an
/// actor's formatting weight is reached only through `Debug` in libraries (`Ipld`'s `Debug` in
/// ipld-core's error messages, for one). What stays is reached through `Display` or a vtable:
/// float printing from serde's "invalid type" messages, CID text from the HAMT/AMT errors,
/// symbol demangling from `anyhow`'s error vtable (never run: no backtrace is captured on
/// wasm32-unknown-unknown). The actors' own messages use `Display`, so their text is unchanged.
/// Path prefixes are remapped so that the modules (and their code CIDs) do not depend on where
/// the workspace, cargo's registry or the toolchain sit.
///
/// `-inline-threshold=20`: LLVM's inliner at `opt-level = "z"` keeps almost every call; a
/// slightly higher threshold inlines the small generic glue of the IPLD crates (blockstore
/// reads, CBOR helpers) into its single-type callers, where constants then prune branches.
/// Measured on both actors (bytes, escrow / registry): 5 (the `z` default) 415,320 / 399,147;
/// 15: 409,818; 20: 409,781 / 392,234; 25: 410,324; 30: 412,200; 60: 424,670.
const RUSTFLAGS: &[&str] = &[
    "-Ctarget-cpu=mvp",
    "-Ctarget-feature=+bulk-memory,+mutable-globals,+sign-ext,+nontrapping-fptoint",
    "-Clink-arg=--compress-relocations",
    "-Zfmt-debug=none",
    "-Zlocation-detail=none",
    "-Cllvm-args=-inline-threshold=20",
];

/// The actors link a std rebuilt from the toolchain's `rust-src` with the flags above and std's
/// `optimize_for_size` feature, instead of the prebuilt one (compiled for a newer wasm baseline
/// and for speed). `-Z` options need a nightly compiler; the nested build sets
/// `RUSTC_BOOTSTRAP=1` on the pinned stable toolchain (rust-toolchain.toml) so that the actors
/// build with the same compiler as everything else, and pins the result: same toolchain, same
/// lock file, same bytes.
const BUILD_STD: &[&str] = &[
    "-Zbuild-std=std,panic_abort",
    "-Zbuild-std-features=optimize_for_size",
];

fn main() {
    let manifest_dir =
        PathBuf::from(env::var_os("CARGO_MANIFEST_DIR").expect("CARGO_MANIFEST_DIR"));
    let workspace = manifest_dir
        .parent()
        .and_then(Path::parent)
        .expect("contracts/bundle sits two levels below the workspace root")
        .to_path_buf();
    let out_dir = PathBuf::from(env::var_os("OUT_DIR").expect("OUT_DIR"));

    for source in SOURCES {
        println!(
            "cargo:rerun-if-changed={}",
            workspace.join(source).display()
        );
    }

    println!("cargo:rerun-if-env-changed={ALLOW_BROKEN}");
    let allow_broken = env::var_os(ALLOW_BROKEN).is_some_and(|v| !v.is_empty() && v != "0");

    let target_dir = wasm_target_dir(&out_dir);
    let cargo = env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    for Build {
        package,
        features,
        targets,
        modules,
    } in BUILDS
    {
        let built = build(&cargo, &workspace, &target_dir, package, features, targets);
        for (target, stem) in *modules {
            let dest = out_dir.join(format!("{stem}.wasm"));
            let wasm = built.clone().and_then(|modules| {
                modules
                    .into_iter()
                    .find(|(name, _)| name == target)
                    .map(|(_, path)| path)
                    .ok_or_else(|| format!("cargo built no wasm module for {package} {target}"))
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

/// Env var: embed an empty module for an actor that does not build instead of failing (for
/// working on the devnet while an actor crate is mid-edit; never set in CI).
const ALLOW_BROKEN: &str = "FILMARK_BUNDLE_ALLOW_BROKEN";

/// The nested builds' target dir: `<outer target dir>/wasm-actors`, shared by every outer
/// profile (dev, test, clippy, release) so the wasm dependencies compile once, and distinct
/// from the outer target dir, whose lock the outer build holds.
fn wasm_target_dir(out_dir: &Path) -> PathBuf {
    // OUT_DIR = <target>[/<triple>]/<profile>/build/<package>-<hash>/out
    out_dir
        .ancestors()
        .find(|dir| dir.file_name().is_some_and(|name| name == "build"))
        .and_then(Path::parent)
        .and_then(Path::parent)
        .map_or_else(
            || out_dir.join("wasm-actors"),
            |target| target.join("wasm-actors"),
        )
}

/// Builds one package's wasm targets and returns (target name, module path) for each.
fn build(
    cargo: &std::ffi::OsStr,
    workspace: &Path,
    target_dir: &Path,
    package: &str,
    features: &str,
    targets_flag: &str,
) -> Result<Vec<(String, PathBuf)>, String> {
    let mut cmd = Command::new(cargo);
    cmd.current_dir(workspace)
        .args(["build", "--locked", targets_flag])
        .arg("--message-format=json-render-diagnostics")
        .args(["--target", "wasm32-unknown-unknown", "--profile", "wasm"])
        .args(BUILD_STD)
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
        .env("RUSTC_BOOTSTRAP", "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit());
    let output = cmd
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

/// [`RUSTFLAGS`] plus the path remappings: the workspace, cargo's registry sources and the
/// toolchain's std sources each become a fixed prefix.
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
    if let Some(sysroot) = sysroot() {
        remap(sysroot.join("lib/rustlib/src/rust"), "/rust");
    }
    flags
}

/// `$CARGO_HOME`, or `~/.cargo`.
fn cargo_home() -> Option<PathBuf> {
    env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| env::var_os("HOME").map(|home| PathBuf::from(home).join(".cargo")))
}

/// The toolchain's sysroot (`rustc --print sysroot`), where `rust-src` puts std's sources.
fn sysroot() -> Option<PathBuf> {
    let rustc = env::var_os("RUSTC").unwrap_or_else(|| "rustc".into());
    let out = Command::new(rustc)
        .args(["--print", "sysroot"])
        .output()
        .ok()?;
    out.status
        .success()
        .then(|| PathBuf::from(String::from_utf8_lossy(&out.stdout).trim()))
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
