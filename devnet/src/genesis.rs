//! Genesis: the builtin actors' code in the store, the manifest, the singletons and the
//! deterministic prefunded accounts. As on mainnet: the singletons f02 (reward), f03 (cron),
//! f04 (power), f05 (market), f06 (verified registry), f07 (DataCap) and f010 (EAM); f099 (burnt
//! funds) is an account holding its own ID address; the prefunded accounts from f0100; actors
//! created later from [`FIRST_NEW_ACTOR_ID`], as on a Lotus devnet (whose genesis miner is
//! f01000).

use cid::Cid;
use filmark_devnet_actors::{account, init, manifest, market, system};
use fvm::state_tree::{ActorState, StateTree};
use fvm_ipld_blockstore::Blockstore;
use fvm_ipld_encoding::CborStore;
use fvm_shared::address::Address;
use fvm_shared::econ::TokenAmount;
use fvm_shared::state::StateTreeVersion;
use fvm_shared::{ActorID, EMPTY_ARR_CID};
use multihash_codetable::Code;

use crate::config::{DevnetConfig, NETWORK_NAME};
use crate::keys::{DevnetKey, KeyKind};
use crate::store::Store;
use crate::{Error, Result};

/// The builtin singletons' ids (defined once, in `filmark_actor_shared::builtin` and
/// `filmark_devnet_actors`): the reward actor (f02) is paid miner tips, base fees and penalties
/// are burnt into f099.
pub use filmark_devnet_actors::{
    BURNT_FUNDS_ACTOR_ID, CRON_ACTOR_ID, DATACAP_TOKEN_ACTOR_ID, EAM_ACTOR_ID, INIT_ACTOR_ID,
    REWARD_ACTOR_ID, STORAGE_MARKET_ACTOR_ID as MARKET_ACTOR_ID, STORAGE_POWER_ACTOR_ID,
    SYSTEM_ACTOR_ID, VERIFIED_REGISTRY_ACTOR_ID,
};
/// The first id given to a non-singleton actor: the prefunded genesis accounts'.
pub use fvm_shared::address::FIRST_NON_SINGLETON_ADDR as FIRST_NON_SINGLETON_ID;

/// The first id of an actor created after genesis (unless more prefunded accounts than fit
/// below it): above 1000, as on a Lotus devnet, whose genesis miner is f01000.
pub const FIRST_NEW_ACTOR_ID: ActorID = 1001;

pub use filmark_devnet_bundle::code_cid;

/// A prefunded genesis account.
#[derive(Debug, Clone)]
pub struct GenesisAccount {
    /// Its key (f1 or f410).
    pub key: DevnetKey,
    /// Its actor id.
    pub id: ActorID,
}

impl GenesisAccount {
    /// The key's robust address (f1 or f410).
    pub fn address(&self) -> Address {
        self.key.address()
    }

    /// The ID address.
    pub const fn id_address(&self) -> Address {
        Address::new_id(self.id)
    }
}

/// What genesis produced.
#[derive(Debug)]
pub(crate) struct Genesis {
    pub(crate) state_root: Cid,
    pub(crate) manifest: Vec<(String, Cid)>,
    pub(crate) accounts: Vec<GenesisAccount>,
    pub(crate) circ_supply: TokenAmount,
    /// Whether the market's state is already in `state_root` (written here, as the bundle's
    /// market constructor writes it); if not (another market wasm), its constructor must run.
    pub(crate) market_constructed: bool,
}

