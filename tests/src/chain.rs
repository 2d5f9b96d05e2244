//! The `Chain` trait: what a scenario needs from a Filecoin chain, whether an in-process devnet
//! or one reached over JSON-RPC.

use cid::Cid;
use filmark_devnet::DevnetKey;
use fvm_ipld_blockstore::Blockstore;
use fvm_ipld_encoding::RawBytes;
use fvm_ipld_encoding::de::DeserializeOwned;
use fvm_ipld_encoding::ser::Serialize;
use fvm_shared::address::Address;
use fvm_shared::clock::ChainEpoch;
use fvm_shared::econ::TokenAmount;
use fvm_shared::error::ExitCode;
use fvm_shared::event::StampedEvent;
use fvm_shared::{ActorID, MethodNum};

/// Why a chain operation failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The in-process devnet refused or failed.
    #[error(transparent)]
    Devnet(#[from] filmark_devnet::Error),
    /// A message executed but exited non-zero where success was required.
    #[error("{what} failed with exit code {exit_code}: {info}")]
    Failed {
        /// What was attempted.
        what: String,
        /// The exit code.
        exit_code: ExitCode,
        /// The actor's message or the FVM's backtrace.
        info: String,
    },
    /// A return value or state object did not decode.
    #[error("decoding {what}: {reason}")]
    Decode {
        /// What was decoded.
        what: String,
        /// Why it failed.
        reason: String,
    },
    /// The SDK failed (its deploy helper).
    #[error(transparent)]
    Sdk(#[from] filmark_sdk::Error),
    /// A JSON-RPC call failed (transport, or the error the server answered).
    #[error("rpc: {0}")]
    Rpc(String),
    /// Something the scenario needs is missing (an actor, a key, a block).
    #[error("not found: {0}")]
    NotFound(String),
}

/// The result type of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// What an executed (or read-only) message gave.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// The message's chain CID (signed CID for secp and delegated senders).
    pub cid: Option<Cid>,
    /// The epoch of the tipset that included it (`None` for read-only calls).
    pub height: Option<ChainEpoch>,
    /// Its exit code.
    pub exit_code: ExitCode,
    /// Its return value.
    pub return_data: RawBytes,
    /// Gas used.
    pub gas_used: u64,
    /// Events it emitted, with their emitters.
    pub events: Vec<StampedEvent>,
    /// The actor's error message or the FVM's backtrace when it failed.
    pub failure: Option<String>,
}

impl Outcome {
    /// Requires success.
    ///
    /// # Errors
    /// [`Error::Failed`] for a non-zero exit code.
    pub fn ok(self, what: &str) -> Result<Self> {
        if self.exit_code.is_success() {
            Ok(self)
        } else {
            Err(Error::Failed {
                what: what.to_owned(),
                exit_code: self.exit_code,
                info: self.failure.unwrap_or_default(),
            })
        }
    }

    /// Decodes the CBOR return value.
    ///
    /// # Errors
    /// [`Error::Decode`] when it does not decode as `T`.
    pub fn decode<T: DeserializeOwned>(&self) -> Result<T> {
        self.return_data.deserialize().map_err(|e| Error::Decode {
            what: std::any::type_name::<T>().to_owned(),
            reason: e.to_string(),
        })
    }
}

/// An actor created by [`Chain::deploy_filmark`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Deployed {
    /// Its f0 address.
    pub id_address: Address,
    /// Its robust f2 address.
    pub robust_address: Address,
}

/// An event as an Ethereum log (what `eth_getLogs` shows).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EthLog {
    /// The emitter's Ethereum address (f410, or masked ID).
    pub address: [u8; 20],
    /// Topics (`t1`..`t4`).
    pub topics: Vec<[u8; 32]>,
    /// Data (`d`).
    pub data: Vec<u8>,
}

/// A Filecoin chain a scenario runs against.
///
/// Implementations must mine (or wait for) each sent message before returning its outcome, and
/// must read state at the head.
pub trait Chain {
    /// A short name for reports ("in-process", "rpc").
    fn name(&self) -> &'static str;

    /// The chain id (EIP-155).
    fn chain_id(&self) -> Result<u64>;

