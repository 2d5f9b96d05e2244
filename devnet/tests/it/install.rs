//! Init's `InstallCode` (method 4) through a signed message: the devnet's extension for native
//! actors (`fvm` built with `m2-native`). A message is at most 64 KiB (`MAX_MESSAGE_SIZE`), so
//! only modules that fit go this way; `Devnet::install_code` / `Devnet::deploy` take any size.

use filmark_devnet::{INIT_ACTOR_ID, KeyKind, MAX_MESSAGE_SIZE, code_cid};
use filmark_devnet_actors::init::{ExecParams, InstallParams, InstallReturn, Method};
use filmark_devnet_bundle::REWARD_WASM;
use fvm_ipld_encoding::RawBytes;
use fvm_shared::address::Address;
use fvm_shared::econ::TokenAmount;
use fvm_shared::error::ExitCode;

use crate::devnet;

/// `wasm` with a custom section appended: the same code under a new code CID.
fn with_custom_section(wasm: &[u8], name: &str, payload: &[u8]) -> Vec<u8> {
    fn leb(mut n: usize, out: &mut Vec<u8>) {
        loop {
            let byte = (n & 0x7f) as u8;
            n >>= 7;
            out.push(if n == 0 { byte } else { byte | 0x80 });
            if n == 0 {
                break;
            }
        }
    }
    let mut body = Vec::new();
    leb(name.len(), &mut body);
    body.extend_from_slice(name.as_bytes());
    body.extend_from_slice(payload);
    let mut out = wasm.to_vec();
    out.push(0); // custom section id
    leb(body.len(), &mut out);
    out.extend_from_slice(&body);
    out
}

#[test]
fn install_code_by_message_makes_new_code_runnable() {
    let net = devnet();
    let from = net.account(KeyKind::Secp256k1, 0).unwrap();
    let init = Address::new_id(INIT_ACTOR_ID);
    let code = with_custom_section(REWARD_WASM, "filmark-test", b"install me");
    assert!(code.len() < MAX_MESSAGE_SIZE / 2, "{} bytes", code.len());
    let code_cid = code_cid(&code);
    let exec = |net: &filmark_devnet::Devnet| {
        let params = RawBytes::serialize(ExecParams {
            code_cid,
            constructor_params: RawBytes::default(),
        })
        .unwrap();
        let sent = net
            .send(
                &from.key,
                init,
                TokenAmount::default(),
                Method::Exec.number(),
                params,
            )
            .unwrap();
        sent.record
    };

    // Before: the FVM cannot create an actor of code it does not have.
    let before = exec(&net);
    assert_eq!(
        before.receipt.exit_code,
        ExitCode::USR_NOT_FOUND,
        "{:?}",
        before.failure
    );
    let failure = before.failure.unwrap_or_default();
    assert!(failure.contains("code cid does not exist"), "{failure}");

    let install = |net: &filmark_devnet::Devnet| {
        let params = RawBytes::serialize(InstallParams { code: code.clone() }).unwrap();
        // `send` estimates the gas: the execution plus the inclusion cost of a ~14 KB message.
        let sent = net
            .send(
                &from.key,
                init,
                TokenAmount::default(),
                Method::InstallCode.number(),
                params,
            )
            .unwrap();
        assert!(
            sent.record.receipt.exit_code.is_success(),
            "{:?}",
            sent.record.failure
        );
        sent.record
            .receipt
            .return_data
            .deserialize::<InstallReturn>()
            .unwrap()
    };
    assert_eq!(
        install(&net),
        InstallReturn {
            code_cid,
            installed: true
        }
    );
    // Installing the same bytes again is a no-op.
    assert_eq!(
        install(&net),
        InstallReturn {
            code_cid,
            installed: false
        }
    );

    // After: the code runs. Its constructor (the reward actor's) accepts only the system actor
    // as caller, so init's Exec now fails inside the new code, with the code's own exit code.
    let after = exec(&net);
    assert_eq!(
        after.receipt.exit_code,
        ExitCode::USR_FORBIDDEN,
        "{:?}",
        after.failure
    );
}
