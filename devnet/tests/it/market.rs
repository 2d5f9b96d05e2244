//! The simulated storage market on the real FVM: it answers as builtin-actors v18's market.

use filmark_devnet::MessageRecord;
use filmark_devnet::{
    BURNT_FUNDS_ACTOR_ID, Devnet, DevnetConfig, DevnetHandle, Error, GenesisAccount, KeyKind,
    MARKET_ACTOR_ID, TipsetRef,
};
use filmark_devnet_actors::market::{
    self, ClientDealProposal, DealProposal, DealSettlementSummary, EX_DEAL_EXPIRED,
    EX_DEAL_NOT_ACTIVATED, GetBalanceReturn, GetDealActivationReturn, GetDealTermReturn, Label,
    MarketPolicy, PublishStorageDealsParams, PublishStorageDealsReturn, SettleDealPaymentsParams,
    SettleDealPaymentsReturn, WithdrawBalanceParams,
};
use fvm_ipld_bitfield::BitField;
use fvm_ipld_encoding::{CborStore, RawBytes};
use fvm_shared::address::Address;
use fvm_shared::clock::ChainEpoch;
use fvm_shared::crypto::signature::Signature;
use fvm_shared::econ::TokenAmount;
use fvm_shared::error::ExitCode;
use fvm_shared::piece::PaddedPieceSize;

const PRICE_NANO: u64 = 10;
const COLLATERAL_NANO: u64 = 500;

pub(crate) fn market() -> Address {
    Address::new_id(MARKET_ACTOR_ID)
}

pub(crate) fn acct(net: &Devnet, i: usize) -> GenesisAccount {
    net.account(KeyKind::Secp256k1, i).unwrap()
}

/// Sends `method` to the market from `who`; the record, whatever its exit code.
pub(crate) fn send(
    net: &Devnet,
    who: &GenesisAccount,
    method: market::Method,
    params: RawBytes,
    value: TokenAmount,
) -> MessageRecord {
    net.send(&who.key, market(), value, method.number(), params)
        .unwrap()
        .record
}

pub(crate) fn ok(r: &MessageRecord) {
    assert!(r.receipt.exit_code.is_success(), "{:?}", r.failure);
}

pub(crate) fn add_balance(net: &Devnet, who: &GenesisAccount, amount: TokenAmount) {
    let params = RawBytes::serialize(who.address()).unwrap();
    ok(&send(
        net,
        who,
        market::Method::AddBalanceExported,
        params,
        amount,
    ));
}

/// A piece CID: CIDv1, fil-commitment-unsealed, sha2-256-trunc254-padded.
fn piece_cid() -> cid::Cid {
    let mut digest = [7u8; 32];
    digest[31] &= 0x3f;
    cid::Cid::new_v1(
        0xf101,
        cid::multihash::Multihash::wrap(0x1012, &digest).unwrap(),
    )
}

pub(crate) fn proposal(
    client: &GenesisAccount,
    provider: Address,
    start: ChainEpoch,
    len: ChainEpoch,
) -> DealProposal {
    DealProposal {
        piece_cid: piece_cid(),
        piece_size: PaddedPieceSize(2048),
        verified_deal: false,
        client: client.address(),
        provider,
        label: Label::String("devnet deal".into()),
        start_epoch: start,
        end_epoch: start + len,
        storage_price_per_epoch: TokenAmount::from_nano(PRICE_NANO),
        provider_collateral: TokenAmount::from_nano(COLLATERAL_NANO),
        client_collateral: TokenAmount::default(),
    }
}

/// Signed by the client the way its account actor's `AuthenticateMessage` checks:
/// secp256k1 over blake2b-256 of the CBOR proposal.
pub(crate) fn sign(client: &GenesisAccount, proposal: DealProposal) -> ClientDealProposal {
    let bytes = fvm_ipld_encoding::to_vec(&proposal).unwrap();
    let digest = blake2b_simd::Params::new().hash_length(32).hash(&bytes);
    let sig = client
        .key
        .secp_key()
        .sign_prehash(&digest.as_bytes().try_into().unwrap());
    ClientDealProposal {
        proposal,
        client_signature: Signature::new_secp256k1(sig.to_vec()),
    }
}

