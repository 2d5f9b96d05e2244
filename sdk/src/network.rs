//! [`Network`] presets: chain ids, default RPC endpoints, and what each network accepts.

use fvm_shared::address::Network as AddressNetwork;

use fvm_shared::address::Address;

use crate::keys::{CALIBNET_CHAIN_ID, DEVNET_CHAIN_ID, MAINNET_CHAIN_ID, parse_address};
use crate::{Error, Result};

/// The network name a Filmark devnet answers to `StateNetworkName` (Lotus' public nodes answer
/// `mainnet` and `calibrationnet`).
pub const DEVNET_NETWORK_NAME: &str = "filmark-devnet";

/// A Filecoin network the SDK knows.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Network {
    /// A short name (`devnet`, `calibration`, `mainnet`).
    pub name: &'static str,
    /// The EIP-155 chain id Ethereum transactions are signed for.
    pub chain_id: u64,
    /// A default Lotus JSON-RPC v1 endpoint.
    pub rpc_url: &'static str,
    /// The address prefix the network writes (`t` on test networks, `f` on mainnet).
    pub addresses: AddressNetwork,
    /// Whether user wasm (native) actors can be deployed: only on the Filmark devnet. Filecoin's
    /// public networks install no user wasm code (only the builtin actors and EVM contracts).
    pub accepts_native_actors: bool,
    /// The committed deployment file of Filmark's contracts on this network
    /// (`deployments/<name>.json`, written by `filmark deploy --network`), compiled in; empty
    /// for a local chain, whose deployments are made per run. Read it with
    /// [`Network::deployment`].
    pub deployment_file: &'static str,
}

/// Where Filmark's contracts are on a network: the part of a deployment file
/// (`deployments/README.md`) the clients need.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct NetworkDeployment {
    /// The chain the contracts were deployed on.
    pub chain_id: u64,
    /// The registry (its f410 address: the typed clients take it as is).
    pub registry: Address,
    /// The escrow (its f410 address).
    pub escrow: Address,
}

impl NetworkDeployment {
    /// Reads a deployment file's text: `None` when it records no deployment (`"deployed":
    /// false`, or an empty file).
    ///
    /// # Errors
    /// [`Error::Decode`] when the text is not a deployment file (JSON with `chain_id`,
    /// `registry` and `escrow`), or an address in it is invalid.
    pub fn parse(text: &str) -> Result<Option<Self>> {
        let bad = |reason: String| Error::Decode {
            what: "a deployment file".into(),
            reason,
        };
        if text.trim().is_empty() {
            return Ok(None);
        }
        let json: serde_json::Value = serde_json::from_str(text).map_err(|e| bad(e.to_string()))?;
        if json["deployed"] == serde_json::Value::Bool(false) {
            return Ok(None);
        }
        let chain_id = json["chain_id"]
            .as_u64()
            .ok_or_else(|| bad("no chain_id".into()))?;
        let address = |name: &str| -> Result<Address> {
            let text = json[name]
                .as_str()
                .ok_or_else(|| bad(format!("no {name} address")))?;
            parse_address(text).map_err(|e| bad(format!("{name}: {e}")))
        };
        Ok(Some(Self {
            chain_id,
            registry: address("registry")?,
            escrow: address("escrow")?,
        }))
    }
}

impl Network {
    /// The local Filmark devnet (`filmark devnet`), chain id 31415926.
    pub const DEVNET: Self = Self {
        name: "devnet",
        chain_id: DEVNET_CHAIN_ID,
        rpc_url: "http://127.0.0.1:1234/rpc/v1",
        addresses: AddressNetwork::Testnet,
        accepts_native_actors: true,
        deployment_file: "",
    };
    /// Filecoin's calibration test network, chain id 314159 (Glif's public node).
    pub const CALIBRATION: Self = Self {
        name: "calibration",
        chain_id: CALIBNET_CHAIN_ID,
        rpc_url: "https://api.calibration.node.glif.io/rpc/v1",
        addresses: AddressNetwork::Testnet,
        accepts_native_actors: false,
        deployment_file: include_str!("../../deployments/calibration.json"),
    };
    /// Filecoin mainnet, chain id 314 (Glif's public node).
    pub const MAINNET: Self = Self {
        name: "mainnet",
        chain_id: MAINNET_CHAIN_ID,
        rpc_url: "https://api.node.glif.io/rpc/v1",
        addresses: AddressNetwork::Mainnet,
        accepts_native_actors: false,
        deployment_file: include_str!("../../deployments/mainnet.json"),
    };

    /// The preset named `name` (`devnet`, `calibration`, `mainnet`).
    pub fn by_name(name: &str) -> Option<Self> {
        [Self::DEVNET, Self::CALIBRATION, Self::MAINNET]
            .into_iter()
            .find(|n| n.name == name)
    }

