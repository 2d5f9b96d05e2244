//! The threads tipsets are built on: each has the 64 MiB stack the FVM needs
//! ([`super::FVM_STACK_BYTES`]) and is kept, idle, after a tipset, so that mining does not start
//! (and map, fault in and unmap the stack of) a thread per tipset. Devnets in one process (tests)
//! take an idle one each, or start one when none is idle. A thread started with
//! [`spawn_fvm_thread`] (an RPC server's send loop) builds its own tipsets, with no hand-off.

use std::cell::Cell;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::mpsc;
use std::sync::{Mutex, PoisonError};
use std::thread::JoinHandle;

use super::{FVM_STACK_BYTES, panic_message};
use crate::{Error, Result};

/// A job: runs the work and sends its outcome (a panic caught) back.
type Job = Box<dyn FnOnce() -> bool + Send>;

/// An idle thread: where to send it a job.
type Worker = mpsc::Sender<Job>;

/// Most threads kept idle; more are ended after their job.
const MAX_IDLE: usize = 4;

static IDLE: Mutex<Vec<Worker>> = Mutex::new(Vec::new());

thread_local! {
    /// Whether this thread has the FVM's stack (then [`run`] runs work in place).
    static FVM_STACK: Cell<bool> = const { Cell::new(false) };
}

/// Starts a thread named `name` with the stack the FVM needs, on which the devnet builds
/// tipsets in place rather than on a thread of its own: for a thread that mostly mines (an RPC
/// server's loop pushing and mining sends), this saves two thread hand-offs per tipset.
///
/// # Errors
/// The thread could not start.
pub fn spawn_fvm_thread(
    name: String,
    work: impl FnOnce() + Send + 'static,
) -> std::io::Result<JoinHandle<()>> {
    std::thread::Builder::new()
        .name(name)
        .stack_size(FVM_STACK_BYTES)
        .spawn(move || {
            FVM_STACK.with(|f| f.set(true));
            work();
        })
}

/// A panic caught while running `what`, as an error.
fn aborted(what: &str, panic: &(dyn std::any::Any + Send)) -> Error {
    Error::Fvm(anyhow::anyhow!(
        "{what} aborted by a panic: {}",
        panic_message(panic)
    ))
}

fn spawn_worker() -> std::io::Result<Worker> {
    let (tx, rx) = mpsc::channel::<Job>();
    std::thread::Builder::new()
        .name("filmark-devnet-fvm".into())
        .stack_size(FVM_STACK_BYTES)
        .spawn(move || {
            // A job that panicked ends its thread (nothing of its state is reused).
            while let Ok(job) = rx.recv() {
                if !job() {
                    break;
                }
            }
        })?;
    Ok(tx)
}

/// Runs `work` (FVM execution) on an FVM thread (an idle one, or a new one). A panic in it (the
/// FVM's, or a store's) is an [`Error::Fvm`] naming `what`, not a panic of the caller.
pub(crate) fn run<T: Send + 'static>(
    what: &str,
    work: impl FnOnce() -> Result<T> + Send + 'static,
) -> Result<T> {
    if FVM_STACK.with(Cell::get) {
        return catch_unwind(AssertUnwindSafe(work)).unwrap_or_else(|p| Err(aborted(what, &*p)));
    }
    let (tx, rx) = mpsc::sync_channel(1);
    let mut job: Job = Box::new(move || {
        let outcome = catch_unwind(AssertUnwindSafe(work));
        let ok = outcome.is_ok();
        let _ = tx.send(outcome);
        ok
    });
    let idle = IDLE.lock().unwrap_or_else(PoisonError::into_inner).pop();
    let mut worker = match idle {
        Some(w) => w,
        None => spawn_worker()
            .map_err(|e| Error::Fvm(anyhow::anyhow!("{what}: cannot start a thread: {e}")))?,
    };
    // An idle thread is only gone if its job panicked, which does not return it: but should one
    // be gone, start another.
    while let Err(mpsc::SendError(back)) = worker.send(job) {
        job = back;
        worker = spawn_worker()
            .map_err(|e| Error::Fvm(anyhow::anyhow!("{what}: cannot start a thread: {e}")))?;
    }
    match rx.recv() {
        Ok(Ok(result)) => {
            let mut idle = IDLE.lock().unwrap_or_else(PoisonError::into_inner);
            if idle.len() < MAX_IDLE {
                idle.push(worker);
            }
            result
        }
        Ok(Err(panic)) => Err(aborted(what, &*panic)),
        Err(_) => Err(Error::Fvm(anyhow::anyhow!(
            "{what} aborted: its thread ended"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn it_reuses_a_thread_and_reports_panics() {
        let e = run("b", || -> Result<()> { panic!("boom") }).unwrap_err();
        assert!(e.to_string().contains("b aborted by a panic: boom"), "{e}");
        assert_eq!(run("c", || Ok(7)).unwrap(), 7);
        let name = run("d", || Ok(std::thread::current().name().map(str::to_owned))).unwrap();
        assert_eq!(name.as_deref(), Some("filmark-devnet-fvm"));
    }

    #[test]
    fn an_fvm_thread_runs_work_in_place() {
        let t = spawn_fvm_thread("in-place".into(), || {
            let name = run("a", || Ok(std::thread::current().name().map(str::to_owned)));
            assert_eq!(name.unwrap().as_deref(), Some("in-place"));
            let e = run("b", || -> Result<()> { panic!("boom") }).unwrap_err();
            assert!(e.to_string().contains("b aborted by a panic: boom"), "{e}");
        })
        .unwrap();
        t.join().unwrap();
    }
}