pub(crate) fn publish(
    net: &Devnet,
    from: &GenesisAccount,
    deals: Vec<ClientDealProposal>,
) -> MessageRecord {
    let params = RawBytes::serialize(PublishStorageDealsParams { deals }).unwrap();
    send(
        net,
        from,
        market::Method::PublishStorageDealsExported,
        params,
        TokenAmount::default(),
    )
}

/// Publishes one deal of `len` epochs from `start`, client account 0, provider account 1.
pub(crate) fn publish_one(net: &Devnet, start: ChainEpoch, len: ChainEpoch) -> u64 {
    let (client, provider) = (acct(net, 0), acct(net, 1));
    let r = publish(
        net,
        &provider,
        vec![sign(
            &client,
            proposal(&client, provider.address(), start, len),
        )],
    );
    ok(&r);
    let ret: PublishStorageDealsReturn = r.receipt.return_data.deserialize().unwrap();
    ret.ids[0]
}

/// A devnet with the client (account 0) and provider (account 1) funded in the market.
pub(crate) fn funded(config: DevnetConfig) -> DevnetHandle {
    let net = Devnet::spawn(config).unwrap();
    add_balance(&net, &acct(&net, 0), TokenAmount::from_whole(1));
    add_balance(&net, &acct(&net, 1), TokenAmount::from_whole(1));
    net
}

fn query<T: serde::de::DeserializeOwned>(
    net: &Devnet,
    method: market::Method,
    params: RawBytes,
) -> Result<T, ExitCode> {
    let r = net
        .call_method(acct(net, 3).address(), market(), method.number(), params)
        .unwrap();
    if r.receipt.exit_code.is_success() {
        Ok(r.receipt.return_data.deserialize().unwrap())
    } else {
        Err(r.receipt.exit_code)
    }
}

fn getter<T: serde::de::DeserializeOwned>(
    net: &Devnet,
    method: market::Method,
    deal: u64,
) -> Result<T, ExitCode> {
    query(net, method, RawBytes::serialize(deal).unwrap())
}

pub(crate) fn activation(net: &Devnet, deal: u64) -> Result<(ChainEpoch, ChainEpoch), ExitCode> {
    getter::<GetDealActivationReturn>(net, market::Method::GetDealActivationExported, deal)
        .map(|a| (a.activated, a.terminated))
}

pub(crate) fn escrow(net: &Devnet, who: &GenesisAccount) -> (TokenAmount, TokenAmount) {
    let b: GetBalanceReturn = query(
        net,
        market::Method::GetBalanceExported,
        RawBytes::serialize(who.address()).unwrap(),
    )
    .unwrap();
    (b.balance, b.locked)
}

fn burnt(net: &Devnet) -> TokenAmount {
    net.balance(&Address::new_id(BURNT_FUNDS_ACTOR_ID), TipsetRef::Head)
        .unwrap()
}

fn settle_params(ids: &[u64]) -> RawBytes {
    let deal_ids = BitField::try_from_bits(ids.iter().copied()).unwrap();
    RawBytes::serialize(SettleDealPaymentsParams { deal_ids }).unwrap()
}

fn implicit_code(e: Error) -> ExitCode {
    match e {
        Error::ImplicitFailed { exit_code, .. } => exit_code,
        other => panic!("not an implicit failure: {other}"),
    }
}

pub(crate) fn check_market(net: &Devnet) {
    let store = net.store();
    let root = net.state_root(&market(), TipsetRef::Head).unwrap();
    let state: market::State = store.get_cbor(&root).unwrap().unwrap();
    let balance = net.balance(&market(), TipsetRef::Head).unwrap();
    let (_, violations) = market::testing::check_state_invariants(&state, &store, &balance);
    assert!(violations.is_empty(), "{violations:?}");
}