    /// Filmark's contracts on this network, from its committed deployment file
    /// ([`Network::deployment_file`]): `None` until one is deployed there and its file committed.
    ///
    /// # Errors
    /// [`Error::Decode`] for a malformed file, or one recorded for another chain id.
    pub fn deployment(&self) -> Result<Option<NetworkDeployment>> {
        let Some(d) = NetworkDeployment::parse(self.deployment_file)? else {
            return Ok(None);
        };
        if d.chain_id != self.chain_id {
            return Err(Error::Decode {
                what: format!("the {} deployment file", self.name),
                reason: format!(
                    "it records chain id {}, the network's is {}",
                    d.chain_id, self.chain_id
                ),
            });
        }
        Ok(Some(d))
    }

    /// The preset with this chain id; another id is taken as a devnet-like local chain
    /// (named `custom`, native actors allowed, as `filmark devnet --chain-id` serves).
    pub fn from_chain_id(chain_id: u64) -> Self {
        [Self::DEVNET, Self::CALIBRATION, Self::MAINNET]
            .into_iter()
            .find(|n| n.chain_id == chain_id)
            .unwrap_or(Self {
                name: "custom",
                chain_id,
                ..Self::DEVNET
            })
    }

    /// The network of a node with this chain id and network name: a Filmark devnet is a devnet
    /// whatever chain id it serves (`filmark devnet --chain-id 314159` still takes native
    /// actors); any other node is known by its chain id ([`Network::from_chain_id`]).
    pub fn from_node(chain_id: u64, network_name: &str) -> Self {
        if network_name == DEVNET_NETWORK_NAME {
            Self {
                name: if chain_id == DEVNET_CHAIN_ID {
                    "devnet"
                } else {
                    "custom"
                },
                chain_id,
                ..Self::DEVNET
            }
        } else {
            Self::from_chain_id(chain_id)
        }
    }

    /// Refuses to deploy a native actor where the network takes none.
    ///
    /// # Errors
    /// [`Error::DeployRefused`] on calibration and mainnet.
    pub fn check_native_deploy(&self) -> Result<()> {
        if self.accepts_native_actors {
            Ok(())
        } else {
            Err(Error::DeployRefused {
                network: self.name,
                why: "Filecoin's public networks do not accept user wasm actors (only the \
                      builtin actors and EVM contracts run there); deploy to a Filmark devnet, \
                      or use a known deployment's addresses",
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn presets_by_chain_id_and_deploy_policy() {
        assert_eq!(Network::from_chain_id(314), Network::MAINNET);
        assert_eq!(Network::from_chain_id(314_159), Network::CALIBRATION);
        assert_eq!(Network::from_chain_id(31_415_926), Network::DEVNET);
        assert_eq!(Network::from_chain_id(7).name, "custom");
        assert!(Network::DEVNET.check_native_deploy().is_ok());
        // A Filmark devnet serving calibration's chain id still takes native actors.
        let posing = Network::from_node(314_159, DEVNET_NETWORK_NAME);
        assert_eq!((posing.name, posing.chain_id), ("custom", 314_159));
        assert!(posing.check_native_deploy().is_ok());
        assert_eq!(
            Network::from_node(314_159, "calibrationnet"),
            Network::CALIBRATION
        );
        assert_eq!(
            Network::from_node(31_415_926, DEVNET_NETWORK_NAME),
            Network::DEVNET
        );
        assert_eq!(Network::by_name("calibration"), Some(Network::CALIBRATION));
        assert_eq!(Network::by_name("ropsten"), None);
        let e = Network::MAINNET.check_native_deploy().unwrap_err();
        assert!(e.to_string().contains("mainnet"), "{e}");
        assert!(
            e.to_string().contains("do not accept user wasm actors"),
            "{e}"
        );
        assert!(matches!(
            Network::CALIBRATION.check_native_deploy(),
            Err(Error::DeployRefused {
                network: "calibration",
                ..
            })
        ));
    }

    #[test]
    fn deployment_files_read_back_and_the_committed_ones_record_none() {
        // No deployment to a public network is made from this repository's CI: the committed
        // files say so, and the presets read them as "none".
        assert_eq!(Network::CALIBRATION.deployment().unwrap(), None);
        assert_eq!(Network::MAINNET.deployment().unwrap(), None);
        assert_eq!(Network::DEVNET.deployment().unwrap(), None);
        let registry = filmark_actor_shared::abi::f410_address(&[0x11; 20]);
        let text = format!(
            r#"{{"chain_id": 314159, "registry": "{}", "escrow": "f01234"}}"#,
            crate::keys::format_address(&registry, AddressNetwork::Testnet)
        );
        let d = NetworkDeployment::parse(&text).unwrap().unwrap();
        assert_eq!(d.chain_id, 314_159);
        assert_eq!(d.registry, registry);
        assert_eq!(d.escrow, Address::new_id(1234));
        let e = NetworkDeployment::parse(r#"{"chain_id": 314, "registry": "x"}"#).unwrap_err();
        assert!(e.to_string().contains("registry"), "{e}");
        assert!(NetworkDeployment::parse("[").is_err());
    }
}
