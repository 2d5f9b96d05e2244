//! The `sol!` items (what the actors dispatch and emit, what the SDK encodes) and solc's ABI of
//! the same `.sol` files (`contracts/solidity/out/`, rebuilt and diffed by `scripts/test.sh`)
//! agree: the same function selectors with the same return types, the same event topics and
//! the same error selectors, nothing more, nothing less.

use std::collections::BTreeMap;
use std::path::Path;

use alloy_primitives::keccak256;
use alloy_sol_types::{SolCall, SolError, SolEvent, SolInterface, SolStruct, SolType};
use filmark_abi::{FilmarkErrors, IFilmarkEscrow, IFilmarkRegistry};
use serde_json::Value;

/// solc's output for `name` (`contracts/solidity/out/<name>.json`).
fn solc_out(name: &str) -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("../solidity/out/{name}.json"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "{}: {e} (run `npm run build` in contracts/solidity)",
            path.display()
        )
    });
    serde_json::from_str(&text).unwrap()
}

/// solc's ABI of `name`.
fn solc_abi(name: &str) -> Vec<Value> {
    solc_out(name)["abi"].as_array().unwrap().clone()
}

/// solc's own selectors (`methodIdentifiers`) of `name`'s functions, as computed here.
fn check_solc_selectors(name: &str, fns: &BTreeMap<Vec<u8>, Value>) {
    let ids = solc_out(name)["methodIdentifiers"]
        .as_object()
        .unwrap()
        .clone();
    let theirs: BTreeMap<Vec<u8>, String> = ids
        .iter()
        .map(|(sig, id)| {
            (
                alloy_primitives::hex::decode(id.as_str().unwrap()).unwrap(),
                sig.clone(),
            )
        })
        .collect();
    let ours: BTreeMap<Vec<u8>, String> =
        fns.iter().map(|(k, v)| (k.clone(), signature(v))).collect();
    assert_eq!(ours, theirs, "selectors of {name}");
}

/// The canonical type of one ABI parameter (tuples expanded).
fn canonical(p: &Value) -> String {
    let ty = p["type"].as_str().unwrap();
    match ty.strip_prefix("tuple") {
        Some(suffix) => format!("{}{suffix}", tuple(p["components"].as_array().unwrap())),
        None => ty.to_owned(),
    }
}

fn tuple(params: &[Value]) -> String {
    let inner: Vec<String> = params.iter().map(canonical).collect();
    format!("({})", inner.join(","))
}

/// The type of one parameter as `sol!` names it: a struct by its name (`Record[]`).
fn named(p: &Value) -> String {
    let ty = p["type"].as_str().unwrap();
    if ty.starts_with("tuple") {
        let internal = p["internalType"].as_str().unwrap();
        internal.rsplit('.').next().unwrap().to_owned()
    } else {
        ty.to_owned()
    }
}

/// Collects `Name(type field,…)` (the EIP-712 root type) of every struct in `params`.
fn structs(params: &[Value], out: &mut BTreeMap<String, String>) {
    for p in params {
        if let Some(components) = p["components"].as_array() {
            let name = named(p);
            let name = name.split('[').next().unwrap().to_owned();
            let fields: Vec<String> = components
                .iter()
                .map(|c| format!("{} {}", named(c), c["name"].as_str().unwrap()))
                .collect();
            out.insert(name.clone(), format!("{name}({})", fields.join(",")));
            structs(components, out);
        }
    }
}

/// Every struct solc's ABI uses, by name.
fn all_structs(abi: &[Value]) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for item in abi {
        for key in ["inputs", "outputs"] {
            if let Some(params) = item[key].as_array() {
                structs(params, &mut out);
            }
        }
    }
    out
}

/// `name(types)` of a function, event or error.
fn signature(item: &Value) -> String {
    format!(
        "{}{}",
        item["name"].as_str().unwrap(),
        tuple(item["inputs"].as_array().unwrap())
    )
}

/// solc's items of one kind, by selector or topic.
fn items(abi: &[Value], kind: &str) -> BTreeMap<Vec<u8>, Value> {
    abi.iter()
        .filter(|i| i["type"] == kind)
        .map(|i| {
            let hash = keccak256(signature(i).as_bytes());
            let key = if kind == "event" {
                hash.to_vec()
            } else {
                hash[..4].to_vec()
            };
            (key, i.clone())
        })
        .collect()
}

/// Checks that solc has `C` with its selector, its argument types and its return types.
fn function<C: SolCall>(solc: &BTreeMap<Vec<u8>, Value>) {
    let item = solc
        .get(C::SELECTOR.as_slice())
        .unwrap_or_else(|| panic!("solc has no {}", C::SIGNATURE));
    assert_eq!(signature(item), C::SIGNATURE);
    let outputs: Vec<String> = item["outputs"]
        .as_array()
        .unwrap()
        .iter()
        .map(named)
        .collect();
    assert_eq!(
        format!("({})", outputs.join(",")),
        <C::ReturnTuple<'static> as SolType>::SOL_NAME,
        "return types of {}",
        C::SIGNATURE
    );
}

