//! Bad input to EVM contracts: each fails with FEVM's exit code (or the revert data) and the
//! devnet goes on (a later transaction succeeds); and CREATE / CREATE2 from a contract.
//! Revert data through `eth_call` and oversized initcode are in `evm.rs`.

use alloy_primitives::{Address as EthAddress, B256, U256, hex};
use filmark_devnet::Devnet;
use filmark_devnet_actors::evm::{EVM_CONTRACT_INVALID_INSTRUCTION, EVM_CONTRACT_REVERTED};
use fvm_shared::error::ExitCode;
use serde_json::{Value, json};

use crate::evm::{contract_of, deploy, initcode};
use crate::support::{call, devnet, eip1559, eth_key, send};

/// Runtime: `n = sload(0) + 1; sstore(0, n); return n` (`evm.rs`' counter without its log).
const COUNTER_RUNTIME: &[u8] = &[
    0x60, 0x00, 0x54, 0x60, 0x01, 0x01, 0x80, 0x60, 0x00, 0x55, 0x60, 0x00, 0x52, 0x60, 0x20, 0x60,
    0x00, 0xf3,
];

/// Runtime: an endless loop (`JUMPDEST; PUSH1 0; JUMP`).
const LOOP_RUNTIME: &[u8] = &[0x5b, 0x60, 0x00, 0x56];

/// Runtime: `REVERT(0, 0)`.
const REVERT_EMPTY_RUNTIME: &[u8] = &[0x60, 0x00, 0x60, 0x00, 0xfd];

/// Runtime: the calldata is initcode; `CREATE(0, code)` then `CREATE2(0, code, salt 7)`;
/// returns both addresses as words.
const FACTORY_RUNTIME: &[u8] = &[
    0x36, 0x60, 0x00, 0x60, 0x00, 0x37, // CALLDATACOPY(0, 0, CALLDATASIZE)
    0x36, 0x60, 0x00, 0x60, 0x00, 0xf0, // CREATE(0, 0, CALLDATASIZE)
    0x60, 0x07, 0x36, 0x60, 0x00, 0x60, 0x00, 0xf5, // CREATE2(0, 0, CALLDATASIZE, 7)
    0x60, 0x20, 0x52, 0x60, 0x00, 0x52, // MSTORE(32, create2), MSTORE(0, create)
    0x60, 0x40, 0x60, 0x00, 0xf3, // RETURN(0, 64)
];

/// Sends a call of `to` from the first eth key; returns the receipt and the FVM exit code.
fn transact(
    net: &Devnet,
    ctx: &filmark_devnet_rpc::Context,
    nonce: u64,
    to: EthAddress,
    input: Vec<u8>,
    gas_limit: u64,
) -> (Value, ExitCode) {
    let (key, _) = eth_key(net, 0);
    let hash = send(
        ctx,
        &eip1559(net, &key, nonce, to, U256::ZERO, input, gas_limit),
    );
    let receipt = call(ctx, "eth_getTransactionReceipt", json!([hash]));
    let hash: B256 = hash.parse().unwrap();
    let exit = net.lookup_eth_tx(&hash.0).unwrap().record.receipt.exit_code;
    (receipt, exit)
}

