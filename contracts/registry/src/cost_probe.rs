//! Storage cost of one `Register` as the registry grows: blocks and bytes read and written,
//! priced with the FVM's storage gas (block open 187,440; block link 334,000 + 172,000 flat and
//! 3,340 per byte). Not run by default (it fills a 100,000-record state); run it with
//! `cargo test --release -p filmark-registry --lib cost_probe -- --ignored --nocapture`.

use std::cell::Cell;

use cid::Cid;
use fvm_ipld_blockstore::{Blockstore, MemoryBlockstore};
use multihash_codetable::{Code, MultihashDigest};

use crate::state::State;
use crate::types::{MetadataEntry, Record, Status};

#[derive(Default)]
struct Counting {
    inner: MemoryBlockstore,
    puts: Cell<u64>,
    put_bytes: Cell<u64>,
    gets: Cell<u64>,
    get_bytes: Cell<u64>,
}

impl Counting {
    fn snapshot(&self) -> [u64; 4] {
        [
            self.puts.get(),
            self.put_bytes.get(),
            self.gets.get(),
            self.get_bytes.get(),
        ]
    }
}

impl Blockstore for Counting {
    fn get(&self, k: &Cid) -> anyhow::Result<Option<Vec<u8>>> {
        let block = self.inner.get(k)?;
        if let Some(b) = &block {
            self.gets.set(self.gets.get() + 1);
            self.get_bytes.set(self.get_bytes.get() + b.len() as u64);
        }
        Ok(block)
    }

    fn put_keyed(&self, k: &Cid, block: &[u8]) -> anyhow::Result<()> {
        self.puts.set(self.puts.get() + 1);
        self.put_bytes
            .set(self.put_bytes.get() + block.len() as u64);
        self.inner.put_keyed(k, block)
    }

    fn has(&self, k: &Cid) -> anyhow::Result<bool> {
        self.inner.has(k)
    }
}

fn content(i: u64) -> Cid {
    Cid::new_v1(0x71, Code::Blake2b256.digest(&i.to_be_bytes()))
}

fn record(owner: u64) -> Record {
    Record {
        owner,
        kind: "image/png".into(),
        size: 12_345,
        piece: Some(Cid::new_v1(0xf101, Code::Blake2b256.digest(b"piece"))),
        platform: "bluesky".into(),
        ref_hash: [7; 32],
        metadata: vec![MetadataEntry {
            key: "title".into(),
            value: "a post title".into(),
        }],
        created: 1,
        updated: 1,
        status: Status::Active,
        order_id: None,
        index: 0,
        seq: 0,
        via_grant: None,
    }
}

#[test]
#[ignore = "fills a 100,000-record state; run in release with --ignored --nocapture"]
fn register_storage_cost_by_registry_size() {
    const SAMPLES: u64 = 20;
    for owners in [1u64, 1000] {
        let bs = Counting::default();
        let mut st = State::new(&bs, None).unwrap();
        let mut n = 0u64;
        for size in [1u64, 10_000, 100_000] {
            while n < size {
                st.insert_records(&bs, vec![(content(n), record(n % owners))])
                    .unwrap();
                n += 1;
            }
            let before = bs.snapshot();
            for j in 0..SAMPLES {
                // Each sample starts from the same state, like independent messages.
                let mut fresh = st.clone();
                let i = u64::MAX - j;
                fresh
                    .insert_records(&bs, vec![(content(i), record(i % owners))])
                    .unwrap();
            }
            let after = bs.snapshot();
            let [puts, put_bytes, gets, get_bytes] =
                [0, 1, 2, 3].map(|k| (after[k] - before[k]) as f64 / SAMPLES as f64);
            let gas = puts * 506_000.0 + put_bytes * 3340.0 + gets * 187_440.0 + get_bytes * 10.0;
            println!(
                "owners {owners:>4} records {size:>6}: writes {puts:.1} blocks / {put_bytes:.0} B, \
                 reads {gets:.1} / {get_bytes:.0} B, storage gas {:.1}M",
                gas / 1e6
            );
            assert!(puts < 16.0, "an insert writes a bounded number of blocks");
        }
    }
}
