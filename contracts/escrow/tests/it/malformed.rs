//! Malformed parameters never panic: every method answers with the exit code of its first
//! failed check.
use crate::harness::*;
use filmark_escrow::{Method, dispatch};
use fvm_ipld_encoding::ipld_block::IpldBlock;
use fvm_ipld_encoding::{CBOR, DAG_CBOR, IPLD_RAW};
use fvm_shared::error::ExitCode;

fn garbage() -> Vec<Option<IpldBlock>> {
    let mut out = vec![None];
    for data in [
        vec![],
        vec![0xff],
        vec![0x80],
        vec![0x9f, 0x01],
        vec![0xa1, 0x61, 0x61, 0x01],
        vec![0x5b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff],
        vec![0x86, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06],
        vec![0x40],
    ] {
        for codec in [DAG_CBOR, CBOR, IPLD_RAW] {
            out.push(Some(IpldBlock {
                codec,
                data: data.clone(),
            }));
        }
    }
    out
}

/// What a method answers to `p`, sent by `caller` with no value: the exit code and how the
/// message starts (the codec's own reason follows "malformed parameters: ").
fn expected(m: Method, caller: u64, p: Option<&IpldBlock>) -> (ExitCode, String) {
    let data = p.map_or(&[][..], |b| b.data.as_slice());
    let codec = p.map(|b| b.codec);
    let (code, msg) = match m {
        Method::Deposit if data.is_empty() => (
            ExitCode::USR_ILLEGAL_ARGUMENT,
            "deposit needs a positive value",
        ),
        Method::Deposit => {
            return (
                ExitCode::USR_SERIALIZATION,
                "Deposit: this method takes no parameters".to_owned(),
            );
        }
        Method::AuthenticateMessage | Method::MarketNotifyDeal if caller != MARKET => (
            ExitCode::USR_FORBIDDEN,
            "caller f0105 is not allowed to call this method",
        ),
        Method::InvokeEvm => match codec {
            // Raw calldata: none of these is a whole selector the escrow knows.
            Some(IPLD_RAW) if data.len() >= 4 => (
                ExitCode::USR_UNHANDLED_MESSAGE,
                "unknown function selector 0x",
            ),
            Some(IPLD_RAW) if !data.is_empty() => {
                return (
                    ExitCode::USR_UNHANDLED_MESSAGE,
                    format!(
                        "calldata of {} bytes is shorter than a function selector",
                        data.len()
                    ),
                );
            }
            // No calldata, or an empty CBOR byte string.
            _ if data.is_empty() || data == [0x40] => (
                ExitCode::USR_UNHANDLED_MESSAGE,
                "empty calldata without value",
            ),
            _ => (
                ExitCode::USR_SERIALIZATION,
                "calldata must be a CBOR byte string: ",
            ),
        },
        // Params decoded by the method's `params`: the message names the method.
        _ => {
            let reason = match codec {
                None => "missing parameters",
                Some(IPLD_RAW) => "parameters must be CBOR, got codec 0x55",
                Some(_) => "malformed parameters: ",
            };
            return (
                ExitCode::USR_SERIALIZATION,
                format!("{}: {reason}", m.name()),
            );
        }
    };
    (code, msg.to_owned())
}

#[test]
fn every_method_answers_garbage_with_its_exit_code() {
    let rt = setup();
    funded_order(&rt);
    let root = rt.root();
    for m in Method::ALL {
        if *m == Method::Constructor {
            continue;
        }
        for caller in [OTHER, MARKET] {
            for p in garbage() {
                rt.set_caller(caller);
                rt.set_value(atto(0));
                rt.set_read_only(*m == Method::AuthenticateMessage);
                let r = rt.call(dispatch, m.number(), p.clone());
                rt.set_read_only(false);
                rt.reset_expectations();
                let (code, msg) = expected(*m, caller, p.as_ref());
                let e = r.expect_err(&format!("{} with {p:?} succeeded", m.name()));
                assert_eq!(e.exit_code(), code, "{} with {p:?}: {}", m.name(), e.msg());
                assert!(
                    e.msg().starts_with(&msg),
                    "{} with {p:?}: {:?} does not start with {msg:?}",
                    m.name(),
                    e.msg()
                );
            }
        }
    }
    assert_eq!(rt.root(), root, "no garbage changed the state");
    check_state(&rt);
}

#[test]
fn unknown_methods_are_unhandled() {
    let rt = setup();
    rt.set_caller(OTHER);
    for m in [2u64, 3, 1 << 24, u64::MAX] {
        let e = rt.call(dispatch, m, None).unwrap_err();
        assert_eq!(e.exit_code(), ExitCode::USR_UNHANDLED_MESSAGE);
    }
    check_state(&rt);
}
