//! The miner's role: building a tipset. [`crate::node::Node::builder`] takes what a tipset needs
//! from the node (cheap handles and copies, under a read lock); [`TipsetBuilder::build`] then
//! executes it without any lock on the node, so reads, pushes and calls go on meanwhile; the node
//! commits the [`Built`] tipset afterwards.

use std::collections::{HashMap, HashSet};

use cid::Cid;
use fvm::executor::{ApplyKind, ApplyRet, Executor};
use fvm_shared::address::Address;
use fvm_shared::clock::ChainEpoch;
use fvm_shared::econ::TokenAmount;
use fvm_shared::message::Message;
use multihash_codetable::Code;

use fvm_ipld_encoding::CborStore;

use crate::Result;
use crate::basefee::next_base_fee;
use crate::chain::{
    BlockHeader, EVENTS_AMT_BITWIDTH, MessageRecord, RECEIPTS_AMT_BITWIDTH, Receipt, Tipset,
};
use crate::config::IMPLICIT_GAS_LIMIT;
use crate::gas::GasBreakdown;
use crate::genesis::{REWARD_ACTOR_ID, SYSTEM_ACTOR_ID};
use crate::mempool::Pending;
use crate::node::{Exec, ImplicitCall, amt_root};
use crate::reader::ExecEnv;
use crate::store::Store;
use filmark_sdk::keys::{SignedMessage, message_cid};

/// A tipset executed and written to the store, not yet the head.
pub(crate) struct Built {
    pub(crate) tipset: Tipset,
    /// Every message's record (implicit ones included).
    pub(crate) records: Vec<MessageRecord>,
    /// The records of the caller's `extra` implicit calls.
    pub(crate) extra_records: Vec<MessageRecord>,
    /// Pending messages that can never be included (refused by the FVM's preflight, or already
    /// on chain).
    pub(crate) dropped: Vec<Cid>,
    pub(crate) implicit_nonce: u64,
    /// The base fee of the tipset after it.
    pub(crate) next_base_fee: TokenAmount,
    /// The Ethereum transaction hash of each included explicit message, as the pool had it.
    pub(crate) eth_hashes: HashMap<Cid, [u8; 32]>,
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

/// Everything building one tipset takes, owned: no borrow of the node.
pub(crate) struct TipsetBuilder {
    pub(crate) env: ExecEnv,
    pub(crate) parent: Tipset,
    pub(crate) height: ChainEpoch,
    pub(crate) timestamp: u64,
    pub(crate) base_fee: TokenAmount,
    pub(crate) implicit_nonce: u64,
    pub(crate) gas_tracing: bool,
    /// Calls scheduled up to `height`, in epoch order.
    pub(crate) scheduled: Vec<ImplicitCall>,
    pub(crate) every_tipset: Vec<ImplicitCall>,
    pub(crate) extra: Vec<ImplicitCall>,
    /// The pool's selection for the block (messages already on chain taken out).
    pub(crate) pending: Vec<Pending>,
    /// Pending messages already on chain.
    pub(crate) known: Vec<Cid>,
}

impl TipsetBuilder {
    fn store(&self) -> &Store {
        &self.env.store
    }

    /// Executes the tipset on a fresh executor and writes its blocks, changing nothing else:
    /// scheduled implicit calls, then the pool's messages, then the per-tipset calls (cron), then
    /// the `extra` implicit calls.
    pub(crate) fn build(self) -> Result<Built> {
        let height = self.height;
        let mut exec = self.env.executor(
            height,
            self.timestamp,
            self.parent.state_root,
            &self.base_fee,
            self.gas_tracing,
        )?;
        let mut nonce = self.implicit_nonce;
        let mut records = Vec::new();

        for call in &self.scheduled {
            let rec = self.apply_implicit(&mut exec, &mut nonce, call)?;
            if !rec.receipt.exit_code.is_success() {
                tracing::warn!(what = %call.what, code = %rec.receipt.exit_code, "scheduled call failed");
            }
            records.push(rec);
        }
        let mut cids = Vec::with_capacity(self.pending.len());
        let mut receipts = Vec::with_capacity(self.pending.len());
        let mut dropped = self.known.clone();
        let mut gas_limit_used = 0u64;
        let mut failed_senders = HashSet::new();
        let mut eth_hashes = HashMap::with_capacity(self.pending.len());
        for p in &self.pending {
            if failed_senders.contains(&p.sender) {
                // After a sender's refused message, its later nonces cannot run.
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
                Some(p.signed.clone()),
                Some(index),
                ret,
            )?;
            receipts.push(record.receipt.clone());
            eth_hashes.insert(p.cid, p.eth_hash);
            cids.push(p.cid);
            records.push(record);
        }
        for call in &self.every_tipset {
            let rec = self.apply_implicit(&mut exec, &mut nonce, call)?;
            if !rec.receipt.exit_code.is_success() {
                tracing::warn!(what = %call.what, code = %rec.receipt.exit_code, "per-tipset call failed");
            }
            records.push(rec);
        }
        let mut extra_records = Vec::with_capacity(self.extra.len());
        for call in &self.extra {
            let rec = self.apply_implicit(&mut exec, &mut nonce, call)?;
            extra_records.push(rec.clone());
            records.push(rec);
        }
        let state_root = exec.flush()?;

        let store = self.store();
        let receipts_root = amt_root(store, RECEIPTS_AMT_BITWIDTH, receipts.iter())?;
        let header = BlockHeader {
            miner: Address::new_id(REWARD_ACTOR_ID),
            parents: vec![self.parent.cid],
            height,
            parent_state_root: self.parent.state_root,
            parent_message_receipts: self.parent.receipts_root,
            messages: amt_root(store, RECEIPTS_AMT_BITWIDTH, cids.iter())?,
            timestamp: self.timestamp,
            parent_base_fee: self.base_fee.clone(),
        };
        let cid = store.put_cbor(&header, Code::Blake2b256)?;
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
            eth_hashes,
        })
    }

    fn apply_implicit(
        &self,
        exec: &mut Exec,
        nonce: &mut u64,
        call: &ImplicitCall,
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
        self.record(cid, msg, None, None, ret)
    }

    fn record(
        &self,
        cid: Cid,
        message: Message,
        signed: Option<SignedMessage>,
        index: Option<usize>,
        ret: ApplyRet,
    ) -> Result<MessageRecord> {
        if !ret.events.is_empty() {
            // The FVM computes the events root but discards the blocks: store them.
            let root = amt_root(self.store(), EVENTS_AMT_BITWIDTH, ret.events.iter())?;
            debug_assert_eq!(Some(root), ret.msg_receipt.events_root);
        }
        let gas_trace = self
            .gas_tracing
            .then(|| GasBreakdown::from_trace(&ret.exec_trace));
        Ok(MessageRecord {
            cid,
            message,
            signed,
            height: self.height,
            index,
            receipt: Receipt::from(ret.msg_receipt),
            events: ret.events,
            failure: ret.failure_info.map(|f| f.to_string()),
            gas_cost: ret.base_fee_burn + ret.over_estimation_burn + ret.miner_tip,
            gas_trace,
        })
    }
}
