//! Persistence: a devnet on a data directory resumes its chain after a restart, and refuses a
//! directory that holds something else.

use filmark_actor_bundle::REGISTRY_WASM;
use std::sync::Arc;

use filmark_devnet::{
    DATA_FILE, Devnet, DevnetConfig, Error, KeyKind, KvStore, LogFilter, Mining, SCHEMA_KEY, Store,
    Table, TipsetRef, WriteBatch,
};
use filmark_devnet_actors::INVOKE_EVM_METHOD;
use filmark_registry::types::ConstructorParams;
use fvm_ipld_encoding::RawBytes;
use fvm_shared::address::Address;
use fvm_shared::econ::TokenAmount;

use crate::{eth_transfer, register, send_transfer, transfer_message};

fn config(dir: &std::path::Path) -> DevnetConfig {
    DevnetConfig::test().with_data_dir(dir)
}

#[test]
fn a_restart_resumes_the_same_chain_state_records_and_indexes() {
    let dir = tempfile::tempdir().unwrap();
    let owner_index = 0;
    let (head, balances, nonces, transfer, eth_cid, eth_hash, logs, registry);
    {
        let net = Devnet::spawn(config(dir.path())).unwrap();
        let owner = net.account(KeyKind::Secp256k1, owner_index).unwrap();
        transfer = send_transfer(&net, 0, 1, 1_000).record.cid;
        // An f410 sender: its transaction hash index.
        let eth = net.account(KeyKind::Eth, 0).unwrap();
        let m = net
            .prepare(
                eth.address(),
                net.account(KeyKind::Eth, 1).unwrap().address(),
                TokenAmount::from_atto(5),
                INVOKE_EVM_METHOD,
                RawBytes::default(),
            )
            .unwrap();
        let signed = eth.key.sign(m, net.chain_id()).unwrap();
        eth_hash = signed.eth_tx_hash(net.chain_id()).unwrap().0;
        eth_cid = net.push(signed).unwrap();
        // Installed code and events.
        let ctor = RawBytes::serialize(ConstructorParams { escrow: None }).unwrap();
        registry = net
            .deploy(&owner.key, REGISTRY_WASM, ctor)
            .unwrap()
            .id_address;
        register(&net, &owner.key, registry, b"persisted");
        net.advance_epochs(10).unwrap();
        head = net.head();
        let addrs: Vec<Address> = net.accounts().iter().map(|a| a.address()).collect();
        balances = addrs
            .iter()
            .map(|a| net.balance(a, TipsetRef::Head).unwrap())
            .collect::<Vec<_>>();
        nonces = addrs
            .iter()
            .map(|a| net.next_nonce(a).unwrap())
            .collect::<Vec<_>>();
        logs = net.logs(&LogFilter {
            from: 0,
            to: head.height(),
            ..LogFilter::default()
        });
        assert!(!logs.is_empty(), "the registry emits events");
    }
    assert!(dir.path().join(DATA_FILE).is_file());

    let net = Devnet::spawn(config(dir.path())).unwrap();
    assert_eq!(net.head(), head, "same head, state root included");
    let addrs: Vec<Address> = net.accounts().iter().map(|a| a.address()).collect();
    for (i, a) in addrs.iter().enumerate() {
        assert_eq!(net.balance(a, TipsetRef::Head).unwrap(), balances[i]);
        assert_eq!(net.next_nonce(a).unwrap(), nonces[i]);
    }
    let lookup = net.lookup(&transfer).unwrap();
    assert!(lookup.record.receipt.exit_code.is_success());
    assert!(lookup.execution.is_some());
    assert_eq!(net.lookup_eth_tx(&eth_hash).unwrap().record.cid, eth_cid);
    let again = net.logs(&LogFilter {
        from: 0,
        to: head.height(),
        ..LogFilter::default()
    });
    assert_eq!(again, logs);
    for h in 0..=head.height() {
        if let Ok(t) = net.tipset(TipsetRef::Height(h)) {
            assert_eq!(net.tipset_by_eth_hash(&t.eth_block_hash()).unwrap(), t);
        }
    }
    // New messages are accepted, including to the installed code (compiled again at start).
    let next = send_transfer(&net, 1, 0, 7);
    assert!(next.record.receipt.exit_code.is_success());
    assert_eq!(next.record.height, head.height() + 1);
    let owner = net.account(KeyKind::Secp256k1, owner_index).unwrap();
    register(&net, &owner.key, registry, b"after restart");
}

