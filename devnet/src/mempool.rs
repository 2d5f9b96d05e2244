//! The message pool: every check the FVM leaves to the node (signature, nonce, balance, limits),
//! and the pending queue a tipset is filled from.

use std::cmp::Reverse;
use std::collections::{BTreeMap, BinaryHeap, HashMap, HashSet, VecDeque};

use cid::Cid;
use fvm_shared::ActorID;
use fvm_shared::econ::TokenAmount;
use fvm_shared::state::ActorState;
use fvm_shared::version::NetworkVersion;

use crate::config::{BLOCK_GAS_LIMIT, BLOCK_MESSAGE_LIMIT, MAX_MESSAGE_SIZE, POOL_MAX_NONCE_GAP};
use crate::error::Shortfall;
use crate::verified::VerifiedMessage;
use crate::{Error, Result};
use filmark_sdk::keys::SignedMessage;

/// A message waiting for a tipset.
#[derive(Debug, Clone)]
pub(crate) struct Pending {
    pub(crate) cid: Cid,
    pub(crate) signed: SignedMessage,
    pub(crate) sender: ActorID,
    pub(crate) length: usize,
    /// Its Ethereum transaction hash ([`VerifiedMessage::eth_hash`]), for the index.
    pub(crate) eth_hash: [u8; 32],
}

/// What a sender has pending: how many messages and what they may cost at most.
#[derive(Debug, Clone, Default)]
struct SenderPending {
    count: u64,
    cost: TokenAmount,
}

/// The pending queue, in arrival order (per sender that is nonce order: gaps are refused),
/// bounded per sender and in all.
#[derive(Debug, Clone)]
pub(crate) struct Mempool {
    sender_limit: usize,
    limit: usize,
    pending: Vec<Pending>,
    cids: HashSet<Cid>,
    by_sender: HashMap<ActorID, SenderPending>,
    /// Messages with nonces ahead of their sender's next (at most [`POOL_MAX_NONCE_GAP`]),
    /// by sender and nonce: not selected for blocks until the gap fills.
    future: BTreeMap<(ActorID, u64), Pending>,
}

/// The least premium that replaces a pending message offering `premium`: `premium × 125 / 100
/// + 1`, as Lotus' `ComputeMinRBF` (its `ReplaceByFeePercentageDefault` of 125).
pub(crate) fn min_replacement_premium(premium: &TokenAmount) -> TokenAmount {
    TokenAmount::from_atto(premium.atto() * 125u32 / 100u32 + 1u32)
}

/// The gas the FVM charges to include a message of `length` bytes (what its preflight refuses
/// a smaller gas limit for, and what Lotus' pool checks): the price list's `OnChainMessage`.
pub(crate) fn inclusion_gas(length: usize, network_version: NetworkVersion) -> u64 {
    fvm::gas::price_list_by_network_version(network_version)
        .on_chain_message(length)
        .total()
        .round_up()
}

/// The most a message may cost its sender: `value + gas_limit × gas_fee_cap`.
pub(crate) fn max_cost(signed: &SignedMessage) -> TokenAmount {
    let m = &signed.message;
    &m.value + m.gas_fee_cap.clone() * m.gas_limit
}

impl Mempool {
    /// An empty pool holding at most `sender_limit` messages per sender and `limit` in all.
    pub(crate) fn new(sender_limit: usize, limit: usize) -> Self {
        Self {
            sender_limit,
            limit,
            pending: Vec::new(),
            cids: HashSet::new(),
            by_sender: HashMap::new(),
            future: BTreeMap::new(),
        }
    }

