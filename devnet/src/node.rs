//! The devnet's node: genesis, the FVM executor, mining, state reads. Not thread-safe by itself:
//! [`crate::Devnet`] wraps it in a mutex.

use std::collections::{BTreeMap, HashMap};

use cid::Cid;
use fvm::call_manager::DefaultCallManager;
use fvm::engine::{EnginePool, MultiEngine};
use fvm::executor::{ApplyKind, DefaultExecutor, Executor};
use fvm::kernel::filecoin::DefaultFilecoinKernel;
use fvm::machine::{DefaultMachine, NetworkConfig};
use fvm::state_tree::{ActorState, StateTree};
use fvm_ipld_amt::Amt;
use fvm_ipld_encoding::tuple::*;
use fvm_ipld_encoding::{CborStore, RawBytes};
use fvm_shared::address::Address;
use fvm_shared::chainid::ChainID;
use fvm_shared::clock::ChainEpoch;
use fvm_shared::econ::TokenAmount;
use fvm_shared::message::Message;
use fvm_shared::{ActorID, MethodNum};
use multihash_codetable::Code;

use crate::chain::{
    BlockHeader, MessageLookup, MessageRecord, RECEIPTS_AMT_BITWIDTH, Receipt, Tipset, TipsetRef,
};
use crate::config::{BLOCK_DELAY_SECS, DevnetConfig, IMPLICIT_GAS_LIMIT, MINIMUM_BASE_FEE_ATTO};
use crate::externs::{DevnetExterns, TipsetCids};
use crate::gas::GasBreakdown;
use crate::genesis::{
    self, GenesisAccount, MARKET_ACTOR_ID, REWARD_ACTOR_ID, SYSTEM_ACTOR_ID, fvm_err,
};
use crate::index::Indexes;
use crate::mempool::Mempool;
use crate::miner::{Built, TipsetBuilder};
use crate::reader::{CallSnapshot, ExecEnv};
use crate::records::Records;
use crate::store::{Store, Table, WriteBatch};
use crate::verified::VerifiedMessage;
use crate::{Error, Result};
use filmark_devnet_actors::market;

type Machine = DefaultMachine<Store, DevnetExterns>;
type Kernel = DefaultFilecoinKernel<DefaultCallManager<Machine>>;
/// The executor. It runs only on a thread with the 64 MiB stack the FVM requires:
/// [`on_fvm_thread`], or the threads tipsets are built on ([`fvm_threads`]). fvm's
/// `ThreadedExecutor` gives it that stack too, but a panic there kills a worker of its fixed pool
/// for good.
pub(crate) type Exec = DefaultExecutor<Kernel>;

/// An implicit message the devnet sends from the system actor (f00). Persisted (CBOR tuple) with
/// the schedule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub(crate) struct ImplicitCall {
    pub(crate) to: Address,
    pub(crate) method: MethodNum,
    pub(crate) params: RawBytes,
    pub(crate) what: String,
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
    /// The call tree (the message and every send it led to), if it was asked for
    /// ([`crate::Devnet::call_with`]).
    pub trace: Option<crate::CallTrace>,
}