#[test]
fn the_getters_answer_as_the_real_market() {
    let net = funded(DevnetConfig::test());
    let start = net.head().height() + 20;
    let deal = publish_one(&net, start, 100);
    let term: GetDealTermReturn = getter(&net, market::Method::GetDealTermExported, deal).unwrap();
    assert_eq!((term.start, term.duration), (start, 100));
    assert_eq!(
        getter::<u64>(&net, market::Method::GetDealClientExported, deal),
        Ok(acct(&net, 0).id)
    );
    let collateral = getter::<TokenAmount>(
        &net,
        market::Method::GetDealProviderCollateralExported,
        deal,
    );
    assert_eq!(collateral, Ok(TokenAmount::from_nano(COLLATERAL_NANO)));
    let client_collateral =
        getter::<TokenAmount>(&net, market::Method::GetDealClientCollateralExported, deal);
    assert_eq!(client_collateral, Ok(TokenAmount::default()));
    assert_eq!(activation(&net, deal), Ok((-1, -1)));
    assert_eq!(
        getter::<u64>(&net, market::Method::GetDealSectorExported, deal),
        Err(EX_DEAL_NOT_ACTIVATED)
    );
    assert_eq!(
        getter::<u64>(&net, market::Method::GetDealSectorExported, 999),
        Err(ExitCode::USR_NOT_FOUND)
    );
    assert_eq!(
        getter::<u64>(&net, market::Method::GetDealClientExported, 999),
        Err(ExitCode::USR_NOT_FOUND)
    );
    assert_eq!(
        escrow(&net, &acct(&net, 0)).1,
        TokenAmount::from_nano(PRICE_NANO * 100)
    );

    // GetBalance of an address no actor has: 16.
    let nobody = Address::new_secp256k1(&[4; 65]).unwrap();
    let unknown = query::<GetBalanceReturn>(
        &net,
        market::Method::GetBalanceExported,
        RawBytes::serialize(nobody).unwrap(),
    );
    assert_eq!(unknown, Err(ExitCode::USR_ILLEGAL_ARGUMENT));

    let rec = net.activate_deals_in_sector(42, &[deal]).unwrap();
    assert_eq!(activation(&net, deal), Ok((rec.height, -1)));
    assert_eq!(
        getter::<u64>(&net, market::Method::GetDealSectorExported, deal),
        Ok(42)
    );
    assert_eq!(
        implicit_code(net.activate_deals(&[deal]).unwrap_err()),
        ExitCode::USR_ILLEGAL_ARGUMENT
    );
    assert_eq!(
        implicit_code(net.activate_deals(&[77]).unwrap_err()),
        ExitCode::USR_NOT_FOUND
    );
    check_market(&net);
}

#[test]
fn only_a_settlement_pays_and_completes_a_deal() {
    let net = funded(DevnetConfig::test());
    let start = net.head().height() + 5;
    let deal = publish_one(&net, start, 10);
    let activated = net.activate_deals(&[deal]).unwrap().height;
    // The cron runs at the end of every tipset: past the end, nothing is paid, the deal is
    // still [activated, -1].
    net.mine(20).unwrap();
    assert_eq!(activation(&net, deal), Ok((activated, -1)));
    assert_eq!(
        escrow(&net, &acct(&net, 1)),
        (
            TokenAmount::from_whole(1),
            TokenAmount::from_nano(COLLATERAL_NANO)
        )
    );

    // A third party settles it (with an unknown id beside it).
    let r = send(
        &net,
        &acct(&net, 3),
        market::Method::SettleDealPaymentsExported,
        settle_params(&[deal, 999]),
        TokenAmount::default(),
    );
    ok(&r);
    let ret: SettleDealPaymentsReturn = r.receipt.return_data.deserialize().unwrap();
    assert_eq!(ret.results.codes(), [ExitCode::OK, EX_DEAL_EXPIRED]);
    let paid = TokenAmount::from_nano(PRICE_NANO * 10);
    assert_eq!(
        ret.settlements,
        [DealSettlementSummary {
            payment: paid.clone(),
            completed: true
        }]
    );
    assert_eq!(r.events.len(), 1, "deal-completed");
    assert_eq!(
        escrow(&net, &acct(&net, 1)),
        (TokenAmount::from_whole(1) + paid, TokenAmount::default())
    );
    // Removed: its getters answer 32 from now on.
    assert_eq!(activation(&net, deal), Err(EX_DEAL_EXPIRED));
    assert_eq!(
        getter::<u64>(&net, market::Method::GetDealClientExported, deal),
        Err(EX_DEAL_EXPIRED)
    );
    assert_eq!(
        getter::<u64>(&net, market::Method::GetDealSectorExported, deal),
        Err(EX_DEAL_EXPIRED)
    );
    check_market(&net);
}

