//! Method numbers, CBOR shapes and what the getters answer through a deal's life.

use super::*;
use crate::market::ext::{AUTHENTICATE_MESSAGE_METHOD, MARKET_NOTIFY_DEAL_METHOD};

#[test]
fn method_numbers_match_the_real_market() {
    // FRC-42 numbers computed independently (blake2b-512 of "1|" + name, first 4-byte chunk
    // at least 2^24) and listed by builtin-actors v18's market `Method`.
    let expected = [
        (Method::AddBalanceExported, 822_473_126),
        (Method::WithdrawBalanceExported, 2_280_458_852),
        (Method::GetBalanceExported, 726_108_461),
        (Method::PublishStorageDealsExported, 2_236_929_350),
        (Method::GetDealDataCommitmentExported, 1_157_985_802),
        (Method::GetDealClientExported, 128_053_329),
        (Method::GetDealProviderExported, 935_081_690),
        (Method::GetDealLabelExported, 46_363_526),
        (Method::GetDealTermExported, 163_777_312),
        (Method::GetDealTotalPriceExported, 4_287_162_428),
        (Method::GetDealClientCollateralExported, 200_567_895),
        (Method::GetDealProviderCollateralExported, 2_986_712_137),
        (Method::GetDealVerifiedExported, 2_627_389_465),
        (Method::GetDealActivationExported, 2_567_238_399),
        (Method::GetDealSectorExported, 2_611_213_344),
        (Method::SettleDealPaymentsExported, 1_900_091_594),
        (Method::PublishStorageDeals, 4),
    ];
    for (method, number) in expected {
        assert_eq!(method.number(), number, "{method:?}");
        assert_eq!(Method::from_number(number), Some(method));
    }
    assert_eq!(AUTHENTICATE_MESSAGE_METHOD, 2_643_134_072);
    assert_eq!(MARKET_NOTIFY_DEAL_METHOD, 4_186_741_094);
}

#[test]
fn labels_keep_their_cbor_major_type() {
    let text = fvm_ipld_encoding::to_vec(&Label::String("hi".into())).unwrap();
    assert_eq!(text, [0x62, b'h', b'i']);
    let bytes = fvm_ipld_encoding::to_vec(&Label::Bytes(vec![1, 2])).unwrap();
    assert_eq!(bytes, [0x42, 1, 2]);
    for label in [
        Label::String("hi".into()),
        Label::Bytes(vec![1, 2]),
        Label::default(),
    ] {
        let encoded = fvm_ipld_encoding::to_vec(&label).unwrap();
        assert_eq!(
            fvm_ipld_encoding::from_slice::<Label>(&encoded).unwrap(),
            label
        );
    }
    assert!(
        fvm_ipld_encoding::from_slice::<Label>(&[0x01]).is_err(),
        "an integer is no label"
    );
}

#[test]
fn shapes_are_the_real_markets() {
    let p = proposal();
    let encoded = fvm_ipld_encoding::to_vec(&p).unwrap();
    assert_eq!(encoded[0], 0x8b, "a CBOR array of 11");
    assert_eq!(
        fvm_ipld_encoding::from_slice::<DealProposal>(&encoded).unwrap(),
        p
    );
    let ret = GetDealActivationReturn {
        activated: 5,
        terminated: -1,
    };
    assert_eq!(fvm_ipld_encoding::to_vec(&ret).unwrap(), [0x82, 0x05, 0x20]);

    // SettleDealPayments: params a bare bitfield; return [[success_count, [[idx, code]]],
    // [[payment, completed]]].
    let params = SettleDealPaymentsParams {
        deal_ids: fvm_ipld_bitfield::BitField::try_from_bits([0u64, 2]).unwrap(),
    };
    let bytes = fvm_ipld_encoding::to_vec(&params).unwrap();
    let bare = fvm_ipld_encoding::to_vec(&params.deal_ids).unwrap();
    assert_eq!(bytes, bare, "transparent");
    let ret = SettleDealPaymentsReturn {
        results: BatchReturn {
            success_count: 1,
            fail_codes: vec![FailCode {
                idx: 1,
                code: EX_DEAL_EXPIRED,
            }],
        },
        settlements: vec![summary(0, true)],
    };
    let bytes = fvm_ipld_encoding::to_vec(&ret).unwrap();
    assert_eq!(
        bytes,
        [
            0x82, 0x82, 0x01, 0x81, 0x82, 0x01, 0x18, 0x20, 0x81, 0x82, 0x40, 0xf5
        ]
    );
    assert_eq!(ret.results.codes(), [ExitCode::OK, EX_DEAL_EXPIRED]);
    let back: SettleDealPaymentsReturn = fvm_ipld_encoding::from_slice(&bytes).unwrap();
    assert_eq!(back, ret);
}

#[test]
fn activation_is_never_a_termination_epoch() {
    let mut h = Harness::new();
    let id = h.publish();
    assert_eq!(h.activation(id), Ok((-1, -1)));
    h.activate(id, 50);
    assert_eq!(h.activation(id), Ok((50, -1)));
    assert_eq!(h.activation(id + 1), Err(ExitCode::USR_NOT_FOUND));

    // A deal whose slash epoch is set (a legacy deal marked for termination) answers 32
    // before any clean-up, from both getters.
    let state = h.state.deal(&h.store, id).unwrap().state;
    h.set_deal_state(
        id,
        DealState {
            slash_epoch: 150,
            ..state
        },
    );
    assert_eq!(h.activation(id), Err(EX_DEAL_EXPIRED));
    let sector = h.state.deal_sector(&h.store, id).unwrap_err();
    assert_eq!(sector.exit_code(), EX_DEAL_EXPIRED);
}

#[test]
fn the_sector_is_known_from_activation_to_removal() {
    let mut h = Harness::new();
    let id = h.publish();
    let code = |h: &Harness, id| h.state.deal_sector(&h.store, id).map_err(|e| e.exit_code());
    assert_eq!(code(&h, id), Err(EX_DEAL_NOT_ACTIVATED));
    assert_eq!(code(&h, id + 5), Err(ExitCode::USR_NOT_FOUND));
    h.activate(id, START);
    assert_eq!(code(&h, id), Ok(7));
    h.terminate(id, START + 10);
    assert_eq!(code(&h, id), Err(EX_DEAL_EXPIRED));
    assert_eq!(h.activation(id), Err(EX_DEAL_EXPIRED));
    h.check();
}
