//! Devnet figures: ready time, time per message, messages mined per second, peak RSS and
//! data-directory bytes, in memory and on redb ([`node_figures`]), then the registry's gas.
//!
//! `cargo bench -p filmark-devnet --bench devnet` (release). Prints one line per figure, then
//! the gas of each measured registry `Register` by FVM charge name (the devnet's opt-in gas
//! tracing, on for those messages only) and the blocks and bytes it read and wrote.
//! `FILMARK_BENCH_REGISTRY_MAX` (default 100000) bounds the registry-size figure,
//! `FILMARK_BENCH_NODE_MESSAGES` (default 100000) the node figures.

use std::time::{Duration, Instant};

use filmark_actor_bundle::REGISTRY_WASM;
use filmark_devnet::{
    BLOCK_GAS_LIMIT, Devnet, DevnetConfig, GasBreakdown, GenesisAccount, KeyKind, Mining,
};
use filmark_registry::Method;
use filmark_registry::policy::MAX_BATCH_SIZE;
use filmark_registry::types::{ConstructorParams, RegisterBatchParams, RegisterParams};
use fvm_ipld_encoding::RawBytes;
use fvm_shared::address::Address;
use fvm_shared::econ::TokenAmount;

/// Senders the messages are spread over.
const SENDERS: usize = 10;

#[path = "support/node_figures.rs"]
mod node_figures;

fn main() -> anyhow::Result<()> {
    if node_figures::run()? {
        return Ok(()); // A child process measured one backend.
    }
    registry_gas()
}

/// Gas of one `Register` when the registry holds 1, 10,000 and 100,000 records (filled with
/// `RegisterBatch` from ten owners).
fn registry_gas() -> anyhow::Result<()> {
    let max: u64 = std::env::var("FILMARK_BENCH_REGISTRY_MAX")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let net = Devnet::spawn(DevnetConfig::test().with_mining(Mining::Manual))?;
    let owners: Vec<GenesisAccount> = (0..SENDERS)
        .map(|i| net.account(KeyKind::Secp256k1, i))
        .collect::<Result<_, _>>()?;
    let ctor = RawBytes::serialize(ConstructorParams { escrow: None })?;
    let registry = net.deploy(&owners[0].key, REGISTRY_WASM, ctor)?.id_address;
    let mut next = 0u64;
    let record = |n: u64| RegisterParams {
        cid: filmark_devnet::code_cid(&n.to_be_bytes()),
        owner: None,
        kind: "text/plain".into(),
        size: n,
        piece: None,
        platform: "bench".into(),
        ref_hash: [7; 32],
        metadata: vec![],
    };
    let mut breakdowns: Vec<(u64, GasBreakdown)> = Vec::new();
    // (records before, gas) of each single Register.
    let mut singles: Vec<(u64, u64)> = Vec::new();
    let mut measure = |net: &Devnet, n: u64| -> anyhow::Result<()> {
        let params = RawBytes::serialize(record(n))?;
        let (gas, trace) = traced(net, &owners[0].key, registry, Method::Register, params)?;
        println!(
            "gas of one Register at {:>7} records:                         {gas}",
            n + 1,
        );
        breakdowns.push((n + 1, trace));
        singles.push((n, gas));
        Ok(())
    };
    measure(&net, next)?;
    next += 1;
    let start = Instant::now();
    for target in [10_000u64, 100_000].into_iter().filter(|t| *t <= max) {
        let mut gas_limit = 0;
        while next < target - 1 {
            let mut batch = Vec::new();
            for owner in &owners {
                let n = (target - 1 - next).min(MAX_BATCH_SIZE as u64);
                if n == 0 {
                    break;
                }
                let params = RawBytes::serialize(RegisterBatchParams {
                    records: (next..next + n).map(record).collect(),
                })?;
                next += n;
                let mut m = net.prepare(
                    owner.address(),
                    registry,
                    TokenAmount::default(),
                    0,
                    RawBytes::default(),
                )?;
                if gas_limit == 0 {
                    gas_limit = estimate(&net, owner.address(), registry, &params)?;
                }
                m.method_num = Method::RegisterBatch as u64;
                m.params = params;
                m.gas_limit = gas_limit;
                batch.push(owner.key.sign(m, net.chain_id())?);
            }
            anyhow::ensure!(
                net.push_many(batch)?.iter().all(Result::is_ok),
                "a batch was refused"
            );
            while net.pending() > 0 {
                net.mine(1)?;
            }
        }
        measure(&net, next)?;
        next += 1;
    }
    if let [.., (at_10k, gas_10k), (at_100k, gas_100k)] = singles[..] {
        println!(
            "Register growth from {} to {} records:                     x{:.3} (target <= x1.35)",
            at_10k + 1,
            at_100k + 1,
            gas_100k as f64 / gas_10k as f64
        );
    }
    // One RegisterBatch of BATCH records from one owner into the registry as it now stands.
    const BATCH: u64 = 100;
    let params = RawBytes::serialize(RegisterBatchParams {
        records: (next..next + BATCH).map(record).collect(),
    })?;
    let (gas, trace) = traced(
        &net,
        &owners[1].key,
        registry,
        Method::RegisterBatch,
        params,
    )?;
    let per_record = gas / BATCH;
    println!(
        "gas of one RegisterBatch of {BATCH} at {next:>7} records:              {gas} ({per_record} a record)"
    );
    if let Some((_, single)) = singles.last() {
        println!(
            "RegisterBatch per record / one Register at that size:           x{:.3} (target <= x0.3)",
            per_record as f64 / *single as f64
        );
    }
    breakdowns.push((next + BATCH, trace));
    println!("(filling the registry took {})", ms(start.elapsed()));
    print_breakdowns(&breakdowns);
    Ok(())
}

