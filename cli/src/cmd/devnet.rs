//! `filmark devnet`: a devnet served over JSON-RPC until Ctrl-C, announced as Anvil does.

use std::fmt::Write as _;
use std::time::Duration;

use anyhow::{Context as _, bail};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use filmark_devnet::{Devnet, DevnetConfig, DevnetHandle, GenesisAccount, KeyKind};
use filmark_devnet_actors::market::MarketPolicy;
use filmark_devnet_rpc::{InProcess, RpcConfig, RpcServer};
use filmark_sdk::{Client, Signer};
use fvm_shared::address::Address;

use crate::args::DevnetArgs;

/// Addresses as the RPC writes them: with the test-network prefix `t`, as Lotus' devnets.
fn t(a: &Address) -> String {
    let text = a.to_string();
    format!("t{}", &text[1..])
}

/// Lotus' `wallet export` of an f1 key: hex of `{"Type":"secp256k1","PrivateKey":"<base64>"}`.
fn lotus_key_info(secret: &[u8]) -> String {
    let json = format!(
        r#"{{"Type":"secp256k1","PrivateKey":"{}"}}"#,
        BASE64.encode(secret)
    );
    hex::encode(json)
}

fn config(args: &DevnetArgs) -> anyhow::Result<DevnetConfig> {
    let policy = match args.market_policy.as_str() {
        "fast" => MarketPolicy::fast(),
        "mainnet" => MarketPolicy::mainnet(),
        _ => MarketPolicy::devnet(),
    };
    let mut config = DevnetConfig::default()
        .with_verbose(false)
        .with_market_policy(policy)
        .with_chain_id(args.chain_id)
        .with_accounts(args.accounts, args.accounts)
        .with_user_wasm(!args.no_user_wasm);
    if let Some(secs) = args.block_time {
        if !(secs.is_finite() && secs > 0.0) {
            bail!("--block-time {secs}: a positive number of seconds");
        }
        config = config.with_block_time(Duration::from_secs_f64(secs));
    }
    if let Some(dir) = &args.data_dir {
        // The chain resumes from the directory, or starts there when it is empty or new.
        config = config.with_data_dir(dir);
    }
    Ok(config)
}

/// The startup text: accounts, keys, actors, chain id, where it listens.
fn banner(
    devnet: &Devnet,
    server: &RpcServer,
    deployed: Option<&[(&str, Address, Address)]>,
) -> String {
    let accounts = devnet.accounts();
    let balance = |a: &GenesisAccount| {
        devnet
            .balance(&a.address(), filmark_devnet::TipsetRef::Head)
            .map(|b| format!("{} FIL", b.atto() / 1_000_000_000_000_000_000u64))
            .unwrap_or_default()
    };
    let mut out = String::new();
    let _ = writeln!(
        out,
        "filmark devnet {} (fvm 4.8.4, nv{})\n",
        env!("CARGO_PKG_VERSION"),
        u32::from(devnet.config().network_version)
    );
    let _ = writeln!(out, "Available Accounts\n==================");
    for (i, a) in accounts.iter().enumerate() {
        let eth = match a.key.kind() {
            KeyKind::Eth => format!("  {}", a.key.secp_key().eth_address()),
            _ => String::new(),
        };
        let _ = writeln!(
            out,
            "({i}) {}{eth}  t0{}  ({})",
            t(&a.address()),
            a.id,
            balance(a)
        );
    }
    let _ = writeln!(out, "\nPrivate Keys\n==================");
    for (i, a) in accounts.iter().enumerate() {
        let _ = writeln!(
            out,
            "({i}) 0x{}",
            hex::encode(a.key.secp_key().secret_bytes())
        );
    }
    let _ = writeln!(
        out,
        "\nLotus Key Info (f1 accounts; `lotus wallet import`)\n=================================================="
    );
    for (i, a) in accounts.iter().enumerate() {
        if a.key.kind() == KeyKind::Secp256k1 {
            let _ = writeln!(
                out,
                "({i}) {}",
                lotus_key_info(&a.key.secp_key().secret_bytes())
            );
        }
    }
    if let Some(actors) = deployed {
        let _ = writeln!(out, "\nFilmark Actors\n==================");
        for (name, id, robust) in actors {
            let _ = writeln!(out, "{name:<9} {}  {}", t(id), t(robust));
        }
    }
    let _ = writeln!(
        out,
        "\nChain ID\n==================\n{}\n",
        devnet.chain_id()
    );
    let _ = writeln!(out, "RPC URL:   {}", server.url());
    let _ = writeln!(out, "WebSocket: {}", server.ws_url());
    let _ = write!(out, "Listening on {}", server.addr());
    out
}

