//! Gas of the Filmark methods users pay for most, on the real FVM.
//!
//! `cargo bench -p filmark-tests --bench gas` runs the registry and escrow lifecycle scenarios,
//! each on its own in-process devnet, then prints the gas used by the first successful message
//! of each measured method (a fresh registry's first `Register`; the escrow's first
//! `CreateOrder`, `FundOrder` and `Settle`), and the mean over all of them.

use filmark_devnet::TipsetRef;
use filmark_escrow::Method as Escrow;
use filmark_registry::Method as Registry;
use filmark_tests::{InProcessChain, in_process, scenarios};
use fvm_shared::MethodNum;

/// (method, gas used) of every successful explicit message on the chain, in order.
fn gas_by_method(chain: &InProcessChain) -> anyhow::Result<Vec<(MethodNum, u64)>> {
    let devnet = chain.client().transport().devnet();
    let mut out = Vec::new();
    for height in 0..=devnet.head().height() {
        for cid in devnet.tipset(TipsetRef::Height(height))?.messages {
            let record = devnet.lookup(&cid)?.record;
            if record.receipt.exit_code.is_success() {
                out.push((record.message.method_num, record.receipt.gas_used));
            }
        }
    }
    Ok(out)
}

fn report(log: &[(MethodNum, u64)], name: &str, method: MethodNum) {
    let gas: Vec<u64> = log
        .iter()
        .filter(|(m, _)| *m == method)
        .map(|(_, g)| *g)
        .collect();
    let Some(first) = gas.first() else {
        println!("{name:<12} not sent");
        return;
    };
    let mean = gas.iter().sum::<u64>() / gas.len() as u64;
    println!(
        "{name:<12} first {first:>11} gas   mean {mean:>11} over {:>2}",
        gas.len()
    );
}

fn main() -> anyhow::Result<()> {
    let registry = in_process::start()?;
    scenarios::registry_lifecycle(&registry)?;
    let log = gas_by_method(&registry)?;
    report(&log, "Register", Registry::Register.number());

    let escrow = in_process::start()?;
    scenarios::escrow_lifecycle(&escrow)?;
    let log = gas_by_method(&escrow)?;
    for method in [Escrow::CreateOrder, Escrow::FundOrder, Escrow::Settle] {
        report(&log, method.name(), method.number());
    }
    Ok(())
}
