//! What every on-chain command shares: the node (over HTTP, with a timeout), the sender's
//! [`Signer`], the actors' addresses, and one runtime to drive the async SDK from `main`.

use std::future::Future;
use std::time::Duration;

use anyhow::{Context as _, bail};
use filmark_sdk::client::SendOptions;
use filmark_sdk::keys::{KeyType, format_address, parse_address};
use filmark_sdk::{Client, Error, HttpTransport, Network, Signer, Transport};
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
    let expected = expected_chain(chain)?;
    let url = rpc_url(chain);
    if !(url.starts_with("http://") || url.starts_with("https://")) {
        bail!("--rpc {url:?}: not an http:// or https:// URL");
    }
    // Each request gets `--timeout` too (a first gas estimate on a loaded devnet may pass the
    // transport's default 30 s), a second more than the whole connection below so a silent node
    // is reported as that.
    let mut transport = HttpTransport::new(url)?.with_timeout(limit + Duration::from_secs(1))?;
    if let Some((network, _)) = &expected {
        transport = transport.with_address_network(network.addresses);
    }
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
    if let Some((network, id)) = expected {
        let got = client.network().chain_id;
        if got != id {
            bail!(
                "refusing: the node at {url} serves chain id {got}, not {}'s {id} (a transaction \
                 signed for one chain must never reach another)",
                network.name
            );
        }
    }
    let mut options = SendOptions::default();
    options.timeout = limit;
    Ok(client.with_options(options))
}

/// `--network`'s preset.
pub(crate) fn network(chain: &ChainArgs) -> Option<Network> {
    chain.network.as_deref().and_then(Network::by_name)
}

/// The endpoint: `--rpc`, else the `--network` preset's, else the local devnet's.
pub(crate) fn rpc_url(chain: &ChainArgs) -> &str {
    chain
        .rpc
        .as_deref()
        .or(network(chain).map(|n| n.rpc_url))
        .unwrap_or(Network::DEVNET.rpc_url)
        .trim()
}

/// The network and the chain id its node must serve: the preset's, or `--chain-id` for a
/// devnet.
pub(crate) fn expected_chain(chain: &ChainArgs) -> anyhow::Result<Option<(Network, u64)>> {
    let Some(network) = network(chain) else {
        return Ok(None);
    };
    let id = match chain.chain_id {
        Some(id) if network.name == Network::DEVNET.name => id,
        Some(id) => bail!(
            "--chain-id {id}: only for --network devnet ({}'s chain id is {})",
            network.name,
            network.chain_id
        ),
        None => network.chain_id,
    };
    Ok(Some((network, id)))
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
    /// `--registry` / `--escrow`, else the `--deployment` file, else the `--network`
    /// preset's committed deployment.
    pub(crate) fn new(args: &ActorArgs, chain: &ChainArgs) -> anyhow::Result<Self> {
        let preset = match network(chain) {
            Some(n) => n
                .deployment()
                .with_context(|| format!("the {} preset", n.name))?,
            None => None,
        };
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
            registry: pick("registry", &args.registry)?.or(preset.map(|d| d.registry)),
            escrow: pick("escrow", &args.escrow)?.or(preset.map(|d| d.escrow)),
        })
    }

    pub(crate) fn registry(&self) -> anyhow::Result<Address> {
        self.registry.context(
            "no registry: give --registry ADDR or --deployment FILE (from `filmark deploy --out`), \
             or --network NAME with a committed deployment",
        )
    }

    pub(crate) fn escrow(&self) -> anyhow::Result<Address> {
        self.escrow.context(
            "no escrow: give --escrow ADDR or --deployment FILE (from `filmark deploy --out`), \
             or --network NAME with a committed deployment",
        )
    }
}
