//! `filmark deploy --network`: Filmark's Solidity contracts (the twins of its native actors,
//! `contracts/solidity/`) on calibration, mainnet or a devnet, as two EIP-1559 transactions to
//! the EAM: the escrow, then the registry reading it. The compiled output committed in
//! `contracts/solidity/out/` is embedded, so a fresh clone deploys without node or npm. The
//! deployment file's shape is documented in `deployments/README.md`.

use std::io::{BufRead as _, IsTerminal as _, Write as _};
use std::path::{Path, PathBuf};

use anyhow::{Context as _, bail};
use filmark_sdk::client::DeployedContract;
use filmark_sdk::keys::{SecpKey, SignedEthTx};
use filmark_sdk::reexports::alloy_primitives::{Address as EthAddress, B256, keccak256};
use filmark_sdk::reexports::fvm_shared::econ::TokenAmount;
use filmark_sdk::reexports::fvm_shared::message::Message;
use filmark_sdk::transport::Lookup;
use filmark_sdk::{Client, HttpTransport, Signer, Transport};
use serde_json::{Value, json};

use super::node::{self, addr};
use crate::args::{ChainArgs, DeployArgs};
use crate::keystore;
use crate::output::{emit, fil};

/// The environment variable holding the deployer's key (hex secp256k1, or a Lotus export).
pub(crate) const DEPLOY_KEY_ENV: &str = "FILMARK_DEPLOY_KEY";

const ESCROW_JSON: &str = include_str!("../../../contracts/solidity/out/FilmarkEscrow.json");
const REGISTRY_JSON: &str = include_str!("../../../contracts/solidity/out/FilmarkRegistry.json");
const SOLC_JSON: &str = include_str!("../../../contracts/solidity/out/solc.json");

/// A compiled contract: its creation and runtime bytecode.
struct Artifact {
    name: &'static str,
    bytecode: Vec<u8>,
    runtime: Vec<u8>,
}

impl Artifact {
    fn load(name: &'static str, json: &str) -> anyhow::Result<Self> {
        let json: Value = serde_json::from_str(json)
            .with_context(|| format!("the embedded {name} artifact is not JSON"))?;
        let hex_of = |k: &str| -> anyhow::Result<Vec<u8>> {
            let text = json[k]
                .as_str()
                .with_context(|| format!("the embedded {name} artifact has no {k}"))?;
            hex::decode(text.trim_start_matches("0x"))
                .with_context(|| format!("the embedded {name} artifact's {k}"))
        };
        Ok(Self {
            name,
            bytecode: hex_of("bytecode")?,
            runtime: hex_of("deployedBytecode")?,
        })
    }
}

/// One contract's deployment, signed and not yet sent.
struct Planned {
    name: &'static str,
    message: Message,
    tx: SignedEthTx,
    /// Where the EAM will create it (the CREATE address of the deployer and the nonce).
    eth: EthAddress,
    constructor_args: Vec<u8>,
    runtime_hash: B256,
}

impl Planned {
    fn max_cost(&self) -> TokenAmount {
        self.message.gas_fee_cap.clone() * self.message.gas_limit
    }

    fn json(&self) -> Value {
        json!({
            "eth": self.eth.to_string(),
            "tx": format!("{:#x}", self.tx.hash()),
            "raw_bytes": self.tx.encode().len(),
            "nonce": self.message.sequence,
            "gas_limit": self.message.gas_limit,
            "max_fee_per_gas": self.message.gas_fee_cap.atto().to_string(),
            "max_priority_fee_per_gas": self.message.gas_premium.atto().to_string(),
            "max_cost": self.max_cost().atto().to_string(),
            "constructor_args": format!("0x{}", hex::encode(&self.constructor_args)),
            "runtime_bytecode_keccak256": format!("{:#x}", self.runtime_hash),
        })
    }
}

/// The deployer's key: `--key-file`, `--key NAME` (the key store) or [`DEPLOY_KEY_ENV`]; never a
/// flag's value, never the store's default key.
fn deployer_key(chain: &ChainArgs) -> anyhow::Result<SecpKey> {
    if chain.key_file.is_some() || chain.key.is_some() {
        return Ok(keystore::sender(chain)?.key);
    }
    if std::env::var_os(DEPLOY_KEY_ENV).is_some() {
        return Ok(SecpKey::from_env(DEPLOY_KEY_ENV)?);
    }
    bail!(
        "no deployer key: set {DEPLOY_KEY_ENV} (hex secp256k1) or give --key-file PATH or --key \
         NAME"
    )
}

/// Where the deployment file goes: `--out FILE`, `--out DIR/` → `DIR/<network>.json`, by
/// default `deployments/<network>.json`.
fn out_path(out: Option<&Path>, network: &str) -> PathBuf {
    let file = format!("{network}.json");
    match out {
        None => Path::new("deployments").join(file),
        Some(p) if p.is_dir() || p.as_os_str().to_string_lossy().ends_with('/') => p.join(file),
        Some(p) => p.to_path_buf(),
    }
}