    /// Checks `signed` against the head state (`sender` is the resolved sender actor) and queues it.
    pub(crate) fn add(
        &mut self,
        verified: VerifiedMessage,
        sender: Option<(ActorID, ActorState)>,
        base_fee: &TokenAmount,
        network_version: NetworkVersion,
    ) -> Result<Cid> {
        let (length, cid, eth_hash) = (verified.length(), verified.cid(), verified.eth_hash());
        let signed = verified.into_signed();
        let m = &signed.message;
        let from = m.from;
        if self.cids.contains(&cid) {
            return Err(Error::AlreadyKnown(cid));
        }
        if length > MAX_MESSAGE_SIZE {
            return Err(Error::InvalidMessage(format!(
                "{length} bytes, the limit is {MAX_MESSAGE_SIZE}"
            )));
        }
        if m.version != 0 {
            return Err(Error::InvalidMessage(format!(
                "version {} (only 0 exists)",
                m.version
            )));
        }
        if m.gas_limit == 0 || m.gas_limit > BLOCK_GAS_LIMIT {
            return Err(Error::InvalidMessage(format!(
                "gas limit {} outside 1..={BLOCK_GAS_LIMIT}",
                m.gas_limit
            )));
        }
        let inclusion = inclusion_gas(length, network_version);
        if m.gas_limit < inclusion {
            return Err(Error::InvalidMessage(format!(
                "gas limit {} below the message's inclusion cost {inclusion} (its {length} bytes \
                 at {network_version}'s price list)",
                m.gas_limit
            )));
        }
        if m.gas_fee_cap < *base_fee {
            return Err(Error::InvalidMessage(format!(
                "gas fee cap {} below the base fee {base_fee}",
                m.gas_fee_cap
            )));
        }
        if m.gas_premium > m.gas_fee_cap {
            return Err(Error::InvalidMessage(
                "gas premium above the fee cap".into(),
            ));
        }
        if m.value.is_negative() || m.gas_premium.is_negative() {
            return Err(Error::InvalidMessage("negative value or premium".into()));
        }
        let (id, actor) = sender.ok_or(Error::UnknownSender(from))?;
        let sequence = m.sequence;
        let p = Pending {
            cid,
            signed,
            sender: id,
            length,
            eth_hash,
        };

        let entry = self.by_sender.get(&id).cloned().unwrap_or_default();
        if (actor.sequence..actor.sequence + entry.count).contains(&sequence) {
            return self.replace(p, &actor, entry);
        }
        let queued = self.future_of(id).count() as u64;
        let future_key = (id, sequence);
        if entry.count + queued >= self.sender_limit as u64
            && !self.future.contains_key(&future_key)
        {
            return Err(Error::PoolFull(format!(
                "{from} has {} pending messages, the limit per sender",
                entry.count + queued
            )));
        }
        if self.pending.len() + self.future.len() >= self.limit {
            return Err(Error::PoolFull(format!(
                "the pool holds {} messages, its limit",
                self.pending.len() + self.future.len()
            )));
        }
        let expected = actor.sequence + entry.count;
        if sequence > expected {
            return self.queue_future(p, &actor, &entry, expected);
        }
        if sequence != expected {
            return Err(Error::NonceMismatch {
                from,
                expected,
                got: sequence,
            });
        }
        let future_cost = self.future_cost(id);
        let required = &entry.cost + max_cost(&p.signed);
        if actor.balance < &required + &future_cost {
            return Err(Error::InsufficientBalance(Box::new(Shortfall {
                from,
                required: required + future_cost,
                available: actor.balance,
            })));
        }
        self.push_ready(p);
        // The gap it fills may release queued messages, in nonce order.
        let mut next = sequence + 1;
        while let Some(p) = self.future.remove(&(id, next)) {
            self.push_ready(p);
            next += 1;
        }
        Ok(cid)
    }

    /// Appends a message whose nonce is its sender's next to the ready queue.
    fn push_ready(&mut self, p: Pending) {
        self.cids.insert(p.cid);
        let e = self.by_sender.entry(p.sender).or_default();
        e.count += 1;
        e.cost += max_cost(&p.signed);
        self.pending.push(p);
    }

    /// The sender's queued future messages, by nonce.
    fn future_of(&self, sender: ActorID) -> impl Iterator<Item = &Pending> {
        self.future
            .range((sender, 0)..=(sender, u64::MAX))
            .map(|(_, p)| p)
    }

    /// What the sender's queued future messages may cost.
    fn future_cost(&self, sender: ActorID) -> TokenAmount {
        self.future_of(sender)
            .fold(TokenAmount::default(), |sum, p| sum + max_cost(&p.signed))
    }