#[test]
fn out_of_gas_invalid_opcode_and_revert_fail_with_fevms_exit_codes_and_the_devnet_goes_on() {
    let (handle, ctx) = devnet();
    let net = handle.devnet();
    let looping = contract_of(&deploy(&net, &ctx, 0, initcode(LOOP_RUNTIME)));
    let invalid = contract_of(&deploy(&net, &ctx, 1, initcode(&[0xfe])));
    let reverting = contract_of(&deploy(&net, &ctx, 2, initcode(REVERT_EMPTY_RUNTIME)));
    let counter = contract_of(&deploy(&net, &ctx, 3, initcode(COUNTER_RUNTIME)));

    let (r, exit) = transact(&net, &ctx, 4, looping, vec![], 20_000_000);
    assert_eq!(r["status"], "0x0", "{r}");
    assert_eq!(exit, ExitCode::SYS_OUT_OF_GAS);
    assert_eq!(
        r["gasUsed"],
        json!(format!("{:#x}", 20_000_000)),
        "all the gas is used"
    );

    let (r, exit) = transact(&net, &ctx, 5, invalid, vec![], 100_000_000);
    assert_eq!(r["status"], "0x0", "{r}");
    assert_eq!(exit, EVM_CONTRACT_INVALID_INSTRUCTION);

    let (r, exit) = transact(&net, &ctx, 6, reverting, vec![], 100_000_000);
    assert_eq!(r["status"], "0x0", "{r}");
    assert_eq!(exit, EVM_CONTRACT_REVERTED);

    // The devnet goes on: the counter counts.
    let (r, exit) = transact(&net, &ctx, 7, counter, vec![], 100_000_000);
    assert_eq!(r["status"], "0x1", "{r}");
    assert_eq!(exit, ExitCode::OK);
    let slot = call(&ctx, "eth_getStorageAt", json!([counter, "0x0", "latest"]));
    assert_eq!(slot, json!(B256::from(U256::from(1))));
}

#[test]
fn create_and_create2_from_a_contract_give_ethereums_addresses_and_callable_code() {
    let (handle, ctx) = devnet();
    let net = handle.devnet();
    let (_, from) = eth_key(&net, 0);
    let factory = contract_of(&deploy(&net, &ctx, 0, initcode(FACTORY_RUNTIME)));
    let child = initcode(COUNTER_RUNTIME);
    let data = format!("0x{}", hex::encode(&child));
    // eth_call shows the addresses the transaction will create (same state, same nonce).
    let out = call(
        &ctx,
        "eth_call",
        json!([{"from": from, "to": factory, "data": data}, "latest"]),
    );
    let out = hex::decode(out.as_str().unwrap()).unwrap();
    // (eth_call runs with the sender's nonce, as Lotus: with nonce 0 the created actors' robust
    // addresses would be those of the sender's first deployment, and the creates would fail.)
    let created = EthAddress::from_slice(&out[12..32]);
    let created2 = EthAddress::from_slice(&out[44..64]);
    // A contract's nonce starts at 1 (EIP-161).
    assert_eq!(created, factory.create(1));
    assert_eq!(
        created2,
        factory.create2_from_code(B256::from(U256::from(7)), &child)
    );

    let (r, exit) = transact(&net, &ctx, 1, factory, child, 1_000_000_000);
    assert_eq!(r["status"], "0x1", "{r}");
    assert_eq!(exit, ExitCode::OK);
    for addr in [created, created2] {
        let code = call(&ctx, "eth_getCode", json!([addr, "latest"]));
        assert_eq!(code, json!(format!("0x{}", hex::encode(COUNTER_RUNTIME))));
        let n = call(
            &ctx,
            "eth_call",
            json!([{"from": from, "to": addr}, "latest"]),
        );
        assert_eq!(n, json!(B256::from(U256::from(1))));
    }
    // Both creates moved the factory's nonce on (as in Ethereum), so CREATE now uses nonce 3;
    // the same salt again fails CREATE2 (the address is taken).
    let out = call(
        &ctx,
        "eth_call",
        json!([{"from": from, "to": factory, "data": data}, "latest"]),
    );
    let out = hex::decode(out.as_str().unwrap()).unwrap();
    assert_eq!(EthAddress::from_slice(&out[12..32]), factory.create(3));
    assert_eq!(out[32..64], [0; 32], "CREATE2 to a taken address pushes 0");
    // A second deployment from the same sender estimates (its nonce, not 0, sets the address).
    let gas = call(
        &ctx,
        "eth_estimateGas",
        json!([{"from": from, "data": data}]),
    );
    assert!(crate::support::qty(&gas) > U256::ZERO);
}
