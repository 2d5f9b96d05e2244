//! The thin layer over `fvm_sdk` the actors run on in the FVM: entry point, state root,
//! blockstore, sends.

use cid::Cid;
use fvm_ipld_blockstore::{Block, Blockstore};
use fvm_ipld_encoding::CborStore;
use fvm_ipld_encoding::ipld_block::IpldBlock;
use fvm_shared::address::Address;
use fvm_shared::econ::TokenAmount;
use fvm_shared::error::ExitCode;
use fvm_shared::sys::SendFlags;
use fvm_shared::{ActorID, MethodNum, Response};
use multihash_codetable::Code;
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::error::{Addr, state_error};
use crate::{ActorError, ActorResult};

/// An actor's method dispatcher: method number and raw params in, return block out.
pub type Dispatch = fn(MethodNum, Option<IpldBlock>) -> ActorResult<Option<IpldBlock>>;

/// Runs one invocation: reads the params, dispatches, and hands the return block (or the exit
/// code and message) back to the FVM. Never returns on failure: the FVM receives the exit code
/// and message.
pub fn invoke(params: u32, dispatch: Dispatch) -> u32 {
    fvm_sdk::initialize();
    let params = match fvm_sdk::message::params_raw(params) {
        Ok(params) => params,
        Err(e) => abort(&ActorError::serialization(format!(
            "cannot read params: {e}"
        ))),
    };
    match dispatch(fvm_sdk::message::method_number(), params) {
        Ok(None) => fvm_sdk::NO_DATA_BLOCK_ID,
        Ok(Some(ret)) => fvm_sdk::ipld::put_block(ret.codec, &ret.data)
            .unwrap_or_else(|e| abort(&ActorError::illegal_state(format!("cannot return: {e}")))),
        Err(e) => abort(&e),
    }
}

fn abort(e: &ActorError) -> ! {
    fvm_sdk::vm::exit(e.code().value(), None, Some(e.msg()))
}

/// Fails unless the immediate caller is `expected`.
pub(crate) fn validate_caller(expected: ActorID, name: &str) -> ActorResult<()> {
    let caller = fvm_sdk::message::caller();
    if caller == expected {
        Ok(())
    } else {
        Err(ActorError::forbidden(format!(
            "caller f0{caller} is not the {name} actor (f0{expected})"
        )))
    }
}

/// Loads the actor's state from its root.
pub(crate) fn load_state<T: DeserializeOwned>() -> ActorResult<T> {
    let root = fvm_sdk::sself::root().map_err(state_error("cannot read state root"))?;
    SdkStore
        .get_cbor(&root)
        .map_err(state_error("cannot load state"))?
        .ok_or_else(|| ActorError::illegal_state("state not found"))
}

/// Writes the actor's state and points its root at it.
pub(crate) fn save_state<T: Serialize>(state: &T) -> ActorResult<()> {
    let root = SdkStore
        .put_cbor(state, Code::Blake2b256)
        .map_err(state_error("cannot store state"))?;
    fvm_sdk::sself::set_root(&root).map_err(state_error("cannot set state root"))
}

/// Sends a message and returns the callee's response; a send that cannot be made at all
/// (unknown receiver, insufficient funds) is an error with the matching exit code.
pub(crate) fn send(
    to: &Address,
    method: MethodNum,
    params: Option<IpldBlock>,
    value: TokenAmount,
    flags: SendFlags,
) -> ActorResult<Response> {
    fvm_sdk::send::send(to, method, params, value, None, flags).map_err(|e| {
        let code = match e {
            fvm_shared::error::ErrorNumber::InsufficientFunds => ExitCode::USR_INSUFFICIENT_FUNDS,
            fvm_shared::error::ErrorNumber::NotFound => ExitCode::USR_NOT_FOUND,
            fvm_shared::error::ErrorNumber::ReadOnly => ExitCode::USR_READ_ONLY,
            _ => ExitCode::USR_ILLEGAL_STATE,
        };
        ActorError::new(
            code,
            format!("send to {} method {method} failed: {e}", Addr(to)),
        )
    })
}

/// The blockstore of the running actor: blocks go through the `ipld` syscalls.
#[derive(Clone, Copy, Debug)]
pub(crate) struct SdkStore;

impl Blockstore for SdkStore {
    fn get(&self, k: &Cid) -> anyhow::Result<Option<Vec<u8>>> {
        // The FVM only lets an actor read blocks reachable from its state: a missing block
        // is an error, not `None`.
        fvm_sdk::ipld::get(k)
            .map(Some)
            .map_err(|e| anyhow::anyhow!("get block: {e}"))
    }

    fn put_keyed(&self, k: &Cid, block: &[u8]) -> anyhow::Result<()> {
        let hash = k.hash();
        let cid = put_block(hash.code(), hash.size().into(), k.codec(), block)?;
        anyhow::ensure!(cid == *k, "put_keyed: the CID does not match the block");
        Ok(())
    }

    fn put<D: AsRef<[u8]>>(&self, code: Code, block: &Block<D>) -> anyhow::Result<Cid> {
        match code {
            Code::Blake2b256 => put_block(BLAKE2B_256, 32, block.codec, block.data.as_ref()),
            _ => anyhow::bail!("unsupported multihash {code:?}: actor state uses blake2b-256"),
        }
    }
}

/// Multihash code of blake2b-256, the hash of every block in the state tree.
pub(crate) const BLAKE2B_256: u64 = 0xb220;

fn put_block(mh_code: u64, mh_size: u32, codec: u64, data: &[u8]) -> anyhow::Result<Cid> {
    fvm_sdk::ipld::put(mh_code, mh_size, codec, data).map_err(|e| anyhow::anyhow!("put: {e}"))
}
