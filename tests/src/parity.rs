//! Proof that the Solidity twins and the Rust actors are the same contract: one scenario, run
//! on one in-process devnet against the native actors, then — after reverting the devnet to a
//! snapshot taken before — against the twins, with the same f410 users calling both through
//! the SDK's ABI clients ([`Users::Eth`]). The two runs must end in the same state as the ABI
//! shows it and emit the same events:
//!
//! - every event of the registry and of the escrow, topics and data, in chain order;
//! - the escrow's balance, and the escrow account (available, locked) of every user;
//! - every user's records (`ListByOwner`, native types: owners, epochs, order links, grants)
//!   and the registry's counters.
//!
//! Both deployments take two messages, so after the revert the twins' runs sees the same
//! epochs, deal ids and account ids as the actors': epochs and ids in events and records
//! compare as they are.

use anyhow::{Context, ensure};
use filmark_devnet::LogFilter;
use filmark_escrow::types::GetAccountReturn;
use filmark_registry::types::{CountsReturn, ListByOwnerReturn};
use fvm_shared::clock::ChainEpoch;
use fvm_shared::econ::TokenAmount;

use crate::chain::{Filmark, Implementation, Users};
use crate::in_process::{self, InProcessChain};

/// One event as a log: topics and data.
pub type LogEntry = (Vec<[u8; 32]>, Vec<u8>);

/// What one deployment ends with after a scenario.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Trace {
    /// The registry's events, in chain order.
    pub registry_events: Vec<LogEntry>,
    /// The escrow's events, in chain order.
    pub escrow_events: Vec<LogEntry>,
    /// The escrow's balance.
    pub escrow_balance: TokenAmount,
    /// Every user's escrow account.
    pub accounts: Vec<GetAccountReturn>,
    /// Every user's records.
    pub records: Vec<ListByOwnerReturn>,
    /// The registry's counters.
    pub counts: CountsReturn,
}

/// Users whose accounts and records a trace reads: the scenarios' users and f410 accounts.
const USERS: usize = 6;
const ETH_ACCOUNTS: usize = 2;

fn logs(chain: &InProcessChain, emitter: u64, from: ChainEpoch) -> Vec<LogEntry> {
    let filter = LogFilter {
        from,
        to: ChainEpoch::MAX,
        emitters: vec![emitter],
        topics: [None, None, None, None],
    };
    chain
        .client()
        .transport()
        .devnet()
        .logs(&filter)
        .iter()
        .filter_map(|log| filmark_actor_shared::events::decode_log(&log.event.event))
        .collect()
}

/// The trace of each deployment a scenario made, from epoch `from` on.
///
/// # Errors
/// When a read fails.
pub fn traces(
    chain: &InProcessChain,
    deployments: &[Filmark],
    from: ChainEpoch,
) -> anyhow::Result<Vec<Trace>> {
    let mut users = Vec::new();
    for i in 0..USERS {
        users.push(chain.user(i)?.address());
    }
    for i in 0..ETH_ACCOUNTS {
        users.push(chain.eth(i)?.address());
    }
    deployments
        .iter()
        .map(|fm| {
            let escrow = chain.escrow(fm.escrow);
            let registry = chain.registry(fm.registry);
            let mut accounts = Vec::new();
            let mut records = Vec::new();
            for u in &users {
                accounts.push(chain.run(escrow.get_account(*u))?);
                records.push(chain.run(registry.list_by_owner(*u, 0, 100))?);
            }
            Ok(Trace {
                registry_events: logs(chain, fm.registry_id, from),
                escrow_events: logs(chain, fm.escrow_id, from),
                escrow_balance: chain.balance(&fm.escrow)?,
                accounts,
                records,
                counts: chain.run(registry.counts())?,
            })
        })
        .collect()
}

/// Where two event lists first differ, for the failure message.
fn first_difference(native: &[LogEntry], twin: &[LogEntry]) -> String {
    let at = native
        .iter()
        .zip(twin)
        .position(|(n, t)| n != t)
        .unwrap_or(native.len().min(twin.len()));
    format!(
        "{} native and {} twin events, first difference at {at}: native {:?}, twin {:?}",
        native.len(),
        twin.len(),
        native.get(at),
        twin.get(at)
    )
}

/// Runs `scenario` against the native actors and, from the same snapshot of one in-process
/// devnet, against the twins, both with f410 users ([`Users::Eth`]); fails unless both runs
/// pass and end alike ([`Trace`]). Returns the native run's traces.
///
/// # Errors
/// When either run fails, or they differ.
pub fn native_and_twin_agree(
    scenario: impl Fn(&InProcessChain) -> anyhow::Result<()>,
) -> anyhow::Result<Vec<Trace>> {
    let chain = in_process::start()?.with(Implementation::Native, Users::Eth);
    let devnet = chain.client().transport().devnet().clone();
    let snapshot = devnet.snapshot();
    let from = devnet.head().height() + 1;
    scenario(&chain).context("against the native actors")?;
    let native = traces(&chain, &chain.take_deployed(), from)?;

    devnet.revert(snapshot)?;
    chain.client().forget_nonces();
    chain.set(Implementation::Twin, Users::Eth);
    scenario(&chain).context("against the twins")?;
    let twin = traces(&chain, &chain.take_deployed(), from)?;

    ensure!(
        native.len() == twin.len(),
        "{} native and {} twin deployments",
        native.len(),
        twin.len()
    );
    for (i, (n, t)) in native.iter().zip(&twin).enumerate() {
        ensure!(
            n.registry_events == t.registry_events,
            "deployment {i}: registry events differ: {}",
            first_difference(&n.registry_events, &t.registry_events)
        );
        ensure!(
            n.escrow_events == t.escrow_events,
            "deployment {i}: escrow events differ: {}",
            first_difference(&n.escrow_events, &t.escrow_events)
        );
        ensure!(
            n.escrow_balance == t.escrow_balance,
            "deployment {i}: escrow balance {} native, {} twin",
            n.escrow_balance,
            t.escrow_balance
        );
        ensure!(
            n.accounts == t.accounts,
            "deployment {i}: accounts {:?} native, {:?} twin",
            n.accounts,
            t.accounts
        );
        ensure!(
            n.records == t.records,
            "deployment {i}: records {:?} native, {:?} twin",
            n.records,
            t.records
        );
        ensure!(
            n.counts == t.counts,
            "deployment {i}: counts {:?} native, {:?} twin",
            n.counts,
            t.counts
        );
    }
    Ok(native)
}
