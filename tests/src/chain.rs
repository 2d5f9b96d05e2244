//! [`Chain`]: the scenarios' view of a devnet, a thin synchronous layer over the SDK. Messages
//! are sent, waited for and read through [`filmark_sdk::Client`] (and its
//! [`RegistryClient`] / [`EscrowClient`]) over a [`Transport`]; the devnet's controls (mine,
//! skip epochs, activate/terminate/settle deals) are the SDK's [`DevnetControls`]. The only
//! code per transport is how the devnet starts ([`crate::in_process`], [`crate::rpc`]).

use std::cell::{Cell, RefCell};

use cid::Cid;
use filmark_sdk::client::{Deployment, Emitted, Signer, is_abi_address};
use filmark_sdk::keys::SecpKey;
use filmark_sdk::transport::{DevnetControls, Lookup, Transport};
use filmark_sdk::{Client, EscrowClient, RegistryClient};
use fvm_ipld_blockstore::Blockstore;
use fvm_ipld_encoding::RawBytes;
use fvm_ipld_encoding::de::DeserializeOwned;
use fvm_shared::address::Address;
use fvm_shared::clock::ChainEpoch;
use fvm_shared::econ::TokenAmount;
use fvm_shared::error::ExitCode;
use fvm_shared::{ActorID, MethodNum};

/// Why a chain operation failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The in-process devnet refused or failed to start.
    #[error(transparent)]
    Devnet(#[from] filmark_devnet::Error),
    /// The SDK failed: the node refused, or an actor exited non-zero
    /// ([`filmark_sdk::Error::ActorFailed`], with its exit code).
    #[error(transparent)]
    Sdk(#[from] filmark_sdk::Error),
    /// The `filmark devnet` process could not be built, started or read.
    #[error("devnet process: {0}")]
    Process(String),
    /// A return value or state object did not decode.
    #[error("decoding {what}: {reason}")]
    Decode {
        /// What was decoded.
        what: String,
        /// Why it failed.
        reason: String,
    },
    /// Something the scenario needs is missing (an actor, a key, a block).
    #[error("not found: {0}")]
    NotFound(String),
}

/// The result type of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

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

/// Which implementation of Filmark [`Chain::filmark`] deploys.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Implementation {
    /// The Rust actors (wasm), created with init's `Exec`: reached at their f0 address.
    Native,
    /// The Solidity twins (`contracts/solidity/out`), created through the EAM: reached at
    /// their f410 address, through the ABI only.
    Twin,
}

/// Who the scenarios' users ([`Chain::user`]) are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Users {
    /// Prefunded f1 accounts: native (CBOR) messages to the actors, ABI calldata to a twin.
    F1,
    /// Prefunded f410 accounts: Solidity-ABI transactions (the SDK's ABI clients) to both.
    Eth,
}

/// Filmark's two contracts as the scenarios reach them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Filmark {
    /// The registry's address for the typed clients: the actor's f0, or the twin's f410.
    pub registry: Address,
    /// The escrow's address for the typed clients: the actor's f0, or the twin's f410.
    pub escrow: Address,
    /// The registry's actor id (its events' emitter).
    pub registry_id: ActorID,
    /// The escrow's actor id (its events' emitter, a deal's client).
    pub escrow_id: ActorID,
}

impl Filmark {
    /// Whether these are the native actors (their state can be read and checked).
    pub fn native(&self) -> bool {
        !is_abi_address(&self.registry)
    }
}

impl TryFrom<Deployment> for Filmark {
    type Error = Error;

    fn try_from(d: Deployment) -> Result<Self> {
        let id = |a: Address| {
            a.id()
                .map_err(|_| Error::NotFound(format!("{a} is not an id address")))
        };
        Ok(Self {
            registry: d.registry.id_address,
            escrow: d.escrow.id_address,
            registry_id: id(d.registry.id_address)?,
            escrow_id: id(d.escrow.id_address)?,
        })
    }
}

