//! The thread-safe devnet handle and its API.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::thread::JoinHandle;

use cid::Cid;
use filmark_devnet_actors::init;
use fvm_ipld_encoding::RawBytes;
use fvm_shared::address::Address;
use fvm_shared::clock::ChainEpoch;
use fvm_shared::econ::TokenAmount;
use fvm_shared::message::Message;
use fvm_shared::state::ActorState;
use fvm_shared::{ActorID, MethodNum};
use rayon::iter::{IntoParallelIterator, ParallelIterator};

use crate::chain::{MessageLookup, MessageRecord, Tipset, TipsetRef};
use crate::config::{DevnetConfig, Mining};
use crate::genesis::{GenesisAccount, INIT_ACTOR_ID};
use crate::index::{Log, LogFilter};
use crate::keys::{DevnetKey, KeyKind};
use crate::node::{CallAt, CallResult, ImplicitCall, Node};
use crate::store::Store;
use crate::verified::VerifiedMessage;
use crate::{Error, Result};
use filmark_sdk::keys::SignedMessage;

/// Gas premium the convenience senders offer, in attoFIL.
const GAS_PREMIUM_ATTO: u64 = 100;

/// A running devnet. Cheap to clone, `Send + Sync`: every clone drives the same chain, so an RPC
/// layer can serve it from many tasks. Obtained from a [`DevnetHandle`].
///
/// Roles: the node (chain store, records, indexes, pool) is behind a read/write lock that is only
/// written for short, infallible steps (a push's pool update, a tipset's commit); the miner
/// builds a tipset (FVM execution) and writes it to a persistent store holding only the miner's
/// own mutex, so reads (`head`, `balance`, `lookup`, `logs`, `call`, ...) never wait for mining;
/// new heads are broadcast to [`Devnet::subscribe_heads`].
#[derive(Debug, Clone)]
pub struct Devnet {
    node: Arc<RwLock<Node>>,
    /// Held while a tipset is mined, and by the controls that change what mining reads
    /// (revert, snapshot, schedule): one change of the chain at a time.
    miner: Arc<Mutex<()>>,
    heads: Heads,
    chain_id: u64,
    /// The simulated providers' records ([`Devnet::provider`]).
    pub(crate) providers: Arc<crate::provider::Book>,
}

/// Owns a devnet's background miner (with [`Mining::Interval`]) and stops it on drop. Derefs to
/// [`Devnet`].
#[derive(Debug)]
pub struct DevnetHandle {
    devnet: Devnet,
    stop: Arc<AtomicBool>,
    miner: Option<JoinHandle<()>>,
}

impl std::ops::Deref for DevnetHandle {
    type Target = Devnet;

    fn deref(&self) -> &Devnet {
        &self.devnet
    }
}

impl Drop for DevnetHandle {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(miner) = self.miner.take() {
            miner.thread().unpark();
            let _ = miner.join();
        }
    }
}

impl DevnetHandle {
    /// A clone of the devnet (it keeps working after this handle drops, without background mining).
    pub fn devnet(&self) -> Devnet {
        self.devnet.clone()
    }
}

/// What [`Devnet::deploy`] created.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Deployed {
    /// The code CID (IPLD raw, blake2b-256).
    pub code_cid: Cid,
    /// The new actor's f0 address.
    pub id_address: Address,
    /// Its robust f2 address.
    pub robust_address: Address,
    /// The Exec message's CID.
    pub message: Cid,
}

/// The devnet's builtin actors for `config`: init with the user-wasm extension on or off.
fn builtin_actors(config: &DevnetConfig) -> &'static [(&'static str, &'static [u8])] {
    if config.user_wasm {
        filmark_devnet_bundle::BUILTIN_ACTORS
    } else {
        filmark_devnet_bundle::BUILTIN_ACTORS_MAINNET
    }
}

impl Devnet {
    /// Starts a devnet with its builtin actors (from `filmark-devnet-bundle`, with init's
    /// user-wasm extension on or off as [`DevnetConfig::user_wasm`] says): in memory, or on
    /// [`DevnetConfig::data_dir`], where it resumes the chain it finds.
    ///
    /// # Errors
    ///
    /// Fails if genesis or the FVM engine cannot be built; [`Error::DataDir`] if the data
    /// directory holds something else than this devnet's chain.
    pub fn spawn(config: DevnetConfig) -> Result<DevnetHandle> {
        let builtins = builtin_actors(&config);
        Self::spawn_with_actors(config, builtins)
    }