/// Builds the genesis state in `store` from the builtin actors' `(name, wasm)` list.
pub(crate) fn build(
    store: &Store,
    builtins: &[(&str, &[u8])],
    config: &DevnetConfig,
) -> Result<Genesis> {
    let mut manifest = Vec::with_capacity(builtins.len());
    for (name, wasm) in builtins {
        let cid = code_cid(wasm);
        store.put_keyed(&cid, wasm)?;
        manifest.push(((*name).to_owned(), cid));
    }
    let code = |name: &str| -> Result<Cid> {
        manifest
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, c)| *c)
            .ok_or_else(|| Error::Config(format!("builtin actors lack `{name}`")))
    };
    for name in manifest::REQUIRED {
        code(name)?;
    }
    let manifest_cid = store.put_cbor(&manifest, Code::Blake2b256)?;

    let mut tree = StateTree::new(store.clone(), StateTreeVersion::V5).map_err(fvm_err)?;
    let mut market_constructed = false;
    // The default state of stateless actors: an empty DAG-CBOR array.
    store.put_keyed(&EMPTY_ARR_CID, &[0x80])?;

    let system = store.put_cbor(
        &system::State {
            builtin_actors: manifest_cid,
        },
        Code::Blake2b256,
    )?;
    tree.set_actor(
        SYSTEM_ACTOR_ID,
        ActorState::new(
            code(manifest::SYSTEM)?,
            system,
            TokenAmount::default(),
            0,
            None,
        ),
    );
    for (id, name) in [
        (REWARD_ACTOR_ID, manifest::REWARD),
        (CRON_ACTOR_ID, manifest::CRON),
        (STORAGE_POWER_ACTOR_ID, manifest::STORAGE_POWER),
        (MARKET_ACTOR_ID, manifest::STORAGE_MARKET),
        (VERIFIED_REGISTRY_ACTOR_ID, manifest::VERIFIED_REGISTRY),
        (DATACAP_TOKEN_ACTOR_ID, manifest::DATACAP),
        (EAM_ACTOR_ID, manifest::EAM),
    ] {
        // Optional singletons without a manifest entry (a custom builtin list) run the system
        // code: they only need to exist to receive funds.
        let code = code(name).or_else(|_| code(manifest::SYSTEM))?;
        // The others are stateless or start from an empty list (the power actor's miners). The
        // market's state is the one its constructor writes: built here for the bundle's market
        // (the same `State::new`, so the FVM need not run and compile it at start), else
        // written by running that wasm's constructor (see `Node::new`).
        let mut state = EMPTY_ARR_CID;
        if id == MARKET_ACTOR_ID && code == bundle_market_code() {
            let policy = config.market_policy.clone();
            let constructed = market::State::new(store, policy).map_err(actor_err)?;
            state = store.put_cbor(&constructed, Code::Blake2b256)?;
            market_constructed = true;
        }
        tree.set_actor(
            id,
            ActorState::new(code, state, TokenAmount::default(), 0, None),
        );
    }
    let burnt = store.put_cbor(
        &account::State {
            address: Address::new_id(BURNT_FUNDS_ACTOR_ID),
        },
        Code::Blake2b256,
    )?;
    tree.set_actor(
        BURNT_FUNDS_ACTOR_ID,
        ActorState::new(
            code(manifest::ACCOUNT)?,
            burnt,
            TokenAmount::default(),
            0,
            None,
        ),
    );

    let mut init_state =
        init::State::new(store, NETWORK_NAME, FIRST_NON_SINGLETON_ID).map_err(actor_err)?;
    let mut accounts = Vec::with_capacity(config.accounts + config.eth_accounts);
    let mut circ_supply = TokenAmount::default();
    let kinds = (0..config.accounts)
        .map(|i| (KeyKind::Secp256k1, i))
        .chain((0..config.eth_accounts).map(|i| (KeyKind::Eth, i)));
    for (kind, index) in kinds {
        let key = DevnetKey::derive(&config.seed, kind, index as u64);
        let address = key.address();
        let actor = match kind {
            KeyKind::Secp256k1 => {
                let state = store.put_cbor(&account::State { address }, Code::Blake2b256)?;
                ActorState::new(
                    code(manifest::ACCOUNT)?,
                    state,
                    config.balance.clone(),
                    0,
                    None,
                )
            }
            KeyKind::Eth => ActorState::new(
                code(manifest::ETHACCOUNT)?,
                EMPTY_ARR_CID,
                config.balance.clone(),
                0,
                Some(address),
            ),
        };
        let id = init_state
            .map_addresses(store, &[address])
            .map_err(actor_err)?;
        tree.set_actor(id, actor);
        circ_supply += &config.balance;
        accounts.push(GenesisAccount { key, id });
    }
    init_state.next_id = init_state.next_id.max(FIRST_NEW_ACTOR_ID);
    let init = store.put_cbor(&init_state, Code::Blake2b256)?;
    tree.set_actor(
        INIT_ACTOR_ID,
        ActorState::new(code(manifest::INIT)?, init, TokenAmount::default(), 0, None),
    );

    let state_root = tree.flush().map_err(fvm_err)?;
    Ok(Genesis {
        state_root,
        manifest,
        accounts,
        circ_supply,
        market_constructed,
    })
}

/// The code CID of the bundle's market wasm (hashed once a process).
fn bundle_market_code() -> Cid {
    static CODE: std::sync::OnceLock<Cid> = std::sync::OnceLock::new();
    *CODE.get_or_init(|| code_cid(filmark_devnet_bundle::MARKET_WASM))
}

fn actor_err(e: filmark_devnet_actors::ActorError) -> Error {
    Error::Config(format!("genesis state: {e}"))
}

/// Maps an FVM execution error (only fatal ones occur outside message execution) to ours.
pub(crate) fn fvm_err(e: impl Into<anyhow::Error>) -> Error {
    Error::Fvm(e.into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_ids_are_the_ones_the_fvm_uses() {
        // The ids `fvm` exports publicly; it hard-codes init (1) and the EAM (10) privately,
        // and the devnet's own tests fail if those disagree (no actor could be created).
        assert_eq!(REWARD_ACTOR_ID, fvm::machine::REWARD_ACTOR_ID);
        assert_eq!(BURNT_FUNDS_ACTOR_ID, fvm::machine::BURNT_FUNDS_ACTOR_ID);
        assert_eq!(FIRST_NON_SINGLETON_ID, 100);
    }
}
