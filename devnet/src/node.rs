//! The devnet's node: genesis, the FVM executor, mining, state reads. Not thread-safe by itself:
//! [`crate::Devnet`] wraps it in a mutex.

use std::collections::{BTreeMap, HashMap, HashSet};

use cid::Cid;
use fvm::call_manager::DefaultCallManager;
use fvm::engine::{EnginePool, MultiEngine};
use fvm::executor::{ApplyKind, ApplyRet, DefaultExecutor, Executor};
use fvm::kernel::filecoin::DefaultFilecoinKernel;
use fvm::machine::{DefaultMachine, NetworkConfig};
use fvm::state_tree::{ActorState, StateTree};
use fvm_ipld_amt::Amt;
use fvm_ipld_encoding::{CborStore, RawBytes};
use fvm_shared::address::Address;
use fvm_shared::chainid::ChainID;
use fvm_shared::clock::ChainEpoch;
use fvm_shared::econ::TokenAmount;
use fvm_shared::message::Message;
use fvm_shared::{ActorID, MethodNum};
use multihash_codetable::Code;

use crate::basefee::next_base_fee;
use crate::chain::{
    BlockHeader, EVENTS_AMT_BITWIDTH, MessageLookup, MessageRecord, RECEIPTS_AMT_BITWIDTH, Receipt,
    Tipset, TipsetRef,
};
use crate::config::{BLOCK_DELAY_SECS, DevnetConfig, IMPLICIT_GAS_LIMIT, MINIMUM_BASE_FEE_ATTO};
use crate::externs::{DevnetExterns, TipsetCids};
use crate::gas::GasBreakdown;
use crate::genesis::{
    self, GenesisAccount, MARKET_ACTOR_ID, REWARD_ACTOR_ID, SYSTEM_ACTOR_ID, fvm_err,
};
use crate::index::Indexes;
use crate::mempool::{Mempool, Verified};
use crate::reader::{CallSnapshot, ExecEnv};
use crate::store::Store;
use crate::{Error, Result};
use filmark_devnet_actors::market;
use filmark_sdk::keys::{SignedMessage, message_cid};

type Machine = DefaultMachine<Store, DevnetExterns>;
type Kernel = DefaultFilecoinKernel<DefaultCallManager<Machine>>;
/// The executor. It runs only inside [`on_fvm_thread`], which gives it the 64 MiB stack the FVM
/// requires (fvm's `ThreadedExecutor` does too, but a panic there kills a worker of its fixed
/// pool for good).
pub(crate) type Exec = DefaultExecutor<Kernel>;

/// An implicit message the devnet sends from the system actor (f00).
#[derive(Debug, Clone)]
pub(crate) struct ImplicitCall {
    pub(crate) to: Address,
    pub(crate) method: MethodNum,
    pub(crate) params: RawBytes,
    pub(crate) what: String,
}

/// A tipset executed and written to the store, not yet the head.
struct Built {
    tipset: Tipset,
    /// Every message's record (implicit ones included).
    records: Vec<MessageRecord>,
    /// The records of the caller's `extra` implicit calls.
    extra_records: Vec<MessageRecord>,
    /// Pending messages that can never be included (refused by the FVM's preflight).
    dropped: Vec<Cid>,
    implicit_nonce: u64,
    /// The base fee of the tipset after it.
    next_base_fee: TokenAmount,
}

/// Whether the FVM refused an explicit message in its preflight (before execution): such a
/// message changed nothing, charged nothing and did not use its nonce.
fn is_preflight_refusal(ret: &ApplyRet) -> bool {
    use fvm_shared::error::ExitCode;
    ret.msg_receipt.gas_used == 0
        && matches!(
            ret.msg_receipt.exit_code,
            ExitCode::SYS_OUT_OF_GAS
                | ExitCode::SYS_SENDER_INVALID
                | ExitCode::SYS_SENDER_STATE_INVALID
        )
}

