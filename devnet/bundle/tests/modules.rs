//! Every builtin module is one the FVM can load, within the size budget
//! (`cargo test -p filmark-devnet-bundle -- --nocapture` prints sizes and code CIDs).

use filmark_devnet_actors::manifest;
use filmark_devnet_bundle::BUILTIN_ACTORS;
use filmark_wasm_build::check::{check_actor_module, check_distinct_code_cids};

#[test]
fn builtin_actors_are_loadable_and_within_the_budget() {
    for (name, wasm) in BUILTIN_ACTORS {
        check_actor_module(name, wasm);
    }
}

#[test]
fn every_manifest_name_has_a_module_in_order() {
    let names: Vec<&str> = BUILTIN_ACTORS.iter().map(|(name, _)| *name).collect();
    assert_eq!(names, manifest::NAMES);
}

/// The FVM tells builtin actor types apart by code CID (placeholder, ethaccount and reward run
/// one dispatch; their names keep the modules apart).
#[test]
fn every_builtin_has_its_own_code_cid() {
    check_distinct_code_cids(BUILTIN_ACTORS);
}
