//! The init actor (`f01`): the address map (robust and delegated addresses → actor ids) and the
//! only actor that may create actors. Its state is read and written by the FVM itself, so its
//! shape is fixed (see [`State`]).
//!
//! As on mainnet (builtin-actors v18): `Exec` creates a builtin actor only where mainnet's
//! `can_exec` allows it (a miner by the power actor; multisig and payment channel by anyone,
//! stubs here); `Exec4` (the EAM only) creates any code at an `f4` address, replacing a
//! placeholder that already holds that address (keeping its id and balance).
//!
//! The devnet's own extension, for native (wasm) actors: `InstallCode` and `Exec` (or `Exec4`)
//! of installed, non-builtin code. The `init` module built with it on is [`USER_WASM_ON`]; with
//! it off (the devnet behaving exactly as mainnet) both fail with [`EX_NO_USER_WASM`].

use cid::Cid;
use filmark_actor_shared::show::Addr;
use filmark_actor_shared::{AsActorError, methods};
use fvm_ipld_blockstore::Blockstore;
use fvm_ipld_encoding::tuple::*;
use fvm_ipld_encoding::{CborStore, RawBytes, strict_bytes};
use fvm_ipld_hamt::{BytesKey, Hamt};
use fvm_shared::address::Address;
use fvm_shared::error::ExitCode;
use fvm_shared::{ActorID, HAMT_BIT_WIDTH, METHOD_CONSTRUCTOR};
use multihash_codetable::Code;

use crate::{ActorError, ActorResult};

methods! {
    /// The init actor's methods (legacy numbers where Lotus uses them).
    pub enum Method {
        /// [`ConstructorParams`]; caller: the system actor.
        Constructor = METHOD_CONSTRUCTOR,
        /// [`ExecParams`] → [`ExecReturn`]: create an actor of any non-builtin code.
        Exec = 2,
        /// [`Exec4Params`] → [`ExecReturn`]: create an actor with an `f4` address; caller: EAM.
        Exec4 = 3,
        /// [`InstallParams`] → [`InstallReturn`]: store wasm code and install it, as Lotus'
        /// experimental `chain install-actor`.
        InstallCode = 4,
        /// Exported [`Method::Exec`], callable by user actors.
        ExecExported = frc42_dispatch::method_hash!("Exec"),
    }
}

/// Whether the devnet's user-wasm extension is on: the argument each init module
/// (`entry/init.rs`, `entry/init_mainnet.rs`) passes to `dispatch`.
pub const USER_WASM_ON: bool = true;

/// The exit code of `InstallCode`, and of `Exec` of non-builtin code, when the user-wasm
/// extension is off.
pub const EX_NO_USER_WASM: ExitCode = ExitCode::USR_FORBIDDEN;

/// The message that goes with [`EX_NO_USER_WASM`].
pub const NO_USER_WASM_MESSAGE: &str = "user wasm actors are off in this devnet (it behaves as \
     mainnet): InstallCode and Exec of non-builtin code are the devnet's own extension";

/// The init actor's state, the shape the FVM (built with `m2-native`) reads and writes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct State {
    /// HAMT (bit width 5) of address bytes → [`ActorID`].
    pub address_map: Cid,
    /// The next actor id to allocate.
    pub next_id: ActorID,
    /// The network name.
    pub network_name: String,
    /// DAG-CBOR `Vec<Cid>` of the code installed with [`Method::InstallCode`].
    pub installed_actors: Cid,
}

type AddressMap<BS> = Hamt<BS, ActorID>;

impl State {
    /// An empty address map allocating ids from `next_id`.
    ///
    /// # Errors
    ///
    /// `USR_ILLEGAL_STATE` if the store fails.
    pub fn new<BS: Blockstore>(
        store: &BS,
        network_name: &str,
        next_id: ActorID,
    ) -> ActorResult<Self> {
        let address_map = AddressMap::new_with_bit_width(store, HAMT_BIT_WIDTH)
            .flush()
            .context_code(ExitCode::USR_ILLEGAL_STATE, "cannot create the address map")?;
        let installed_actors = store
            .put_cbor(&Vec::<Cid>::new(), Code::Blake2b256)
            .context_code(
                ExitCode::USR_ILLEGAL_STATE,
                "cannot store the installed code list",
            )?;
        Ok(Self {
            address_map,
            next_id,
            network_name: network_name.to_owned(),
            installed_actors,
        })
    }