/// The prefunded key index that deploys (f1 for the actors, f410 for the twins); the users
/// take the lower ones.
const DEPLOYER: usize = 9;
/// In [`Users::Eth`], user `i` is the f410 account `i + ETH_USERS_FROM` (f410 0 and 1 are the
/// scenarios' own Ethereum accounts, [`Chain::eth`]).
const ETH_USERS_FROM: usize = 2;

/// What keeps a devnet alive while a [`Chain`] uses it (its handle, its process).
pub trait Node: std::fmt::Debug {}

/// A transport to a devnet: the SDK's [`Transport`] and [`DevnetControls`] (`HttpTransport`,
/// `filmark_devnet_rpc::InProcess`).
pub trait Backend: Transport + DevnetControls {}

impl<T: Transport + DevnetControls> Backend for T {}

/// A devnet reached through the SDK over transport `T`, with its prefunded keys.
///
/// Calls block on a runtime of the chain's own (the scenarios are synchronous). Fields drop in
/// order: the client before the node it talks to.
#[derive(Debug)]
pub struct Chain<T> {
    name: &'static str,
    client: Client<T>,
    rt: tokio::runtime::Runtime,
    f1: Vec<SecpKey>,
    eth: Vec<SecpKey>,
    deployment: Option<Filmark>,
    implementation: Cell<Implementation>,
    users: Cell<Users>,
    deployed: RefCell<Vec<Filmark>>,
    _node: Box<dyn Node>,
}

/// A CBOR value's decoding error.
fn decode_err<E: std::fmt::Display>(what: impl Into<String>) -> impl FnOnce(E) -> Error {
    let what = what.into();
    move |e| Error::Decode {
        what,
        reason: e.to_string(),
    }
}

