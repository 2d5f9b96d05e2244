//! The key hash of the actors' HAMTs.
//!
//! HAMTs hash their keys with SHA-256, as the builtin actors' do. `fvm_ipld_hamt::Sha256`
//! compiles the `sha2` crate into the actor (about 10 KB of wasm). In the wasm actor (feature
//! `fil-actor` on `wasm32`), [`Sha256`] asks the FVM's hash syscall instead; everywhere else it
//! is `fvm_ipld_hamt::Sha256`. Both hash the same bytes to the same digest, so maps built either
//! way are the same blocks. Name the hasher explicitly:
//! `Hamt<BS, V, BytesKey, filmark_actor_shared::hamt::Sha256>`.

#[cfg(not(all(feature = "fil-actor", target_arch = "wasm32")))]
pub use fvm_ipld_hamt::Sha256;

#[cfg(all(feature = "fil-actor", target_arch = "wasm32"))]
pub use syscall::Sha256;

/// The bytes a HAMT hashes for `key` (what `fvm_ipld_hamt::Sha256` feeds to SHA-256).
#[cfg(any(test, all(feature = "fil-actor", target_arch = "wasm32")))]
fn key_bytes<X: fvm_ipld_hamt::Hash + ?Sized>(key: &X) -> Vec<u8> {
    struct KeyBytes(Vec<u8>);

    impl core::hash::Hasher for KeyBytes {
        fn finish(&self) -> u64 {
            // Not used by the HAMT, which only reads the digest.
            0
        }

        fn write(&mut self, bytes: &[u8]) {
            self.0.extend_from_slice(bytes);
        }
    }

    let mut bytes = KeyBytes(Vec::new());
    key.hash(&mut bytes);
    bytes.0
}

#[cfg(all(feature = "fil-actor", target_arch = "wasm32"))]
mod syscall {
    use fvm_ipld_hamt::{Hash, HashAlgorithm};
    use fvm_shared::crypto::hash::SupportedHashes;

    /// SHA-256 of a HAMT key, computed by the FVM's hash syscall.
    #[derive(Debug)]
    pub enum Sha256 {}

    impl HashAlgorithm for Sha256 {
        fn hash<X>(key: &X) -> [u8; 32]
        where
            X: Hash + ?Sized,
        {
            let mut digest = [0u8; 32];
            fvm_sdk::crypto::hash_into(
                SupportedHashes::Sha2_256,
                &super::key_bytes(key),
                &mut digest,
            );
            digest
        }
    }
}

#[cfg(test)]
mod tests {
    use fvm_ipld_hamt::{BytesKey, HashAlgorithm};
    use multihash_codetable::{Code, MultihashDigest};

    use super::*;

    #[test]
    fn syscall_input_hashes_like_the_hamt() {
        for len in [0usize, 1, 8, 20, 32, 55, 56, 64, 100] {
            let key = BytesKey((0..len).map(|i| (i * 7 + len) as u8).collect());
            let syscall_digest = Code::Sha2_256.digest(&key_bytes(&key));
            assert_eq!(
                syscall_digest.digest(),
                fvm_ipld_hamt::Sha256::hash(&key),
                "key of {len} bytes"
            );
        }
    }
}