    /// Queues a message whose nonce is ahead of its sender's next `expected` (by at most
    /// [`POOL_MAX_NONCE_GAP`]; a queued one with the same nonce is replaced as a pending one).
    fn queue_future(
        &mut self,
        p: Pending,
        actor: &ActorState,
        entry: &SenderPending,
        expected: u64,
    ) -> Result<Cid> {
        let (cid, sender) = (p.cid, p.sender);
        let m = &p.signed.message;
        if m.sequence > expected + POOL_MAX_NONCE_GAP {
            return Err(Error::NonceGap {
                from: m.from,
                expected,
                got: m.sequence,
                max_gap: POOL_MAX_NONCE_GAP,
            });
        }
        let key = (sender, m.sequence);
        let mut future_cost = self.future_cost(sender);
        if let Some(old) = self.future.get(&key) {
            if old.cid == cid {
                return Err(Error::AlreadyKnown(cid));
            }
            let min = min_replacement_premium(&old.signed.message.gas_premium);
            if m.gas_premium < min {
                return Err(Error::InvalidMessage(format!(
                    "nonce {} is queued with premium {} attoFIL: a replacement needs at least {} \
                     attoFIL (Lotus' 1.25x + 1)",
                    m.sequence,
                    old.signed.message.gas_premium.atto(),
                    min.atto()
                )));
            }
            future_cost -= max_cost(&old.signed);
        }
        let required = &entry.cost + future_cost + max_cost(&p.signed);
        if actor.balance < required {
            return Err(Error::InsufficientBalance(Box::new(Shortfall {
                from: m.from,
                required,
                available: actor.balance.clone(),
            })));
        }
        self.future.insert(key, p);
        Ok(cid)
    }

    /// How many messages wait in the future queue (not counted by [`Mempool::len`]).
    pub(crate) fn future_len(&self) -> usize {
        self.future.len()
    }

    /// Replaces the sender's pending message with the same nonce by `p`, if its premium is
    /// at least Lotus' minimum for a replacement ([`min_replacement_premium`]) and the sender
    /// can pay for its pending messages with the new one instead of the old.
    fn replace(&mut self, p: Pending, actor: &ActorState, entry: SenderPending) -> Result<Cid> {
        let (cid, sender) = (p.cid, p.sender);
        let m = &p.signed.message;
        let at = self
            .pending
            .iter()
            .position(|p| p.sender == sender && p.signed.message.sequence == m.sequence)
            .expect("a pending nonce has its message");
        let old = &self.pending[at].signed;
        let min = min_replacement_premium(&old.message.gas_premium);
        if m.gas_premium < min {
            return Err(Error::InvalidMessage(format!(
                "nonce {} is pending with premium {} attoFIL: a replacement needs at least {} attoFIL \
                 (Lotus' 1.25x + 1)",
                m.sequence,
                old.message.gas_premium.atto(),
                min.atto()
            )));
        }
        let required = &entry.cost - max_cost(old) + max_cost(&p.signed);
        if actor.balance < required {
            return Err(Error::InsufficientBalance(Box::new(Shortfall {
                from: m.from,
                required,
                available: actor.balance.clone(),
            })));
        }
        self.cids.remove(&self.pending[at].cid);
        self.cids.insert(cid);
        self.by_sender.insert(
            sender,
            SenderPending {
                count: entry.count,
                cost: required,
            },
        );
        self.pending[at] = p;
        Ok(cid)
    }

