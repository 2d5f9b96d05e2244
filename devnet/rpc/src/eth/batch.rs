//! Group commit for `eth_sendRawTransaction`: the transactions that arrive while a batch is
//! being pushed wait, and the next batch takes them all ([`Devnet::push_many`]: signatures
//! checked in parallel, the devnet locked once). On an instantly mining devnet the batch is one
//! tipset, then its execution tipset is mined, so that "latest" holds them. Whoever finds no
//! batch in progress pushes everything waiting, its own transaction among it, and returns; each
//! sender gets its own result. With one client at a time this is one transaction per batch.

use std::collections::HashMap;
use std::sync::{Condvar, Mutex, MutexGuard, PoisonError};

use cid::Cid;
use filmark_devnet::{Devnet, SignedMessage};

use crate::RpcError;

/// The queue (see the module docs).
#[derive(Debug, Default)]
pub(crate) struct SendQueue {
    state: Mutex<State>,
    done: Condvar,
}

#[derive(Debug, Default)]
struct State {
    next: u64,
    waiting: Vec<(u64, SignedMessage)>,
    results: HashMap<u64, Result<Cid, RpcError>>,
    mining: bool,
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
        signed: SignedMessage,
        instant: bool,
    ) -> Result<Cid, RpcError> {
        let mut s = self.lock();
        let ticket = s.next;
        s.next += 1;
        s.waiting.push((ticket, signed));
        loop {
            if let Some(result) = s.results.remove(&ticket) {
                return result;
            }
            if s.mining {
                s = self.done.wait(s).unwrap_or_else(PoisonError::into_inner);
                continue;
            }
            s.mining = true;
            let batch = std::mem::take(&mut s.waiting);
            drop(s);
            let (tickets, messages): (Vec<u64>, Vec<SignedMessage>) = batch.into_iter().unzip();
            let results: Vec<Result<Cid, RpcError>> = match devnet.push_many(messages) {
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