fn event<E: SolEvent>(solc: &BTreeMap<Vec<u8>, Value>) {
    let item = solc
        .get(E::SIGNATURE_HASH.as_slice())
        .unwrap_or_else(|| panic!("solc has no event {}", E::SIGNATURE));
    assert_eq!(signature(item), E::SIGNATURE);
    assert_eq!(item["anonymous"], E::ANONYMOUS);
    let indexed = item["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["indexed"] == true)
        .count();
    // topic 0 is the signature hash; the rest are the indexed parameters.
    assert_eq!(
        indexed + 1,
        <E::TopicList as SolType>::SOL_NAME.matches(',').count() + 1,
        "indexed parameters of {}",
        E::SIGNATURE
    );
}

/// The selectors of a `…Calls`, `…Events` or `…Errors` enum.
fn selectors<I: SolInterface>() -> Vec<Vec<u8>> {
    (0..I::COUNT)
        .map(|i| I::selector_at(i).unwrap().to_vec())
        .collect()
}

fn same_set(solc: &BTreeMap<Vec<u8>, Value>, sol_macro: Vec<Vec<u8>>, what: &str) {
    let mut ours = sol_macro;
    ours.sort();
    let theirs: Vec<Vec<u8>> = solc.keys().cloned().collect();
    assert_eq!(ours, theirs, "{what}: sol! and solc list different items");
}

macro_rules! functions {
    ($solc:expr, $I:ident: $($call:ident),* $(,)?) => {{
        $(function::<$I::$call>($solc);)*
        [$(<$I::$call as SolCall>::SELECTOR.to_vec()),*].len()
    }};
}

/// Checks each struct's fields (names and types, in order) against solc's, and that solc
/// uses no other struct.
macro_rules! structs {
    ($abi:expr, $I:ident: $($s:ident),* $(,)?) => {{
        let solc = all_structs($abi);
        let ours: BTreeMap<String, String> = [$(
            (stringify!($s).to_owned(), <$I::$s as SolStruct>::eip712_root_type().into_owned())
        ),*].into_iter().collect();
        assert_eq!(ours, solc, "structs");
    }};
}

macro_rules! events {
    ($solc:expr, $I:ident: $($ev:ident),* $(,)?) => {{
        $(event::<$I::$ev>($solc);)*
        let topics: Vec<Vec<u8>> = vec![$(<$I::$ev as SolEvent>::SIGNATURE_HASH.to_vec()),*];
        topics
    }};
}

#[test]
fn registry_interface_is_what_solc_compiles() {
    use IFilmarkRegistry as I;
    let abi = solc_abi("IFilmarkRegistry");
    let fns = items(&abi, "function");
    let n = functions!(&fns, I: registerCall, registerBatchCall, updateMetadataCall, transferCall,
        tombstoneCall, addSignerCall, revokeSignerCall, getCall, listByOwnerCall, listSignersCall,
        countsCall, linkOrderCall, getFundingCall);
    assert_eq!(n, fns.len(), "a function is not checked here");
    same_set(&fns, selectors::<I::IFilmarkRegistryCalls>(), "functions");
    check_solc_selectors("IFilmarkRegistry", &fns);
    let evs = items(&abi, "event");
    let topics = events!(&evs, I: Registered, MetadataUpdated, Transferred, Tombstoned,
        OrderLinked, SignerAdded, SignerRevoked);
    same_set(&evs, topics, "events");
    structs!(&abi, I: MetadataEntry, RegisterRequest, Record, SignerGrant, Counts, OrderFunding);
}

#[test]
fn escrow_interface_is_what_solc_compiles() {
    use IFilmarkEscrow as I;
    let abi = solc_abi("IFilmarkEscrow");
    let fns = items(&abi, "function");
    let n = functions!(&fns, I: depositCall, withdrawCall, getAccountCall, createOrderCall,
        getOrderCall, listOrdersCall, getOrderFundingCall, fundOrderCall, bindDealCall,
        settleCall, closeOrderCall, authorizeKeyCall, revokeKeyCall, getAppKeyCall);
    assert_eq!(n, fns.len(), "a function is not checked here");
    same_set(&fns, selectors::<I::IFilmarkEscrowCalls>(), "functions");
    check_solc_selectors("IFilmarkEscrow", &fns);
    let evs = items(&abi, "event");
    let topics = events!(&evs, I: Deposited, Withdrawn, OrderCreated, OrderFunded, DealBound,
        DealActivated, DealRejected, DealFinished, ProviderPaid, FundsUnlocked, OrderClosed,
        AppKeyAuthorized, AppKeyRevoked);
    same_set(&evs, topics, "events");
    structs!(&abi, I: OrderView, OrderParams);
}

#[test]
fn errors_are_what_solc_compiles() {
    use FilmarkErrors as E;
    let abi = solc_abi("FilmarkErrors");
    let errs = items(&abi, "error");
    same_set(&errs, selectors::<E::FilmarkErrorsErrors>(), "errors");
    for (selector, item) in &errs {
        assert_eq!(
            signature(item),
            format!("{}(string)", item["name"].as_str().unwrap())
        );
        assert!(E::FilmarkErrorsErrors::valid_selector(
            selector[..4].try_into().unwrap()
        ));
    }
    assert_eq!(E::NotFound::SIGNATURE, "NotFound(string)");
}