    /// The messages for the next tipset (the pool keeps them until [`Mempool::remove`]), by gas
    /// premium as Lotus packs a block: the highest premium among each sender's next message goes
    /// first (ties: the earlier arrival), each sender's messages stay in nonce order, and a
    /// sender whose next message does not fit the block's gas, or offers a fee cap below
    /// `base_fee`, waits with its later nonces. At most [`BLOCK_MESSAGE_LIMIT`] messages.
    pub(crate) fn select_for_block(&self, base_fee: &TokenAmount) -> Vec<Pending> {
        let mut chains: HashMap<ActorID, VecDeque<(usize, &Pending)>> = HashMap::new();
        for (arrival, p) in self.pending.iter().enumerate() {
            chains.entry(p.sender).or_default().push_back((arrival, p));
        }
        let mut heap: BinaryHeap<(TokenAmount, Reverse<usize>, ActorID)> = chains
            .iter()
            .filter_map(|(sender, chain)| {
                let (arrival, p) = chain.front()?;
                Some((
                    p.signed.message.gas_premium.clone(),
                    Reverse(*arrival),
                    *sender,
                ))
            })
            .collect();
        let mut gas = 0u64;
        let mut out = Vec::new();
        while let Some((_, _, sender)) = heap.pop() {
            if out.len() == BLOCK_MESSAGE_LIMIT {
                break;
            }
            let Some(chain) = chains.get_mut(&sender) else {
                continue;
            };
            let Some((_, p)) = chain.pop_front() else {
                continue;
            };
            let m = &p.signed.message;
            if m.gas_fee_cap < *base_fee || gas + m.gas_limit > BLOCK_GAS_LIMIT {
                continue;
            }
            gas += m.gas_limit;
            out.push(p.clone());
            if let Some((arrival, next)) = chain.front() {
                heap.push((
                    next.signed.message.gas_premium.clone(),
                    Reverse(*arrival),
                    sender,
                ));
            }
        }
        out
    }

    /// Removes messages (a committed tipset included or dropped them).
    pub(crate) fn remove(&mut self, included: &[Cid]) {
        if included.is_empty() {
            return;
        }
        let included: HashSet<&Cid> = included.iter().collect();
        let by_sender = &mut self.by_sender;
        let cids = &mut self.cids;
        self.pending.retain(|p| {
            if !included.contains(&p.cid) {
                return true;
            }
            cids.remove(&p.cid);
            if let Some(e) = by_sender.get_mut(&p.sender) {
                e.count -= 1;
                e.cost -= max_cost(&p.signed);
                if e.count == 0 {
                    by_sender.remove(&p.sender);
                }
            }
            false
        });
    }

    /// Pending messages of `sender`.
    pub(crate) fn pending_count(&self, sender: ActorID) -> u64 {
        self.by_sender.get(&sender).map_or(0, |e| e.count)
    }

    /// Queues a message without any check (tests of what the miner does with a bad one).
    #[cfg(test)]
    pub(crate) fn insert_unchecked(&mut self, p: Pending) {
        self.cids.insert(p.cid);
        let e = self.by_sender.entry(p.sender).or_default();
        e.count += 1;
        e.cost += max_cost(&p.signed);
        self.pending.push(p);
    }

    /// Whether the message is pending.
    pub(crate) fn contains(&self, cid: &Cid) -> bool {
        self.cids.contains(cid)
    }

    /// The CIDs of the pending messages, in arrival order.
    pub(crate) fn cids(&self) -> Vec<Cid> {
        self.pending.iter().map(|p| p.cid).collect()
    }

    /// The pending signed messages, in the order they were accepted.
    pub(crate) fn signed(&self) -> Vec<SignedMessage> {
        self.pending.iter().map(|p| p.signed.clone()).collect()
    }

    /// All pending messages.
    pub(crate) fn len(&self) -> usize {
        self.pending.len()
    }
}

#[cfg(test)]
mod tests {
    use filmark_sdk::keys::{SigType, Signature};
    use fvm_ipld_encoding::RawBytes;
    use fvm_shared::address::Address;
    use fvm_shared::message::Message;

    use super::*;

    const NV: NetworkVersion = crate::config::NETWORK_VERSION;
    /// A gas limit above these messages' inclusion cost.
    const GAS: u64 = 1_000_000;

    fn signed(sequence: u64, gas_limit: u64) -> SignedMessage {
        SignedMessage {
            message: Message {
                version: 0,
                from: Address::new_id(100),
                to: Address::new_id(101),
                sequence,
                value: TokenAmount::from_atto(5),
                method_num: 0,
                params: RawBytes::default(),
                gas_limit,
                gas_fee_cap: TokenAmount::from_atto(200),
                gas_premium: TokenAmount::from_atto(100),
            },
            signature: Signature::secp256k1(vec![0; 65]),
        }
    }

    fn sender(sequence: u64, balance: u64) -> Option<(ActorID, ActorState)> {
        Some((
            100,
            ActorState::new(
                fvm_shared::EMPTY_ARR_CID,
                fvm_shared::EMPTY_ARR_CID,
                TokenAmount::from_atto(balance),
                sequence,
                None,
            ),
        ))
    }

