//! [`Chain`] over an in-process [`filmark_devnet::Devnet`].

use cid::Cid;
use filmark_devnet::{DevnetConfig, DevnetHandle, DevnetKey, KeyKind, MessageLookup, TipsetRef};
use fvm_ipld_blockstore::Blockstore;
use fvm_ipld_encoding::RawBytes;
use fvm_shared::address::Address;
use fvm_shared::clock::ChainEpoch;
use fvm_shared::econ::TokenAmount;
use fvm_shared::{ActorID, MethodNum};

use crate::chain::{Chain, Error, Outcome, Result};

/// A devnet running in this process (dropped with it).
#[derive(Debug)]
pub struct InProcess {
    devnet: DevnetHandle,
    /// The data directory of a devnet on disk ([`InProcess::on_disk`]), removed on drop.
    dir: Option<tempfile::TempDir>,
}

impl InProcess {
    /// Starts a devnet with [`DevnetConfig::test`].
    ///
    /// # Errors
    /// When the devnet cannot start.
    pub fn start() -> Result<Self> {
        Self::with_config(DevnetConfig::test())
    }

    /// Starts a devnet with `config`.
    ///
    /// # Errors
    /// When the devnet cannot start.
    pub fn with_config(config: DevnetConfig) -> Result<Self> {
        Ok(Self {
            devnet: filmark_devnet::Devnet::spawn(config)?,
            dir: None,
        })
    }

    /// Starts a devnet with [`DevnetConfig::test`] that keeps its chain in redb, in a new
    /// temporary data directory (removed when this is dropped).
    ///
    /// # Errors
    /// When the directory cannot be made or the devnet cannot start.
    pub fn on_disk() -> Result<Self> {
        let dir = tempfile::tempdir().map_err(|e| filmark_devnet::Error::DataDir {
            path: std::env::temp_dir(),
            reason: format!("cannot make a temporary data directory: {e}"),
        })?;
        Ok(Self {
            devnet: filmark_devnet::Devnet::spawn(DevnetConfig::test().with_data_dir(dir.path()))?,
            dir: Some(dir),
        })
    }

    /// The data directory, for a devnet [`InProcess::on_disk`].
    pub fn data_dir(&self) -> Option<&std::path::Path> {
        self.dir.as_ref().map(tempfile::TempDir::path)
    }

    /// The devnet, for what the trait does not cover.
    pub const fn devnet(&self) -> &DevnetHandle {
        &self.devnet
    }
}

fn outcome(lookup: MessageLookup) -> Outcome {
    let r = lookup.record;
    Outcome {
        cid: Some(r.cid),
        height: Some(r.height),
        exit_code: r.receipt.exit_code,
        return_data: r.receipt.return_data,
        gas_used: r.receipt.gas_used,
        events: r.events,
        failure: r.failure,
    }
}

impl Chain for InProcess {
    fn name(&self) -> &'static str {
        "in-process"
    }

    fn chain_id(&self) -> Result<u64> {
        Ok(self.devnet.chain_id())
    }

    fn f1(&self, index: usize) -> Result<DevnetKey> {
        Ok(self.devnet.account(KeyKind::Secp256k1, index)?.key)
    }

    fn eth(&self, index: usize) -> Result<DevnetKey> {
        Ok(self.devnet.account(KeyKind::Eth, index)?.key)
    }

    fn send(
        &self,
        from: &DevnetKey,
        to: &Address,
        value: TokenAmount,
        method: MethodNum,
        params: RawBytes,
    ) -> Result<Outcome> {
        Ok(outcome(self.devnet.send(from, *to, value, method, params)?))
    }

    fn call(
        &self,
        from: &Address,
        to: &Address,
        method: MethodNum,
        params: RawBytes,
    ) -> Result<Outcome> {
        let r = self.devnet.call_method(*from, *to, method, params)?;
        Ok(Outcome {
            cid: None,
            height: None,
            exit_code: r.receipt.exit_code,
            return_data: r.receipt.return_data,
            gas_used: r.receipt.gas_used,
            events: r.events,
            failure: r.failure,
        })
    }

    fn deploy_filmark(&self, from: &DevnetKey) -> Result<filmark_sdk::client::Deployment> {
        crate::chain::sdk_deploy(
            filmark_devnet_rpc::InProcess::new(self.devnet.devnet()),
            from,
        )
    }

    fn mine(&self, n: u64) -> Result<ChainEpoch> {
        Ok(self.devnet.mine(n)?.height())
    }

    fn epoch(&self) -> Result<ChainEpoch> {
        Ok(self.devnet.head().height())
    }

    fn balance(&self, addr: &Address) -> Result<TokenAmount> {
        Ok(self.devnet.balance(addr, TipsetRef::Head)?)
    }

    fn lookup_id(&self, addr: &Address) -> Result<Option<ActorID>> {
        Ok(self.devnet.lookup_id(addr, TipsetRef::Head)?)
    }

    fn delegated_address(&self, id: ActorID) -> Result<Option<Address>> {
        Ok(self
            .devnet
            .actor(&Address::new_id(id), TipsetRef::Head)?
            .and_then(|(_, a)| a.delegated_address))
    }

    fn state_root(&self, addr: &Address) -> Result<Cid> {
        Ok(self.devnet.state_root(addr, TipsetRef::Head)?)
    }

    fn read_block(&self, cid: &Cid) -> Result<Option<Vec<u8>>> {
        self.devnet
            .store()
            .get(cid)
            .map_err(|e| Error::NotFound(format!("block {cid}: {e}")))
    }

    fn activate_deals(&self, ids: &[u64]) -> Result<()> {
        self.devnet.activate_deals(ids)?;
        Ok(())
    }

    fn terminate_deals(&self, ids: &[u64]) -> Result<()> {
        self.devnet.terminate_deals(ids)?;
        Ok(())
    }

    fn settle_deal_payments(
        &self,
        ids: &[u64],
    ) -> Result<filmark_devnet_actors::market::SettleDealPaymentsReturn> {
        Ok(self.devnet.settle_deal_payments(ids)?)
    }

    fn advance_epochs(&self, n: u64) -> Result<ChainEpoch> {
        Ok(self.devnet.advance_epochs(n)?.height())
    }
}