#[test]
fn a_terminated_deal_is_paid_up_to_it_and_leaves_at_once() {
    let net = funded(DevnetConfig::test().with_market_cron(false));
    let start = net.head().height() + 3;
    let deal = publish_one(&net, start, 100);
    net.activate_deals(&[deal]).unwrap();
    net.mine(10).unwrap();
    let mid = net.settle_deal_payments(&[deal]).unwrap();
    assert!(!mid.settlements[0].completed);
    let burnt_before = burnt(&net);
    let at = net.terminate_deals(&[deal]).unwrap().height;
    assert_eq!(
        activation(&net, deal),
        Err(EX_DEAL_EXPIRED),
        "at once, no cron"
    );
    assert_eq!(
        getter::<u64>(&net, market::Method::GetDealSectorExported, deal),
        Err(EX_DEAL_EXPIRED)
    );
    let collateral = TokenAmount::from_nano(COLLATERAL_NANO);
    assert_eq!(burnt(&net) - burnt_before, collateral);
    let earned = TokenAmount::from_nano(PRICE_NANO) * (at - start);
    assert_eq!(
        escrow(&net, &acct(&net, 1)),
        (
            TokenAmount::from_whole(1) + earned - collateral,
            TokenAmount::default()
        )
    );
    assert_eq!(escrow(&net, &acct(&net, 0)).1, TokenAmount::default());
    check_market(&net);
}

#[test]
fn unactivated_deals_are_settled_as_mainnet() {
    let net = funded(DevnetConfig::test().with_market_cron(false));
    let start = net.head().height() + 4;
    let deal = publish_one(&net, start, 50);
    // Before its start: a {0, false} success.
    let early = net.settle_deal_payments(&[deal]).unwrap();
    let nothing = DealSettlementSummary {
        payment: TokenAmount::default(),
        completed: false,
    };
    assert_eq!(early.settlements, [nothing]);
    // Past its start, never activated: activation is refused with 32, settlement drops it,
    // burns the provider collateral and fails with 32.
    net.mine(4).unwrap();
    assert_eq!(
        implicit_code(net.activate_deals(&[deal]).unwrap_err()),
        EX_DEAL_EXPIRED
    );
    let burnt_before = burnt(&net);
    let late = net.settle_deal_payments(&[deal]).unwrap();
    assert_eq!(late.results.codes(), [EX_DEAL_EXPIRED]);
    assert!(late.settlements.is_empty());
    assert_eq!(
        burnt(&net) - burnt_before,
        TokenAmount::from_nano(COLLATERAL_NANO)
    );
    assert_eq!(activation(&net, deal), Err(EX_DEAL_EXPIRED));
    check_market(&net);
}

