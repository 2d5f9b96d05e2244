//! The devnet's roles at work: the locks (the node's read/write lock, the miner's mutex), mining
//! a tipset without holding the node, the broadcast of new heads, and the background miner.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, RwLockReadGuard, RwLockWriteGuard, mpsc};
use std::thread::JoinHandle;
use std::time::Duration;

use cid::Cid;

use super::Devnet;
use crate::chain::{MessageRecord, Tipset};
use crate::config::Mining;
use crate::node::{ImplicitCall, Node};
use crate::verified::VerifiedMessage;
use crate::{Error, Result};

/// The subscribers to new heads: each gets every new head (a revert's too) until it drops its
/// receiver.
#[derive(Debug, Clone, Default)]
pub(super) struct Heads(Arc<Mutex<Vec<mpsc::Sender<Tipset>>>>);

impl Heads {
    pub(super) fn subscribe(&self) -> mpsc::Receiver<Tipset> {
        let (tx, rx) = mpsc::channel();
        self.0.lock().unwrap_or_else(|e| e.into_inner()).push(tx);
        rx
    }

    pub(super) fn publish(&self, head: &Tipset) {
        self.0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .retain(|tx| tx.send(head.clone()).is_ok());
    }
}

impl Devnet {
    /// Reads the node. A lock poisoned by a panic is cleared and the devnet goes on: every
    /// change to the node is made by infallible steps once its fallible work is done (a tipset is
    /// built and written, then committed; a panic while mining is caught and fails only that
    /// tipset), so a panic under the lock cannot leave it half-changed.
    pub(crate) fn read(&self) -> RwLockReadGuard<'_, Node> {
        self.node.read().unwrap_or_else(|poisoned| {
            self.node.clear_poison();
            poisoned.into_inner()
        })
    }

    /// Changes the node (briefly: no FVM execution or database write under this lock).
    pub(crate) fn write(&self) -> RwLockWriteGuard<'_, Node> {
        self.node.write().unwrap_or_else(|poisoned| {
            tracing::warn!("a panic happened under the devnet's lock; its state is consistent");
            self.node.clear_poison();
            poisoned.into_inner()
        })
    }

    /// The miner's mutex (see [`Devnet`]).
    pub(crate) fn mining(&self) -> MutexGuard<'_, ()> {
        self.miner.lock().unwrap_or_else(|poisoned| {
            self.miner.clear_poison();
            poisoned.into_inner()
        })
    }

    /// [`Devnet::push`] of a message whose signature verified: nothing is verified, decoded or
    /// hashed again.
    ///
    /// # Errors
    ///
    /// As [`Devnet::push`], but for the signature's.
    pub fn push_verified(&self, verified: VerifiedMessage) -> Result<Cid> {
        if self.read().config.mining != Mining::Instant {
            return self.write().push(verified);
        }
        // Instant: the push and its tipset together, so each push mines its own message.
        let miner = self.mining();
        let cid = self.write().push(verified)?;
        // A message queued behind a nonce gap waits; one that fills a gap goes with the
        // messages it released.
        if self.read().pool.contains(&cid) {
            self.mine_locked(&miner, 1, &[])?;
        }
        Ok(cid)
    }

    /// [`Devnet::push_many`] of messages whose signatures verified (the node locked once).
    ///
    /// # Errors
    ///
    /// A fatal FVM error while mining.
    pub fn push_verified_many(&self, batch: Vec<VerifiedMessage>) -> Result<Vec<Result<Cid>>> {
        self.push_checked(batch.into_iter().map(Ok).collect())
    }

    /// Pushes what verified (a refusal stays a refusal), in order; with instant mining, mines
    /// until the pool is empty.
    pub(super) fn push_checked(
        &self,
        batch: Vec<Result<VerifiedMessage>>,
    ) -> Result<Vec<Result<Cid>>> {
        let instant = self.read().config.mining == Mining::Instant;
        let miner = instant.then(|| self.mining());
        let results: Vec<Result<Cid>> = {
            let mut node = self.write();
            batch.into_iter().map(|v| node.push(v?)).collect()
        };
        if let Some(miner) = miner {
            while self.read().pool.len() > 0 {
                self.mine_locked(&miner, 1, &[])?;
            }
        }
        Ok(results)
    }

    /// Mines the tipset `epochs` after the head (1: the next; more: null rounds in between)
    /// with `extra` implicit calls at its end; returns their records. The tipset is built and
    /// written holding only the miner's mutex, then committed under a short write of the node.
    pub(super) fn mine_by(
        &self,
        epochs: u64,
        extra: &[ImplicitCall],
    ) -> Result<Vec<MessageRecord>> {
        let miner = self.mining();
        self.mine_locked(&miner, epochs, extra)
    }

    /// [`Devnet::mine_by`] for a caller that holds the miner's mutex.
    pub(super) fn mine_locked(
        &self,
        _miner: &MutexGuard<'_, ()>,
        epochs: u64,
        extra: &[ImplicitCall],
    ) -> Result<Vec<MessageRecord>> {
        let builder = {
            let node = self.read();
            let height = i64::try_from(epochs)
                .ok()
                .filter(|n| *n > 0)
                .and_then(|n| node.head().height().checked_add(n))
                .ok_or_else(|| {
                    Error::InvalidMessage(format!("cannot advance by {epochs} epochs"))
                })?;
            node.builder(height, extra)?
        };
        let built = crate::node::build(builder)?;
        let (batch, store) = {
            let node = self.read();
            (node.batch_for(&built)?, node.store.clone())
        };
        if let Some(batch) = batch {
            store.kv().write_batch(batch)?;
        }
        let (records, head) = {
            let mut node = self.write();
            let records = node.commit(built)?;
            (records, node.head().clone())
        };
        self.heads.publish(&head);
        Ok(records)
    }

    /// A receiver of every new head from now on (each tipset mined, and the head a revert goes
    /// back to), in order: what [`Devnet::wait`] listens to, and what an RPC's `StateWaitMsg`
    /// and head subscriptions can. Dropping the receiver unsubscribes.
    pub fn subscribe_heads(&self) -> mpsc::Receiver<Tipset> {
        self.heads.subscribe()
    }
}

pub(super) fn spawn_miner(
    devnet: Devnet,
    stop: Arc<AtomicBool>,
    every: Duration,
) -> Result<JoinHandle<()>> {
    std::thread::Builder::new()
        .name("filmark-devnet-miner".into())
        .spawn(move || {
            while !stop.load(Ordering::SeqCst) {
                std::thread::park_timeout(every);
                if stop.load(Ordering::SeqCst) {
                    break;
                }
                if let Err(e) = devnet.mine_by(1, &[]) {
                    // Nothing changed: the messages stay pending for the next tick.
                    tracing::error!(error = %e, "background mining failed; retrying next tick");
                    devnet.write().mining_error = Some(e.to_string());
                }
            }
        })
        .map_err(|e| Error::Config(format!("cannot start the miner thread: {e}")))
}