    /// Allocates the next id and maps `addresses` to it.
    ///
    /// # Errors
    ///
    /// `USR_FORBIDDEN` if an address is already mapped; `USR_ILLEGAL_STATE` if the store fails.
    pub fn map_addresses<BS: Blockstore>(
        &mut self,
        store: &BS,
        addresses: &[Address],
    ) -> ActorResult<ActorID> {
        let id = self.next_id;
        let mut map = AddressMap::load_with_bit_width(&self.address_map, store, HAMT_BIT_WIDTH)
            .context_code(ExitCode::USR_ILLEGAL_STATE, "cannot load the address map")?;
        for address in addresses {
            let fresh = map
                .set_if_absent(BytesKey(address.to_bytes()), id)
                .context_code(ExitCode::USR_ILLEGAL_STATE, "cannot write the address map")?;
            if !fresh {
                return Err(ActorError::forbidden(format!(
                    "{} is already mapped",
                    Addr(address)
                )));
            }
        }
        self.address_map = map
            .flush()
            .context_code(ExitCode::USR_ILLEGAL_STATE, "cannot flush the address map")?;
        self.next_id += 1;
        Ok(id)
    }

    /// Maps `robust` and `delegated` to one id, as `Exec4` does: the id `delegated` already
    /// maps to (a placeholder's, which the new actor replaces; `true`), or a new one (`false`).
    ///
    /// # Errors
    ///
    /// `USR_FORBIDDEN` if `robust` is already mapped; `USR_ILLEGAL_STATE` if the store fails.
    pub fn map_delegated<BS: Blockstore>(
        &mut self,
        store: &BS,
        robust: &Address,
        delegated: &Address,
    ) -> ActorResult<(ActorID, bool)> {
        let Some(id) = self.resolve(store, delegated)? else {
            return Ok((self.map_addresses(store, &[*robust, *delegated])?, false));
        };
        let mut map = AddressMap::load_with_bit_width(&self.address_map, store, HAMT_BIT_WIDTH)
            .context_code(ExitCode::USR_ILLEGAL_STATE, "cannot load the address map")?;
        let fresh = map
            .set_if_absent(BytesKey(robust.to_bytes()), id)
            .context_code(ExitCode::USR_ILLEGAL_STATE, "cannot write the address map")?;
        if !fresh {
            return Err(ActorError::forbidden(format!(
                "{} is already mapped",
                Addr(robust)
            )));
        }
        self.address_map = map
            .flush()
            .context_code(ExitCode::USR_ILLEGAL_STATE, "cannot flush the address map")?;
        Ok((id, true))
    }

    /// The id `address` maps to, if any.
    ///
    /// # Errors
    ///
    /// `USR_ILLEGAL_STATE` if the store fails.
    pub fn resolve<BS: Blockstore>(
        &self,
        store: &BS,
        address: &Address,
    ) -> ActorResult<Option<ActorID>> {
        let map = AddressMap::load_with_bit_width(&self.address_map, store, HAMT_BIT_WIDTH)
            .context_code(ExitCode::USR_ILLEGAL_STATE, "cannot load the address map")?;
        map.get(&address.to_bytes())
            .map(|id| id.copied())
            .context_code(ExitCode::USR_ILLEGAL_STATE, "cannot read the address map")
    }

