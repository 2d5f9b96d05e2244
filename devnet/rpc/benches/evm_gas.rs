//! The EVM actor's figures (issue 17), in process through the RPC's dispatcher:
//! - FVM gas per EVM gas on an arithmetic loop (target ≤ 200): the gas of a loop of 10,100
//!   iterations minus one of 100, over the EVM gas of the 10,000 iterations between them
//!   (26 EVM gas each: JUMPDEST, PUSH1, SWAP1, SUB, DUP1, PUSH1, JUMPI);
//! - the fixed cost of a call (target ≤ 300k): a call of a contract whose code is `STOP`, minus
//!   a plain transfer to an Ethereum account (message inclusion and the sender's costs);
//! - the module's size (budget 1 MiB);
//! - where the fixed cost goes: the FVM's gas charges of the `STOP` call and of the transfer,
//!   by charge name (the devnet's gas tracing, turned on for those two messages only), and the
//!   EVM actor's own start-up: the `STOP` call without its inclusion and invocation charges (the
//!   transfer also runs a wasm actor, the ethaccount, whose start-up the first figure subtracts).
//!
//! `cargo bench -p filmark-devnet-rpc --bench evm_gas`. Prints one line per figure.

use alloy_primitives::{Address as EthAddress, U256};
use filmark_devnet::{Devnet, DevnetConfig, DevnetKey, GasBreakdown, KeyKind};
use filmark_devnet_rpc::{Context, dispatch};
use filmark_sdk::keys::{EthTx, TxEip1559};
use serde_json::{Value, json};

/// EVM gas of one loop iteration.
const EVM_GAS_PER_ITERATION: u64 = 1 + 3 + 3 + 3 + 3 + 3 + 10;

struct Bench {
    net: Devnet,
    ctx: Context,
    key: DevnetKey,
    nonce: u64,
}

impl Bench {
    fn tx(&mut self, to: Option<EthAddress>, input: Vec<u8>) -> anyhow::Result<Value> {
        let tx = EthTx::Eip1559(TxEip1559 {
            chain_id: self.net.chain_id(),
            nonce: self.nonce,
            max_priority_fee_per_gas: U256::from(100_000),
            max_fee_per_gas: U256::from(1_000_000),
            gas_limit: 5_000_000_000,
            to,
            value: U256::ZERO,
            input: input.into(),
        });
        self.nonce += 1;
        let raw = format!(
            "0x{}",
            hex::encode(self.key.secp_key().sign_eth_tx(tx).encode())
        );
        let hash = dispatch(&self.ctx, "eth_sendRawTransaction", &json!([raw]))?;
        let receipt = dispatch(&self.ctx, "eth_getTransactionReceipt", &json!([hash]))?;
        anyhow::ensure!(receipt["status"] == "0x1", "transaction failed: {receipt}");
        Ok(receipt)
    }

    fn deploy(&mut self, runtime: &[u8]) -> anyhow::Result<EthAddress> {
        let len = u8::try_from(runtime.len())?;
        let mut init = vec![
            0x60, len, 0x60, 0x0c, 0x60, 0x00, 0x39, 0x60, len, 0x60, 0x00, 0xf3,
        ];
        init.extend_from_slice(runtime);
        let receipt = self.tx(None, init)?;
        Ok(receipt["contractAddress"]
            .as_str()
            .unwrap_or_default()
            .parse()?)
    }

    fn gas_of_call(&mut self, to: EthAddress) -> anyhow::Result<u64> {
        Ok(self.traced_call(to)?.0)
    }

    /// A call's gas, and its gas breakdown when the devnet traces gas.
    fn traced_call(&mut self, to: EthAddress) -> anyhow::Result<(u64, Option<GasBreakdown>)> {
        let receipt = self.tx(Some(to), vec![])?;
        let hash: alloy_primitives::B256 = receipt["transactionHash"]
            .as_str()
            .unwrap_or_default()
            .parse()?;
        let trace = self.net.lookup_eth_tx(&hash.0)?.record.gas_trace;
        let gas = receipt["gasUsed"].as_str().unwrap_or_default();
        Ok((
            u64::from_str_radix(gas.trim_start_matches("0x"), 16)?,
            trace,
        ))
    }
}

/// A loop of `n` iterations, then `STOP`.
fn loop_code(n: u16) -> Vec<u8> {
    let [hi, lo] = n.to_be_bytes();
    vec![
        0x61, hi, lo, 0x5b, 0x60, 0x01, 0x90, 0x03, 0x80, 0x60, 0x03, 0x57, 0x00,
    ]
}

fn main() -> anyhow::Result<()> {
    let handle = Devnet::spawn(DevnetConfig::test())?;
    let net = handle.devnet();
    let key = net.account(KeyKind::Eth, 0)?.key;
    let other = net.account(KeyKind::Eth, 1)?.key.secp_key().eth_address();
    let ctx = Context::new(net.clone());
    let mut b = Bench {
        net,
        ctx,
        key,
        nonce: 0,
    };

    println!(
        "evm module: {} bytes (budget 1,048,576)",
        filmark_devnet_bundle::EVM_WASM.len()
    );

    let stop = b.deploy(&[0x00])?;
    let short = b.deploy(&loop_code(100))?;
    let long = b.deploy(&loop_code(10_100))?;
    // Warm both paths once (first calls pay for compiled-module caches).
    b.gas_of_call(stop)?;
    b.gas_of_call(other)?;

    b.net.set_gas_tracing(true);
    let (transfer, transfer_trace) = b.traced_call(other)?;
    let (noop, noop_trace) = b.traced_call(stop)?;
    b.net.set_gas_tracing(false);
    if let (Some(t), Some(n)) = (transfer_trace, noop_trace) {
        println!(
            "gas of the STOP call by FVM charge:\n{n}\ngas of the transfer by FVM charge:\n{t}"
        );
        let charge = |name: &str| n.get(name).map_or(0, |l| l.total_milligas().div_ceil(1000));
        println!(
            "the EVM actor's own start-up (the STOP call minus message inclusion and the invocation's base charge): {} gas",
            noop - charge("OnChainMessage") - charge("OnMethodInvocation")
        );
    }
    println!(
        "fixed cost of a call (STOP contract {noop} - transfer {transfer}): {} gas (target <= 300,000)",
        noop - transfer
    );
    let (g_short, g_long) = (b.gas_of_call(short)?, b.gas_of_call(long)?);
    let evm_gas = 10_000 * EVM_GAS_PER_ITERATION;
    #[allow(clippy::cast_precision_loss)]
    let ratio = (g_long - g_short) as f64 / evm_gas as f64;
    println!(
        "arithmetic loop: {} FVM gas / {evm_gas} EVM gas = {ratio:.1} FVM gas per EVM gas (target <= 200)",
        g_long - g_short
    );
    Ok(())
}