    /// The `index`-th prefunded f1 account key.
    ///
    /// # Errors
    /// [`Error::NotFound`] when genesis has fewer.
    fn f1(&self, index: usize) -> Result<DevnetKey>;

    /// The `index`-th prefunded f410 (Ethereum) account key.
    ///
    /// # Errors
    /// [`Error::NotFound`] when genesis has fewer.
    fn eth(&self, index: usize) -> Result<DevnetKey>;

    /// Signs and sends a message (an EIP-1559 transaction for an f410 key) and waits for it.
    ///
    /// # Errors
    /// When the chain refuses it; an actor failure is an exit code in the outcome.
    fn send(
        &self,
        from: &DevnetKey,
        to: &Address,
        value: TokenAmount,
        method: MethodNum,
        params: RawBytes,
    ) -> Result<Outcome>;

    /// Runs a read-only call on the head state.
    ///
    /// # Errors
    /// When the chain cannot run it; an actor failure is an exit code in the outcome.
    fn call(
        &self,
        from: &Address,
        to: &Address,
        method: MethodNum,
        params: RawBytes,
    ) -> Result<Outcome>;

    /// Deploys Filmark's escrow and registry with the SDK's deploy helper
    /// ([`filmark_sdk::Client::deploy_filmark`]) over this chain's SDK transport.
    ///
    /// # Errors
    /// When installation or a constructor fails.
    fn deploy_filmark(&self, from: &DevnetKey) -> Result<filmark_sdk::client::Deployment>;

    /// Mines `n` tipsets; returns the new head epoch.
    ///
    /// # Errors
    /// When mining fails.
    fn mine(&self, n: u64) -> Result<ChainEpoch>;

    /// The head epoch.
    ///
    /// # Errors
    /// When the chain cannot be read.
    fn epoch(&self) -> Result<ChainEpoch>;

    /// An address's balance (zero when it has no actor).
    ///
    /// # Errors
    /// When the chain cannot be read.
    fn balance(&self, addr: &Address) -> Result<TokenAmount>;

    /// The actor ID an address resolves to.
    ///
    /// # Errors
    /// When the chain cannot be read.
    fn lookup_id(&self, addr: &Address) -> Result<Option<ActorID>>;

    /// The f4 address of an actor, if it has one.
    ///
    /// # Errors
    /// When the chain cannot be read.
    fn delegated_address(&self, id: ActorID) -> Result<Option<Address>>;

    /// An actor's state root.
    ///
    /// # Errors
    /// [`Error::NotFound`] when there is no such actor.
    fn state_root(&self, addr: &Address) -> Result<Cid>;

    /// A block from the chain's store (state, HAMT nodes, ...).
    ///
    /// # Errors
    /// When the chain cannot be read.
    fn read_block(&self, cid: &Cid) -> Result<Option<Vec<u8>>>;

    /// Activates storage-market deals at the current epoch (a devnet control).
    ///
    /// # Errors
    /// When the market refuses.
    fn activate_deals(&self, ids: &[u64]) -> Result<()>;

    /// Terminates (slashes) storage-market deals at the current epoch (a devnet control).
    ///
    /// # Errors
    /// When the market refuses.
    fn terminate_deals(&self, ids: &[u64]) -> Result<()>;

    /// Calls the market's exported `SettleDealPayments` for `ids`, as anyone may (a third
    /// party, not the escrow), in a new tipset; returns the market's per-deal answer.
    ///
    /// # Errors
    /// When the market refuses the whole call.
    fn settle_deal_payments(
        &self,
        ids: &[u64],
    ) -> Result<filmark_devnet_actors::market::SettleDealPaymentsReturn>;

    /// Moves the chain `n` epochs ahead at once (null rounds, then one tipset at the new
    /// height); returns it.
    ///
    /// # Errors
    /// When `n` is 0 or the chain cannot move.
    fn advance_epochs(&self, n: u64) -> Result<ChainEpoch>;

    // ---- provided ----