#[test]
fn the_cron_drops_an_unactivated_deal_at_its_next_scheduled_update() {
    let net = funded(DevnetConfig::test());
    // Deals 0 and 1; with updates every 10 epochs deal 1 is first visited at the first epoch
    // ending in 1 at or after its start, later than its start.
    let mut start = net.head().height() + 4;
    if start % 10 == 1 {
        start += 1;
    }
    publish_one(&net, start, 50);
    let deal = publish_one(&net, start, 60);
    let due = MarketPolicy::fast().next_update_epoch(deal, start);
    assert!(due > start);
    while net.head().height() < start {
        net.mine(1).unwrap();
    }
    assert_eq!(
        activation(&net, deal),
        Ok((-1, -1)),
        "still there at its start"
    );
    while net.head().height() < due {
        net.mine(1).unwrap();
    }
    assert_eq!(activation(&net, deal), Err(EX_DEAL_EXPIRED));
    check_market(&net);
}

#[test]
fn publishing_checks_the_caller_and_every_deal() {
    let net = funded(DevnetConfig::test());
    let (client, provider, worker, stranger) =
        (acct(&net, 0), acct(&net, 1), acct(&net, 2), acct(&net, 3));
    let start = net.head().height() + 50;
    let deal = |len| sign(&client, proposal(&client, provider.address(), start, len));
    net.register_provider(
        provider.address(),
        provider.address(),
        worker.address(),
        vec![],
    )
    .unwrap();

    let r = publish(&net, &stranger, vec![deal(10)]);
    assert_eq!(r.receipt.exit_code, ExitCode::USR_FORBIDDEN);
    ok(&publish(&net, &worker, vec![deal(10)]));
    // The owner controls it too (as a miner's IsControllingAddress).
    ok(&publish(&net, &provider, vec![deal(11)]));
    // A duplicate, a deal starting in the past, a verified one: each is invalid; alone, 16.
    for bad in [
        deal(10),
        sign(&client, proposal(&client, provider.address(), 1, 10)),
        sign(
            &client,
            DealProposal {
                verified_deal: true,
                ..proposal(&client, provider.address(), start, 12)
            },
        ),
    ] {
        let r = publish(&net, &worker, vec![bad]);
        assert_eq!(
            r.receipt.exit_code,
            ExitCode::USR_ILLEGAL_ARGUMENT,
            "{:?}",
            r.failure
        );
    }
    // With a valid deal beside them, only the valid one is published.
    let r = publish(&net, &worker, vec![deal(10), deal(13)]);
    ok(&r);
    let ret: PublishStorageDealsReturn = r.receipt.return_data.deserialize().unwrap();
    assert_eq!(ret.valid_deals.iter().collect::<Vec<_>>(), [1]);
    // A deal starting now is accepted.
    let now = net.head().height() + 1;
    ok(&publish(
        &net,
        &worker,
        vec![sign(
            &client,
            proposal(&client, provider.address(), now, 10),
        )],
    ));
    check_market(&net);
}

#[test]
fn withdrawal_checks_the_amount_then_the_caller() {
    let net = funded(DevnetConfig::test());
    let (provider, worker, stranger) = (acct(&net, 1), acct(&net, 2), acct(&net, 3));
    net.register_provider(
        provider.address(),
        provider.address(),
        worker.address(),
        vec![],
    )
    .unwrap();
    let withdraw = |who: &GenesisAccount, atto: i64| {
        let params = WithdrawBalanceParams {
            provider_or_client: provider.address(),
            amount: TokenAmount::from_atto(atto),
        };
        send(
            &net,
            who,
            market::Method::WithdrawBalanceExported,
            RawBytes::serialize(params).unwrap(),
            TokenAmount::default(),
        )
    };
    assert_eq!(
        withdraw(&stranger, -1).receipt.exit_code,
        ExitCode::USR_ILLEGAL_ARGUMENT
    );
    assert_eq!(
        withdraw(&stranger, 1).receipt.exit_code,
        ExitCode::USR_FORBIDDEN
    );
    // The worker asks; the owner receives.
    let owner_before = net.balance(&provider.address(), TipsetRef::Head).unwrap();
    ok(&withdraw(&worker, 1_000));
    let owner_after = net.balance(&provider.address(), TipsetRef::Head).unwrap();
    assert_eq!(owner_after - owner_before, TokenAmount::from_atto(1_000));
    check_market(&net);
}