/// The result of a read-only call.
#[derive(Debug, Clone)]
pub struct CallResult {
    /// The receipt (nothing was committed).
    pub receipt: Receipt,
    /// Events the call would have emitted.
    pub events: Vec<fvm_shared::event::StampedEvent>,
    /// The FVM's failure description (backtrace), if it failed.
    pub failure: Option<String>,
    /// Its gas by FVM charge name, if the devnet traces gas ([`DevnetConfig::gas_tracing`]).
    pub gas_trace: Option<GasBreakdown>,
}

pub(crate) struct Node {
    pub(crate) config: DevnetConfig,
    pub(crate) store: Store,
    engine: EnginePool,
    network: NetworkConfig,
    externs: DevnetExterns,
    tipset_cids: TipsetCids,
    chain: Vec<Tipset>,
    /// Index in `chain` of each tipset, by key.
    by_cid: HashMap<Cid, usize>,
    messages: HashMap<Cid, MessageRecord>,
    pub(crate) pool: Mempool,
    schedule: BTreeMap<ChainEpoch, Vec<ImplicitCall>>,
    /// Implicit calls sent at the end of every tipset (market cron).
    pub(crate) every_tipset: Vec<ImplicitCall>,
    pub(crate) accounts: Vec<GenesisAccount>,
    circ_supply: TokenAmount,
    base_fee: TokenAmount,
    implicit_nonce: u64,
    /// Why the background miner's last tipset failed (cleared by the next tipset).
    pub(crate) mining_error: Option<String>,
    /// Transaction hashes and logs ([`crate::index`]).
    pub(crate) indexes: Indexes,
    /// Every record's CID in the order they were committed (what a revert removes).
    record_log: Vec<Cid>,
    /// Snapshots to revert to, oldest first ([`snapshot`]).
    snapshots: Vec<(u64, snapshot::Snapshot)>,
    next_snapshot: u64,
    /// Notified at each new head (what [`crate::Devnet::wait`] listens to).
    pub(crate) new_head: std::sync::Arc<std::sync::Condvar>,
    /// The head's state tree, keyed by its root (a mutex only to be `Sync`; the node's own lock
    /// already serializes access).
    head_tree: std::sync::Mutex<Option<(Cid, StateTree<Store>)>>,
    /// Seconds added to every later tipset's timestamp (the time controls).
    time_offset: i64,
}

impl std::fmt::Debug for Node {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Node")
            .field("height", &self.head().height())
            .field("pending", &self.pool.len())
            .finish()
    }
}

impl Node {
    pub(crate) fn new(
        config: DevnetConfig,
        builtins: &[(&str, &[u8])],
        store: Store,
    ) -> Result<Self> {
        let mut genesis = genesis::build(&store, builtins, &config)?;
        let mut network = NetworkConfig::new(config.network_version);
        network.chain_id(ChainID::from(config.chain_id));
        let engine = engines().get(&network)?;
        engine
            .acquire()
            .preload_all(&store, genesis.manifest.iter().map(|(_, c)| c))?;
        let tipset_cids = TipsetCids::default();
        let externs = DevnetExterns::new(config.seed, tipset_cids.clone());
        genesis.state_root = on_fvm_thread("market constructor", || {
            construct_market(&network, &engine, &store, &externs, &genesis, &config)
        })?;
        let empty = amt_root(&store, RECEIPTS_AMT_BITWIDTH, std::iter::empty::<Cid>())?;
        let base_fee = TokenAmount::from_atto(MINIMUM_BASE_FEE_ATTO);
        let header = BlockHeader {
            miner: Address::new_id(REWARD_ACTOR_ID),
            parents: vec![],
            height: 0,
            parent_state_root: genesis.state_root,
            parent_message_receipts: empty,
            messages: empty,
            timestamp: config.genesis_timestamp,
            parent_base_fee: base_fee.clone(),
        };
        let cid = store.put_cbor(&header, Code::Blake2b256)?;
        let tipset = Tipset {
            header,
            cid,
            state_root: genesis.state_root,
            receipts_root: empty,
            messages: vec![],
        };
        tipset_cids
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .push((0, cid));
        let every_tipset = if config.market_cron {
            vec![ImplicitCall {
                to: Address::new_id(MARKET_ACTOR_ID),
                method: market::Method::CronTick.number(),
                params: RawBytes::default(),
                what: "market cron".into(),
            }]
        } else {
            vec![]
        };
        let pool = Mempool::new(config.pool_sender_limit, config.pool_limit);
        Ok(Self {
            config,
            store,
            engine,
            network,
            externs,
            tipset_cids,
            by_cid: HashMap::from([(cid, 0)]),
            chain: vec![tipset],
            messages: HashMap::new(),
            pool,
            schedule: BTreeMap::new(),
            every_tipset,
            accounts: genesis.accounts,
            circ_supply: genesis.circ_supply,
            base_fee,
            implicit_nonce: 0,
            mining_error: None,
            record_log: Vec::new(),
            indexes: Indexes::default(),
            snapshots: Vec::new(),
            next_snapshot: 0,
            new_head: std::sync::Arc::default(),
            head_tree: std::sync::Mutex::new(None),
            time_offset: 0,
        })
    }