    #[test]
    fn it_checks_limits_sender_and_signature() {
        let mut pool = Mempool::new(1_000, 30_000);
        let fee = TokenAmount::from_atto(100);
        let unchecked = VerifiedMessage::unchecked;
        let e = pool
            .add(unchecked(signed(0, 0)), sender(0, 1 << 40), &fee, NV)
            .unwrap_err();
        assert!(matches!(e, Error::InvalidMessage(_)), "{e}");
        let e = pool
            .add(
                unchecked(signed(0, BLOCK_GAS_LIMIT + 1)),
                sender(0, 1 << 40),
                &fee,
                NV,
            )
            .unwrap_err();
        assert!(matches!(e, Error::InvalidMessage(_)), "{e}");
        let length = signed(0, GAS).to_cbor().len();
        let inclusion = inclusion_gas(length, NV);
        assert!((10_000..GAS).contains(&inclusion), "{inclusion}");
        let e = pool
            .add(
                unchecked(signed(0, inclusion - 1)),
                sender(0, 1 << 40),
                &fee,
                NV,
            )
            .unwrap_err();
        assert!(
            matches!(&e, Error::InvalidMessage(m) if m.contains("inclusion")),
            "{e}"
        );
        let e = pool
            .add(unchecked(signed(0, GAS)), None, &fee, NV)
            .unwrap_err();
        assert!(matches!(e, Error::UnknownSender(_)), "{e}");
        let high_fee = TokenAmount::from_atto(201);
        let e = pool
            .add(unchecked(signed(0, GAS)), sender(0, 1 << 40), &high_fee, NV)
            .unwrap_err();
        assert!(matches!(e, Error::InvalidMessage(_)), "{e}");
        let e = pool
            .add(unchecked(signed(5, GAS)), sender(0, 1 << 40), &fee, NV)
            .unwrap_err();
        assert!(
            matches!(
                e,
                Error::NonceGap {
                    expected: 0,
                    got: 5,
                    max_gap: POOL_MAX_NONCE_GAP,
                    ..
                }
            ),
            "{e}"
        );
        let e = pool
            .add(unchecked(signed(0, GAS)), sender(0, 1000), &fee, NV)
            .unwrap_err();
        assert!(matches!(e, Error::InsufficientBalance(_)), "{e}");
        assert_eq!(pool.len(), 0);
        // A zero signature does not verify; a BLS one is not supported.
        let e = VerifiedMessage::verify(signed(0, GAS), 1).unwrap_err();
        assert!(matches!(e, Error::BadSignature { .. }), "{e}");
        let mut bls = signed(0, GAS);
        bls.signature = Signature {
            sig_type: SigType::Bls,
            data: vec![0; 96],
        };
        assert!(matches!(
            VerifiedMessage::verify(bls, 1),
            Err(Error::UnsupportedSignature { .. })
        ));
        // Accepted: counted against the sender's next nonce and balance.
        pool.add(unchecked(signed(0, GAS)), sender(0, 1 << 40), &fee, NV)
            .unwrap();
        assert_eq!(pool.pending_count(100), 1);
        let e = pool
            .add(unchecked(signed(0, GAS)), sender(0, 1 << 40), &fee, NV)
            .unwrap_err();
        assert!(matches!(e, Error::AlreadyKnown(_)), "{e}");
        // The same nonce again is a replacement, which needs a higher premium.
        let e = pool
            .add(unchecked(signed(0, GAS + 1)), sender(0, 1 << 40), &fee, NV)
            .unwrap_err();
        assert!(
            matches!(&e, Error::InvalidMessage(m) if m.contains("126 attoFIL")),
            "{e}"
        );
        let e = pool
            .add(unchecked(signed(6, GAS)), sender(0, 1 << 40), &fee, NV)
            .unwrap_err();
        assert!(
            matches!(
                e,
                Error::NonceGap {
                    expected: 1,
                    got: 6,
                    ..
                }
            ),
            "{e}"
        );
        assert_eq!(
            min_replacement_premium(&TokenAmount::from_atto(1_000)),
            TokenAmount::from_atto(1_251)
        );
    }