#[test]
fn the_devnet_and_mainnet_policies_are_the_builtin_actors_numbers() {
    let net = funded(DevnetConfig::test().with_market_policy(MarketPolicy::devnet()));
    let (client, provider) = (acct(&net, 0), acct(&net, 1));
    let start = net.head().height() + 10;
    let min = MarketPolicy::devnet().min_duration;
    let with = |len, collateral: TokenAmount, size| {
        let p = DealProposal {
            provider_collateral: collateral,
            piece_size: PaddedPieceSize(size),
            storage_price_per_epoch: TokenAmount::from_atto(1),
            ..proposal(&client, provider.address(), start, len)
        };
        publish(&net, &provider, vec![sign(&client, p)])
    };
    let collateral = TokenAmount::from_nano(COLLATERAL_NANO);
    // 100 epochs is under 180 days; no provider collateral is under 1% of the normalised
    // circulating supply.
    assert_eq!(
        with(100, collateral.clone(), 2048).receipt.exit_code,
        ExitCode::USR_ILLEGAL_ARGUMENT
    );
    assert_eq!(
        with(min, TokenAmount::default(), 2048).receipt.exit_code,
        ExitCode::USR_ILLEGAL_ARGUMENT
    );
    ok(&with(min, collateral.clone(), 2048));
    // A 16 MiB piece is published but does not fit the devnet bundle's 8 MiB sectors.
    let r = with(min + 1, collateral, 16 << 20);
    ok(&r);
    let ret: PublishStorageDealsReturn = r.receipt.return_data.deserialize().unwrap();
    assert_eq!(
        implicit_code(net.activate_deals(&ret.ids).unwrap_err()),
        ExitCode::USR_ILLEGAL_ARGUMENT
    );

    // Mainnet's 64 GiB sectors take it.
    let net = funded(DevnetConfig::test().with_market_policy(MarketPolicy::mainnet()));
    let start = net.head().height() + 10;
    let p = DealProposal {
        piece_size: PaddedPieceSize(16 << 20),
        ..proposal(&client, provider.address(), start, min)
    };
    let r = publish(&net, &provider, vec![sign(&client, p)]);
    ok(&r);
    let ret: PublishStorageDealsReturn = r.receipt.return_data.deserialize().unwrap();
    net.activate_deals(&ret.ids).unwrap();
    check_market(&net);
}