    /// Starts a devnet with the given builtin actors: `(manifest name, wasm)` pairs, which must
    /// include system, init, account, placeholder, eam and ethaccount.
    ///
    /// # Errors
    ///
    /// Fails if a required actor is missing, or genesis or the FVM engine cannot be built.
    pub fn spawn_with_actors(
        config: DevnetConfig,
        builtins: &[(&str, &[u8])],
    ) -> Result<DevnetHandle> {
        let store = match &config.data_dir {
            Some(dir) => Store::new(std::sync::Arc::new(crate::RedbKv::open(dir)?)),
            None => Store::memory(),
        };
        Self::start(config, builtins, store)
    }

    /// Starts a devnet with Filmark's builtin actors on `store` (any [`crate::KvStore`]; e.g. one
    /// that injects failures, to test that a failed tipset changes nothing). The store decides
    /// persistence ([`DevnetConfig::data_dir`] is not read).
    ///
    /// # Errors
    ///
    /// Fails if genesis or the FVM engine cannot be built (a store failure among them).
    pub fn spawn_with_store(config: DevnetConfig, store: Store) -> Result<DevnetHandle> {
        let builtins = builtin_actors(&config);
        Self::start(config, builtins, store)
    }

    fn start(
        config: DevnetConfig,
        builtins: &[(&str, &[u8])],
        store: Store,
    ) -> Result<DevnetHandle> {
        let verbose = config.verbose;
        let mining = config.mining;
        let node = Node::new(config, builtins, store)?;
        if verbose {
            for a in &node.accounts {
                tracing::info!(address = %a.address(), id = a.id, secret = %hex::encode(a.key.secp_key().secret_bytes()), "account");
            }
        }
        let devnet = Self {
            chain_id: node.config.chain_id,
            node: Arc::new(RwLock::new(node)),
            miner: Arc::default(),
            heads: Heads::default(),
            providers: Arc::default(),
        };
        let stop = Arc::new(AtomicBool::new(false));
        let miner = match mining {
            Mining::Interval(every) => Some(spawn_miner(devnet.clone(), stop.clone(), every)?),
            _ => None,
        };
        Ok(DevnetHandle {
            devnet,
            stop,
            miner,
        })
    }

    /// The configuration the devnet started with (and [`Devnet::set_gas_tracing`] since).
    pub fn config(&self) -> DevnetConfig {
        self.read().config.clone()
    }

    /// Turns the per-message gas breakdown ([`crate::GasBreakdown`]) on or off for the messages
    /// and calls executed from now on: `MessageRecord::gas_trace` and `CallResult::gas_trace`
    /// are `Some` for those. Tracing costs execution time, not gas.
    pub fn set_gas_tracing(&self, on: bool) {
        self.write().config.gas_tracing = on;
    }

    /// The chain id.
    pub const fn chain_id(&self) -> u64 {
        self.chain_id
    }

    /// The base fee messages pay.
    pub fn base_fee(&self) -> TokenAmount {
        self.read().base_fee().clone()
    }

    /// All prefunded accounts: the f1 ones first, then the f410 ones.
    pub fn accounts(&self) -> Vec<GenesisAccount> {
        self.read().accounts.clone()
    }

    /// The `index`-th prefunded account of `kind`.
    ///
    /// # Errors
    ///
    /// [`Error::NotFound`] if genesis has fewer such accounts.
    pub fn account(&self, kind: KeyKind, index: usize) -> Result<GenesisAccount> {
        self.read()
            .accounts
            .iter()
            .filter(|a| a.key.kind() == kind)
            .nth(index)
            .cloned()
            .ok_or_else(|| Error::NotFound(format!("{kind:?} account {index}")))
    }

    /// The blockstore holding every block of the chain and state (load actor state from it).
    pub fn store(&self) -> Store {
        self.read().store.clone()
    }

    /// The head tipset.
    pub fn head(&self) -> Tipset {
        self.read().head().clone()
    }

    /// The tipset whose Ethereum block hash ([`Tipset::eth_block_hash`]) is `hash` (what
    /// `eth_getBlockByHash` looks up; by number, [`Devnet::tipset`] at a height). O(1).
    ///
    /// # Errors
    ///
    /// [`Error::UnknownTipset`] if no tipset of the chain has that hash.
    pub fn tipset_by_eth_hash(&self, hash: &[u8; 32]) -> Result<Tipset> {
        self.read().tipset_by_eth_hash(hash).cloned()
    }