    #[test]
    fn it_fills_a_block_up_to_the_gas_limit_and_keeps_the_accounting() {
        let mut pool = Mempool::new(1_000, 30_000);
        let per = BLOCK_GAS_LIMIT / 3 + 1;
        for n in 0..4 {
            let s = signed(n, per);
            pool.insert_unchecked(Pending {
                cid: s.cid(),
                signed: s,
                sender: 100,
                length: 100,
                eth_hash: [0; 32],
            });
        }
        assert_eq!(pool.pending_count(100), 4);
        let first = pool.select_for_block(&TokenAmount::from_atto(100));
        assert_eq!(first.len(), 2, "three would exceed the block gas limit");
        assert_eq!(pool.len(), 4, "selecting takes nothing out");
        pool.remove(&first.iter().map(|p| p.cid).collect::<Vec<_>>());
        assert_eq!(pool.pending_count(100), 2);
        assert_eq!(pool.by_sender[&100].cost, max_cost(&signed(0, per)) * 2);
        let second = pool.select_for_block(&TokenAmount::from_atto(100));
        assert_eq!(second.len(), 2);
        pool.remove(&second.iter().map(|p| p.cid).collect::<Vec<_>>());
        assert_eq!(pool.len(), 0);
        assert!(pool.by_sender.is_empty());
        assert_eq!(
            max_cost(&signed(0, 10)),
            TokenAmount::from_atto(5 + 10 * 200)
        );
    }

    #[test]
    fn it_queues_future_nonces_and_releases_them_when_the_gap_fills() {
        let unchecked = VerifiedMessage::unchecked;
        let mut pool = Mempool::new(6, 100);
        let fee = TokenAmount::from_atto(100);
        let funded = || sender(0, 1 << 40);
        // Nonces 2 and 4 wait: nothing is ready, the next nonce stays 0.
        for n in [2, 4] {
            pool.add(unchecked(signed(n, GAS)), funded(), &fee, NV)
                .unwrap();
        }
        assert_eq!(
            (pool.len(), pool.future_len(), pool.pending_count(100)),
            (0, 2, 0)
        );
        assert!(pool.select_for_block(&fee).is_empty());
        let e = pool
            .add(unchecked(signed(2, GAS)), funded(), &fee, NV)
            .unwrap_err();
        assert!(matches!(e, Error::AlreadyKnown(_)), "{e}");
        // Their cost counts against the balance: a sender who can pay for two cannot queue a third.
        let two = max_cost(&signed(0, GAS)) * 2;
        let e = pool
            .add(
                unchecked(signed(0, GAS)),
                sender(0, two.atto().try_into().unwrap()),
                &fee,
                NV,
            )
            .unwrap_err();
        assert!(matches!(e, Error::InsufficientBalance(_)), "{e}");
        // Nonce 0 is ready alone; nonce 1 fills the gap and releases 2 (4 still waits for 3).
        pool.add(unchecked(signed(0, GAS)), funded(), &fee, NV)
            .unwrap();
        assert_eq!((pool.len(), pool.future_len()), (1, 2));
        pool.add(unchecked(signed(1, GAS)), funded(), &fee, NV)
            .unwrap();
        assert_eq!(
            (pool.len(), pool.future_len(), pool.pending_count(100)),
            (3, 1, 3)
        );
        let nonces: Vec<u64> = pool
            .select_for_block(&fee)
            .iter()
            .map(|p| p.signed.message.sequence)
            .collect();
        assert_eq!(nonces, vec![0, 1, 2]);
        // The per-sender limit counts queued messages: 3 ready + 1 queued + 2 more = 6.
        pool.add(unchecked(signed(5, GAS)), funded(), &fee, NV)
            .unwrap();
        pool.add(unchecked(signed(6, GAS)), funded(), &fee, NV)
            .unwrap();
        let e = pool
            .add(unchecked(signed(7, GAS)), funded(), &fee, NV)
            .unwrap_err();
        assert!(matches!(e, Error::PoolFull(_)), "{e}");
        let e = pool
            .add(unchecked(signed(3, GAS)), funded(), &fee, NV)
            .unwrap_err();
        assert!(matches!(e, Error::PoolFull(_)), "{e}");
    }
}
