//! Malformed parameters never panic: every method answers with an exit code.
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

#[test]
fn no_method_panics_on_garbage() {
    let rt = setup();
    let order = funded_order(&rt);
    let _ = order;
    for m in Method::ALL {
        if *m == Method::Constructor {
            continue;
        }
        for caller in [OTHER, MARKET] {
            for p in garbage() {
                rt.set_caller(caller);
                rt.set_value(atto(0));
                let read_only = *m == Method::AuthenticateMessage;
                rt.set_read_only(read_only);
                let r = rt.call(dispatch, m.number(), p.clone());
                rt.set_read_only(false);
                rt.reset_expectations();
                if let Err(e) = r {
                    let code = e.exit_code();
                    assert!(
                        [
                            ExitCode::USR_SERIALIZATION,
                            ExitCode::USR_ILLEGAL_ARGUMENT,
                            ExitCode::USR_FORBIDDEN,
                            ExitCode::USR_NOT_FOUND,
                            ExitCode::USR_UNHANDLED_MESSAGE,
                            ExitCode::USR_INSUFFICIENT_FUNDS,
                        ]
                        .contains(&code),
                        "{} with {p:?}: unexpected {code}: {}",
                        m.name(),
                        e.msg()
                    );
                }
            }
        }
    }
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