    /// A tipset by height or key.
    ///
    /// # Errors
    ///
    /// [`Error::UnknownTipset`] if the chain has none there.
    pub fn tipset(&self, at: TipsetRef) -> Result<Tipset> {
        self.read().tipset(at).cloned()
    }

    /// The actor at `address` in the state after executing tipset `at`, with its id.
    ///
    /// # Errors
    ///
    /// Fails on an unknown tipset or a broken store.
    pub fn actor(&self, address: &Address, at: TipsetRef) -> Result<Option<(ActorID, ActorState)>> {
        self.read().actor(address, at)
    }

    /// The id `address` resolves to at `at`.
    ///
    /// # Errors
    ///
    /// Fails on an unknown tipset or a broken store.
    pub fn lookup_id(&self, address: &Address, at: TipsetRef) -> Result<Option<ActorID>> {
        self.read().lookup_id(address, at)
    }

    /// The balance of `address` at `at` (zero if it has no actor).
    ///
    /// # Errors
    ///
    /// Fails on an unknown tipset or a broken store.
    pub fn balance(&self, address: &Address, at: TipsetRef) -> Result<TokenAmount> {
        Ok(self
            .actor(address, at)?
            .map(|(_, a)| a.balance)
            .unwrap_or_default())
    }

    /// The actor's sequence at `at` (its next nonce on chain).
    ///
    /// # Errors
    ///
    /// Fails on an unknown tipset or a broken store.
    pub fn sequence(&self, address: &Address, at: TipsetRef) -> Result<u64> {
        Ok(self.actor(address, at)?.map_or(0, |(_, a)| a.sequence))
    }

    /// The nonce the sender's next pushed message needs: its head sequence plus its pending
    /// messages (Lotus' `MpoolGetNonce`).
    ///
    /// # Errors
    ///
    /// Fails on a broken store.
    pub fn next_nonce(&self, address: &Address) -> Result<u64> {
        self.read().next_nonce(address)
    }

    /// The root of the actor's state at `at` (load it with [`Devnet::store`]).
    ///
    /// # Errors
    ///
    /// [`Error::NotFound`] if there is no actor at `address`.
    pub fn state_root(&self, address: &Address, at: TipsetRef) -> Result<Cid> {
        self.actor(address, at)?
            .map(|(_, a)| a.state)
            .ok_or_else(|| Error::NotFound(format!("actor {address}")))
    }

    /// Checks `signed` (signature, nonce, balance, limits) and queues it; with instant mining a
    /// tipset holding it is mined before this returns. A nonce up to
    /// [`crate::POOL_MAX_NONCE_GAP`] ahead of the sender's next waits, unmined, until the gap
    /// fills ([`Devnet::queued`]); further ahead it is refused ([`Error::NonceGap`]).
    ///
    /// # Errors
    ///
    /// A refusal ([`Error::is_refusal`]) leaves the devnet unchanged; a fatal FVM error while
    /// mining is [`Error::Fvm`].
    pub fn push(&self, signed: SignedMessage) -> Result<Cid> {
        self.push_verified(VerifiedMessage::verify(signed, self.chain_id)?)
    }

    /// Pushes a batch, in order; with instant mining one tipset is mined for all accepted
    /// messages (more if their gas limits exceed a block). Each message gets its own result.
    /// Signatures are verified in parallel, before the node is locked.
    ///
    /// # Errors
    ///
    /// A fatal FVM error while mining.
    pub fn push_many(&self, batch: Vec<SignedMessage>) -> Result<Vec<Result<Cid>>> {
        let chain_id = self.chain_id;
        let verified: Vec<Result<VerifiedMessage>> = batch
            .into_par_iter()
            .map(|m| VerifiedMessage::verify(m, chain_id))
            .collect();
        self.push_checked(verified)
    }

    /// How many messages wait in the pool.
    pub fn pending(&self) -> usize {
        self.read().pool.len()
    }

    /// Why the background miner's last tipset failed, if it did (cleared by the next tipset
    /// mined). A failed tipset changes nothing: its messages stay pending and the miner retries.
    pub fn mining_error(&self) -> Option<String> {
        self.read().mining_error.clone()
    }

    /// The CIDs of the messages waiting in the pool, in the order they were accepted.
    pub fn pending_messages(&self) -> Vec<Cid> {
        self.read().pool.cids()
    }

    /// The signed messages waiting in the pool, in the order they were accepted (Lotus'
    /// `MpoolPending`).
    pub fn pending_signed(&self) -> Vec<SignedMessage> {
        self.read().pool.signed()
    }