/// The last commit that touched the contracts in the checkout this binary was built from, if
/// git and that checkout are there.
fn source_commit() -> Option<String> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/..");
    let out = std::process::Command::new("git")
        .args([
            "-C",
            dir,
            "log",
            "-1",
            "--format=%H",
            "--",
            "contracts/solidity",
        ])
        .output()
        .ok()?;
    let commit = String::from_utf8(out.stdout).ok()?.trim().to_owned();
    (out.status.success() && commit.len() == 40).then_some(commit)
}

/// Asks on the terminal; `--yes` and `--dry-run` skip it, and without a terminal the
/// deployment is refused (checked before anything is signed).
fn confirm(question: &str) -> anyhow::Result<()> {
    eprint!("{question} [y/N] ");
    std::io::stderr().flush().ok();
    let mut answer = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut answer)
        .context("reading the confirmation")?;
    if matches!(answer.trim(), "y" | "Y" | "yes") {
        Ok(())
    } else {
        bail!("not deployed: not confirmed")
    }
}

async fn plan(
    client: &Client<HttpTransport>,
    signer: &Signer,
    escrow: &Artifact,
    registry: &Artifact,
) -> anyhow::Result<[Planned; 2]> {
    let from = signer.address();
    let chain_id = client.network().chain_id;
    let nonce = client.next_nonce(&from).await?;
    let escrow_eth = signer.key().eth_address().create(nonce);
    let registry_eth = signer.key().eth_address().create(nonce + 1);
    // The registry's constructor takes the escrow's address, one ABI word.
    let mut registry_args = vec![0; 12];
    registry_args.extend_from_slice(escrow_eth.as_slice());
    let mut out = Vec::new();
    for (artifact, args, eth, n) in [
        (escrow, Vec::new(), escrow_eth, nonce),
        (registry, registry_args, registry_eth, nonce + 1),
    ] {
        let initcode = [artifact.bytecode.as_slice(), &args].concat();
        // Both estimated at the current nonce (neither constructor reads the other), then the
        // registry takes the next one.
        let mut message = client
            .prepare_contract(from, &initcode)
            .await
            .with_context(|| format!("estimating the {}'s deployment", artifact.name))?;
        message.sequence = n;
        let tx = signer.key().sign_eip1559(&message, chain_id)?;
        out.push(Planned {
            name: artifact.name,
            message,
            tx,
            eth,
            constructor_args: args,
            runtime_hash: keccak256(&artifact.runtime),
        });
    }
    let [e, r]: [Planned; 2] = out
        .try_into()
        .map_err(|_| anyhow::anyhow!("two contracts"))?;
    Ok([e, r])
}

fn contract_json(
    client: &Client<HttpTransport>,
    p: &Planned,
    d: &DeployedContract,
    l: &Lookup,
) -> Value {
    let mut v = p.json();
    v["f410"] = json!(addr(client, &d.address));
    v["id"] = json!(addr(client, &d.id_address));
    v["message"] = json!(l.message.to_string());
    v["block"] = json!(l.height);
    v["gas_used"] = json!(d.gas_used);
    v
}

