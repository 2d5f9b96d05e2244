//! The devnet's [`Externs`]: deterministic randomness, no consensus faults, tipset CIDs from the
//! devnet's own chain.

use std::sync::{Arc, RwLock};

use anyhow::anyhow;
use cid::Cid;
use fvm::externs::{Chain, Consensus, Externs, Rand};
use fvm_shared::clock::ChainEpoch;
use fvm_shared::consensus::ConsensusFault;

/// `(height, key)` of every tipset in height order (null rounds have none), shared between the
/// chain (writer) and every machine (reader).
pub(crate) type TipsetCids = Arc<RwLock<Vec<(ChainEpoch, Cid)>>>;

/// The devnet's externs. Randomness is `blake2b-256(domain || seed || epoch)`: deterministic, so a
/// devnet replays identically, and distinct per epoch and source.
#[derive(Debug, Clone)]
pub(crate) struct DevnetExterns {
    seed: [u8; 32],
    tipsets: TipsetCids,
}

impl DevnetExterns {
    pub(crate) const fn new(seed: [u8; 32], tipsets: TipsetCids) -> Self {
        Self { seed, tipsets }
    }

    fn randomness(&self, domain: &[u8], round: ChainEpoch) -> [u8; 32] {
        let hash = blake2b_simd::Params::new()
            .hash_length(32)
            .to_state()
            .update(domain)
            .update(&self.seed)
            .update(&round.to_be_bytes())
            .finalize();
        let mut out = [0u8; 32];
        out.copy_from_slice(hash.as_bytes());
        out
    }
}

impl Externs for DevnetExterns {}

impl Rand for DevnetExterns {
    fn get_chain_randomness(&self, round: ChainEpoch) -> anyhow::Result<[u8; 32]> {
        Ok(self.randomness(b"filmark-devnet/chain", round))
    }

    fn get_beacon_randomness(&self, round: ChainEpoch) -> anyhow::Result<[u8; 32]> {
        Ok(self.randomness(b"filmark-devnet/beacon", round))
    }
}

impl Consensus for DevnetExterns {
    fn verify_consensus_fault(
        &self,
        _h1: &[u8],
        _h2: &[u8],
        _extra: &[u8],
    ) -> anyhow::Result<(Option<ConsensusFault>, i64)> {
        // One block producer: there is never a consensus fault to report.
        Ok((None, 0))
    }
}

impl Chain for DevnetExterns {
    /// The tipset at `epoch`, or for a null round the last one before it (as Lotus looks a
    /// height up with `prev = true`).
    fn get_tipset_cid(&self, epoch: ChainEpoch) -> anyhow::Result<Cid> {
        let tipsets = self.tipsets.read().unwrap_or_else(|e| e.into_inner());
        let after = tipsets.partition_point(|(h, _)| *h <= epoch);
        match (epoch < 0, after.checked_sub(1).and_then(|i| tipsets.get(i))) {
            (false, Some((_, cid))) => Ok(*cid),
            _ => Err(anyhow!("no tipset at epoch {epoch}")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn it_derives_distinct_deterministic_randomness() {
        let ext = DevnetExterns::new([1; 32], TipsetCids::default());
        let a = ext.get_chain_randomness(5).unwrap();
        assert_eq!(a, ext.get_chain_randomness(5).unwrap());
        assert_ne!(a, ext.get_chain_randomness(6).unwrap());
        assert_ne!(a, ext.get_beacon_randomness(5).unwrap());
        assert!(ext.get_tipset_cid(0).is_err());
        let (fault, _) = ext.verify_consensus_fault(&[], &[], &[]).unwrap();
        assert!(fault.is_none());
    }
}