    /// Where an executed message landed, with its receipt and events.
    ///
    /// # Errors
    ///
    /// [`Error::UnknownMessage`] if it has not been mined (yet).
    pub fn lookup(&self, cid: &Cid) -> Result<MessageLookup> {
        self.read().lookup(cid)
    }

    /// Where the message with this Ethereum transaction hash landed (what `eth_getTransaction*`
    /// look up): the keccak hash of the signed transaction for an f410 sender, the digest inside
    /// the signed message's CID for an f1 sender (Lotus' `ethTxHashFromSignedMessage`). O(1).
    ///
    /// # Errors
    ///
    /// [`Error::NotFound`] if no executed message has that hash.
    pub fn lookup_eth_tx(&self, hash: &[u8; 32]) -> Result<MessageLookup> {
        let node = self.read();
        let not_found = || Error::NotFound(format!("transaction 0x{}", hex::encode(hash)));
        let cid = node.message_by_eth_hash(hash)?.ok_or_else(not_found)?;
        // On disk the index is written just before the tipset commits in memory.
        node.lookup(&cid).map_err(|e| match e {
            Error::UnknownMessage(_) => not_found(),
            e => e,
        })
    }

    /// The logs (events) `filter` selects, in chain order (what `eth_getLogs` needs), found
    /// through indexes by emitter and topic: the cost grows with the matches in the range, not
    /// with the chain.
    pub fn logs(&self, filter: &LogFilter) -> Vec<Log> {
        let node = self.read();
        node.indexes
            .candidates(filter)
            .into_iter()
            .filter_map(|r| {
                let event = node
                    .record_of(&r.message)
                    .ok()
                    .flatten()?
                    .events
                    .get(r.index)?
                    .clone();
                crate::index::Indexes::matches(filter, &event).then_some(Log {
                    height: r.height,
                    message: r.message,
                    index: r.index,
                    event,
                })
            })
            .collect()
    }

    /// Mines `n` tipsets with whatever is pending (empty ones once the pool is drained); returns
    /// the new head.
    ///
    /// # Errors
    ///
    /// A fatal FVM error.
    pub fn mine(&self, n: u64) -> Result<Tipset> {
        for _ in 0..n {
            self.mine_by(1, &[])?;
        }
        Ok(self.head())
    }

    /// Records the devnet as it is (Anvil's `evm_snapshot`): head, records, pool, schedule,
    /// base fee. Returns an id for [`Devnet::revert`]; take as many as needed.
    pub fn snapshot(&self) -> u64 {
        let _miner = self.mining();
        self.write().snapshot()
    }

    /// Puts the devnet back as it was at snapshot `id` (Anvil's `evm_revert`): tipsets mined
    /// since are gone with their records, the pool is as it was. That snapshot and every later
    /// one are used up; earlier ones stay usable.
    ///
    /// # Errors
    ///
    /// [`Error::NotFound`] for an unknown or used-up snapshot.
    pub fn revert(&self, id: u64) -> Result<()> {
        let _miner = self.mining();
        let head = {
            let mut node = self.write();
            node.revert(id)?;
            node.head().clone()
        };
        self.heads.publish(&head);
        Ok(())
    }

    /// Advances the chain by `epochs` at once: the next tipset (with whatever is pending) is
    /// mined at the head's height + `epochs`, and the epochs in between are null rounds, as in
    /// Filecoin, with no tipset. System calls scheduled for those epochs run at the start of that
    /// tipset, in epoch order; the per-tipset calls (the market cron) run once, at its epoch
    /// (the cron settles every live deal up to the current epoch). A 180-day deal term
    /// (518,400 epochs) passes in one tipset. Returns the new head.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidMessage`] if `epochs` is 0; a fatal FVM error.
    pub fn advance_epochs(&self, epochs: u64) -> Result<Tipset> {
        self.mine_by(epochs, &[])?;
        Ok(self.head())
    }

    /// Applies `message` on the head state without committing anything (Lotus' `StateCall`):
    /// no signature, nonce or gas payment; its gas limit is capped at a block's
    /// ([`crate::BLOCK_GAS_LIMIT`]), and a zero gas limit means a block's. It runs on a snapshot
    /// of the head without the devnet's lock: reads, pushes and mining go on meanwhile.
    ///
    /// # Errors
    ///
    /// [`Error::CallTimeout`] past [`DevnetConfig::call_timeout`]; a fatal FVM error; an actor
    /// failure is an exit code in the result.
    pub fn call(&self, message: Message) -> Result<CallResult> {
        self.call_with(message, CallAt::After(TipsetRef::Head), false)
    }