#[test]
fn a_revert_on_disk_survives_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let (head, gone, gone_hash, gone_block) = {
        let net = Devnet::spawn(config(dir.path())).unwrap();
        send_transfer(&net, 0, 1, 1);
        let snap = net.snapshot();
        let head = net.head();
        let gone = send_transfer(&net, 0, 1, 2).record;
        let hash = gone.signed.unwrap().eth_tx_hash(net.chain_id()).unwrap().0;
        assert_eq!(net.lookup_eth_tx(&hash).unwrap().record.cid, gone.cid);
        let block = net.head().eth_block_hash();
        net.revert(snap).unwrap();
        assert!(matches!(net.lookup_eth_tx(&hash), Err(Error::NotFound(_))));
        (head, gone.cid, hash, block)
    };
    let net = Devnet::spawn(config(dir.path())).unwrap();
    assert_eq!(net.head(), head);
    assert!(matches!(net.lookup(&gone), Err(Error::UnknownMessage(_))));
    assert!(matches!(
        net.lookup_eth_tx(&gone_hash),
        Err(Error::NotFound(_))
    ));
    assert!(matches!(
        net.tipset_by_eth_hash(&gone_block),
        Err(Error::UnknownTipset(_))
    ));
    assert_eq!(
        send_transfer(&net, 0, 1, 3).record.height,
        head.height() + 1
    );
}

fn data_dir_error(config: DevnetConfig) -> String {
    match Devnet::spawn(config) {
        Err(e @ Error::DataDir { .. }) => e.to_string(),
        Err(e) => panic!("expected a data-dir error, got {e}"),
        Ok(_) => panic!("expected a data-dir error, the devnet started"),
    }
}

#[test]
fn a_corrupt_or_foreign_data_dir_is_refused() {
    // Not a redb file.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join(DATA_FILE),
        b"not a database at all, just text",
    )
    .unwrap();
    let e = data_dir_error(config(dir.path()));
    assert!(e.contains("not a usable redb database"), "{e}");

    // A redb file of another program (no schema marker).
    let dir = tempfile::tempdir().unwrap();
    {
        let db = redb::Database::create(dir.path().join(DATA_FILE)).unwrap();
        let w = db.begin_write().unwrap();
        {
            let def: redb::TableDefinition<'_, &str, u64> = redb::TableDefinition::new("other");
            w.open_table(def).unwrap().insert("x", 1).unwrap();
        }
        w.commit().unwrap();
    }
    let e = data_dir_error(config(dir.path()));
    assert!(e.contains("without the devnet's schema marker"), "{e}");

    // Another schema version.
    let dir = tempfile::tempdir().unwrap();
    {
        let kv = filmark_devnet::RedbKv::open(dir.path()).unwrap();
        let mut batch = WriteBatch::default();
        batch.put(Table::Meta, SCHEMA_KEY, b"filmark-devnet/999".to_vec());
        kv.write_batch(batch).unwrap();
    }
    let e = data_dir_error(config(dir.path()));
    assert!(e.contains("filmark-devnet/999"), "{e}");

    // Another devnet's chain: another chain id, then another genesis.
    let dir = tempfile::tempdir().unwrap();
    drop(Devnet::spawn(config(dir.path())).unwrap());
    let e = data_dir_error(config(dir.path()).with_chain_id(7));
    assert!(e.contains("chain id"), "{e}");
    let e = data_dir_error(config(dir.path()).with_accounts(3, 3));
    assert!(e.contains("another chain"), "{e}");
    // The directory was left as it was: the right config still opens it, once at a time.
    let open = Devnet::spawn(config(dir.path())).unwrap();
    let e = data_dir_error(config(dir.path()));
    assert!(e.contains("in use by another devnet"), "{e}");
    drop(open);
}

