//! Read-only calls on a snapshot of a tipset's state (the head's, or any older one: every
//! tipset keeps its state root): an immutable state root plus handles on the store and the engines, taken under the node's lock and run after it is released, so a long call
//! never holds reads, pushes or mining. Gas is capped at the block gas limit and a call has a
//! wall-clock limit ([`crate::DevnetConfig::call_timeout`]).

use std::sync::mpsc;
use std::time::Duration;

use cid::Cid;
use fvm::engine::EnginePool;
use fvm::executor::{ApplyKind, DefaultExecutor, Executor};
use fvm::machine::{DefaultMachine, NetworkConfig};
use fvm_shared::clock::ChainEpoch;
use fvm_shared::econ::TokenAmount;
use fvm_shared::message::Message;

use crate::config::BLOCK_GAS_LIMIT;
use crate::externs::DevnetExterns;
use crate::gas::GasBreakdown;
use crate::node::{CallResult, Exec, FVM_STACK_BYTES, panic_message};
use crate::store::Store;
use crate::{Error, Result};

/// What building an FVM executor takes, all cheap handles (no node borrow).
#[derive(Clone)]
pub(crate) struct ExecEnv {
    pub(crate) store: Store,
    pub(crate) engine: EnginePool,
    pub(crate) network: NetworkConfig,
    pub(crate) externs: DevnetExterns,
    pub(crate) circ_supply: TokenAmount,
}

impl ExecEnv {
    /// An executor on state `root` at `epoch`.
    pub(crate) fn executor(
        &self,
        epoch: ChainEpoch,
        timestamp: u64,
        root: Cid,
        base_fee: &TokenAmount,
        tracing: bool,
    ) -> Result<Exec> {
        let mut ctx = self.network.for_epoch(epoch, timestamp, root);
        ctx.set_base_fee(base_fee.clone())
            .set_circulating_supply(self.circ_supply.clone());
        if tracing {
            ctx.enable_tracing();
        }
        let machine = DefaultMachine::new(&ctx, self.store.clone(), self.externs.clone())?;
        Ok(DefaultExecutor::new(self.engine.clone(), machine)?)
    }
}

/// A read-only call's view of the chain: an epoch and the state it runs on.
pub(crate) struct CallSnapshot {
    pub(crate) env: ExecEnv,
    pub(crate) epoch: ChainEpoch,
    pub(crate) timestamp: u64,
    pub(crate) state_root: Cid,
    pub(crate) base_fee: TokenAmount,
    pub(crate) gas_tracing: bool,
    /// Whether to return the call tree ([`CallResult::trace`]).
    pub(crate) call_trace: bool,
    pub(crate) timeout: Duration,
}

/// The gas a read-only call runs with: `0` (unset) and anything above a block become the block
/// gas limit, as a message could never use more.
pub(crate) const fn call_gas_limit(requested: u64) -> u64 {
    if requested == 0 || requested > BLOCK_GAS_LIMIT {
        BLOCK_GAS_LIMIT
    } else {
        requested
    }
}

impl CallSnapshot {
    /// Applies `message` as an implicit message, without committing anything, on its own thread
    /// (64 MiB of stack), once the builtins' background compile is over. Past the wall-clock
    /// limit (counted from then) it returns [`Error::CallTimeout`]; the FVM
    /// cannot be interrupted, so that thread runs on, holding no lock, until the message's gas
    /// (at most the block gas limit) runs out.
    pub(crate) fn run(self, message: Message) -> Result<CallResult> {
        crate::node::wait_for_builtins();
        let timeout = self.timeout;
        let (tx, rx) = mpsc::sync_channel(1);
        let thread = std::thread::Builder::new()
            .name("filmark-devnet-call".into())
            .stack_size(FVM_STACK_BYTES)
            .spawn(move || {
                let _ = tx.send(self.execute(message));
            })
            .map_err(|e| Error::Fvm(anyhow::anyhow!("call: cannot start a thread: {e}")))?;
        match rx.recv_timeout(timeout) {
            Ok(result) => result,
            Err(mpsc::RecvTimeoutError::Timeout) => Err(Error::CallTimeout(timeout)),
            Err(mpsc::RecvTimeoutError::Disconnected) => {
                let why = thread
                    .join()
                    .err()
                    .map_or_else(|| "no result".to_owned(), |p| panic_message(&*p));
                Err(Error::Fvm(anyhow::anyhow!(
                    "call aborted by a panic: {why}"
                )))
            }
        }
    }

    fn execute(&self, mut message: Message) -> Result<CallResult> {
        message.gas_limit = call_gas_limit(message.gas_limit);
        let mut exec = self.env.executor(
            self.epoch,
            self.timestamp,
            self.state_root,
            &self.base_fee,
            self.gas_tracing || self.call_trace,
        )?;
        let ret = exec.execute_message(message, ApplyKind::Implicit, 0)?;
        Ok(CallResult {
            gas_trace: self
                .gas_tracing
                .then(|| GasBreakdown::from_trace(&ret.exec_trace)),
            trace: self
                .call_trace
                .then(|| crate::trace::call_tree(&ret.exec_trace))
                .flatten(),
            receipt: ret.msg_receipt.into(),
            events: ret.events,
            failure: ret.failure_info.map(|f| f.to_string()),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn it_caps_call_gas_at_a_block() {
        assert_eq!(call_gas_limit(0), BLOCK_GAS_LIMIT);
        assert_eq!(call_gas_limit(u64::MAX), BLOCK_GAS_LIMIT);
        assert_eq!(call_gas_limit(BLOCK_GAS_LIMIT + 1), BLOCK_GAS_LIMIT);
        assert_eq!(call_gas_limit(BLOCK_GAS_LIMIT), BLOCK_GAS_LIMIT);
        assert_eq!(call_gas_limit(7), 7);
    }
}