    /// A read-only call of `method` on `to` from `from`.
    ///
    /// # Errors
    ///
    /// As [`Devnet::call`].
    pub fn call_method(
        &self,
        from: Address,
        to: Address,
        method: MethodNum,
        params: RawBytes,
    ) -> Result<CallResult> {
        self.call(Message {
            version: 0,
            from,
            to,
            sequence: 0,
            value: TokenAmount::default(),
            method_num: method,
            params,
            gas_limit: 0,
            gas_fee_cap: TokenAmount::default(),
            gas_premium: TokenAmount::default(),
        })
    }

    /// An unsigned message from `from` with its next nonce and a gas limit estimated by a
    /// read-only run (plus inclusion gas and 25 %).
    ///
    /// # Errors
    ///
    /// A fatal FVM error during the estimate.
    pub fn prepare(
        &self,
        from: Address,
        to: Address,
        value: TokenAmount,
        method: MethodNum,
        params: RawBytes,
    ) -> Result<Message> {
        let (sequence, base_fee, snapshot, network_version) = {
            let node = self.read();
            (
                node.next_nonce(&from)?,
                node.base_fee().clone(),
                node.call_snapshot(),
                node.config.network_version,
            )
        };
        let mut message = Message {
            version: 0,
            from,
            to,
            sequence,
            value,
            method_num: method,
            params,
            gas_limit: 0,
            gas_fee_cap: TokenAmount::default(),
            gas_premium: TokenAmount::from_atto(GAS_PREMIUM_ATTO),
        };
        // The run is implicit, so it does not charge what including the message costs (the
        // price list's `OnChainMessage`, proportional to its size): add that for the signed
        // message, then a 25% margin.
        let execution = snapshot.run(message.clone())?.receipt.gas_used;
        message.gas_limit = calls::gas_limit(&message, execution, network_version)?;
        message.gas_fee_cap = base_fee * 2 + &message.gas_premium;
        Ok(message)
    }

    /// Signs `message` with `key` (secp256k1 for an f1, an EIP-1559 transaction for an f410)
    /// and pushes it.
    ///
    /// # Errors
    ///
    /// As [`DevnetKey::sign`] and [`Devnet::push`].
    pub fn sign_and_push(&self, key: &DevnetKey, message: Message) -> Result<Cid> {
        let chain_id = self.chain_id();
        self.push(key.sign(message, chain_id)?)
    }

    /// Sends a message from a prefunded (or any funded f1 or f410) key and waits for it: prepares,
    /// signs, pushes, and returns where it landed. On a manual devnet it mines the tipsets that
    /// take it (that is what sending there asks for); on an interval devnet it waits for the
    /// background miner ([`Devnet::wait`]).
    ///
    /// An f1 key can send any method. An f410 key signs an EIP-1559 transaction, which carries
    /// only `InvokeEVM` (3844450837; a value transfer too) to an actor, or `CreateExternal` to
    /// the EAM: any other method, `METHOD_SEND` among them, is refused with [`Error::Key`].
    ///
    /// # Errors
    ///
    /// A refusal or fatal error; an actor failure is an exit code in the receipt.
    pub fn send(
        &self,
        key: &DevnetKey,
        to: Address,
        value: TokenAmount,
        method: MethodNum,
        params: RawBytes,
    ) -> Result<MessageLookup> {
        let message = self.prepare(key.address(), to, value, method, params)?;
        let cid = self.sign_and_push(key, message)?;
        if self.read().config.mining == Mining::Manual {
            while self.read().pool.contains(&cid) {
                self.mine_by(1, &[])?;
            }
        }
        self.wait(&cid)
    }

    /// The message's lookup once it is executed.
    ///
    /// It mines only on an instantly mining devnet (a message left pending there, e.g. by a full
    /// tipset). On a manual or interval devnet it waits, without holding the devnet's lock, for
    /// the tipset that executes it: there, another thread (or the background miner) mines.
    ///
    /// # Errors
    ///
    /// [`Error::UnknownMessage`] at once if the message is neither executed nor pending (or
    /// leaves the pool without being included); a fatal FVM error while mining.
    pub fn wait(&self, cid: &Cid) -> Result<MessageLookup> {
        // Subscribed before looking, so no head is missed in between.
        let heads = self.subscribe_heads();
        loop {
            let instant = {
                let node = self.read();
                match node.lookup(cid) {
                    Err(Error::UnknownMessage(_)) if node.pool.contains(cid) => {}
                    other => return other,
                }
                node.config.mining == Mining::Instant
            };
            if instant {
                self.mine_by(1, &[])?;
            } else if heads.recv().is_err() {
                return Err(Error::UnknownMessage(*cid));
            }
        }
    }

