//! Unit tests of the node: what the miner does with messages the pool's checks did not stop.

use fvm_ipld_encoding::RawBytes;
use fvm_shared::METHOD_SEND;

use super::*;
use crate::config::Mining;
use crate::keys::KeyKind;
use crate::mempool::Pending;

fn node() -> Node {
    let config = DevnetConfig::test().with_mining(Mining::Manual);
    Node::new(
        config,
        filmark_devnet_bundle::BUILTIN_ACTORS,
        Store::memory(),
    )
    .unwrap()
}

/// A signed one-atto transfer from the `from`-th f1 account with this nonce.
fn transfer(node: &Node, from: usize, sequence: u64) -> Pending {
    let accounts: Vec<_> = node
        .accounts
        .iter()
        .filter(|a| a.key.kind() == KeyKind::Secp256k1)
        .collect();
    let message = Message {
        version: 0,
        from: accounts[from].address(),
        to: accounts[9].address(),
        sequence,
        value: TokenAmount::from_atto(1),
        method_num: METHOD_SEND,
        params: RawBytes::default(),
        gas_limit: 10_000_000,
        gas_fee_cap: TokenAmount::from_atto(1_000),
        gas_premium: TokenAmount::from_atto(100),
    };
    let signed = accounts[from]
        .key
        .sign(message, node.config.chain_id)
        .unwrap();
    Pending {
        cid: signed.cid(),
        length: signed.to_cbor().len(),
        sender: accounts[from].id,
        eth_hash: [0; 32],
        signed,
    }
}

#[test]
fn a_message_the_fvm_refuses_in_preflight_is_never_included_and_leaves_the_pool() {
    let mut node = node();
    // Nonce 5 of a fresh sender: the FVM refuses it (SYS_SENDER_STATE_INVALID) and its nonce 6
    // cannot run after it; another sender's message is fine.
    let stale = transfer(&node, 0, 5);
    let after = transfer(&node, 0, 6);
    let good = transfer(&node, 1, 0);
    for p in [&stale, &after, &good] {
        node.pool.insert_unchecked(p.clone());
    }
    node.mine_one(&[]).unwrap();
    assert_eq!(node.head().messages, vec![good.cid]);
    assert!(node.lookup(&stale.cid).is_err());
    assert!(node.lookup(&after.cid).is_err());
    assert!(node.lookup(&good.cid).is_ok());
    assert_eq!(node.pool.len(), 0);
    node.mine_one(&[]).unwrap();
    assert!(node.head().messages.is_empty(), "nothing is mined again");
}

#[test]
fn a_message_already_on_chain_is_never_included_again() {
    let mut node = node();
    let p = transfer(&node, 0, 0);
    node.pool.insert_unchecked(p.clone());
    node.mine_one(&[]).unwrap();
    assert_eq!(node.head().messages, vec![p.cid]);
    let e = node
        .push(VerifiedMessage::unchecked(p.signed.clone()))
        .unwrap_err();
    assert!(matches!(e, Error::AlreadyKnown(c) if c == p.cid), "{e}");
    node.pool.insert_unchecked(p.clone());
    node.mine_one(&[]).unwrap();
    assert!(node.head().messages.is_empty());
    assert_eq!(node.lookup(&p.cid).unwrap().record.height, 1);
    assert_eq!(node.pool.len(), 0);
}

#[test]
fn calls_scheduled_in_null_rounds_run_at_the_next_tipset_in_epoch_order() {
    let mut node = node();
    let cron = node.every_tipset[0].clone();
    // Told apart by their params (the market may refuse them: a failed call is recorded too).
    let call = |epoch: u8| ImplicitCall {
        params: RawBytes::new(vec![epoch]),
        what: format!("at {epoch}"),
        ..cron.clone()
    };
    node.schedule(7, call(7)).unwrap();
    node.schedule(3, call(3)).unwrap();
    node.schedule(12, call(12)).unwrap();
    let before = node.records.len();
    node.mine_at(10, &[]).unwrap();
    assert_eq!(node.head().height(), 10);
    // The calls of epochs 3 and 7, then the cron once; epoch 12's call waits.
    let run: Vec<_> = node
        .records
        .since(before)
        .iter()
        .map(|c| node.record_of(c).unwrap().unwrap().message.params.to_vec())
        .collect();
    assert_eq!(run, vec![vec![3], vec![7], vec![]]);
    assert_eq!(node.schedule.keys().copied().collect::<Vec<_>>(), vec![12]);
    assert!(node.mine_at(10, &[]).is_err(), "not after the head");
}

/// Genesis writes the bundle's market state itself (the FVM need not compile and run the market
/// at start): the state root is the one running its constructor gives, for each policy.
#[test]
fn the_genesis_market_state_is_the_one_its_constructor_writes() {
    use filmark_devnet_actors::market::MarketPolicy;
    for policy in [MarketPolicy::fast(), MarketPolicy::devnet()] {
        let config = DevnetConfig::test().with_market_policy(policy);
        let store = Store::memory();
        let mut genesis =
            genesis::build(&store, filmark_devnet_bundle::BUILTIN_ACTORS, &config).unwrap();
        assert!(genesis.market_constructed);
        let built = genesis.state_root;
        // The market as genesis left it before: an empty state for its constructor to fill.
        let mut tree = StateTree::new_from_root(store.clone(), &built).unwrap();
        let mut market = tree.get_actor(MARKET_ACTOR_ID).unwrap().unwrap();
        assert_ne!(market.state, fvm_shared::EMPTY_ARR_CID);
        market.state = fvm_shared::EMPTY_ARR_CID;
        tree.set_actor(MARKET_ACTOR_ID, market);
        genesis.state_root = tree.flush().unwrap();
        assert_ne!(genesis.state_root, built);

        let mut network = NetworkConfig::new(config.network_version);
        network.chain_id(ChainID::from(config.chain_id));
        let engine = engines().get(&network).unwrap();
        let externs = DevnetExterns::new(config.seed, TipsetCids::default());
        let constructed = on_fvm_thread("market constructor", || {
            construct_market(&network, &engine, &store, &externs, &genesis, &config)
        })
        .unwrap();
        assert_eq!(constructed, built);
    }
}

/// A builtin list whose market is not the bundle's still gets its state from its constructor.
#[test]
fn another_market_wasm_is_constructed_by_the_fvm() {
    let builtins: Vec<(&str, &[u8])> = filmark_devnet_bundle::BUILTIN_ACTORS
        .iter()
        .filter(|(name, _)| *name != filmark_devnet_actors::manifest::STORAGE_MARKET)
        .copied()
        .collect();
    let config = DevnetConfig::test().with_mining(Mining::Manual);
    let genesis = genesis::build(&Store::memory(), &builtins, &config).unwrap();
    assert!(!genesis.market_constructed);
}
