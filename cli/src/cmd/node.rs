//! What every on-chain command shares: the node (over HTTP, with a timeout), the sender's
//! [`Signer`], the actors' addresses, and one runtime to drive the async SDK from `main`.

use std::future::Future;
use std::time::Duration;

use anyhow::{Context as _, bail};
use filmark_sdk::client::SendOptions;
use filmark_sdk::keys::{KeyType, format_address, parse_address};
use filmark_sdk::{Client, Error, HttpTransport, Signer, Transport};
use fvm_shared::address::Address;
use fvm_shared::error::ExitCode;

use crate::args::{ActorArgs, ChainArgs};
use crate::keystore;

/// Runs `f` to completion on a current-thread runtime (the commands are one sequence of calls).
pub(crate) fn block_on<F: Future>(f: F) -> anyhow::Result<F::Output> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    Ok(rt.block_on(f))
}

/// `--timeout`, checked.
pub(crate) fn timeout(chain: &ChainArgs) -> anyhow::Result<Duration> {
    if !(chain.timeout.is_finite() && chain.timeout > 0.0 && chain.timeout < 1e9) {
        bail!("--timeout {}: a positive number of seconds", chain.timeout);
    }
    Ok(Duration::from_secs_f64(chain.timeout))
}

/// The node at `--rpc`: its chain id is asked for at once, so an unreachable node or a wrong
/// URL fails here, within `--timeout`.
pub(crate) async fn connect(chain: &ChainArgs) -> anyhow::Result<Client<HttpTransport>> {
    let limit = timeout(chain)?;
    let url = chain.rpc.trim();
    if !(url.starts_with("http://") || url.starts_with("https://")) {
        bail!("--rpc {url:?}: not an http:// or https:// URL");
    }
    let transport = HttpTransport::new(url)?;
    let client = match tokio::time::timeout(limit, Client::connect(transport)).await {
        Err(_) => bail!(
            "cannot reach the node at {url}: no answer within {} s",
            limit.as_secs_f64()
        ),
        Ok(Err(e)) => {
            return Err(anyhow::Error::new(e).context(format!("cannot reach the node at {url}")));
        }
        Ok(Ok(client)) => client,
    };
    let mut options = SendOptions::default();
    options.timeout = limit;
    Ok(client.with_options(options))
}

/// The sender: its key (`--key-file`, `--key`, `FILMARK_KEY` or the store's `default`) and its
/// path: an eth signer for a `delegated` key or `--eth`, else f1.
pub(crate) fn signer(chain: &ChainArgs) -> anyhow::Result<Signer> {
    timeout(chain)?;
    let info = keystore::sender(chain)?;
    Ok(match info.key_type {
        KeyType::Delegated => Signer::eth(info.key),
        KeyType::Secp256k1 => Signer::f1(info.key),
    })
}

/// An address as the node's network writes it (`t…` on the devnet and calibration).
pub(crate) fn addr<T: Transport>(client: &Client<T>, a: &Address) -> String {
    format_address(a, client.network().addresses)
}

/// Whether `e` is an actor's `USR_NOT_FOUND` (a CID not registered, an unknown order).
pub(crate) fn is_not_found(e: &Error) -> bool {
    matches!(e, Error::ActorFailed { exit_code, .. } if *exit_code == ExitCode::USR_NOT_FOUND)
}

pub(crate) fn address(what: &str, text: &str) -> anyhow::Result<Address> {
    parse_address(text.trim()).with_context(|| format!("--{what}"))
}

/// The registry and escrow addresses: flags, else the deployment file.
#[derive(Debug)]
pub(crate) struct Actors {
    registry: Option<Address>,
    escrow: Option<Address>,
}

impl Actors {
    pub(crate) fn new(args: &ActorArgs) -> anyhow::Result<Self> {
        let file: serde_json::Value = match &args.deployment {
            Some(path) => {
                let text = std::fs::read_to_string(path)
                    .with_context(|| format!("cannot read {}", path.display()))?;
                serde_json::from_str(&text).with_context(|| {
                    format!("{} is not a deployment file (JSON)", path.display())
                })?
            }
            None => serde_json::Value::Null,
        };
        let pick = |name: &str, flag: &Option<String>| -> anyhow::Result<Option<Address>> {
            match flag.as_deref().or_else(|| file[name].as_str()) {
                Some(text) => address(name, text).map(Some),
                None => Ok(None),
            }
        };
        Ok(Self {
            registry: pick("registry", &args.registry)?,
            escrow: pick("escrow", &args.escrow)?,
        })
    }

    pub(crate) fn registry(&self) -> anyhow::Result<Address> {
        self.registry.context(
            "no registry: give --registry ADDR or --deployment FILE (from `filmark deploy --out`)",
        )
    }

    pub(crate) fn escrow(&self) -> anyhow::Result<Address> {
        self.escrow.context(
            "no escrow: give --escrow ADDR or --deployment FILE (from `filmark deploy --out`)",
        )
    }
}