/// A redb store whose next batch write fails once armed.
#[derive(Debug)]
struct FailingBatch {
    inner: filmark_devnet::RedbKv,
    fail_next: std::sync::atomic::AtomicBool,
}

impl KvStore for FailingBatch {
    fn get(&self, cid: &cid::Cid) -> anyhow::Result<Option<Vec<u8>>> {
        self.inner.get(cid)
    }

    fn put(&self, cid: &cid::Cid, block: &[u8]) -> anyhow::Result<()> {
        self.inner.put(cid, block)
    }

    fn is_persistent(&self) -> bool {
        true
    }

    fn write_batch(&self, batch: WriteBatch) -> anyhow::Result<()> {
        if self
            .fail_next
            .swap(false, std::sync::atomic::Ordering::SeqCst)
        {
            anyhow::bail!("injected failure of the tipset's transaction");
        }
        self.inner.write_batch(batch)
    }

    fn entry(&self, table: Table, key: &[u8]) -> anyhow::Result<Option<Vec<u8>>> {
        self.inner.entry(table, key)
    }

    fn entries(&self, table: Table) -> anyhow::Result<Vec<(Vec<u8>, Vec<u8>)>> {
        self.inner.entries(table)
    }
}

#[test]
fn a_failed_database_transaction_changes_nothing_and_the_next_tipset_commits() {
    let dir = tempfile::tempdir().unwrap();
    let config = config(dir.path()).with_mining(Mining::Manual);
    let (head, cid) = {
        let kv = Arc::new(FailingBatch {
            inner: filmark_devnet::RedbKv::open(dir.path()).unwrap(),
            fail_next: false.into(),
        });
        let net = Devnet::spawn_with_store(config.clone(), Store::new(kv.clone())).unwrap();
        let key = net.account(KeyKind::Secp256k1, 0).unwrap().key;
        let cid = net
            .sign_and_push(&key, transfer_message(&net, 0, 1, 3))
            .unwrap();
        let before = net.head();
        kv.fail_next
            .store(true, std::sync::atomic::Ordering::SeqCst);
        let e = net.mine(1).unwrap_err();
        assert!(e.to_string().contains("injected failure"), "{e}");
        assert_eq!(net.head(), before, "the head did not move");
        assert_eq!(
            net.pending_messages(),
            vec![cid],
            "the message is still pending"
        );
        assert!(matches!(net.lookup(&cid), Err(Error::UnknownMessage(_))));
        let head = net.mine(1).unwrap();
        assert_eq!(head.height(), before.height() + 1);
        assert_eq!(head.messages, vec![cid]);
        (head, cid)
    };
    let net = Devnet::spawn(config).unwrap();
    assert_eq!(net.head(), head);
    assert!(
        net.lookup(&cid)
            .unwrap()
            .record
            .receipt
            .exit_code
            .is_success()
    );
}

#[test]
fn a_reverted_f410_transaction_is_forgotten_on_disk_and_its_sequence_reused() {
    let dir = tempfile::tempdir().unwrap();
    let (kept, gone, after) = {
        let net = Devnet::spawn(config(dir.path())).unwrap();
        let kept = eth_transfer(&net, 0, 1);
        let snap = net.snapshot();
        let gone = eth_transfer(&net, 0, 1);
        net.revert(snap).unwrap();
        // The next record takes the reverted one's commit sequence.
        let after = eth_transfer(&net, 1, 0);
        (kept, gone, after)
    };
    let net = Devnet::spawn(config(dir.path())).unwrap();
    for (cid, hash) in [kept, after] {
        assert_eq!(net.lookup_eth_tx(&hash).unwrap().record.cid, cid);
    }
    assert!(matches!(
        net.lookup_eth_tx(&gone.1),
        Err(Error::NotFound(_))
    ));
    assert!(matches!(net.lookup(&gone.0), Err(Error::UnknownMessage(_))));
}