    pub(crate) fn head(&self) -> &Tipset {
        self.chain.last().expect("the chain always has genesis")
    }

    pub(crate) const fn base_fee(&self) -> &TokenAmount {
        &self.base_fee
    }

    /// The tipset at `at`. A height of null rounds gives the last tipset before it (as Lotus'
    /// `ChainGetTipSetByHeight`); a height above the head is unknown.
    pub(crate) fn tipset(&self, at: TipsetRef) -> Result<&Tipset> {
        let index = match at {
            TipsetRef::Head => return Ok(self.head()),
            TipsetRef::Height(h) => {
                if h < 0 || h > self.head().height() {
                    return Err(Error::UnknownTipset(format!("height {h}")));
                }
                self.chain.partition_point(|t| t.height() <= h) - 1
            }
            TipsetRef::Key(cid) => *self
                .by_cid
                .get(&cid)
                .ok_or_else(|| Error::UnknownTipset(cid.to_string()))?,
        };
        Ok(&self.chain[index])
    }

    pub(crate) fn state_tree(&self, at: TipsetRef) -> Result<StateTree<Store>> {
        let root = self.tipset(at)?.state_root;
        StateTree::new_from_root(self.store.clone(), &root).map_err(fvm_err)
    }

    /// Runs `f` on the state tree at `at`; the head's tree is kept (with its actor cache) until
    /// the next tipset, so pool checks do not reload it for every message.
    fn with_tree<T>(
        &self,
        at: TipsetRef,
        f: impl FnOnce(&StateTree<Store>) -> Result<T>,
    ) -> Result<T> {
        let root = self.tipset(at)?.state_root;
        let mut cache = self.head_tree.lock().unwrap_or_else(|e| e.into_inner());
        if root == self.head().state_root {
            if cache.as_ref().is_none_or(|(r, _)| *r != root) {
                let tree = StateTree::new_from_root(self.store.clone(), &root).map_err(fvm_err)?;
                *cache = Some((root, tree));
            }
            let (_, tree) = cache.as_ref().expect("just filled");
            return f(tree);
        }
        drop(cache);
        f(&self.state_tree(at)?)
    }

    pub(crate) fn lookup_id(&self, address: &Address, at: TipsetRef) -> Result<Option<ActorID>> {
        self.with_tree(at, |tree| tree.lookup_id(address).map_err(fvm_err))
    }

    pub(crate) fn actor(
        &self,
        address: &Address,
        at: TipsetRef,
    ) -> Result<Option<(ActorID, ActorState)>> {
        self.with_tree(at, |tree| {
            let Some(id) = tree.lookup_id(address).map_err(fvm_err)? else {
                return Ok(None);
            };
            Ok(tree.get_actor(id).map_err(fvm_err)?.map(|a| (id, a)))
        })
    }

    /// The nonce the sender's next message needs: its sequence plus its pending messages.
    pub(crate) fn next_nonce(&self, address: &Address) -> Result<u64> {
        Ok(self
            .actor(address, TipsetRef::Head)?
            .map_or(0, |(id, a)| a.sequence + self.pool.pending_count(id)))
    }