    /// Records `code` as installed; returns false if it already was.
    ///
    /// # Errors
    ///
    /// `USR_ILLEGAL_STATE` if the store fails.
    pub fn record_installed<BS: Blockstore>(&mut self, store: &BS, code: Cid) -> ActorResult<bool> {
        let mut installed: Vec<Cid> = store
            .get_cbor(&self.installed_actors)
            .context_code(
                ExitCode::USR_ILLEGAL_STATE,
                "cannot load the installed code list",
            )?
            .unwrap_or_default();
        if installed.contains(&code) {
            return Ok(false);
        }
        installed.push(code);
        self.installed_actors = store.put_cbor(&installed, Code::Blake2b256).context_code(
            ExitCode::USR_ILLEGAL_STATE,
            "cannot store the installed code list",
        )?;
        Ok(true)
    }
}

/// Params of the constructor.
#[derive(Clone, Debug, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct ConstructorParams {
    /// The network name.
    pub network_name: String,
}

/// Params of [`Method::Exec`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct ExecParams {
    /// Code of the new actor (installed, not a builtin).
    pub code_cid: Cid,
    /// CBOR params of its constructor (empty for none).
    pub constructor_params: RawBytes,
}

/// Params of [`Method::Exec4`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct Exec4Params {
    /// Code of the new actor.
    pub code_cid: Cid,
    /// CBOR params of its constructor (empty for none).
    pub constructor_params: RawBytes,
    /// The sub-address of the new `f4` address in the caller's namespace.
    pub subaddress: RawBytes,
}

/// Return of [`Method::Exec`] and [`Method::Exec4`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct ExecReturn {
    /// The new actor's `f0` address.
    pub id_address: Address,
    /// Its robust `f2` address (stable across reorgs).
    pub robust_address: Address,
}

/// Params of [`Method::InstallCode`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct InstallParams {
    /// The actor's wasm module.
    #[serde(with = "strict_bytes")]
    pub code: Vec<u8>,
}

/// Return of [`Method::InstallCode`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct InstallReturn {
    /// The code CID (IPLD raw, blake2b-256) to pass to [`Method::Exec`].
    pub code_cid: Cid,
    /// False if the code was already installed.
    pub installed: bool,
}

/// Runs one method of this actor in the FVM (what the wasm `invoke` export calls), with the
/// user-wasm extension on or off.
///
/// # Errors
///
/// The method's exit code and message; [`EX_NO_USER_WASM`] for the extension's methods when it
/// is off; `USR_UNHANDLED_MESSAGE` for an unknown method.
#[cfg(feature = "fil-actor")]
pub fn dispatch(
    user_wasm: bool,
    method: fvm_shared::MethodNum,
    params: Option<fvm_ipld_encoding::ipld_block::IpldBlock>,
) -> ActorResult<Option<fvm_ipld_encoding::ipld_block::IpldBlock>> {
    use filmark_actor_shared::dispatch::{params as decode_params, ret as encode_return};

    match Method::from_number(method) {
        Some(Method::Constructor) => {
            crate::fvm::validate_caller(crate::SYSTEM_ACTOR_ID, crate::manifest::SYSTEM)?;
            let params: ConstructorParams = decode_params(params)?;
            let state = State::new(
                &filmark_actor_shared::fvm::FvmBlockstore,
                &params.network_name,
                FIRST_ID,
            )?;
            crate::fvm::save_state(&state)?;
            Ok(None)
        }
        Some(Method::Exec | Method::ExecExported) => {
            let params: ExecParams = decode_params(params)?;
            actor::check_exec(user_wasm, &params.code_cid)?;
            encode_return(&actor::exec(
                params.code_cid,
                params.constructor_params,
                None,
            )?)
        }
        Some(Method::Exec4) => {
            crate::fvm::validate_caller(crate::EAM_ACTOR_ID, "EAM")?;
            let params: Exec4Params = decode_params(params)?;
            let delegated = Address::new_delegated(crate::EAM_ACTOR_ID, &params.subaddress)
                .map_err(|e| ActorError::illegal_argument(format!("bad subaddress: {e}")))?;
            if !user_wasm && fvm_sdk::actor::get_builtin_actor_type(&params.code_cid).is_none() {
                return Err(ActorError::unchecked(EX_NO_USER_WASM, NO_USER_WASM_MESSAGE));
            }
            encode_return(&actor::exec(
                params.code_cid,
                params.constructor_params,
                Some(delegated),
            )?)
        }
        Some(Method::InstallCode) => {
            if !user_wasm {
                return Err(ActorError::unchecked(EX_NO_USER_WASM, NO_USER_WASM_MESSAGE));
            }
            let params: InstallParams = decode_params(params)?;
            encode_return(&actor::install(&params.code)?)
        }
        None => Err(crate::fvm::unhandled(crate::manifest::INIT, method)),
    }
}

