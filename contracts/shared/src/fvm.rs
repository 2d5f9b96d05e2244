//! The FVM implementation of [`Runtime`] (feature `fil-actor`): one `fvm_sdk` call per method.

use cid::Cid;
use fvm_ipld_blockstore::Block;
use fvm_ipld_encoding::ipld_block::IpldBlock;
use fvm_sdk::NO_DATA_BLOCK_ID;
use fvm_shared::address::Address;
use fvm_shared::clock::ChainEpoch;
use fvm_shared::econ::TokenAmount;
use fvm_shared::error::ExitCode;
use fvm_shared::event::ActorEvent;
use fvm_shared::sys::SendFlags;
use fvm_shared::{ActorID, MethodNum, Response};

use crate::{ActorError, Runtime};

/// A blockstore over the `ipld` syscalls.
#[derive(Debug, Default, Clone, Copy)]
pub struct FvmBlockstore;

impl FvmBlockstore {
    /// Reads a block. The FVM has every block an actor can name (naming any other aborts the
    /// call), so there is no "not found".
    #[inline(never)]
    fn read(k: &Cid) -> anyhow::Result<Vec<u8>> {
        fvm_sdk::ipld::get(k)
            .map_err(|e| anyhow::anyhow!("ipld get {}: {e}", crate::show::CidHex(k)))
    }
}

impl fvm_ipld_blockstore::Blockstore for FvmBlockstore {
    // Inlined so that a caller sees the block is never `None` and drops its "not found" branch
    // (the HAMT's and AMT's build an error with the CID as text): 2.1 KB less in the registry,
    // 0.4 KB in the escrow.
    #[inline(always)]
    fn get(&self, k: &Cid) -> anyhow::Result<Option<Vec<u8>>> {
        Self::read(k).map(Some)
    }

    fn put_keyed(&self, k: &Cid, block: &[u8]) -> anyhow::Result<()> {
        let cid = self.put(
            multihash_codetable::Code::try_from(k.hash().code())
                .map_err(|e| anyhow::anyhow!("unsupported hash: {e}"))?,
            &Block::new(k.codec(), block),
        )?;
        anyhow::ensure!(
            cid == *k,
            "put_keyed: cid mismatch {} != {}",
            crate::show::CidHex(&cid),
            crate::show::CidHex(k)
        );
        Ok(())
    }

    fn put<D>(&self, code: multihash_codetable::Code, block: &Block<D>) -> anyhow::Result<Cid>
    where
        D: AsRef<[u8]>,
    {
        // The FVM hashes the block itself; it only needs the digest length. Naming it here (rather
        // than hashing an empty input) keeps the hashers' code out of every actor's wasm.
        let size: u32 = match code {
            multihash_codetable::Code::Blake2b256 => 32,
            #[allow(unreachable_patterns)]
            other => anyhow::bail!("ipld put: unsupported hash {:#x}", u64::from(other)),
        };
        fvm_sdk::ipld::put(code.into(), size, block.codec, block.data.as_ref())
            .map_err(|e| anyhow::anyhow!("ipld put: {e}"))
    }
}

/// The runtime of an actor executing in the FVM.
#[derive(Debug, Default, Clone, Copy)]
pub struct FvmRuntime {
    store: FvmBlockstore,
}

impl Runtime for FvmRuntime {
    type Blockstore = FvmBlockstore;

    fn store(&self) -> &FvmBlockstore {
        &self.store
    }

    fn caller(&self) -> ActorID {
        fvm_sdk::message::caller()
    }

    fn receiver(&self) -> ActorID {
        fvm_sdk::message::receiver()
    }

    fn value_received(&self) -> TokenAmount {
        fvm_sdk::message::value_received()
    }

    fn curr_epoch(&self) -> ChainEpoch {
        fvm_sdk::network::curr_epoch()
    }

    fn current_balance(&self) -> TokenAmount {
        fvm_sdk::sself::current_balance()
    }

    fn read_only(&self) -> bool {
        fvm_sdk::vm::read_only()
    }

    fn resolve_address(&self, addr: &Address) -> Option<ActorID> {
        fvm_sdk::actor::resolve_address(addr)
    }

    fn lookup_delegated_address(&self, id: ActorID) -> Option<Address> {
        fvm_sdk::actor::lookup_delegated_address(id)
    }

    fn state_root(&self) -> Result<Cid, ActorError> {
        fvm_sdk::sself::root().map_err(|e| ActorError::illegal_state(format!("state root: {e}")))
    }

    fn set_state_root(&self, root: &Cid) -> Result<(), ActorError> {
        fvm_sdk::sself::set_root(root).map_err(|e| match e {
            fvm_sdk::error::StateUpdateError::ReadOnly => crate::runtime::read_only_write_error(),
            other => ActorError::illegal_state(format!("set state root: {other}")),
        })
    }

    fn send(
        &self,
        to: &Address,
        method: MethodNum,
        params: Option<IpldBlock>,
        value: TokenAmount,
        read_only: bool,
    ) -> Result<Response, ActorError> {
        let flags = if read_only {
            SendFlags::READ_ONLY
        } else {
            SendFlags::empty()
        };
        fvm_sdk::send::send(to, method, params, value, None, flags)
            .map_err(|e| crate::runtime::send_error(e, to))
    }

    fn emit_event(&self, event: &ActorEvent) -> Result<(), ActorError> {
        fvm_sdk::event::emit_event(event).map_err(crate::runtime::emit_error)
    }
}

/// Runs one invocation: reads the parameters, dispatches, and hands the result to the FVM.
/// Used by [`crate::wasm_entrypoint!`]; not called directly.
pub fn invoke<F>(params_id: u32, dispatch: F) -> u32
where
    F: FnOnce(&FvmRuntime, MethodNum, Option<IpldBlock>) -> Result<Option<IpldBlock>, ActorError>,
{
    fvm_sdk::initialize();
    let params = if params_id == NO_DATA_BLOCK_ID {
        None
    } else {
        match fvm_sdk::message::params_raw(params_id) {
            Ok(p) => p,
            Err(e) => fvm_sdk::vm::abort(
                ExitCode::USR_SERIALIZATION.value(),
                Some(&format!("reading parameters: {e}")),
            ),
        }
    };
    let rt = FvmRuntime::default();
    match dispatch(&rt, fvm_sdk::message::method_number(), params) {
        Ok(None) => NO_DATA_BLOCK_ID,
        Ok(Some(block)) => match fvm_sdk::ipld::put_block(block.codec, &block.data) {
            Ok(id) => id,
            Err(e) => fvm_sdk::vm::abort(
                ExitCode::USR_SERIALIZATION.value(),
                Some(&format!("writing return value: {e}")),
            ),
        },
        Err(mut err) => {
            let data = err.take_data();
            fvm_sdk::vm::exit(err.exit_code().value(), data, Some(err.msg()))
        }
    }
}

/// Exports the wasm `invoke` entry point for an actor's dispatch function
/// `fn(&impl Runtime, MethodNum, Option<IpldBlock>) -> Result<Option<IpldBlock>, ActorError>`.
#[macro_export]
macro_rules! wasm_entrypoint {
    ($dispatch:path) => {
        /// The FVM entry point.
        #[unsafe(no_mangle)]
        pub extern "C" fn invoke(params_id: u32) -> u32 {
            $crate::fvm::invoke(params_id, |rt, method, params| {
                $dispatch(rt, method, params)
            })
        }
    };
}