/// `filmark deploy --network NAME`.
pub(crate) fn run(args: &DeployArgs) -> anyhow::Result<()> {
    let chain = &args.chain;
    let Some((network, _)) = node::expected_chain(chain)? else {
        bail!("--network is required to deploy the contracts");
    };
    if !(args.dry_run || args.yes || std::io::stdin().is_terminal()) {
        bail!(
            "refusing to deploy without confirmation: stdin is not a terminal (pass --yes, or \
             --dry-run to send nothing)"
        );
    }
    let signer = Signer::eth(deployer_key(chain)?);
    let escrow = Artifact::load("escrow", ESCROW_JSON)?;
    let registry = Artifact::load("registry", REGISTRY_JSON)?;
    let solc: Value = serde_json::from_str(SOLC_JSON).context("the embedded solc.json")?;
    let out = out_path(args.out.as_deref(), network.name);
    let result = node::block_on(async {
        let client = node::connect(chain).await?;
        let from = signer.address();
        let deployer_eth = signer.key().eth_address();
        let balance = client.transport().balance(&from).await?;
        eprintln!(
            "network   {} (chain id {}) at {}\ndeployer  {deployer_eth}  {}\nbalance   {}",
            network.name,
            client.network().chain_id,
            node::rpc_url(chain),
            addr(&client, &from),
            fil(&balance)
        );
        if balance.is_zero() {
            bail!(
                "the deployer {deployer_eth} ({}) has no FIL on {}: fund it first",
                addr(&client, &from),
                network.name
            );
        }
        let planned = plan(&client, &signer, &escrow, &registry).await?;
        let total = planned
            .iter()
            .fold(TokenAmount::default(), |t, p| t + p.max_cost());
        for p in &planned {
            eprintln!(
                "{:<9} {}  gas limit {} × max fee {} attoFIL/gas = at most {}\n          tx {:#x} \
                 ({} bytes)",
                p.name,
                p.eth,
                p.message.gas_limit,
                p.message.gas_fee_cap.atto(),
                fil(&p.max_cost()),
                p.tx.hash(),
                p.tx.encode().len()
            );
        }
        eprintln!("total     at most {}", fil(&total));
        let mut summary = json!({
            "network": network.name,
            "chain_id": client.network().chain_id,
            "deployer": {"eth": deployer_eth.to_string(), "f410": addr(&client, &from)},
            "balance": balance.atto().to_string(),
            "max_cost": total.atto().to_string(),
            "escrow": planned[0].json(),
            "registry": planned[1].json(),
        });
        if args.dry_run {
            summary["dry_run"] = json!(true);
            return anyhow::Ok((summary, None));
        }
        if balance < total {
            bail!(
                "the deployer's balance, {}, is below the deployment's maximum cost, {}",
                fil(&balance),
                fil(&total)
            );
        }
        if !args.yes {
            confirm(&format!(
                "Deploy Filmark's contracts to {} (chain id {}), at most {}?",
                network.name,
                client.network().chain_id,
                fil(&total)
            ))?;
        }
        let mut done = Vec::new();
        for p in &planned {
            let lookup = client
                .send_prepared(
                    &signer,
                    p.message.clone(),
                    &format!("deploying the {}", p.name),
                )
                .await?;
            let d = DeployedContract::from_lookup(&lookup)?;
            if d.eth_address != p.eth {
                bail!(
                    "the {} was created at {}, not at the expected {}: not going on",
                    p.name,
                    d.eth_address,
                    p.eth
                );
            }
            eprintln!(
                "{:<9} deployed at {} (block {})",
                p.name, d.eth_address, lookup.height
            );
            done.push(contract_json(&client, p, &d, &lookup));
        }
        let [escrow_d, registry_d]: [Value; 2] = done
            .try_into()
            .map_err(|_| anyhow::anyhow!("two contracts"))?;
        let file = json!({
            "format": 1,
            "network": network.name,
            "chain_id": client.network().chain_id,
            "registry": registry_d["f410"],
            "escrow": escrow_d["f410"],
            "block": registry_d["block"],
            "deployer": summary["deployer"],
            "contracts": {"escrow": escrow_d, "registry": registry_d},
            "compiler": solc["compiler"],
            "compiler_settings": solc["settings"],
            "source_commit": source_commit(),
        });
        Ok((file, Some(out)))
    })??;
    let (value, written) = result;
    if let Some(path) = &written {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).ok();
        }
        let text = serde_json::to_string_pretty(&value)? + "\n";
        std::fs::write(path, text).with_context(|| {
            format!(
                "deployed (registry {}, escrow {}), but cannot write {}",
                value["registry"].as_str().unwrap_or_default(),
                value["escrow"].as_str().unwrap_or_default(),
                path.display()
            )
        })?;
    }
    emit(chain.json, value.clone(), || match &written {
        None => format!(
            "dry run: nothing sent (escrow tx {}, registry tx {})",
            value["escrow"]["tx"].as_str().unwrap_or_default(),
            value["registry"]["tx"].as_str().unwrap_or_default()
        ),
        Some(path) => format!(
            "registry  {}  {}\nescrow    {}  {}\nwritten   {}",
            value["registry"].as_str().unwrap_or_default(),
            value["contracts"]["registry"]["eth"]
                .as_str()
                .unwrap_or_default(),
            value["escrow"].as_str().unwrap_or_default(),
            value["contracts"]["escrow"]["eth"]
                .as_str()
                .unwrap_or_default(),
            path.display()
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_artifacts_load_and_fit_eip_170() {
        for (name, json) in [("escrow", ESCROW_JSON), ("registry", REGISTRY_JSON)] {
            let a = Artifact::load(name, json).unwrap();
            assert!(a.bytecode.len() > a.runtime.len(), "{name}");
            assert!(a.runtime.len() <= 24_576, "{name}: {}", a.runtime.len());
        }
        let solc: Value = serde_json::from_str(SOLC_JSON).unwrap();
        assert!(solc["compiler"].as_str().unwrap().contains("0.8."));
    }

    #[test]
    fn the_out_path_is_a_file_or_a_directory_s_network_json() {
        assert_eq!(
            out_path(None, "calibration"),
            Path::new("deployments/calibration.json")
        );
        assert_eq!(
            out_path(Some(Path::new("x/")), "mainnet"),
            Path::new("x/mainnet.json")
        );
        assert_eq!(
            out_path(Some(Path::new("d.json")), "mainnet"),
            Path::new("d.json")
        );
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(
            out_path(Some(dir.path()), "devnet"),
            dir.path().join("devnet.json")
        );
    }
}