    /// Sends `params` (CBOR) with no value and requires success.
    ///
    /// # Errors
    /// When the chain refuses the message or it exits non-zero ([`Error::Failed`]).
    fn invoke<P: Serialize>(
        &self,
        from: &DevnetKey,
        to: &Address,
        method: MethodNum,
        params: &P,
        what: &str,
    ) -> Result<Outcome>
    where
        Self: Sized,
    {
        self.send(from, to, TokenAmount::default(), method, serialize(params)?)?
            .ok(what)
    }

    /// A read-only call with `params` (CBOR) that must succeed, decoding its return value.
    ///
    /// # Errors
    /// When the call fails or its return value does not decode as `R`.
    fn view<P: Serialize, R: DeserializeOwned>(
        &self,
        from: &Address,
        to: &Address,
        method: MethodNum,
        params: &P,
        what: &str,
    ) -> Result<R>
    where
        Self: Sized,
    {
        self.call(from, to, method, serialize(params)?)?
            .ok(what)?
            .decode()
    }

    /// The events of an outcome as Ethereum logs, with the emitter's Ethereum address.
    ///
    /// # Errors
    /// When the chain cannot be read.
    fn eth_logs(&self, outcome: &Outcome) -> Result<Vec<EthLog>> {
        let mut logs = Vec::new();
        for stamped in &outcome.events {
            let Some((topics, data)) = filmark_actor_shared::events::decode_log(&stamped.event)
            else {
                continue;
            };
            let address = self
                .delegated_address(stamped.emitter)?
                .and_then(|a| filmark_actor_shared::abi::eth_address_from_f4(&a))
                .unwrap_or_else(|| filmark_actor_shared::abi::masked_id_address(stamped.emitter));
            logs.push(EthLog {
                address,
                topics,
                data,
            });
        }
        Ok(logs)
    }

    /// Loads an actor's state object.
    ///
    /// # Errors
    /// When the actor or its state is missing or does not decode.
    fn actor_state<S: DeserializeOwned>(&self, addr: &Address) -> Result<S>
    where
        Self: Sized,
    {
        let root = self.state_root(addr)?;
        let bytes = self
            .read_block(&root)?
            .ok_or_else(|| Error::NotFound(format!("state {root}")))?;
        fvm_ipld_encoding::from_slice(&bytes).map_err(|e| Error::Decode {
            what: format!("state of {addr}"),
            reason: e.to_string(),
        })
    }
}

/// CBOR-encodes message parameters.
///
/// # Errors
/// [`Error::Decode`] when the value cannot be encoded.
pub fn serialize<P: Serialize>(params: &P) -> Result<RawBytes> {
    RawBytes::serialize(params).map_err(|e| Error::Decode {
        what: std::any::type_name::<P>().to_owned(),
        reason: e.to_string(),
    })
}

/// A read-only blockstore over [`Chain::read_block`], to run `check_state_invariants` on the
/// real state.
#[derive(Debug)]
pub struct ChainStore<'a, C: Chain>(pub &'a C);

impl<C: Chain> Blockstore for ChainStore<'_, C> {
    fn get(&self, k: &Cid) -> anyhow::Result<Option<Vec<u8>>> {
        Ok(self.0.read_block(k)?)
    }

    fn put_keyed(&self, k: &Cid, _block: &[u8]) -> anyhow::Result<()> {
        anyhow::bail!("chain store is read-only (put {k})")
    }
}

/// Deploys Filmark with the SDK over `transport`, from `from` (an f1 key), on a runtime of its
/// own (the scenarios are synchronous).
///
/// # Errors
/// [`Error::Sdk`] when the deployment fails.
pub(crate) fn sdk_deploy<T: filmark_sdk::Transport>(
    transport: T,
    from: &DevnetKey,
) -> Result<filmark_sdk::client::Deployment> {
    let signer = filmark_sdk::Signer::f1(from.secp_key().clone());
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::Rpc(format!("starting a runtime: {e}")))?;
    Ok(rt.block_on(async {
        filmark_sdk::Client::connect(transport)
            .await?
            .deploy_filmark(
                &signer,
                filmark_actor_bundle::REGISTRY_WASM,
                filmark_actor_bundle::ESCROW_WASM,
            )
            .await
    })?)
}
