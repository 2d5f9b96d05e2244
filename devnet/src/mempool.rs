//! The message pool: every check the FVM leaves to the node (signature, nonce, balance, limits),
//! and the pending queue a tipset is filled from.

use std::collections::HashMap;

use cid::Cid;
use fvm_shared::ActorID;
use fvm_shared::econ::TokenAmount;
use fvm_shared::state::ActorState;

use crate::config::{BLOCK_GAS_LIMIT, MAX_MESSAGE_SIZE};
use crate::{Error, Result};
use filmark_sdk::keys::{SigType, SignedMessage, verify_signed_message};

/// A message waiting for a tipset.
#[derive(Debug, Clone)]
pub(crate) struct Pending {
    pub(crate) cid: Cid,
    pub(crate) signed: SignedMessage,
    pub(crate) sender: ActorID,
    pub(crate) length: usize,
}

/// What a sender has pending: how many messages and what they may cost at most.
#[derive(Debug, Clone, Default)]
struct SenderPending {
    count: u64,
    cost: TokenAmount,
}

/// The pending queue, in arrival order (per sender that is nonce order: gaps are refused).
#[derive(Debug, Default)]
pub(crate) struct Mempool {
    pending: Vec<Pending>,
    by_sender: HashMap<ActorID, SenderPending>,
}

/// The most a message may cost its sender: `value + gas_limit × gas_fee_cap`.
pub(crate) fn max_cost(signed: &SignedMessage) -> TokenAmount {
    let m = &signed.message;
    &m.value + m.gas_fee_cap.clone() * m.gas_limit
}

impl Mempool {
    /// Checks `signed` against the head state (`sender` is the resolved sender actor) and queues it.
    pub(crate) fn add(
        &mut self,
        signed: SignedMessage,
        sender: Option<(ActorID, ActorState)>,
        base_fee: &TokenAmount,
        chain_id: u64,
    ) -> Result<Cid> {
        let m = &signed.message;
        let from = m.from;
        let length = signed.to_cbor().len();
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
        verify_signature(&signed, chain_id)?;

        let entry = self.by_sender.get(&id).cloned().unwrap_or_default();
        let expected = actor.sequence + entry.count;
        if m.sequence != expected {
            return Err(Error::NonceMismatch {
                from,
                expected,
                got: m.sequence,
            });
        }
        let required = &entry.cost + max_cost(&signed);
        if actor.balance < required {
            return Err(Error::InsufficientBalance {
                from,
                required,
                available: actor.balance,
            });
        }
        let cid = signed.cid();
        self.by_sender.insert(
            id,
            SenderPending {
                count: entry.count + 1,
                cost: required,
            },
        );
        self.pending.push(Pending {
            cid,
            signed,
            sender: id,
            length,
        });
        Ok(cid)
    }

    /// Takes the messages for the next tipset: in arrival order, while their gas limits fit a block.
    pub(crate) fn take_for_block(&mut self) -> Vec<Pending> {
        let mut gas = 0u64;
        let n = self
            .pending
            .iter()
            .take_while(|p| {
                gas += p.signed.message.gas_limit;
                gas <= BLOCK_GAS_LIMIT
            })
            .count();
        let taken: Vec<Pending> = self.pending.drain(..n).collect();
        for p in &taken {
            if let Some(e) = self.by_sender.get_mut(&p.sender) {
                e.count -= 1;
                e.cost -= max_cost(&p.signed);
                if e.count == 0 {
                    self.by_sender.remove(&p.sender);
                }
            }
        }
        taken
    }

    /// Pending messages of `sender`.
    pub(crate) fn pending_count(&self, sender: ActorID) -> u64 {
        self.by_sender.get(&sender).map_or(0, |e| e.count)
    }

    /// All pending messages.
    pub(crate) fn len(&self) -> usize {
        self.pending.len()
    }
}

/// Verifies the sender's signature with the SDK (secp256k1 over the message CID for f1
/// senders; for f410 senders the eth transaction is rebuilt from the message, as Lotus does, and
/// its signer recovered).
fn verify_signature(signed: &SignedMessage, chain_id: u64) -> Result<()> {
    let from = signed.message.from;
    if signed.signature.sig_type == SigType::Bls {
        return Err(Error::UnsupportedSignature {
            from,
            reason: "BLS senders are not supported by the devnet".into(),
        });
    }
    verify_signed_message(signed, chain_id).map_err(|e| Error::BadSignature {
        from,
        reason: e.to_string(),
    })
}