/// Deploys the escrow, then the registry reading it, from the first f1 account.
fn deploy(devnet: &Devnet) -> anyhow::Result<Vec<(&'static str, Address, Address)>> {
    let deployer = devnet
        .account(KeyKind::Secp256k1, 0)
        .context("--deploy needs an f1 account")?;
    let signer = Signer::f1(deployer.key.secp_key().clone());
    // The SDK is async; the devnet's calls run on this runtime's blocking pool.
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("starting the deploy runtime")?;
    let d = rt.block_on(async {
        let client = Client::connect(InProcess::new(devnet.clone())).await?;
        client
            .deploy_filmark(
                &signer,
                filmark_actor_bundle::REGISTRY_WASM,
                filmark_actor_bundle::ESCROW_WASM,
            )
            .await
    })?;
    Ok(vec![
        ("registry", d.registry.id_address, d.registry.robust_address),
        ("escrow", d.escrow.id_address, d.escrow.robust_address),
    ])
}

/// Ctrl-C and SIGTERM, listened to from its creation on: a signal that arrives before
/// [`Signals::wait`] is not lost (nor does it kill the process with the default action).
struct Signals {
    rt: tokio::runtime::Runtime,
    #[cfg(unix)]
    interrupt: tokio::signal::unix::Signal,
    #[cfg(unix)]
    terminate: tokio::signal::unix::Signal,
}

impl Signals {
    fn listen() -> anyhow::Result<Self> {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .context("starting the signal runtime")?;
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            let _guard = rt.enter();
            let interrupt = signal(SignalKind::interrupt()).context("listening for Ctrl-C")?;
            let terminate = signal(SignalKind::terminate()).context("listening for SIGTERM")?;
            Ok(Self {
                rt,
                interrupt,
                terminate,
            })
        }
        #[cfg(not(unix))]
        Ok(Self { rt })
    }

    /// Waits for Ctrl-C (or SIGTERM).
    fn wait(mut self) -> anyhow::Result<()> {
        #[cfg(unix)]
        {
            let Self {
                rt,
                interrupt,
                terminate,
            } = &mut self;
            rt.block_on(async {
                tokio::select! {
                    _ = interrupt.recv() => {}
                    _ = terminate.recv() => {}
                }
            });
            Ok(())
        }
        #[cfg(not(unix))]
        self.rt
            .block_on(tokio::signal::ctrl_c())
            .context("waiting for Ctrl-C")
    }
}

pub(crate) fn run(args: &DevnetArgs) -> anyhow::Result<()> {
    let config = config(args)?;
    // Before anything is printed: whoever reads "Listening on" may interrupt at once.
    let signals = Signals::listen()?;
    let handle: DevnetHandle = Devnet::spawn(config).context("starting the devnet")?;
    let devnet = handle.devnet();
    let deployed = if args.deploy {
        Some(deploy(&devnet)?)
    } else {
        None
    };
    let rpc = RpcConfig::default()
        .with_host(args.host)
        .with_port(args.port)
        .with_allow_unprotected_txs(args.allow_unprotected_txs);
    let server = RpcServer::spawn(devnet.clone(), rpc).context("starting the JSON-RPC server")?;
    if !args.host.is_loopback() {
        eprintln!(
            "warning: listening on {}, not loopback: the prefunded accounts' private keys above \
             are public; anyone who can reach this port can spend them",
            args.host
        );
    }
    println!("{}", banner(&devnet, &server, deployed.as_deref()));
    signals.wait()?;
    eprintln!("Shutting down");
    server.stop();
    drop(handle);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_key_info_is_lotus_wallet_export() {
        let hex = lotus_key_info(&[1, 2, 3]);
        let json = String::from_utf8(hex::decode(hex).unwrap()).unwrap();
        assert_eq!(json, r#"{"Type":"secp256k1","PrivateKey":"AQID"}"#);
        assert_eq!(t(&Address::new_id(5)), "t05");
    }
}
