//! Group commit for `eth_sendRawTransaction`: the transactions that arrive while a batch is
//! being pushed wait, and the next batch takes them all ([`Devnet::push_verified_many`]: each
//! signature verified once, by its request's handler; the devnet locked once). On an instantly
//! mining devnet the batch is one tipset, then its execution tipset is mined, so that "latest"
//! holds them. Whoever finds no batch in progress pushes everything waiting, its own transaction
//! among it, and returns; each sender gets its own result. With one client at a time this is one
//! transaction per batch.
//!
//! Senders that just got their results usually send again at once (a wallet's or a load's next
//! transaction), but not all in the same instant: with instant mining the next batch waits up to [`GATHER`] for as
//! many transactions as the last batch had, so that they share the batch's two tipsets rather
//! than split into batches of a few (each paying both tipsets).

use std::collections::HashMap;
use std::sync::{Condvar, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use cid::Cid;
use filmark_devnet::{Devnet, VerifiedMessage};

use crate::RpcError;

/// The queue (see the module docs).
#[derive(Debug, Default)]
pub(crate) struct SendQueue {
    state: Mutex<State>,
    /// Signalled when a batch's results are in.
    done: Condvar,
    /// Signalled when a transaction arrives.
    arrived: Condvar,
}

/// The longest a batch waits for the senders of the last batch to send again.
pub(crate) const GATHER: Duration = Duration::from_millis(2);

#[derive(Debug, Default)]
struct State {
    next: u64,
    waiting: Vec<(u64, VerifiedMessage)>,
    results: HashMap<u64, Result<Cid, RpcError>>,
    mining: bool,
    /// How many transactions the last batch had.
    last_batch: usize,
}

impl SendQueue {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Pushes `signed` with the others waiting and, when `instant`, mines the execution tipset
    /// of the tipset that took them; the message's CID, or why the pool refused it.
    pub(crate) fn push(
        &self,
        devnet: &Devnet,
        signed: VerifiedMessage,
        instant: bool,
    ) -> Result<Cid, RpcError> {
        let mut s = self.lock();
        let ticket = s.next;
        s.next += 1;
        s.waiting.push((ticket, signed));
        self.arrived.notify_all();
        loop {
            if let Some(result) = s.results.remove(&ticket) {
                return result;
            }
            if s.mining {
                s = self.done.wait(s).unwrap_or_else(PoisonError::into_inner);
                continue;
            }
            s.mining = true;
            let deadline = Instant::now() + GATHER;
            while instant && s.waiting.len() < s.last_batch {
                let Some(left) = deadline.checked_duration_since(Instant::now()) else {
                    break;
                };
                s = self
                    .arrived
                    .wait_timeout(s, left)
                    .unwrap_or_else(PoisonError::into_inner)
                    .0;
            }
            let batch = std::mem::take(&mut s.waiting);
            s.last_batch = batch.len();
            drop(s);
            let (tickets, messages): (Vec<u64>, Vec<VerifiedMessage>) = batch.into_iter().unzip();
            let results: Vec<Result<Cid, RpcError>> = match devnet.push_verified_many(messages) {
                Ok(results) => {
                    let mined = if instant && results.iter().any(Result::is_ok) {
                        devnet.mine(1).map(|_| ()).map_err(RpcError::from)
                    } else {
                        Ok(())
                    };
                    results
                        .into_iter()
                        .map(|r| {
                            let cid = r.map_err(RpcError::from)?;
                            mined.clone().map(|()| cid)
                        })
                        .collect()
                }
                Err(e) => {
                    let e = RpcError::from(e);
                    tickets.iter().map(|_| Err(e.clone())).collect()
                }
            };
            s = self.lock();
            s.results.extend(tickets.into_iter().zip(results));
            s.mining = false;
            self.done.notify_all();
        }
    }
}