/// The state a read-only call runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum CallAt {
    /// On the state after the tipset's messages, at the next epoch (Lotus' `eth_call`, which
    /// runs on `TipSetState`). `After(TipsetRef::Head)` is the newest state.
    After(TipsetRef),
    /// On the tipset's parent state, at the tipset's epoch, without its messages (Lotus'
    /// `StateCall` with a tipset key).
    Within(TipsetRef),
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
    /// Message records by CID and in commit order ([`crate::records`]).
    pub(crate) records: Records,
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
    /// Snapshots to revert to, oldest first ([`snapshot`]).
    snapshots: Vec<(u64, snapshot::Snapshot)>,
    next_snapshot: u64,
    /// The head's state tree, keyed by its root (a mutex only to be `Sync`; the node's own lock
    /// already serializes access).
    head_tree: std::sync::Mutex<Option<(Cid, StateTree<Store>)>>,
    /// The actor IDs of addresses resolved at the head ([`Node::actor`]), with the tipset
    /// (CID, height) they hold on: an ID stays on every chain holding that tipset, so the map
    /// outlives new tipsets and is forgotten when that tipset leaves the chain (a revert).
    head_ids: std::sync::Mutex<(Cid, ChainEpoch, HashMap<Address, ActorID>)>,
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
        precompile(&engine, builtins, &genesis.manifest);
        let tipset_cids = TipsetCids::default();
        let externs = DevnetExterns::new(config.seed, tipset_cids.clone());
        if !genesis.market_constructed {
            genesis.state_root = on_fvm_thread("market constructor", || {
                construct_market(&network, &engine, &store, &externs, &genesis, &config)
            })?;
        }
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
        let mut indexes = Indexes::default();
        indexes.add_block(tipset.eth_block_hash(), cid);
        let mut node = Self {
            config,
            records: Records::new(store.clone()),
            store,
            engine,
            network,
            externs,
            tipset_cids,
            by_cid: HashMap::from([(cid, 0)]),
            chain: vec![tipset],
            pool,
            schedule: BTreeMap::new(),
            every_tipset,
            accounts: genesis.accounts,
            circ_supply: genesis.circ_supply,
            base_fee,
            implicit_nonce: 0,
            mining_error: None,
            indexes,
            snapshots: Vec::new(),
            next_snapshot: 0,
            head_tree: std::sync::Mutex::new(None),
            head_ids: std::sync::Mutex::new((cid, 0, HashMap::new())),
            time_offset: 0,
        };
        node.open_chain()?;
        Ok(node)
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
        let at_head = matches!(at, TipsetRef::Head) && address.id().is_err();
        let known = at_head.then(|| self.known_id(address)).flatten();
        let found = self.with_tree(at, |tree| {
            let Some(id) = known.map_or_else(
                || tree.lookup_id(address).map_err(fvm_err),
                |id| Ok(Some(id)),
            )?
            else {
                return Ok(None);
            };
            Ok(tree.get_actor(id).map_err(fvm_err)?.map(|a| (id, a)))
        })?;
        if let (true, None, Some((id, _))) = (at_head, known, &found) {
            let mut ids = self.head_ids.lock().unwrap_or_else(|e| e.into_inner());
            // Resolved at the head: the map now holds on the head.
            (ids.0, ids.1) = (self.head().cid, self.head().height());
            ids.2.insert(*address, *id);
        }
        Ok(found)
    }

    /// The actor ID of `address` if resolved before on this chain ([`Node::actor`]).
    fn known_id(&self, address: &Address) -> Option<ActorID> {
        let mut ids = self.head_ids.lock().unwrap_or_else(|e| e.into_inner());
        let on_chain = self
            .tipset(TipsetRef::Height(ids.1))
            .is_ok_and(|t| t.cid == ids.0);
        if !on_chain {
            ids.2.clear();
        }
        ids.2.get(address).copied()
    }

    /// The nonce the sender's next message needs: its sequence plus its pending messages.
    pub(crate) fn next_nonce(&self, address: &Address) -> Result<u64> {
        Ok(self
            .actor(address, TipsetRef::Head)?
            .map_or(0, |(id, a)| a.sequence + self.pool.pending_count(id)))
    }

    /// Queues a message whose signature was verified (without the node's lock).
    pub(crate) fn push(&mut self, verified: VerifiedMessage) -> Result<Cid> {
        let cid = verified.cid();
        if self.records.contains(&cid) {
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
    pub(crate) fn record_of(&self, cid: &Cid) -> Result<Option<MessageRecord>> {
        self.records.get(cid)
    }

    pub(crate) fn lookup(&self, cid: &Cid) -> Result<MessageLookup> {
        let record = self.records.get(cid)?.ok_or(Error::UnknownMessage(*cid))?;
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

    /// Mines one tipset: scheduled implicit calls, then the pool's messages, then the per-tipset
    /// calls (cron), then `extra` implicit calls. Returns the records of the implicit `extra` calls.
    ///
    /// Atomic: the tipset is built without changing the node (a panic inside the FVM included),
    /// then written (on a persistent store, in one transaction) and committed by steps that
    /// cannot fail. If building or writing fails, the head, the pool, the schedule and the
    /// records are as they were (the store may keep unreferenced blocks, which are
    /// content-addressed and harmless). [`crate::Devnet`] does the same in steps, without holding
    /// its lock on the node while the tipset is built or written.
    #[cfg(test)]
    pub(crate) fn mine_one(&mut self, extra: &[ImplicitCall]) -> Result<Vec<MessageRecord>> {
        self.mine_at(self.head().height() + 1, extra)
    }

    /// [`Node::mine_one`] at `height` (after the head): the epochs in between are null rounds,
    /// as in Filecoin, with no tipset. What was scheduled for them runs at the start of this
    /// tipset, in epoch order; the per-tipset calls (cron) run once, at this epoch (the market's
    /// cron settles every live deal up to the current epoch, so nothing is lost).
    #[cfg(test)]
    pub(crate) fn mine_at(
        &mut self,
        height: ChainEpoch,
        extra: &[ImplicitCall],
    ) -> Result<Vec<MessageRecord>> {
        let builder = self.builder(height, extra)?;
        let built = build(builder)?;
        if let Some(batch) = self.batch_for(&built)? {
            self.store.kv().write_batch(batch)?;
        }
        self.commit(built)
    }

    /// What building the tipset at `height` (after the head) takes, copied out of the node.
    pub(crate) fn builder(
        &self,
        height: ChainEpoch,
        extra: &[ImplicitCall],
    ) -> Result<TipsetBuilder> {
        if height <= self.head().height() {
            return Err(Error::InvalidMessage(format!(
                "epoch {height} is not after the head"
            )));
        }
        // A CID already on chain is never included twice.
        let (known, pending): (Vec<_>, Vec<_>) = self
            .pool
            .select_for_block(&self.base_fee)
            .into_iter()
            .partition(|p| self.records.contains(&p.cid));
        Ok(TipsetBuilder {
            env: self.exec_env(),
            parent: self.head().clone(),
            height,
            timestamp: self.timestamp_at(height),
            base_fee: self.base_fee.clone(),
            implicit_nonce: self.implicit_nonce,
            gas_tracing: self.config.gas_tracing,
            scheduled: self
                .schedule
                .range(..=height)
                .flat_map(|(_, calls)| calls.iter().cloned())
                .collect(),
            every_tipset: self.every_tipset.clone(),
            extra: extra.to_vec(),
            pending,
            known: known.into_iter().map(|p| p.cid).collect(),
        })
    }

    /// On a persistent store, the one transaction that writes a built tipset: its blocks (put
    /// while it was built), the tipset, its records, the node's state after it and the head
    /// pointer. `None` in memory. The caller keeps other tipsets from committing until it has
    /// written the batch and committed the tipset.
    pub(crate) fn batch_for(&self, built: &Built) -> Result<Option<WriteBatch>> {
        if !self.persistent() {
            return Ok(None);
        }
        self.tipset_batch(
            &built.tipset,
            &built.records,
            &built.eth_hashes,
            built.implicit_nonce,
            &built.next_base_fee,
        )
        .map(Some)
    }

    /// Makes a built (and written) tipset the head, by infallible steps only, so a tipset is
    /// never half-applied. Fails, changing nothing, if the head moved since it was built.
    pub(crate) fn commit(&mut self, built: Built) -> Result<Vec<MessageRecord>> {
        if built.tipset.header.parents != [self.head().cid] {
            return Err(Error::Fvm(anyhow::anyhow!(
                "tipset {} was built on a head that is no longer the head",
                built.tipset.height()
            )));
        }
        let Built {
            tipset,
            records,
            extra_records,
            dropped,
            implicit_nonce,
            next_base_fee,
            eth_hashes,
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
        for record in &records {
            let seq = self.records.len() as u64;
            self.indexes.add(
                seq,
                record,
                crate::index::indexed_eth_hash(record, &eth_hashes),
            );
            self.records.push(record);
        }
        self.by_cid.insert(tipset.cid, self.chain.len());
        self.index_eth_block(&tipset);
        self.tipset_cids
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .push((height, tipset.cid));
        self.chain.push(tipset);
        self.mining_error = None;
        Ok(extra_records)
    }

    fn stored_cid(&self, table: Table, key: &[u8]) -> Result<Option<Cid>> {
        self.store
            .kv()
            .entry(table, key)?
            .map(|b| Cid::try_from(b).map_err(|e| Error::Fvm(e.into())))
            .transpose()
    }

    /// The Ethereum transaction hash of an explicit message's record.
    pub(crate) fn eth_hash(&self, record: &MessageRecord) -> Option<[u8; 32]> {
        record
            .signed
            .as_ref()
            .and_then(|s| s.eth_tx_hash(self.config.chain_id).ok())
            .map(|h| h.0)
    }

    /// Indexes a tipset by its Ethereum block hash.
    fn index_eth_block(&mut self, tipset: &Tipset) {
        if !self.persistent() {
            self.indexes.add_block(tipset.eth_block_hash(), tipset.cid);
        }
    }

    /// The tipset whose Ethereum block hash is `hash`. O(1).
    pub(crate) fn tipset_by_eth_hash(&self, hash: &[u8; 32]) -> Result<&Tipset> {
        let cid = if self.persistent() {
            self.stored_cid(Table::EthBlocks, hash)?
        } else {
            self.indexes.block_by_eth_hash(hash)
        };
        let cid =
            cid.ok_or_else(|| Error::UnknownTipset(format!("block 0x{}", hex::encode(hash))))?;
        self.tipset(TipsetRef::Key(cid))
    }

    /// A snapshot of the head for a read-only call, to run after the node's lock is released.
    pub(crate) fn call_snapshot(&self) -> CallSnapshot {
        self.call_snapshot_at(CallAt::After(TipsetRef::Head))
            .expect("the head always exists")
    }

    /// A snapshot for a read-only call on the state `at` names. The base fee is the one the
    /// messages of that epoch paid (the next tipset's, or the pool's after the head).
    pub(crate) fn call_snapshot_at(&self, at: CallAt) -> Result<CallSnapshot> {
        let (tipset, after) = match at {
            CallAt::After(t) => (self.tipset(t)?, true),
            CallAt::Within(t) => (self.tipset(t)?, false),
        };
        let (epoch, timestamp, state_root, base_fee) = if after {
            let next = self
                .by_cid
                .get(&tipset.cid)
                .and_then(|i| self.chain.get(i + 1));
            (
                tipset.height() + 1,
                tipset.header.timestamp + BLOCK_DELAY_SECS,
                tipset.state_root,
                next.map_or_else(
                    || self.base_fee.clone(),
                    |n| n.header.parent_base_fee.clone(),
                ),
            )
        } else {
            let h = &tipset.header;
            (
                h.height,
                h.timestamp,
                h.parent_state_root,
                h.parent_base_fee.clone(),
            )
        };
        Ok(CallSnapshot {
            env: self.exec_env(),
            epoch,
            timestamp,
            state_root,
            base_fee,
            gas_tracing: self.config.gas_tracing,
            call_trace: false,
            timeout: self.config.call_timeout,
        })
    }

    /// Puts `wasm` in the store and compiles it, returning its code CID.
    pub(crate) fn install_code(&self, wasm: &[u8]) -> Result<Cid> {
        let cid = genesis::code_cid(wasm);
        fvm_ipld_blockstore::Blockstore::put_keyed(&self.store, &cid, wasm)?;
        self.engine.acquire().preload(&cid, &self.store)?;
        self.persist_code(&cid)?;
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

/// Compiles the builtin actors' modules into the process-wide `engine` on a background thread,
/// once a process for each code: a devnet is ready without waiting for the compiler (~2–3 s of
/// CPU for the 16 modules). The FVM compiles a module under its engine's cache lock, so an
/// executor that needs one still being compiled waits for it (a tipset or a call right after
/// start takes the rest of that time), and the FVM's own preload of the builtins (in
/// `DefaultExecutor::new`) finds them compiled. A failure is only logged: that executor's
/// preload meets it again and reports it.
fn precompile(engine: &EnginePool, builtins: &[(&str, &[u8])], manifest: &[(String, Cid)]) {
    static QUEUED: std::sync::Mutex<Vec<Cid>> = std::sync::Mutex::new(Vec::new());
    let mut queued = QUEUED.lock().unwrap_or_else(|e| e.into_inner());
    let store = fvm_ipld_blockstore::MemoryBlockstore::new();
    let mut codes = Vec::new();
    // `manifest` holds the code CID of each of `builtins`, in order.
    for ((_, wasm), (_, cid)) in builtins.iter().zip(manifest) {
        if queued.contains(cid) || codes.contains(cid) {
            continue;
        }
        if fvm_ipld_blockstore::Blockstore::put_keyed(&store, cid, wasm).is_ok() {
            codes.push(*cid);
        }
    }
    if codes.is_empty() {
        return;
    }
    queued.extend_from_slice(&codes);
    drop(queued);
    let engine = engine.clone();
    let compiling = Compiling::start();
    let spawned = std::thread::Builder::new()
        .name("filmark-devnet-compile".into())
        .spawn(move || {
            let _done = compiling;
            if let Err(e) = engine.acquire().preload_all(&store, &codes) {
                tracing::warn!("compiling the builtin actors: {e:#}");
            }
        });
    if let Err(e) = spawned {
        tracing::warn!("cannot start the compiling thread: {e}");
    }
}

/// How many [`precompile`] threads are running, and their end.
static COMPILING: (std::sync::Mutex<usize>, std::sync::Condvar) =
    (std::sync::Mutex::new(0), std::sync::Condvar::new());

/// One running [`precompile`] thread: counted from its start until it is dropped (its end, or
/// a failed spawn, or a panic).
struct Compiling;

impl Compiling {
    fn start() -> Self {
        *COMPILING.0.lock().unwrap_or_else(|e| e.into_inner()) += 1;
        Self
    }
}

impl Drop for Compiling {
    fn drop(&mut self) {
        *COMPILING.0.lock().unwrap_or_else(|e| e.into_inner()) -= 1;
        COMPILING.1.notify_all();
    }
}

/// Waits until no [`precompile`] thread runs: a read-only call starts its wall-clock limit
/// after this, so a call right after a devnet's start is not charged the builtins' compile.
pub(crate) fn wait_for_builtins() {
    let mut running = COMPILING.0.lock().unwrap_or_else(|e| e.into_inner());
    while *running > 0 {
        running = COMPILING.1.wait(running).unwrap_or_else(|e| e.into_inner());
    }
}

/// Builds a tipset on an FVM thread kept between tipsets ([`fvm_threads`]).
pub(crate) fn build(builder: TipsetBuilder) -> Result<Built> {
    let height = builder.height;
    fvm_threads::run(&format!("tipset {height}"), move || builder.build())
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
pub(crate) fn amt_root<T: serde::Serialize>(
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

#[path = "persist.rs"]
mod persist;

#[path = "fvm_threads.rs"]
mod fvm_threads;
pub use fvm_threads::spawn_fvm_thread;