/// The first id the constructor allocates (ids below are singletons). Genesis writes init's
/// state itself and allocates above 1000, as on a Lotus devnet.
#[cfg(feature = "fil-actor")]
const FIRST_ID: ActorID = fvm_shared::address::FIRST_NON_SINGLETON_ADDR;

#[cfg(feature = "fil-actor")]
mod actor {
    use fvm_ipld_encoding::ipld_block::IpldBlock;
    use fvm_ipld_encoding::{DAG_CBOR, RawBytes};
    use fvm_shared::sys::SendFlags;

    use super::*;
    use filmark_actor_shared::fvm::FvmBlockstore;

    use crate::fvm;

    /// Mainnet's `can_exec` for `Exec`, plus the user-wasm extension for non-builtin code.
    pub(super) fn check_exec(user_wasm: bool, code: &Cid) -> ActorResult<()> {
        use crate::types;
        match fvm_sdk::actor::get_builtin_actor_type(code) {
            None if user_wasm => Ok(()),
            None => Err(ActorError::unchecked(EX_NO_USER_WASM, NO_USER_WASM_MESSAGE)),
            Some(types::MULTISIG | types::PAYMENT_CHANNEL) => Ok(()),
            Some(types::MINER) if fvm_sdk::message::caller() == crate::STORAGE_POWER_ACTOR_ID => {
                Ok(())
            }
            Some(t) => Err(ActorError::forbidden(format!(
                "caller f0{} may not exec builtin actor type {t}",
                fvm_sdk::message::caller()
            ))),
        }
    }

    pub(super) fn exec(
        code: Cid,
        constructor_params: RawBytes,
        delegated: Option<Address>,
    ) -> ActorResult<ExecReturn> {
        let robust_address = fvm_sdk::actor::next_actor_address();
        let mut state: State = fvm::load_state()?;
        let id = match &delegated {
            Some(delegated) => {
                state
                    .map_delegated(&FvmBlockstore, &robust_address, delegated)?
                    .0
            }
            None => state.map_addresses(&FvmBlockstore, &[robust_address])?,
        };
        fvm::save_state(&state)?;

        // The FVM replaces a placeholder at `id` (the same delegated address) and refuses any
        // other existing actor.
        fvm_sdk::actor::create_actor(id, &code, delegated).map_err(|e| {
            let code = match e {
                fvm_shared::error::ErrorNumber::Forbidden => ExitCode::USR_FORBIDDEN,
                _ => ExitCode::USR_ILLEGAL_ARGUMENT,
            };
            ActorError::unchecked(code, format!("cannot create actor f0{id}: {e}"))
        })?;
        let params = (!constructor_params.is_empty()).then(|| IpldBlock {
            codec: DAG_CBOR,
            data: constructor_params.into(),
        });
        let id_address = Address::new_id(id);
        let ret = fvm::send(
            &id_address,
            METHOD_CONSTRUCTOR,
            params,
            fvm_sdk::message::value_received(),
            SendFlags::empty(),
        )?;
        if !ret.exit_code.is_success() {
            return Err(ActorError::unchecked(
                ret.exit_code,
                format!("constructor of {id_address} failed"),
            ));
        }
        Ok(ExecReturn {
            id_address,
            robust_address,
        })
    }

