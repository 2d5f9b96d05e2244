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
//! # One HAMT instantiation
//!
//! `fvm_ipld_hamt` is generic over the value type, so every value type an actor stores puts
//! another copy of the HAMT's code (about 10 KB) into its wasm. [`IpldMap<BS, V>`] holds its
//! values as IPLD data model values ([`Ipld`]) in one `Hamt<BS, Ipld, BytesKey, Sha256>` and
//! converts them to and from `V` at each access, so an actor carries the HAMT's code once
//! whatever it stores. Its blocks are the same bytes as a `Hamt<BS, V, BytesKey, Sha256>` with
//! the same configuration: a value encodes to the same DAG-CBOR whether written directly or
//! through its IPLD form.

use core::fmt;
use core::marker::PhantomData;

use cid::Cid;
use fvm_ipld_blockstore::Blockstore;
use fvm_ipld_hamt::Hamt;
pub use fvm_ipld_hamt::{BytesKey, Config};
use ipld_core::ipld::Ipld;
use ipld_core::serde::{from_ipld, to_ipld};
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

/// A HAMT of `V` values with byte keys and the [`Sha256`] key hash, over the one HAMT
/// instantiation every map of an actor shares (see the [module docs](self)).
///
/// Its blocks are those of a `Hamt<BS, V, BytesKey, Sha256>` with the same [`Config`]. Each
/// [`get`](Self::get) decodes the value from the IPLD the HAMT holds and each
/// [`set`](Self::set) encodes it, so keep a map loaded across the accesses of one operation and
/// [`flush`](Self::flush) it once.
#[derive(Debug)]
pub struct IpldMap<BS: Blockstore, V> {
    raw: Hamt<BS, Ipld, BytesKey, Sha256>,
    _value: PhantomData<V>,
}

/// A failed [`IpldMap`] operation.
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// The HAMT failed: the store failed, a block is missing or is not a HAMT node, or a
    /// [`for_each`](IpldMap::for_each) callback failed.
    Hamt(fvm_ipld_hamt::Error),
    /// A value did not convert to or from its IPLD form (a stored value of another shape).
    Value(String),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Hamt(e) => write!(f, "{e}"),
            Self::Value(e) => write!(f, "map value does not convert: {e}"),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Hamt(e) => Some(e),
            Self::Value(_) => None,
        }
    }
}

impl From<fvm_ipld_hamt::Error> for Error {
    fn from(e: fvm_ipld_hamt::Error) -> Self {
        Self::Hamt(e)
    }
}

fn value_error(e: impl fmt::Display) -> Error {
    Error::Value(e.to_string())
}

impl<BS: Blockstore, V: Serialize + DeserializeOwned> IpldMap<BS, V> {
    /// An empty map (its root is written by [`flush`](Self::flush)).
    #[must_use]
    pub fn new(store: BS, config: Config) -> Self {
        Self {
            raw: Hamt::new_with_config(store, config),
            _value: PhantomData,
        }
    }

    /// Loads the map rooted at `root`, built with `config`.
    ///
    /// # Errors
    /// [`Error::Hamt`] when the root block is missing or not a HAMT node.
    pub fn load(store: BS, root: &Cid, config: Config) -> Result<Self, Error> {
        Ok(Self {
            raw: Hamt::load_with_config(root, store, config)?,
            _value: PhantomData,
        })
    }

    /// The value under `key`, if any.
    ///
    /// # Errors
    /// [`Error::Hamt`] when a block cannot be read; [`Error::Value`] when the value does not
    /// decode as a `V`.
    pub fn get(&self, key: &BytesKey) -> Result<Option<V>, Error> {
        match self.raw.get(key)? {
            Some(v) => from_ipld(v.clone()).map(Some).map_err(value_error),
            None => Ok(None),
        }
    }

    /// Stores `value` under `key`, replacing any value there.
    ///
    /// # Errors
    /// [`Error::Value`] when the value does not encode; [`Error::Hamt`] when a block cannot be
    /// read.
    pub fn set(&mut self, key: BytesKey, value: &V) -> Result<(), Error> {
        let value = to_ipld(value).map_err(value_error)?;
        self.raw.set(key, value)?;
        Ok(())
    }

    /// Removes `key`; returns whether it was there. (The removed value is not decoded: that
    /// would cost every caller the decoding; [`get`](Self::get) it first if it is needed, which
    /// reads no block again.)
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

    /// The number of entries (walks the whole map without decoding the values).
    ///
    /// # Errors
    /// [`Error::Hamt`] when a block cannot be read.
    pub fn count(&self) -> Result<usize, Error> {
        let mut n = 0usize;
        self.for_each_ipld(&mut |_, _| {
            n += 1;
            Ok(())
        })?;
        Ok(n)
    }

    /// Calls `f` on every entry, in the HAMT's order (by key hash), stopping at its first error.
    ///
    /// # Errors
    /// [`Error::Hamt`] when a block cannot be read or `f` fails (its error inside);
    /// [`Error::Value`] when a value does not decode as a `V`.
    pub fn for_each(
        &self,
        mut f: impl FnMut(&BytesKey, V) -> anyhow::Result<()>,
    ) -> Result<(), Error> {
        let mut bad_value = None;
        let walked = self.for_each_ipld(&mut |k, v| match from_ipld(v.clone()) {
            Ok(v) => f(k, v),
            Err(e) => {
                let e = value_error(e);
                let stop = anyhow::Error::msg(e.to_string());
                bad_value = Some(e);
                Err(stop)
            }
        });
        bad_value.map_or(walked, Err)
    }

    /// Writes the changed nodes; returns the map's root.
    ///
    /// # Errors
    /// [`Error::Hamt`] when the store fails.
    pub fn flush(&mut self) -> Result<Cid, Error> {
        Ok(self.raw.flush()?)
    }

    /// The raw walk, through a trait object so every caller shares one instantiation of
    /// `Hamt::for_each`.
    fn for_each_ipld(
        &self,
        f: &mut dyn FnMut(&BytesKey, &Ipld) -> anyhow::Result<()>,
    ) -> Result<(), Error> {
        Ok(self.raw.for_each(f)?)
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

        // The same blocks read as another value type: a value error, not a panic.
        let root = map.flush().unwrap();
        let wrong = IpldMap::<_, u64>::load(&store, &root, config()).unwrap();
        assert!(matches!(wrong.get(&key(1)), Err(Error::Value(_))));
        let walked = wrong.for_each(|_, _| Ok(()));
        assert!(matches!(walked, Err(Error::Value(_))), "{walked:?}");
        assert_eq!(wrong.count().unwrap(), 20);
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