    /// Stores and compiles wasm code, returning its code CID (no message: the devnet's
    /// shortcut for Lotus' `InstallCode`, which also works through init method 4).
    ///
    /// # Errors
    ///
    /// [`Error::InvalidMessage`] if the user-wasm extension is off
    /// ([`DevnetConfig::user_wasm`]); fails if the module does not compile for the FVM.
    pub fn install_code(&self, wasm: &[u8]) -> Result<Cid> {
        let node = self.read();
        if !node.config.user_wasm {
            return Err(Error::InvalidMessage(init::NO_USER_WASM_MESSAGE.into()));
        }
        node.install_code(wasm)
    }

    /// Installs `wasm` and creates an actor of it through init's `Exec`, sent by `key` with
    /// `constructor_params`; returns the f0 and f2 addresses.
    ///
    /// # Errors
    ///
    /// [`Error::ImplicitFailed`] with init's exit code and message when the `Exec` fails on
    /// chain (the constructor's failure among them); refusals and fatal errors as for
    /// [`Devnet::send`]; [`Error::Fvm`] when the module does not compile ([`Devnet::install_code`]).
    pub fn deploy(
        &self,
        key: &DevnetKey,
        wasm: &[u8],
        constructor_params: RawBytes,
    ) -> Result<Deployed> {
        let code_cid = self.install_code(wasm)?;
        let params = RawBytes::serialize(init::ExecParams {
            code_cid,
            constructor_params,
        })?;
        let lookup = self.send(
            key,
            Address::new_id(INIT_ACTOR_ID),
            TokenAmount::default(),
            init::Method::Exec.number(),
            params,
        )?;
        let receipt = &lookup.record.receipt;
        if !receipt.exit_code.is_success() {
            return Err(Error::ImplicitFailed {
                what: format!("exec of {code_cid}"),
                exit_code: receipt.exit_code,
                info: lookup.record.failure.unwrap_or_default(),
            });
        }
        let ret: init::ExecReturn = receipt.return_data.deserialize()?;
        Ok(Deployed {
            code_cid,
            id_address: ret.id_address,
            robust_address: ret.robust_address,
            message: lookup.record.cid,
        })
    }

    /// Sends an implicit message from the system actor (f00) now: mines a tipset holding it.
    ///
    /// # Errors
    ///
    /// [`Error::ImplicitFailed`] if it exits non-zero; a fatal FVM error.
    pub fn system_call(
        &self,
        to: Address,
        method: MethodNum,
        params: RawBytes,
        what: &str,
    ) -> Result<MessageRecord> {
        let call = ImplicitCall {
            to,
            method,
            params,
            what: what.to_owned(),
        };
        let mut records = self.mine_by(1, std::slice::from_ref(&call))?;
        let record = records
            .pop()
            .ok_or_else(|| Error::NotFound("implicit record".into()))?;
        if record.receipt.exit_code.is_success() {
            Ok(record)
        } else {
            Err(Error::ImplicitFailed {
                what: call.what,
                exit_code: record.receipt.exit_code,
                info: record.failure.unwrap_or_default(),
            })
        }
    }

    /// Schedules an implicit message from the system actor at the start of tipset `epoch`.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidMessage`] if `epoch` is not after the head.
    pub fn schedule_system_call(
        &self,
        epoch: ChainEpoch,
        to: Address,
        method: MethodNum,
        params: RawBytes,
        what: &str,
    ) -> Result<()> {
        let _miner = self.mining();
        self.write().schedule(
            epoch,
            ImplicitCall {
                to,
                method,
                params,
                what: what.to_owned(),
            },
        )
    }

    /// Sends this implicit message from the system actor at the end of every tipset (a cron).
    pub fn every_tipset(&self, to: Address, method: MethodNum, params: RawBytes, what: &str) {
        let _miner = self.mining();
        self.write().every_tipset.push(ImplicitCall {
            to,
            method,
            params,
            what: what.to_owned(),
        });
    }
}

#[path = "devnet_roles.rs"]
mod roles;
use roles::{Heads, spawn_miner};

#[path = "devnet_calls.rs"]
mod calls;
