//! [`Network`] presets: chain ids, default RPC endpoints, and what each network accepts.

use fvm_shared::address::Network as AddressNetwork;

use crate::keys::{CALIBNET_CHAIN_ID, DEVNET_CHAIN_ID, MAINNET_CHAIN_ID};
use crate::{Error, Result};

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
}

impl Network {
    /// The local Filmark devnet (`filmark devnet`), chain id 31415926.
    pub const DEVNET: Self = Self {
        name: "devnet",
        chain_id: DEVNET_CHAIN_ID,
        rpc_url: "http://127.0.0.1:1234/rpc/v1",
        addresses: AddressNetwork::Testnet,
        accepts_native_actors: true,
    };
    /// Filecoin's calibration test network, chain id 314159 (Glif's public node).
    pub const CALIBRATION: Self = Self {
        name: "calibration",
        chain_id: CALIBNET_CHAIN_ID,
        rpc_url: "https://api.calibration.node.glif.io/rpc/v1",
        addresses: AddressNetwork::Testnet,
        accepts_native_actors: false,
    };
    /// Filecoin mainnet, chain id 314 (Glif's public node).
    pub const MAINNET: Self = Self {
        name: "mainnet",
        chain_id: MAINNET_CHAIN_ID,
        rpc_url: "https://api.node.glif.io/rpc/v1",
        addresses: AddressNetwork::Mainnet,
        accepts_native_actors: false,
    };

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
}