    /// Queues a message whose signature was verified (without the node's lock).
    pub(crate) fn push(&mut self, verified: Verified) -> Result<Cid> {
        let cid = verified.cid();
        if self.messages.contains_key(&cid) {
            return Err(Error::AlreadyKnown(cid));
        }
        let sender = self.actor(&verified.message().from, TipsetRef::Head)?;
        self.pool.add(
            verified,
            sender,
            &self.base_fee,
            self.config.network_version,
        )
    }

    pub(crate) fn schedule(&mut self, epoch: ChainEpoch, call: ImplicitCall) -> Result<()> {
        if epoch <= self.head().height() {
            return Err(Error::InvalidMessage(format!(
                "epoch {epoch} is not after the head"
            )));
        }
        self.schedule.entry(epoch).or_default().push(call);
        Ok(())
    }

    /// The record of an executed message.
    pub(crate) fn record_of(&self, cid: &Cid) -> Option<&MessageRecord> {
        self.messages.get(cid)
    }

    pub(crate) fn lookup(&self, cid: &Cid) -> Result<MessageLookup> {
        let record = self
            .messages
            .get(cid)
            .ok_or(Error::UnknownMessage(*cid))?
            .clone();
        let index = self.chain.partition_point(|t| t.height() < record.height);
        let inclusion = self
            .chain
            .get(index)
            .ok_or_else(|| Error::UnknownTipset(format!("height {}", record.height)))?
            .cid;
        let execution = self.chain.get(index + 1).map(|t| t.cid);
        Ok(MessageLookup {
            record,
            inclusion,
            execution,
        })
    }

    fn exec_env(&self) -> ExecEnv {
        ExecEnv {
            store: self.store.clone(),
            engine: self.engine.clone(),
            network: self.network.clone(),
            externs: self.externs.clone(),
            circ_supply: self.circ_supply.clone(),
        }
    }

    fn executor(&self, epoch: ChainEpoch, timestamp: u64, root: Cid) -> Result<Exec> {
        self.exec_env().executor(
            epoch,
            timestamp,
            root,
            &self.base_fee,
            self.config.gas_tracing,
        )
    }

    /// Mines one tipset: scheduled implicit calls, then the pool's messages, then the per-tipset
    /// calls (cron), then `extra` implicit calls. Returns the records of the implicit `extra` calls.
    ///
    /// Atomic: the tipset is built without changing the node (a panic inside the FVM included),
    /// then committed by steps that cannot fail. If building fails, the head, the pool, the
    /// schedule and the records are as they were (the store may keep unreferenced blocks, which
    /// are content-addressed and harmless).
    pub(crate) fn mine_one(&mut self, extra: &[ImplicitCall]) -> Result<Vec<MessageRecord>> {
        self.mine_at(self.head().height() + 1, extra)
    }

    /// [`Node::mine_one`] at `height` (after the head): the epochs in between are null rounds,
    /// as in Filecoin, with no tipset. What was scheduled for them runs at the start of this
    /// tipset, in epoch order; the per-tipset calls (cron) run once, at this epoch (the market's
    /// cron settles every live deal up to the current epoch, so nothing is lost).
    pub(crate) fn mine_at(
        &mut self,
        height: ChainEpoch,
        extra: &[ImplicitCall],
    ) -> Result<Vec<MessageRecord>> {
        if height <= self.head().height() {
            return Err(Error::InvalidMessage(format!(
                "epoch {height} is not after the head"
            )));
        }
        let built = on_fvm_thread(&format!("tipset {height}"), || {
            self.build_tipset(height, extra)
        })?;
        Ok(self.commit(built))
    }

