//! A [`Chain`] over an in-process [`filmark_devnet::Devnet`], through the SDK's in-process
//! transport ([`filmark_devnet_rpc::InProcess`]).

use filmark_devnet::{DevnetConfig, DevnetHandle, KeyKind};
use filmark_sdk::keys::SecpKey;

use crate::chain::{Chain, Node, Result};

/// A [`Chain`] in this process.
pub type InProcessChain = Chain<filmark_devnet_rpc::InProcess>;

/// The devnet (and the data directory of one on disk, removed on drop).
#[derive(Debug)]
struct Held {
    _devnet: DevnetHandle,
    _dir: Option<tempfile::TempDir>,
}

impl Node for Held {}

/// Starts a devnet with [`DevnetConfig::test`] (calls limited to 60 s).
///
/// # Errors
/// When the devnet cannot start.
pub fn start() -> Result<InProcessChain> {
    with_config(DevnetConfig::test(), None)
}

/// Starts a devnet with [`DevnetConfig::test`] that keeps its chain in redb, in a new temporary
/// data directory (removed when the chain is dropped).
///
/// # Errors
/// When the directory cannot be made or the devnet cannot start.
pub fn on_disk() -> Result<InProcessChain> {
    let dir = tempfile::tempdir().map_err(|e| filmark_devnet::Error::DataDir {
        path: std::env::temp_dir(),
        reason: format!("cannot make a temporary data directory: {e}"),
    })?;
    let config = DevnetConfig::test().with_data_dir(dir.path());
    with_config(config, Some(dir))
}

fn with_config(config: DevnetConfig, dir: Option<tempfile::TempDir>) -> Result<InProcessChain> {
    let devnet = filmark_devnet::Devnet::spawn(config)?;
    let keys = |kind| {
        let mut keys: Vec<SecpKey> = Vec::new();
        while let Ok(a) = devnet.account(kind, keys.len()) {
            keys.push(a.key.secp_key().clone());
        }
        keys
    };
    let (f1, eth) = (keys(KeyKind::Secp256k1), keys(KeyKind::Eth));
    let transport = filmark_devnet_rpc::InProcess::new(devnet.devnet());
    Chain::new(
        "in-process",
        transport,
        f1,
        eth,
        Box::new(Held {
            _devnet: devnet,
            _dir: dir,
        }),
    )
}