impl<T: Backend> Chain<T> {
    /// A chain over `transport`, named `name` in reports, with the devnet's prefunded keys;
    /// `node` is kept alive as long as the chain.
    ///
    /// # Errors
    /// When no runtime starts or the node cannot be reached.
    pub fn new(
        name: &'static str,
        transport: T,
        f1: Vec<SecpKey>,
        eth: Vec<SecpKey>,
        node: Box<dyn Node>,
    ) -> Result<Self> {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| Error::Process(format!("starting a runtime: {e}")))?;
        let client = rt.block_on(Client::connect(transport))?;
        Ok(Self {
            name,
            client,
            rt,
            f1,
            eth,
            deployment: None,
            implementation: Cell::new(Implementation::Native),
            users: Cell::new(Users::F1),
            deployed: RefCell::new(Vec::new()),
            _node: node,
        })
    }

    /// Runs the scenarios against the contracts already at `deployment` (the actors, or
    /// contracts behind the same ABI at f410 addresses) instead of deploying
    /// ([`Chain::filmark`]).
    #[must_use]
    pub const fn with_deployment(mut self, deployment: Filmark) -> Self {
        self.deployment = Some(deployment);
        self
    }

    /// Makes [`Chain::filmark`] deploy `implementation` from now on.
    #[must_use]
    pub fn with(self, implementation: Implementation, users: Users) -> Self {
        self.set(implementation, users);
        self
    }

    /// Makes [`Chain::filmark`] deploy `implementation`, and [`Chain::user`] give `users`,
    /// from now on.
    pub fn set(&self, implementation: Implementation, users: Users) {
        self.implementation.set(implementation);
        self.users.set(users);
    }

    /// Every deployment [`Chain::filmark`] made or gave, in order (taken: the list is emptied).
    pub fn take_deployed(&self) -> Vec<Filmark> {
        self.deployed.take()
    }

    /// A short name for reports ("in-process", "rpc").
    pub const fn name(&self) -> &'static str {
        self.name
    }

    /// Runs `f` to completion on the chain's runtime.
    pub fn run<F: std::future::Future>(&self, f: F) -> F::Output {
        self.rt.block_on(f)
    }

    /// The SDK client.
    pub const fn client(&self) -> &Client<T> {
        &self.client
    }

    /// The `index`-th prefunded f1 account's key.
    ///
    /// # Errors
    /// [`Error::NotFound`] when genesis has fewer.
    pub fn f1_key(&self, index: usize) -> Result<SecpKey> {
        self.f1
            .get(index)
            .cloned()
            .ok_or_else(|| Error::NotFound(format!("f1 account {index}")))
    }

    /// The `index`-th prefunded f410 (Ethereum) account's key.
    ///
    /// # Errors
    /// [`Error::NotFound`] when genesis has fewer.
    pub fn eth_key(&self, index: usize) -> Result<SecpKey> {
        self.eth
            .get(index)
            .cloned()
            .ok_or_else(|| Error::NotFound(format!("f410 account {index}")))
    }

    /// A native (CBOR) signer of the `index`-th prefunded f1 account.
    ///
    /// # Errors
    /// As [`Chain::f1_key`].
    pub fn f1(&self, index: usize) -> Result<Signer> {
        Ok(Signer::f1(self.f1_key(index)?))
    }

    /// A Solidity-ABI signer of the `index`-th prefunded f410 account.
    ///
    /// # Errors
    /// As [`Chain::eth_key`].
    pub fn eth(&self, index: usize) -> Result<Signer> {
        Ok(Signer::eth(self.eth_key(index)?))
    }

    /// The scenarios' user `index` (a client, sponsor, keeper, owner): the f1 account `index`
    /// ([`Users::F1`]), or an f410 account ([`Users::Eth`]) whose messages are ABI calls.
    /// Storage providers stay f1 accounts ([`Chain::f1`]): the market has no ABI.
    ///
    /// # Errors
    /// When genesis has too few accounts.
    pub fn user(&self, index: usize) -> Result<Signer> {
        match self.users.get() {
            Users::F1 => self.f1(index),
            Users::Eth => self.eth(index + ETH_USERS_FROM),
        }
    }

    /// Filmark: the deployment given ([`Chain::with_deployment`]), or a new one of the
    /// chain's [`Implementation`] (native actors by f1 account 9, twins by f410 account 9).
    ///
    /// # Errors
    /// When the deployment fails.
    pub fn filmark(&self) -> Result<Filmark> {
        let fm = match (self.deployment, self.implementation.get()) {
            (Some(d), _) => d,
            (None, Implementation::Native) => {
                Filmark::try_from(self.run(self.client.deploy_filmark(
                    &self.f1(DEPLOYER)?,
                    filmark_actor_bundle::REGISTRY_WASM,
                    filmark_actor_bundle::ESCROW_WASM,
                ))?)?
            }
            (None, Implementation::Twin) => self.deploy_twins()?,
        };
        self.deployed.borrow_mut().push(fm);
        Ok(fm)
    }

    /// Deploys the Solidity twins from f410 account [`DEPLOYER`]: the escrow, then the
    /// registry reading it.
    fn deploy_twins(&self) -> Result<Filmark> {
        let deployer = self.eth(DEPLOYER)?;
        let escrow = self.run(
            self.client
                .deploy_contract(&deployer, &twin_initcode("FilmarkEscrow")?),
        )?;
        let mut registry_code = twin_initcode("FilmarkRegistry")?;
        registry_code.extend_from_slice(&[0; 12]);
        registry_code.extend_from_slice(escrow.eth_address.as_slice());
        let registry = self.run(self.client.deploy_contract(&deployer, &registry_code))?;
        Ok(Filmark {
            registry: registry.address,
            escrow: escrow.address,
            registry_id: registry.id_address.id().unwrap_or_default(),
            escrow_id: escrow.id_address.id().unwrap_or_default(),
        })
    }

    /// The registry at `address`.
    pub const fn registry(&self, address: Address) -> RegistryClient<'_, T> {
        self.client.registry(address)
    }

    /// The escrow at `address`.
    pub const fn escrow(&self, address: Address) -> EscrowClient<'_, T> {
        self.client.escrow(address)
    }

    /// Sends a message and waits for it ([`Client::send`]); an actor failure is
    /// [`filmark_sdk::Error::ActorFailed`].
    ///
    /// # Errors
    /// The SDK's.
    pub fn send(
        &self,
        from: &Signer,
        to: Address,
        value: TokenAmount,
        method: MethodNum,
        params: RawBytes,
        what: &str,
    ) -> Result<Lookup> {
        Ok(self.run(self.client.send(from, to, value, method, params, what))?)
    }

    /// Sends CBOR `params` with no value ([`Chain::send`]).
    ///
    /// # Errors
    /// As [`Chain::send`]; params that do not encode.
    pub fn invoke<P: fvm_ipld_encoding::ser::Serialize>(
        &self,
        from: &Signer,
        to: Address,
        method: MethodNum,
        params: &P,
        what: &str,
    ) -> Result<Lookup> {
        let params = RawBytes::serialize(params).map_err(decode_err(what))?;
        self.send(from, to, TokenAmount::default(), method, params, what)
    }

    /// The head epoch.
    ///
    /// # Errors
    /// The transport's.
    pub fn epoch(&self) -> Result<ChainEpoch> {
        Ok(self.run(self.client.transport().head_height())?)
    }

    /// An address's balance (zero when it has no actor).
    ///
    /// # Errors
    /// The transport's.
    pub fn balance(&self, addr: &Address) -> Result<TokenAmount> {
        Ok(self.run(self.client.transport().balance(addr))?)
    }

    /// The actor id an address resolves to.
    ///
    /// # Errors
    /// The transport's.
    pub fn lookup_id(&self, addr: &Address) -> Result<Option<ActorID>> {
        Ok(self.run(self.client.transport().lookup_id(addr))?)
    }

    /// The f4 address of an actor, if it has one.
    ///
    /// # Errors
    /// The transport's.
    pub fn delegated_address(&self, id: ActorID) -> Result<Option<Address>> {
        let actor = self.run(self.client.transport().actor(&Address::new_id(id)))?;
        Ok(actor.and_then(|a| a.delegated_address))
    }

    /// A block of the chain's store.
    ///
    /// # Errors
    /// The transport's.
    pub fn read_block(&self, cid: &Cid) -> Result<Option<Vec<u8>>> {
        Ok(self.run(self.client.transport().read_obj(cid))?)
    }

    /// Loads an actor's state object.
    ///
    /// # Errors
    /// When the actor or its state is missing or does not decode.
    pub fn actor_state<S: DeserializeOwned>(&self, addr: &Address) -> Result<S> {
        let actor = self
            .run(self.client.transport().actor(addr))?
            .ok_or_else(|| Error::NotFound(format!("actor {addr}")))?;
        let bytes = self
            .read_block(&actor.head)?
            .ok_or_else(|| Error::NotFound(format!("state {}", actor.head)))?;
        fvm_ipld_encoding::from_slice(&bytes).map_err(decode_err(format!("state of {addr}")))
    }

    /// Mines `n` tipsets; the new head epoch.
    ///
    /// # Errors
    /// The devnet's.
    pub fn mine(&self, n: u64) -> Result<ChainEpoch> {
        Ok(self.run(self.client.transport().mine(n))?)
    }

    /// Moves the chain `n` epochs ahead at once; the new head epoch.
    ///
    /// # Errors
    /// The devnet's; `n` of 0.
    pub fn advance_epochs(&self, n: u64) -> Result<ChainEpoch> {
        Ok(self.run(self.client.transport().advance_epochs(n))?)
    }

    /// Activates storage-market deals at the current epoch.
    ///
    /// # Errors
    /// When the market refuses.
    pub fn activate_deals(&self, ids: &[u64]) -> Result<()> {
        self.run(self.client.transport().activate_deals(ids))?;
        Ok(())
    }

    /// Terminates (slashes) storage-market deals at the current epoch.
    ///
    /// # Errors
    /// When the market refuses.
    pub fn terminate_deals(&self, ids: &[u64]) -> Result<()> {
        self.run(self.client.transport().terminate_deals(ids))?;
        Ok(())
    }

    /// The market's `SettleDealPayments` for `ids`, sent by a third party in a new tipset.
    ///
    /// # Errors
    /// When the market refuses the whole call.
    pub fn settle_deal_payments(
        &self,
        ids: &[u64],
    ) -> Result<filmark_devnet_actors::market::SettleDealPaymentsReturn> {
        let ret = self.run(self.client.transport().settle_deal_payments(ids))?;
        ret.deserialize()
            .map_err(decode_err("SettleDealPaymentsReturn"))
    }

    /// Filmark's events a message emitted, typed.
    ///
    /// # Errors
    /// The transport's.
    pub fn events(&self, lookup: &Lookup) -> Result<Vec<Emitted>> {
        Ok(self.run(self.client.filmark_events(lookup))?)
    }

    /// The events of a message as Ethereum logs, with the emitter's Ethereum address.
    ///
    /// # Errors
    /// The transport's.
    pub fn eth_logs(&self, lookup: &Lookup) -> Result<Vec<EthLog>> {
        let mut logs = Vec::new();
        for stamped in self.run(self.client.events(lookup))? {
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
}

/// A twin's creation bytecode, from solc-js's output committed in `contracts/solidity/out`.
///
/// # Errors
/// [`Error::NotFound`] when the file is missing; [`Error::Decode`] when it does not parse.
pub fn twin_initcode(contract: &str) -> Result<Vec<u8>> {
    let path = format!(
        "{}/../contracts/solidity/out/{contract}.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(&path).map_err(|e| {
        Error::NotFound(format!("{path}: {e} (npm run build in contracts/solidity)"))
    })?;
    let json: serde_json::Value = serde_json::from_str(&text).map_err(decode_err(&path))?;
    let code = json["bytecode"]
        .as_str()
        .ok_or_else(|| Error::NotFound(format!("{path}: no bytecode")))?;
    hex::decode(code.trim_start_matches("0x")).map_err(decode_err(&path))
}