    /// Executes the tipset at `height` on a fresh executor and writes its blocks, changing
    /// nothing in the node itself.
    fn build_tipset(&self, height: ChainEpoch, extra: &[ImplicitCall]) -> Result<Built> {
        let parent = self.head();
        let timestamp = self.timestamp_at(height);
        let mut exec = self.executor(height, timestamp, parent.state_root)?;
        let mut nonce = self.implicit_nonce;
        let mut records = Vec::new();

        for call in self.schedule.range(..=height).flat_map(|(_, calls)| calls) {
            let rec = self.apply_implicit(&mut exec, &mut nonce, call, height)?;
            if !rec.receipt.exit_code.is_success() {
                tracing::warn!(what = %call.what, code = %rec.receipt.exit_code, "scheduled call failed");
            }
            records.push(rec);
        }
        let pending = self.pool.select_for_block(&self.base_fee);
        let mut cids = Vec::with_capacity(pending.len());
        let mut receipts = Vec::with_capacity(pending.len());
        let mut dropped = Vec::new();
        let mut gas_limit_used = 0u64;
        let mut failed_senders = HashSet::new();
        for p in pending {
            if failed_senders.contains(&p.sender) || self.messages.contains_key(&p.cid) {
                // After a sender's refused message, its later nonces cannot run; a CID already on
                // chain is never included twice.
                dropped.push(p.cid);
                continue;
            }
            let ret =
                exec.execute_message(p.signed.message.clone(), ApplyKind::Explicit, p.length)?;
            if is_preflight_refusal(&ret) {
                // The FVM refused it before execution (nonce, balance, sender, inclusion gas):
                // nothing changed and it cannot be included (Lotus' block validation refuses such
                // a block). The pool's checks make this rare; the message leaves the pool.
                tracing::warn!(cid = %p.cid, code = %ret.msg_receipt.exit_code,
                    info = ?ret.failure_info.map(|f| f.to_string()), "message refused by the FVM's preflight; dropped");
                failed_senders.insert(p.sender);
                dropped.push(p.cid);
                continue;
            }
            let index = cids.len();
            gas_limit_used += p.signed.message.gas_limit;
            let record = self.record(
                p.cid,
                p.signed.message.clone(),
                Some(p.signed),
                height,
                Some(index),
                ret,
            )?;
            receipts.push(record.receipt.clone());
            cids.push(p.cid);
            records.push(record);
        }
        for call in &self.every_tipset {
            let rec = self.apply_implicit(&mut exec, &mut nonce, call, height)?;
            if !rec.receipt.exit_code.is_success() {
                tracing::warn!(what = %call.what, code = %rec.receipt.exit_code, "per-tipset call failed");
            }
            records.push(rec);
        }
        let mut extra_records = Vec::with_capacity(extra.len());
        for call in extra {
            let rec = self.apply_implicit(&mut exec, &mut nonce, call, height)?;
            extra_records.push(rec.clone());
            records.push(rec);
        }
        let state_root = exec.flush()?;

        let receipts_root = amt_root(&self.store, RECEIPTS_AMT_BITWIDTH, receipts.iter())?;
        let header = BlockHeader {
            miner: Address::new_id(REWARD_ACTOR_ID),
            parents: vec![parent.cid],
            height,
            parent_state_root: parent.state_root,
            parent_message_receipts: parent.receipts_root,
            messages: amt_root(&self.store, RECEIPTS_AMT_BITWIDTH, cids.iter())?,
            timestamp,
            parent_base_fee: self.base_fee.clone(),
        };
        let cid = self.store.put_cbor(&header, Code::Blake2b256)?;
        Ok(Built {
            tipset: Tipset {
                header,
                cid,
                state_root,
                receipts_root,
                messages: cids,
            },
            records,
            extra_records,
            dropped,
            implicit_nonce: nonce,
            next_base_fee: next_base_fee(&self.base_fee, gas_limit_used),
        })
    }

