//! The actors' HAMTs: their key hash and [`IpldMap`], the one HAMT type their state code uses.
//!
//! # Key hash
//!
//! HAMTs hash their keys with SHA-256, as the builtin actors' do. `fvm_ipld_hamt::Sha256`
//! compiles the `sha2` crate into the actor (about 10 KB of wasm). In the wasm actor (feature
//! `fil-actor` on `wasm32`), [`Sha256`] asks the FVM's hash syscall instead; everywhere else it
//! is `fvm_ipld_hamt::Sha256`. Both hash the same bytes to the same digest, so maps built either
//! way are the same blocks. Name the hasher explicitly:
//! `Hamt<BS, V, BytesKey, filmark_actor_shared::hamt::Sha256>`.
//!
//! # Typed maps
//!
//! [`IpldMap<BS, V>`] is a `Hamt<BS, V, BytesKey, Sha256>` behind the small API the actors
//! use: values are decoded from and encoded to their DAG-CBOR directly. (It held them as IPLD
//! data model values in one `Hamt<BS, Ipld, ..>` per actor to save ~10 KB of wasm per value
//! type, at the cost of a CBOR → IPLD → value conversion on every access; issue 11 measured
//! the typed form cheaper in gas, see `contracts/bundle/README.md`.) The blocks are the same
//! either way.

use core::fmt;

use cid::Cid;
use fvm_ipld_blockstore::Blockstore;
use fvm_ipld_hamt::Hamt;
pub use fvm_ipld_hamt::{BytesKey, Config};
use serde::Serialize;
use serde::de::DeserializeOwned;

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

/// A HAMT of `V` values with byte keys and the [`Sha256`] key hash: a
/// `Hamt<BS, V, BytesKey, Sha256>` (see the [module docs](self)).
///
/// [`get`](Self::get) returns a copy of the value; keep a map loaded across the accesses of one
/// operation and [`flush`](Self::flush) it once.
#[derive(Debug)]
pub struct IpldMap<BS: Blockstore, V> {
    raw: Hamt<BS, V, BytesKey, Sha256>,
}

/// A failed [`IpldMap`] operation.
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// The HAMT failed: the store failed, a block is missing or is not a HAMT node of `V`
    /// values, or a [`for_each`](IpldMap::for_each) callback failed.
    Hamt(fvm_ipld_hamt::Error),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Hamt(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Hamt(e) => Some(e),
        }
    }
}

impl From<fvm_ipld_hamt::Error> for Error {
    fn from(e: fvm_ipld_hamt::Error) -> Self {
        Self::Hamt(e)
    }
}

impl<BS: Blockstore, V: Serialize + DeserializeOwned> IpldMap<BS, V> {
    /// An empty map (its root is written by [`flush`](Self::flush)).
    #[must_use]
    pub fn new(store: BS, config: Config) -> Self {
        Self {
            raw: Hamt::new_with_config(store, config),
        }
    }

    /// Loads the map rooted at `root`, built with `config`.
    ///
    /// # Errors
    /// [`Error::Hamt`] when the root block is missing or not a HAMT node.
    pub fn load(store: BS, root: &Cid, config: Config) -> Result<Self, Error> {
        Ok(Self {
            raw: Hamt::load_with_config(root, store, config)?,
        })
    }

    /// Removes `key`; returns whether it was there.
    ///
    /// # Errors
    /// [`Error::Hamt`] when a block cannot be read.
    pub fn delete(&mut self, key: &BytesKey) -> Result<bool, Error> {
        Ok(self.raw.delete(key)?.is_some())
    }

    /// Whether the map holds no entries.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.raw.is_empty()
    }

    /// The number of entries (walks the whole map).
    ///
    /// # Errors
    /// [`Error::Hamt`] when a block cannot be read.
    pub fn count(&self) -> Result<usize, Error> {
        let mut n = 0usize;
        self.raw.for_each(|_, _| {
            n += 1;
            Ok(())
        })?;
        Ok(n)
    }

    /// Writes the changed nodes; returns the map's root.
    ///
    /// # Errors
    /// [`Error::Hamt`] when the store fails.
    pub fn flush(&mut self) -> Result<Cid, Error> {
        Ok(self.raw.flush()?)
    }
}

/// Access to the values, which the map copies in and out.
impl<BS: Blockstore, V: Serialize + DeserializeOwned + Clone + PartialEq> IpldMap<BS, V> {
    /// The value under `key`, if any.
    ///
    /// # Errors
    /// [`Error::Hamt`] when a block cannot be read or holds a value that is no `V`.
    pub fn get(&self, key: &BytesKey) -> Result<Option<V>, Error> {
        Ok(self.raw.get(key)?.cloned())
    }

    /// Stores `value` under `key`, replacing any value there.
    ///
    /// # Errors
    /// [`Error::Hamt`] when a block cannot be read.
    pub fn set(&mut self, key: BytesKey, value: &V) -> Result<(), Error> {
        self.raw.set(key, value.clone())?;
        Ok(())
    }