/// Sends one registry message with gas tracing on; its gas used and breakdown.
fn traced(
    net: &Devnet,
    key: &filmark_devnet::DevnetKey,
    registry: Address,
    method: Method,
    params: RawBytes,
) -> anyhow::Result<(u64, GasBreakdown)> {
    net.set_gas_tracing(true);
    let sent = net.send(key, registry, TokenAmount::default(), method as u64, params);
    net.set_gas_tracing(false);
    let r = sent?.record;
    anyhow::ensure!(
        r.receipt.exit_code.is_success(),
        "{} failed: {:?}",
        method.name(),
        r.failure
    );
    let trace = r.gas_trace.unwrap_or_default();
    anyhow::ensure!(
        trace.total_gas() == r.receipt.gas_used,
        "the gas breakdown ({}) does not sum to gas_used ({})",
        trace.total_gas(),
        r.receipt.gas_used
    );
    Ok((r.receipt.gas_used, trace))
}

/// FVM v4 price list (fvm 4.8.4 `gas/price_list.rs`): what `OnBlockLink` charges per block
/// beyond the bytes (`block_persist_compute` 172,000 + `block_persist_storage` flat 334,000), and
/// per byte stored (`block_persist_storage` scale); what `OnBlockRead` charges per byte
/// (`block_memcpy`, 0.4 gas).
const LINK_FLAT_OTHER_GAS: u64 = 172_000 + 334_000;
const LINK_STORAGE_PER_BYTE: u64 = 3_340;
const READ_MILLIGAS_PER_BYTE: u64 = 400;

/// Prints the gas of each measured `Register` by charge name (count x gas, largest at the
/// largest size first), then the blocks and bytes read and written, derived from the charges.
fn print_breakdowns(breakdowns: &[(u64, GasBreakdown)]) {
    let Some((_, largest)) = breakdowns.last() else {
        return;
    };
    let mut names: Vec<&str> = largest.lines.iter().map(|l| l.name.as_str()).collect();
    for (_, b) in breakdowns {
        for l in &b.lines {
            if !names.contains(&l.name.as_str()) {
                names.push(&l.name);
            }
        }
    }
    let milligas = |b: &GasBreakdown, name: &str| b.get(name).map_or(0, |l| l.total_milligas());
    names.sort_by_key(|n| std::cmp::Reverse(milligas(largest, n)));
    println!("gas by FVM charge (count x gas) of each measured message (the last is the batch):");
    print!("  {:<20}", "charge");
    for (records, _) in breakdowns {
        print!(" {:>24}", format!("{records} records"));
    }
    println!();
    for name in names {
        print!("  {name:<20}");
        for (_, b) in breakdowns {
            let (count, gas) = b
                .get(name)
                .map_or((0, 0), |l| (l.count, l.total_milligas().div_ceil(1000)));
            print!(" {:>24}", format!("{count} x {gas}"));
        }
        println!();
    }
    print!("  {:<20}", "total");
    for (_, b) in breakdowns {
        print!(" {:>24}", b.total_gas());
    }
    println!();
    for (records, b) in breakdowns {
        let opened = b.get("OnBlockOpen").map_or(0, |l| l.count);
        let read_bytes = b
            .get("OnBlockRead")
            .map_or(0, |l| l.compute_milligas / READ_MILLIGAS_PER_BYTE);
        let (linked, linked_bytes) = b.get("OnBlockLink").map_or((0, 0), |l| {
            let storage = (l.other_milligas / 1000).saturating_sub(l.count * LINK_FLAT_OTHER_GAS);
            (l.count, storage / LINK_STORAGE_PER_BYTE)
        });
        println!(
            "  at {records:>6} records: {opened} blocks opened ({read_bytes} B read), \
             {linked} blocks written ({linked_bytes} B)"
        );
    }
}

/// A gas limit for a full batch: four times its read-only cost (the registry grows meanwhile).
fn estimate(net: &Devnet, from: Address, to: Address, params: &RawBytes) -> anyhow::Result<u64> {
    let r = net.call_method(from, to, Method::RegisterBatch as u64, params.clone())?;
    anyhow::ensure!(
        r.receipt.exit_code.is_success(),
        "batch estimate failed: {:?}",
        r.failure
    );
    Ok((r.receipt.gas_used * 4).min(BLOCK_GAS_LIMIT / 4))
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1e3)
}

fn us(d: Duration) -> String {
    format!("{:.1} µs", d.as_secs_f64() * 1e6)
}