/// A client actor, built here as a tiny wasm module, that accepts every proposal
/// (`AuthenticateMessage` returns `true`) and aborts `MarketNotifyDeal` with exit code 18.
fn client_rejecting_notifications() -> Vec<u8> {
    use wasm_encoder::{
        BlockType, CodeSection, ConstExpr, DataSection, EntityType, ExportKind, ExportSection,
        Function, FunctionSection, ImportSection, Instruction as I, MemArg, MemorySection,
        MemoryType, Module, TypeSection, ValType,
    };
    const RET: i32 = 64; // out-pointer of the syscalls
    const TRUE: i32 = 256; // the CBOR `true` returned by AuthenticateMessage
    const MSG: &[u8] = b"no notifications, thanks";
    let mut types = TypeSection::new();
    types.ty().function([ValType::I32], [ValType::I32]);
    types.ty().function(
        [ValType::I32, ValType::I64, ValType::I32, ValType::I32],
        [ValType::I32],
    );
    types.ty().function([ValType::I32; 4], [ValType::I32]);
    let mut imports = ImportSection::new();
    // vm::message_context(ret) -> errno; ipld::block_create(ret, codec, data, len) -> errno;
    // vm::exit(code, block, message, len), which never returns (linked with an i32 result).
    imports.import("vm", "message_context", EntityType::Function(0));
    imports.import("ipld", "block_create", EntityType::Function(1));
    imports.import("vm", "exit", EntityType::Function(2));
    let mut functions = FunctionSection::new();
    functions.function(0);
    let mut memory = MemorySection::new();
    memory.memory(MemoryType {
        minimum: 1,
        maximum: None,
        memory64: false,
        shared: false,
        page_size_log2: None,
    });
    let mut exports = ExportSection::new();
    exports.export("invoke", ExportKind::Func, 3);
    exports.export("memory", ExportKind::Memory, 0);
    let method = |offset| MemArg {
        offset,
        align: 0,
        memory_index: 0,
    };
    let mut invoke = Function::new([(1, ValType::I64)]);
    for i in [
        I::I32Const(RET),
        I::Call(0),
        I::Drop,
        // MessageContext.method_number: after origin, nonce, caller and receiver (u64 each).
        I::I32Const(RET),
        I::I64Load(method(32)),
        I::LocalSet(1),
        // The constructor (method 1) succeeds with no return.
        I::LocalGet(1),
        I::I64Const(1),
        I::I64Eq,
        I::If(BlockType::Empty),
        I::I32Const(0),
        I::Return,
        I::End,
        I::LocalGet(1),
        I::I64Const(market::ext::AUTHENTICATE_MESSAGE_METHOD as i64),
        I::I64Eq,
        I::If(BlockType::Empty),
        I::I32Const(RET),
        I::I64Const(0x71), // DAG-CBOR
        I::I32Const(TRUE),
        I::I32Const(1),
        I::Call(1),
        I::Drop,
        I::I32Const(RET),
        I::I32Load(method(0)),
        I::Return,
        I::End,
        I::I32Const(ExitCode::USR_FORBIDDEN.value() as i32),
        I::I32Const(0),
        I::I32Const(TRUE + 16),
        I::I32Const(MSG.len() as i32),
        I::Call(2),
        I::Unreachable,
        I::End,
    ] {
        invoke.instruction(&i);
    }
    let mut code = CodeSection::new();
    code.function(&invoke);
    let mut data = DataSection::new();
    data.active(0, &ConstExpr::i32_const(TRUE), [0xf5]);
    data.active(0, &ConstExpr::i32_const(TRUE + 16), MSG.iter().copied());
    let mut module = Module::new();
    module
        .section(&types)
        .section(&imports)
        .section(&functions)
        .section(&memory)
        .section(&exports)
        .section(&code)
        .section(&data);
    module.finish()
}

#[test]
fn publishing_fails_with_16_when_a_client_rejects_the_notification() {
    let net = funded(DevnetConfig::test());
    let (owner, provider) = (acct(&net, 0), acct(&net, 1));
    let client = net
        .deploy(
            &owner.key,
            &client_rejecting_notifications(),
            RawBytes::default(),
        )
        .unwrap();
    let start = net.head().height() + 10;
    let rejected = DealProposal {
        client: client.id_address,
        storage_price_per_epoch: TokenAmount::default(),
        ..proposal(&owner, provider.address(), start, 100)
    };
    // The client authenticates the proposal, then rejects the notification: the whole
    // publication fails with 16.
    let deals = vec![ClientDealProposal {
        proposal: rejected,
        client_signature: Signature::new_secp256k1(vec![]),
    }];
    let r = publish(&net, &provider, deals);
    assert_eq!(
        r.receipt.exit_code,
        ExitCode::USR_ILLEGAL_ARGUMENT,
        "{:?}",
        r.failure
    );
    let failure = r.failure.unwrap_or_default();
    assert!(failure.contains("failed to notify deal"), "{failure}");
    assert!(failure.contains("exit code 18"), "{failure}");
    // Nothing was published: the same proposal from an account client goes through.
    let ok_deal = sign(&owner, proposal(&owner, provider.address(), start, 100));
    ok(&publish(&net, &provider, vec![ok_deal]));
}