    /// Makes a built tipset the head: infallible steps only, so a tipset is never half-applied.
    fn commit(&mut self, built: Built) -> Vec<MessageRecord> {
        let Built {
            tipset,
            records,
            extra_records,
            dropped,
            implicit_nonce,
            next_base_fee,
        } = built;
        let height = tipset.height();
        if self.config.verbose {
            tracing::info!(height, messages = tipset.messages.len(), cid = %tipset.cid, "mined tipset");
        }
        self.pool.remove(&tipset.messages);
        self.pool.remove(&dropped);
        self.schedule = self.schedule.split_off(&(height + 1));
        self.implicit_nonce = implicit_nonce;
        self.base_fee = next_base_fee;
        for record in records {
            let eth_hash = record
                .signed
                .as_ref()
                .and_then(|s| s.eth_tx_hash(self.config.chain_id).ok())
                .map(|h| h.0);
            self.indexes.add(&record, eth_hash);
            self.record_log.push(record.cid);
            self.messages.insert(record.cid, record);
        }
        self.by_cid.insert(tipset.cid, self.chain.len());
        self.tipset_cids
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .push((height, tipset.cid));
        self.chain.push(tipset);
        self.mining_error = None;
        self.new_head.notify_all();
        extra_records
    }

    fn apply_implicit(
        &self,
        exec: &mut Exec,
        nonce: &mut u64,
        call: &ImplicitCall,
        height: ChainEpoch,
    ) -> Result<MessageRecord> {
        *nonce += 1;
        let msg = Message {
            version: 0,
            from: Address::new_id(SYSTEM_ACTOR_ID),
            to: call.to,
            sequence: *nonce,
            value: TokenAmount::default(),
            method_num: call.method,
            params: call.params.clone(),
            gas_limit: IMPLICIT_GAS_LIMIT,
            gas_fee_cap: TokenAmount::default(),
            gas_premium: TokenAmount::default(),
        };
        let cid = message_cid(&msg);
        let ret = exec.execute_message(msg.clone(), ApplyKind::Implicit, 0)?;
        self.record(cid, msg, None, height, None, ret)
    }

    fn record(
        &self,
        cid: Cid,
        message: Message,
        signed: Option<SignedMessage>,
        height: ChainEpoch,
        index: Option<usize>,
        ret: ApplyRet,
    ) -> Result<MessageRecord> {
        if !ret.events.is_empty() {
            // The FVM computes the events root but discards the blocks: store them.
            let root = amt_root(&self.store, EVENTS_AMT_BITWIDTH, ret.events.iter())?;
            debug_assert_eq!(Some(root), ret.msg_receipt.events_root);
        }
        let gas_trace = self
            .config
            .gas_tracing
            .then(|| GasBreakdown::from_trace(&ret.exec_trace));
        Ok(MessageRecord {
            cid,
            message,
            signed,
            height,
            index,
            receipt: ret.msg_receipt.into(),
            events: ret.events,
            failure: ret.failure_info.map(|f| f.to_string()),
            gas_cost: ret.base_fee_burn + ret.over_estimation_burn + ret.miner_tip,
            gas_trace,
        })
    }

    /// A snapshot of the head for a read-only call, to run after the node's lock is released.
    pub(crate) fn call_snapshot(&self) -> CallSnapshot {
        let head = self.head();
        CallSnapshot {
            env: self.exec_env(),
            epoch: head.height() + 1,
            timestamp: head.header.timestamp + BLOCK_DELAY_SECS,
            state_root: head.state_root,
            base_fee: self.base_fee.clone(),
            gas_tracing: self.config.gas_tracing,
            timeout: self.config.call_timeout,
        }
    }

    /// Puts `wasm` in the store and compiles it, returning its code CID.
    pub(crate) fn install_code(&self, wasm: &[u8]) -> Result<Cid> {
        let cid = genesis::code_cid(wasm);
        fvm_ipld_blockstore::Blockstore::put_keyed(&self.store, &cid, wasm)?;
        self.engine.acquire().preload(&cid, &self.store)?;
        Ok(cid)
    }
}

