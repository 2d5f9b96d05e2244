//! SDK errors as JavaScript `Error`s with a stable `code`.

use filmark_sdk::Error;
use wasm_bindgen::JsValue;

/// Code of an argument the JavaScript caller got wrong (not an SDK error): a malformed hex
/// string, a wrong length, an unknown network name.
pub const INVALID_ARGUMENT: &str = "INVALID_ARGUMENT";
/// Code of a hasher used again after `finish()`.
pub const FINISHED: &str = "FINISHED";
/// Code of an SDK error this version of the package does not name (the SDK's `Error` is
/// non-exhaustive).
pub const SDK_ERROR: &str = "SDK_ERROR";

/// The stable code of an SDK error: the variant's name in SCREAMING_SNAKE_CASE. Codes never
/// change meaning; new variants get new codes.
pub fn code(e: &Error) -> &'static str {
    match e {
        Error::Unreadable { .. } => "UNREADABLE",
        Error::IsDirectory { .. } => "IS_DIRECTORY",
        Error::InvalidPath { .. } => "INVALID_PATH",
        Error::Unwritable { .. } => "UNWRITABLE",
        Error::TooLarge { .. } => "TOO_LARGE",
        Error::InvalidParams(_) => "INVALID_PARAMS",
        Error::Io(_) => "IO",
        Error::InputChanged => "INPUT_CHANGED",
        Error::InvalidSecretKey => "INVALID_SECRET_KEY",
        Error::InvalidKeyFormat(_) => "INVALID_KEY_FORMAT",
        Error::UnsupportedKeyType(_) => "UNSUPPORTED_KEY_TYPE",
        Error::InvalidMnemonic(_) => "INVALID_MNEMONIC",
        Error::InvalidDerivationPath(_) => "INVALID_DERIVATION_PATH",
        Error::KeyFromEnv { .. } => "KEY_FROM_ENV",
        Error::Random(_) => "RANDOM",
        Error::InvalidAddress(_) => "INVALID_ADDRESS",
        Error::InvalidSignature(_) => "INVALID_SIGNATURE",
        Error::UnsupportedSignatureType(_) => "UNSUPPORTED_SIGNATURE_TYPE",
        Error::SignerMismatch { .. } => "SIGNER_MISMATCH",
        Error::Cbor(_) => "CBOR",
        Error::UnsupportedTxType(_) => "UNSUPPORTED_TX_TYPE",
        Error::Rlp(_) => "RLP",
        Error::InvalidTx(_) => "INVALID_TX",
        Error::ChainIdMismatch { .. } => "CHAIN_ID_MISMATCH",
        Error::NotEthCompatible(_) => "NOT_ETH_COMPATIBLE",
        Error::RoundtripMismatch => "ROUNDTRIP_MISMATCH",
        Error::InvalidJson(_) => "INVALID_JSON",
        Error::Transport { .. } => "TRANSPORT",
        Error::Rpc { .. } => "RPC",
        Error::ActorFailed { .. } => "ACTOR_FAILED",
        Error::Decode { .. } => "DECODE",
        Error::Timeout { .. } => "TIMEOUT",
        Error::NotFound(_) => "NOT_FOUND",
        Error::DeployRefused { .. } => "DEPLOY_REFUSED",
        _ => SDK_ERROR,
    }
}

/// A JavaScript `Error` with `message` and a `code` property (and `name` `FilmarkError`).
pub fn js_error(code: &str, message: &str) -> JsValue {
    let err = js_sys::Error::new(message);
    err.set_name("FilmarkError");
    // Setting a property on a fresh Error object cannot fail.
    let _ = js_sys::Reflect::set(&err, &"code".into(), &code.into());
    err.into()
}

/// An SDK error carried inside an `io::Error` (through a `Write` that can only return
/// those) taken out again; any other error unchanged.
fn unwrap_io(e: Error) -> Error {
    match e {
        Error::Io(io) if io.get_ref().is_some_and(|r| r.is::<Error>()) => *io
            .into_inner()
            .and_then(|inner| inner.downcast::<Error>().ok())
            .expect("checked"),
        e => e,
    }
}

/// The fields an error carries beside its code and message: an actor failure's `exitCode`,
/// `actorMessage` and `revert`; a JSON-RPC refusal's `rpcCode`.
fn details(e: &Error) -> Vec<(&'static str, JsValue)> {
    match e {
        Error::ActorFailed {
            exit_code,
            message,
            revert,
            ..
        } => vec![
            ("exitCode", JsValue::from(exit_code.value())),
            ("actorMessage", JsValue::from(message.as_str())),
            (
                "revert",
                revert.as_deref().map_or(JsValue::NULL, JsValue::from),
            ),
        ],
        Error::Rpc { code, .. } => vec![("rpcCode", JsValue::from(*code as f64))],
        _ => Vec::new(),
    }
}

/// An SDK error as a JavaScript `Error` (its `Display` text, with its sources if any), with
/// an actor failure's `exitCode`, `actorMessage` and `revert`, a JSON-RPC refusal's `rpcCode`.
pub fn sdk(e: Error) -> JsValue {
    let e = unwrap_io(e);
    let mut message = e.to_string();
    let mut source = std::error::Error::source(&e);
    while let Some(s) = source {
        message.push_str(": ");
        message.push_str(&s.to_string());
        source = s.source();
    }
    let err = js_error(code(&e), &message);
    for (k, v) in details(&e) {
        // Setting a property on a fresh Error object cannot fail.
        let _ = js_sys::Reflect::set(&err, &k.into(), &v);
    }
    err
}

/// An [`INVALID_ARGUMENT`] error.
pub fn arg(message: impl AsRef<str>) -> JsValue {
    js_error(INVALID_ARGUMENT, message.as_ref())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_screaming_snake_names_of_the_variants() {
        assert_eq!(code(&Error::InputChanged), "INPUT_CHANGED");
        assert_eq!(code(&Error::InvalidParams("x")), "INVALID_PARAMS");
        assert_eq!(code(&Error::TooLarge { size: 1, max: 0 }), "TOO_LARGE");
        assert_eq!(
            code(&Error::ChainIdMismatch {
                expected: 1,
                got: 2
            }),
            "CHAIN_ID_MISMATCH"
        );
        assert_eq!(
            code(&Error::InvalidMnemonic(String::new())),
            "INVALID_MNEMONIC"
        );
        assert_eq!(
            code(&Error::ActorFailed {
                what: "registry.get".into(),
                exit_code: fvm_shared::error::ExitCode::USR_NOT_FOUND,
                message: String::new(),
                revert: None,
            }),
            "ACTOR_FAILED"
        );
        assert_eq!(code(&Error::NotFound(String::new())), "NOT_FOUND");
    }

    #[test]
    fn sdk_errors_inside_io_errors_come_out() {
        let inner = Error::TooLarge { size: 2, max: 1 };
        let wrapped = Error::Io(std::io::Error::other(inner));
        assert!(matches!(
            unwrap_io(wrapped),
            Error::TooLarge { size: 2, max: 1 }
        ));
        let plain = Error::Io(std::io::Error::other("disk"));
        assert!(matches!(unwrap_io(plain), Error::Io(_)));
    }
}
