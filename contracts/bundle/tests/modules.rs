//! Every Filmark module is one the FVM can load, within the size budget
//! (`cargo test -p filmark-actor-bundle -- --nocapture` prints sizes and code CIDs).

use filmark_actor_bundle::FILMARK_ACTORS;
use filmark_wasm_build::check::{check_actor_module, check_distinct_code_cids};

#[test]
fn filmark_actors_are_loadable_and_within_the_budget() {
    for (name, wasm) in FILMARK_ACTORS {
        check_actor_module(name, wasm);
    }
    check_distinct_code_cids(FILMARK_ACTORS);
}