    /// Calls `f` on every entry, in the HAMT's order (by key hash), stopping at its first error.
    ///
    /// # Errors
    /// [`Error::Hamt`] when a block cannot be read or `f` fails (its error inside).
    pub fn for_each(
        &self,
        mut f: impl FnMut(&BytesKey, V) -> anyhow::Result<()>,
    ) -> Result<(), Error> {
        Ok(self.raw.for_each(|k, v| f(k, v.clone()))?)
    }
}

#[cfg(test)]
mod tests {
    use fvm_ipld_blockstore::MemoryBlockstore;
    use fvm_ipld_encoding::tuple::*;
    use fvm_ipld_hamt::HashAlgorithm;
    use fvm_shared::address::Address;
    use fvm_shared::econ::TokenAmount;
    use multihash_codetable::{Code, MultihashDigest};

    use super::*;

    /// A value with every kind of field the actors store.
    #[derive(Serialize_tuple, Deserialize_tuple, Clone, Debug, PartialEq)]
    struct Value {
        link: Cid,
        count: u64,
        epoch: i64,
        small: u32,
        owner: Option<Address>,
        amount: TokenAmount,
        name: String,
        tags: Vec<u64>,
    }

    fn value(i: u64) -> Value {
        Value {
            link: Cid::new_v1(0x71, Code::Sha2_256.digest(&i.to_be_bytes())),
            count: i.wrapping_mul(0x9E37_79B9_7F4A_7C15),
            epoch: 3 - i as i64 * 1_000_003,
            small: i as u32,
            owner: (!i.is_multiple_of(3)).then(|| Address::new_id(i)),
            amount: TokenAmount::from_atto(i * 1_000_000_007) - TokenAmount::from_atto(17),
            name: format!("value {i}"),
            tags: (0..i % 4).collect(),
        }
    }

    fn key(i: u64) -> BytesKey {
        BytesKey(i.to_be_bytes().to_vec())
    }

    fn config() -> Config {
        Config {
            bit_width: 3,
            min_data_depth: 0,
            max_array_width: 1,
        }
    }

    #[test]
    fn blocks_are_those_of_a_typed_hamt() {
        let typed_store = MemoryBlockstore::new();
        let ipld_store = MemoryBlockstore::new();
        let mut typed: Hamt<_, Value, BytesKey, Sha256> =
            Hamt::new_with_config(&typed_store, config());
        let mut map = IpldMap::new(&ipld_store, config());
        assert_eq!(typed.flush().unwrap(), map.flush().unwrap(), "empty");
        for i in 0..60 {
            typed.set(key(i), value(i)).unwrap();
            map.set(key(i), &value(i)).unwrap();
        }
        assert_eq!(typed.flush().unwrap(), map.flush().unwrap(), "filled");
        for i in (0..60).step_by(3) {
            typed.delete(&key(i)).unwrap();
            assert!(map.delete(&key(i)).unwrap());
        }
        assert!(!map.delete(&key(0)).unwrap());
        assert_eq!(map.get(&key(0)).unwrap(), None);
        assert_eq!(map.get(&key(1)).unwrap(), Some(value(1)));
        let root = typed.flush().unwrap();
        assert_eq!(root, map.flush().unwrap(), "after deletes");

        // Each reads the other's blocks.
        let map = IpldMap::<_, Value>::load(&typed_store, &root, config()).unwrap();
        let typed: Hamt<_, Value, BytesKey, Sha256> =
            Hamt::load_with_config(&root, &ipld_store, config()).unwrap();
        for i in 0..60 {
            assert_eq!(
                map.get(&key(i)).unwrap().as_ref(),
                typed.get(&key(i)).unwrap()
            );
        }
    }

    #[test]
    fn walks_counts_and_reports_values_of_another_shape() {
        let store = MemoryBlockstore::new();
        let mut map = IpldMap::new(&store, config());
        assert!(map.is_empty());
        assert_eq!(map.count().unwrap(), 0);
        for i in 0..20 {
            map.set(key(i), &value(i)).unwrap();
        }
        assert!(!map.is_empty());
        assert_eq!(map.count().unwrap(), 20);
        let mut seen = Vec::new();
        map.for_each(|k, v| {
            assert_eq!(v, value(u64::from_be_bytes(k.0.as_slice().try_into()?)));
            seen.push(v.small);
            Ok(())
        })
        .unwrap();
        seen.sort_unstable();
        assert_eq!(seen, (0..20).collect::<Vec<_>>());

        let stop = map.for_each(|_, _| Err(anyhow::Error::msg("stop here")));
        assert!(matches!(stop, Err(Error::Hamt(_))), "{stop:?}");
        assert!(stop.unwrap_err().to_string().contains("stop here"));

        // The same blocks read as another value type: an error, not a panic.
        let root = map.flush().unwrap();
        let wrong = IpldMap::<_, u64>::load(&store, &root, config());
        assert!(
            matches!(wrong, Err(Error::Hamt(_))) || wrong.unwrap().get(&key(1)).is_err(),
            "values of another shape must not decode"
        );
        assert!(matches!(
            IpldMap::<_, u64>::load(&store, &value(0).link, config()),
            Err(Error::Hamt(_))
        ));
    }

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