/// The exit code of a message that may be refused: [`ExitCode::OK`] for success, the actor's
/// exit code for an actor failure ([`filmark_sdk::Error::ActorFailed`]).
///
/// # Errors
/// Any other error.
pub fn exit_code<R, E: Into<Error>>(r: std::result::Result<R, E>) -> Result<ExitCode> {
    match r.map_err(Into::into) {
        Ok(_) => Ok(ExitCode::OK),
        Err(Error::Sdk(filmark_sdk::Error::ActorFailed { exit_code, .. })) => Ok(exit_code),
        Err(e) => Err(e),
    }
}

/// A read-only blockstore over [`Chain::read_block`], to run `check_state_invariants` on the
/// real state.
#[derive(Debug)]
pub struct ChainStore<'a, T>(pub &'a Chain<T>);

impl<T: Backend> Blockstore for ChainStore<'_, T> {
    fn get(&self, k: &Cid) -> anyhow::Result<Option<Vec<u8>>> {
        Ok(self.0.read_block(k)?)
    }

    fn put_keyed(&self, k: &Cid, _block: &[u8]) -> anyhow::Result<()> {
        anyhow::bail!("chain store is read-only (put {k})")
    }
}

/// Decodes a CBOR value the scenarios got back.
///
/// # Errors
/// [`Error::Decode`].
pub fn decode<R: DeserializeOwned>(data: &RawBytes, what: &str) -> Result<R> {
    data.deserialize().map_err(decode_err(what))
}