/// Runs the market's constructor (an implicit message from f00 at epoch 0) on the genesis state
/// and returns the new root.
fn construct_market(
    network: &NetworkConfig,
    engine: &EnginePool,
    store: &Store,
    externs: &DevnetExterns,
    genesis: &genesis::Genesis,
    config: &DevnetConfig,
) -> Result<Cid> {
    let mut ctx = network.for_epoch(0, config.genesis_timestamp, genesis.state_root);
    ctx.set_circulating_supply(genesis.circ_supply.clone());
    let machine = DefaultMachine::new(&ctx, store.clone(), externs.clone())?;
    let mut exec: Exec = DefaultExecutor::new(engine.clone(), machine)?;
    let msg = Message {
        version: 0,
        from: Address::new_id(SYSTEM_ACTOR_ID),
        to: Address::new_id(MARKET_ACTOR_ID),
        sequence: 0,
        value: TokenAmount::default(),
        method_num: fvm_shared::METHOD_CONSTRUCTOR,
        params: RawBytes::serialize(&config.market_policy)?,
        gas_limit: IMPLICIT_GAS_LIMIT,
        gas_fee_cap: TokenAmount::default(),
        gas_premium: TokenAmount::default(),
    };
    let ret = exec.execute_message(msg, ApplyKind::Implicit, 0)?;
    if !ret.msg_receipt.exit_code.is_success() {
        return Err(Error::ImplicitFailed {
            what: "market constructor".into(),
            exit_code: ret.msg_receipt.exit_code,
            info: ret.failure_info.map(|f| f.to_string()).unwrap_or_default(),
        });
    }
    Ok(exec.flush()?)
}

/// Runs `work` (FVM execution) on a new thread with the 64 MiB stack the FVM needs. A panic in
/// it (the FVM's, or a store's) is an [`Error::Fvm`] naming `what`, not a panic of the caller.
fn on_fvm_thread<T: Send>(what: &str, work: impl FnOnce() -> Result<T> + Send) -> Result<T> {
    std::thread::scope(|scope| {
        let thread = std::thread::Builder::new()
            .name("filmark-devnet-fvm".into())
            .stack_size(FVM_STACK_BYTES)
            .spawn_scoped(scope, work)
            .map_err(|e| Error::Fvm(anyhow::anyhow!("{what}: cannot start a thread: {e}")))?;
        thread.join().unwrap_or_else(|panic| {
            let why = panic_message(&*panic);
            Err(Error::Fvm(anyhow::anyhow!(
                "{what} aborted by a panic: {why}"
            )))
        })
    })
}

/// The message a panic carried.
pub(crate) fn panic_message(panic: &(dyn std::any::Any + Send)) -> String {
    panic
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| panic.downcast_ref::<&str>().map(|s| (*s).to_owned()))
        .unwrap_or_else(|| "no message".to_owned())
}

/// The stack the FVM needs (as fvm's `ThreadedExecutor` gives it): up to 1024 nested calls.
pub(crate) const FVM_STACK_BYTES: usize = 64 << 20;

/// The process-wide wasm engines: every devnet in a process (tests, benches) shares compiled
/// modules, so only the first one pays for compiling the builtin actors.
///
/// An executor holds one of the engine's [`ENGINE_INSTANCES`] while it runs. A read-only call
/// that passed its wall-clock limit keeps its instance until its gas runs out (the FVM cannot be
/// interrupted), so there are more instances than cores: such calls do not stall mining.
fn engines() -> &'static MultiEngine {
    static ENGINES: std::sync::OnceLock<MultiEngine> = std::sync::OnceLock::new();
    ENGINES.get_or_init(|| MultiEngine::new(ENGINE_INSTANCES))
}

/// How many FVM executors may run at once in a process (see [`engines`]).
const ENGINE_INSTANCES: u32 = 16;

/// Builds an AMT from `items` in `store` and returns its root.
fn amt_root<T: serde::Serialize>(
    store: &Store,
    bit_width: u32,
    items: impl IntoIterator<Item = T>,
) -> Result<Cid> {
    Amt::new_from_iter_with_bit_width(store.clone(), bit_width, items)
        .map_err(|e| Error::Fvm(e.into()))
}

#[cfg(test)]
#[path = "node_tests.rs"]
mod tests;

#[path = "snapshot.rs"]
mod snapshot;

#[path = "node_controls.rs"]
mod controls;
