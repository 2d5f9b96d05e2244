//! Group commit for `eth_sendRawTransaction`: one long-lived thread per served devnet (started by
//! the first send, with the FVM's stack: [`filmark_devnet::spawn_fvm_thread`]) takes the verified transactions from a channel, pushes everything that waits
//! as one batch ([`Devnet::push_verified_many`]: each signature verified once, by its request's
//! handler; the devnet locked once) and answers each sender through its own reply channel. On an
//! instantly mining devnet the batch is one tipset, then its execution tipset is mined, so that
//! "latest" holds them, before anyone is answered. With one client at a time this is one
//! transaction per batch.
//!
//! Senders that just got their results usually send again at once (a wallet's or a load's next
//! transaction), but not all in the same instant: with instant mining the next batch waits up to
//! [`GATHER`] for as many transactions as the last batch had, so that they share the batch's two
//! tipsets rather than split into batches of a few (each paying both tipsets).
//!
//! A request over HTTP waits for its reply on its own task ([`SendQueue::send`]); a handler on a
//! blocking thread (a JSON-RPC batch, [`crate::dispatch`]) blocks on it ([`SendQueue::push`]).

use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::{Mutex, OnceLock, PoisonError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use cid::Cid;
use filmark_devnet::{Devnet, VerifiedMessage};
use tokio::sync::oneshot;

use crate::RpcError;

/// The longest a batch waits for the senders of the last batch to send again.
pub(crate) const GATHER: Duration = Duration::from_millis(2);

type Outcome = Result<Cid, RpcError>;

/// Where a transaction's outcome goes.
#[derive(Debug)]
enum Reply {
    /// A blocked thread.
    Blocking(mpsc::SyncSender<Outcome>),
    /// An async task.
    Task(oneshot::Sender<Outcome>),
}

impl Reply {
    fn send(self, outcome: Outcome) {
        // A sender that went away (a closed connection) needs no answer.
        let _ = match self {
            Self::Blocking(tx) => tx.send(outcome).map_err(drop),
            Self::Task(tx) => tx.send(outcome).map_err(drop),
        };
    }
}

type Job = (VerifiedMessage, Reply);

/// The queue (see the module docs).
#[derive(Debug)]
pub(crate) struct SendQueue {
    devnet: Devnet,
    instant: bool,
    /// The committing thread's channel, once started.
    jobs: OnceLock<Mutex<mpsc::Sender<Job>>>,
    thread: Mutex<Option<JoinHandle<()>>>,
}

impl SendQueue {
    /// A queue pushing to `devnet` (mining each batch and its execution tipset when `instant`).
    pub(crate) const fn new(devnet: Devnet, instant: bool) -> Self {
        Self {
            devnet,
            instant,
            jobs: OnceLock::new(),
            thread: Mutex::new(None),
        }
    }

    fn submit(&self, job: Job) -> Result<(), RpcError> {
        let jobs = self.jobs.get_or_init(|| {
            let (tx, rx) = mpsc::channel();
            let (devnet, instant) = (self.devnet.clone(), self.instant);
            // On a thread with the FVM's stack: the tipsets are built on it, with no hand-off.
            match filmark_devnet::spawn_fvm_thread("filmark-rpc-sends".into(), move || {
                commit_loop(&devnet, instant, &rx);
            }) {
                Ok(t) => {
                    *self.thread.lock().unwrap_or_else(PoisonError::into_inner) = Some(t);
                }
                Err(e) => tracing::error!(error = %e, "cannot start the send thread"),
            }
            Mutex::new(tx)
        });
        let sent = jobs
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .send(job);
        sent.map_err(|_| RpcError::internal("the send thread is not running"))
    }

    /// Pushes `signed` with the others waiting, blocking until its batch is in (and, when
    /// instant, mined with its execution tipset); the message's CID, or why the pool refused it.
    /// Do not call it from async code: [`SendQueue::send`] is for that.
    pub(crate) fn push(&self, signed: VerifiedMessage) -> Outcome {
        let (tx, rx) = mpsc::sync_channel(1);
        self.submit((signed, Reply::Blocking(tx)))?;
        rx.recv()
            .map_err(|_| RpcError::internal("the send thread stopped"))?
    }

    /// [`SendQueue::push`] for async code: waits without blocking its thread.
    pub(crate) async fn send(&self, signed: VerifiedMessage) -> Outcome {
        let (tx, rx) = oneshot::channel();
        self.submit((signed, Reply::Task(tx)))?;
        rx.await
            .map_err(|_| RpcError::internal("the send thread stopped"))?
    }
}

impl Drop for SendQueue {
    fn drop(&mut self) {
        // The thread ends when its channel closes; wait for the batch it may be pushing.
        drop(self.jobs.take());
        let thread = self
            .thread
            .get_mut()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        if let Some(t) = thread {
            let _ = t.join();
        }
    }
}

/// The committing thread: a batch at a time until the queue is dropped.
fn commit_loop(devnet: &Devnet, instant: bool, jobs: &mpsc::Receiver<Job>) {
    let mut last_batch = 0;
    while let Ok(first) = jobs.recv() {
        let mut batch = vec![first];
        batch.extend(jobs.try_iter());
        let deadline = Instant::now() + GATHER;
        while instant && batch.len() < last_batch {
            let Some(left) = deadline.checked_duration_since(Instant::now()) else {
                break;
            };
            match jobs.recv_timeout(left) {
                Ok(job) => {
                    batch.push(job);
                    batch.extend(jobs.try_iter());
                }
                Err(RecvTimeoutError::Timeout | RecvTimeoutError::Disconnected) => break,
            }
        }
        last_batch = batch.len();
        let (messages, replies): (Vec<VerifiedMessage>, Vec<Reply>) = batch.into_iter().unzip();
        let outcomes: Vec<Outcome> = match devnet.push_verified_many(messages) {
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
                replies.iter().map(|_| Err(e.clone())).collect()
            }
        };
        for (reply, outcome) in replies.into_iter().zip(outcomes) {
            reply.send(outcome);
        }
    }
}
