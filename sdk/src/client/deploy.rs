//! Deploying: native actors through init's `Exec` (the devnet's extension), EVM contracts through
//! the EAM's `CreateExternal` (every network), and Filmark's two actors together.

use cid::Cid;
use fvm_ipld_encoding::{BytesDe, RawBytes};
use fvm_shared::MethodNum;
use fvm_shared::address::Address;
use fvm_shared::econ::TokenAmount;
use fvm_shared::message::Message;

use super::{Client, Path, Signer, cbor, decode};
use crate::keys::{EthAddress, calldata_params, ext};
use crate::transport::{Lookup, Transport};
use crate::{Error, Result};

/// The init actor (f01), whose `Exec` (method 2) creates actors.
const INIT_ACTOR: Address = Address::new_id(1);
const INIT_EXEC: MethodNum = 2;

/// An actor created by [`Client::deploy_actor`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Deployed {
    /// Its code CID.
    pub code_cid: Cid,
    /// Its f0 address.
    pub id_address: Address,
    /// Its robust f2 address.
    pub robust_address: Address,
}

/// An EVM contract created by [`Client::deploy_contract`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DeployedContract {
    /// Its f0 address.
    pub id_address: Address,
    /// Its f410 address (what the typed clients take to reach it).
    pub address: Address,
    /// Its Ethereum address.
    pub eth_address: EthAddress,
    /// The gas the deployment used.
    pub gas_used: u64,
}

impl DeployedContract {
    /// The contract a successful `CreateExternal` created, from its lookup (the EAM's return).
    ///
    /// # Errors
    /// [`Error::Decode`] for a return that is not the EAM's.
    pub fn from_lookup(lookup: &Lookup) -> Result<Self> {
        let what = "the EAM's create return";
        let CreateReturn(id, _, BytesDe(eth)) = decode(&lookup.receipt.return_data, what)?;
        let eth = <[u8; 20]>::try_from(eth.as_slice()).map_err(|_| Error::Decode {
            what: what.to_owned(),
            reason: format!("an Ethereum address of {} bytes", eth.len()),
        })?;
        Ok(Self {
            id_address: Address::new_id(id),
            address: filmark_actor_shared::abi::f410_address(&eth),
            eth_address: EthAddress::from(eth),
            gas_used: lookup.receipt.gas_used,
        })
    }
}

/// The EAM's return of every create (`CreateReturn`: actor id, robust address, Ethereum
/// address), a CBOR array.
#[derive(serde::Deserialize)]
struct CreateReturn(u64, serde::de::IgnoredAny, BytesDe);

/// Filmark's two actors, deployed ([`Client::deploy_filmark`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Deployment {
    /// The registry.
    pub registry: Deployed,
    /// The escrow.
    pub escrow: Deployed,
}

/// The init actor's `Exec` params (builtin-actors' `ExecParams`: code CID, constructor
/// params), a CBOR array.
#[derive(serde::Serialize)]
struct ExecParams(Cid, RawBytes);

/// The init actor's `Exec` return (`ExecReturn`: id address, robust address).
#[derive(serde::Deserialize)]
struct ExecReturn(Address, Address);

impl<T: Transport> Client<T> {
    /// Installs `wasm` and creates an actor of it with init's `Exec`, sent by `signer` (an f1
    /// key: init's `Exec` has no Ethereum form).
    ///
    /// # Errors
    /// [`Error::DeployRefused`] on calibration and mainnet (no user wasm actors there);
    /// [`Error::NotEthCompatible`] for an eth signer; [`Error::ActorFailed`] when the
    /// constructor fails; the transport's.
    pub async fn deploy_actor(
        &self,
        signer: &Signer,
        wasm: &[u8],
        constructor_params: RawBytes,
    ) -> Result<Deployed> {
        self.network.check_native_deploy()?;
        if signer.path == Path::Eth {
            return Err(Error::NotEthCompatible(
                "deploying a native actor needs an f1 signer (init's Exec)".into(),
            ));
        }
        let code_cid = self.transport.install_code(wasm).await?;
        let params = cbor(&ExecParams(code_cid, constructor_params))?;
        let what = format!("deploying {code_cid}");
        let lookup = self
            .send(
                signer,
                INIT_ACTOR,
                TokenAmount::default(),
                INIT_EXEC,
                params,
                &what,
            )
            .await?;
        let ExecReturn(id_address, robust_address) =
            decode(&lookup.receipt.return_data, "init Exec return")?;
        Ok(Deployed {
            code_cid,
            id_address,
            robust_address,
        })
    }

    /// Deploys an EVM contract: `initcode` (its creation bytecode, constructor arguments
    /// appended) sent by an eth `signer` to the EAM's `CreateExternal`, as an Ethereum
    /// transaction without `to`. Works on every network (calibration and mainnet included).
    ///
    /// # Errors
    /// [`Error::NotEthCompatible`] for an f1 signer; [`Error::ActorFailed`] when the
    /// constructor reverts; [`Error::Decode`] for an unexpected EAM return; the transport's.
    pub async fn deploy_contract(
        &self,
        signer: &Signer,
        initcode: &[u8],
    ) -> Result<DeployedContract> {
        if signer.path != Path::Eth {
            return Err(Error::NotEthCompatible(
                "deploying an EVM contract needs an eth signer (an Ethereum transaction)".into(),
            ));
        }
        let message = self.prepare_contract(signer.address(), initcode).await?;
        let lookup = self
            .send_prepared(signer, message, "deploying a contract")
            .await?;
        DeployedContract::from_lookup(&lookup)
    }

    /// The message deploying an EVM contract (`initcode` to the EAM's `CreateExternal` from
    /// `from`, an f410 address), its nonce and gas set: sign it with
    /// [`SecpKey::sign_eip1559`](crate::keys::SecpKey::sign_eip1559), send it with
    /// [`Client::send_prepared`], read the result with [`DeployedContract::from_lookup`].
    ///
    /// # Errors
    /// As [`Client::prepare`].
    pub async fn prepare_contract(&self, from: Address, initcode: &[u8]) -> Result<Message> {
        self.prepare(
            from,
            Address::new_id(crate::keys::EAM_ACTOR_ID),
            TokenAmount::default(),
            ext::eam::CREATE_EXTERNAL,
            calldata_params(initcode),
        )
        .await
    }

    /// Deploys the escrow, then the registry pointing at it (the registry reads the escrow).
    /// `registry_wasm` and `escrow_wasm` are the modules (`filmark_actor_bundle::REGISTRY_WASM`
    /// and `ESCROW_WASM`).
    ///
    /// # Errors
    /// As [`Client::deploy_actor`].
    pub async fn deploy_filmark(
        &self,
        signer: &Signer,
        registry_wasm: &[u8],
        escrow_wasm: &[u8],
    ) -> Result<Deployment> {
        let escrow = self
            .deploy_actor(signer, escrow_wasm, RawBytes::default())
            .await?;
        let params = cbor(&filmark_registry::types::ConstructorParams {
            escrow: Some(escrow.id_address),
        })?;
        let registry = self.deploy_actor(signer, registry_wasm, params).await?;
        Ok(Deployment { registry, escrow })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exec_params_are_a_cbor_pair() {
        let p = cbor(&ExecParams(Cid::default(), RawBytes::new(vec![1]))).unwrap();
        // A two-element array.
        assert_eq!(p.bytes()[0], 0x82);
    }
}