    #[cfg(feature = "m2-native")]
    pub(super) fn install(code: &[u8]) -> ActorResult<InstallReturn> {
        let code_cid = fvm_sdk::ipld::put(Code::Blake2b256.into(), 32, fvm_shared::IPLD_RAW, code)
            .map_err(|e| ActorError::illegal_argument(format!("cannot store code: {e}")))?;
        fvm_sdk::actor::install_actor(&code_cid)
            .map_err(|e| ActorError::illegal_argument(format!("cannot install code: {e}")))?;
        let mut state: State = fvm::load_state()?;
        let installed = state.record_installed(&FvmBlockstore, code_cid)?;
        fvm::save_state(&state)?;
        Ok(InstallReturn {
            code_cid,
            installed,
        })
    }

    #[cfg(not(feature = "m2-native"))]
    pub(super) fn install(_code: &[u8]) -> ActorResult<InstallReturn> {
        Err(ActorError::unchecked(
            ExitCode::USR_UNHANDLED_MESSAGE,
            "InstallCode needs the m2-native feature",
        ))
    }
}

#[cfg(test)]
mod tests {
    use fvm_ipld_blockstore::MemoryBlockstore;

    use super::*;

    #[test]
    fn addresses_map_to_fresh_ids() {
        let store = MemoryBlockstore::new();
        let mut state = State::new(&store, "devnet", 100).unwrap();
        let a = Address::new_actor(b"a");
        let b = Address::new_actor(b"b");
        assert_eq!(state.map_addresses(&store, &[a]).unwrap(), 100);
        assert_eq!(state.map_addresses(&store, &[b]).unwrap(), 101);
        assert_eq!(state.resolve(&store, &a).unwrap(), Some(100));
        assert_eq!(state.resolve(&store, &b).unwrap(), Some(101));
        assert_eq!(
            state.resolve(&store, &Address::new_actor(b"c")).unwrap(),
            None
        );
        let err = state.map_addresses(&store, &[a]).unwrap_err();
        assert_eq!(err.exit_code(), ExitCode::USR_FORBIDDEN);
        assert_eq!(state.next_id, 102);
    }

    #[test]
    fn exec4_reuses_the_id_of_a_mapped_delegated_address() {
        let store = MemoryBlockstore::new();
        let mut state = State::new(&store, "devnet", 100).unwrap();
        let delegated = Address::new_delegated(10, &[7; 20]).unwrap();
        assert_eq!(state.map_addresses(&store, &[delegated]).unwrap(), 100);
        let robust = Address::new_actor(b"r");
        assert_eq!(
            state.map_delegated(&store, &robust, &delegated).unwrap(),
            (100, true)
        );
        assert_eq!(state.resolve(&store, &robust).unwrap(), Some(100));
        assert_eq!(state.next_id, 101);
        let other = Address::new_delegated(10, &[8; 20]).unwrap();
        let robust2 = Address::new_actor(b"s");
        assert_eq!(
            state.map_delegated(&store, &robust2, &other).unwrap(),
            (101, false)
        );
        let err = state.map_delegated(&store, &robust, &other).unwrap_err();
        assert_eq!(err.exit_code(), ExitCode::USR_FORBIDDEN);
    }

    #[test]
    fn installed_code_is_recorded_once() {
        let store = MemoryBlockstore::new();
        let mut state = State::new(&store, "devnet", 100).unwrap();
        let code = Cid::default();
        assert!(state.record_installed(&store, code).unwrap());
        assert!(!state.record_installed(&store, code).unwrap());
    }

    #[test]
    fn state_is_the_four_tuple_the_fvm_reads() {
        let store = MemoryBlockstore::new();
        let state = State::new(&store, "devnet", 100).unwrap();
        let bytes = fvm_ipld_encoding::to_vec(&state).unwrap();
        assert_eq!(bytes[0], 0x84, "a CBOR array of 4");
        assert_eq!(
            fvm_ipld_encoding::from_slice::<State>(&bytes).unwrap(),
            state
        );
    }

    #[test]
    fn exec_numbers() {
        assert_eq!(Method::Exec.number(), 2);
        assert_eq!(Method::InstallCode.number(), 4);
        assert!(Method::ExecExported.number() >= 1 << 24);
    }
}
