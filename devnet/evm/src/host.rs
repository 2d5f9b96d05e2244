//! revm's [`Host`] over the FVM: storage in the actor's HAMT, balances, block context and logs
//! from syscalls. Calls and creates do not go through the host: the interpreter suspends on
//! them and `actor` sends a message (each contract is its own actor, as in FEVM).

use std::borrow::Cow;
use std::collections::BTreeMap;

use filmark_actor_shared::fvm::FvmBlockstore;
use filmark_devnet_actors::evm::{MAX_INITCODE_SIZE, STORAGE_BIT_WIDTH, State};
use fvm_ipld_hamt::{BytesKey, Hamt};
use fvm_shared::ActorID;
use fvm_shared::address::Address as FilAddress;
use fvm_shared::econ::TokenAmount;
use revm_interpreter::context_interface::cfg::GasParams;
use revm_interpreter::context_interface::journaled_state::AccountInfoLoad;
use revm_interpreter::host::LoadError;
use revm_interpreter::primitives::hardfork::SpecId;
use revm_interpreter::primitives::{Address, B256, Log, StorageKey, StorageValue, U256};
use revm_interpreter::state::{AccountInfo, Bytecode};
use revm_interpreter::{Host, SStoreResult, SelfDestructResult, StateLoad};
use serde_bytes::ByteBuf;

use crate::address::{eth_address_of, to_filecoin};
use crate::{ActorError, ActorResult};

/// The EVM revision the interpreter runs (FEVM: Cancun's opcodes, no blobs).
pub(crate) const SPEC: SpecId = SpecId::CANCUN;

/// The storage map.
pub(crate) type Storage = Hamt<FvmBlockstore, ByteBuf, BytesKey>;

/// The host of one invocation.
pub(crate) struct FvmHost {
    gas_params: GasParams,
    /// The actor's state as loaded (its storage root is stale while `dirty`).
    pub(crate) state: State,
    /// The storage map, loaded at its first use (a call that touches no storage opens no
    /// block for it).
    storage: Option<Storage>,
    /// Storage written since the last flush.
    pub(crate) dirty: bool,
    /// The root this invocation last saw (to notice a re-entrant call's changes).
    root: cid::Cid,
    transient: BTreeMap<U256, U256>,
    /// Set while a CALL instruction runs: account loads skip the callee's bytecode, which only
    /// EXTCODE* need.
    pub(crate) skip_code: bool,
    /// An error from a syscall during execution, reported after the interpreter stops.
    pub(crate) fault: Option<ActorError>,
    origin: Option<Address>,
}

fn storage_key(key: &U256) -> BytesKey {
    BytesKey(key.to_be_bytes::<32>().to_vec())
}

/// A word as stored: big-endian without leading zeros.
pub(crate) fn compact(value: &U256) -> Vec<u8> {
    let bytes = value.to_be_bytes::<32>();
    let skip = bytes.iter().take_while(|b| **b == 0).count();
    bytes[skip..].to_vec()
}

/// A token amount as a word (saturating; no FIL amount comes near 2^256 attoFIL).
pub(crate) fn amount_to_u256(amount: &TokenAmount) -> U256 {
    let (_, bytes) = amount.atto().to_bytes_be();
    U256::try_from_be_slice(&bytes).unwrap_or(U256::MAX)
}

/// A word as a token amount.
pub(crate) fn u256_to_amount(value: &U256) -> TokenAmount {
    TokenAmount::from_atto(fvm_shared::bigint::BigInt::from_bytes_be(
        fvm_shared::bigint::Sign::Plus,
        &value.to_be_bytes::<32>(),
    ))
}

/// An actor's Ethereum address.
pub(crate) fn eth_of(id: ActorID) -> Address {
    Address::from(eth_address_of(
        id,
        fvm_sdk::actor::lookup_delegated_address(id).as_ref(),
    ))
}

/// The id of the actor an Ethereum address names, if it exists.
pub(crate) fn resolve(eth: &Address) -> Option<ActorID> {
    fvm_sdk::actor::resolve_address(&to_filecoin(&eth.0.0))
}

impl FvmHost {
    /// Loads the actor's state.
    pub(crate) fn load() -> ActorResult<Self> {
        let root = fvm_sdk::sself::root()
            .map_err(|e| ActorError::illegal_state(format!("cannot read the state root: {e}")))?;
        Ok(Self::with(load_at(&root)?, None, root))
    }

    /// A host over a state and, if already at hand, its storage map.
    pub(crate) fn with(state: State, storage: Option<Storage>, root: cid::Cid) -> Self {
        Self {
            gas_params: GasParams::new_spec(SPEC),
            state,
            storage,
            dirty: false,
            root,
            transient: BTreeMap::new(),
            skip_code: false,
            fault: None,
            origin: None,
        }
    }

    /// Writes the storage and state if they changed.
    pub(crate) fn flush(&mut self) -> ActorResult<()> {
        if !self.dirty {
            return Ok(());
        }
        if let Some(storage) = self.storage.as_mut() {
            self.state.contract_state = storage
                .flush()
                .map_err(|e| ActorError::illegal_state(format!("cannot write storage: {e}")))?;
        }
        self.save()
    }

    /// Writes the state (after a change other than storage, e.g. the nonce).
    pub(crate) fn save(&mut self) -> ActorResult<()> {
        use fvm_ipld_encoding::CborStore;
        let root = FvmBlockstore
            .put_cbor(&self.state, multihash_codetable::Code::Blake2b256)
            .map_err(|e| ActorError::illegal_state(format!("cannot store state: {e}")))?;
        fvm_sdk::sself::set_root(&root).map_err(|e| {
            ActorError::unchecked(
                fvm_shared::error::ExitCode::USR_READ_ONLY,
                format!("cannot set the state root: {e}"),
            )
        })?;
        self.root = root;
        self.dirty = false;
        Ok(())
    }

    /// Reloads the state after an outgoing call, if a re-entrant call changed it.
    pub(crate) fn reload(&mut self) -> ActorResult<()> {
        let root = fvm_sdk::sself::root()
            .map_err(|e| ActorError::illegal_state(format!("cannot read the state root: {e}")))?;
        if root != self.root {
            self.state = load_at(&root)?;
            self.storage = None;
            self.root = root;
        }
        Ok(())
    }

    /// The storage map, loaded from the state's root at first use.
    fn storage(&mut self) -> Result<&mut Storage, LoadError> {
        let storage = match self.storage.take() {
            Some(s) => s,
            None => match Hamt::load_with_bit_width(
                &self.state.contract_state,
                FvmBlockstore,
                STORAGE_BIT_WIDTH,
            ) {
                Ok(s) => s,
                Err(e) => {
                    return Err(self.fail(ActorError::illegal_state(format!(
                        "cannot load storage: {e}"
                    ))));
                }
            },
        };
        Ok(self.storage.insert(storage))
    }

    fn fail(&mut self, err: ActorError) -> LoadError {
        self.fault.get_or_insert(err);
        LoadError::DBError
    }
}

fn load_at(root: &cid::Cid) -> ActorResult<State> {
    use fvm_ipld_encoding::CborStore;
    FvmBlockstore
        .get_cbor(root)
        .map_err(|e| ActorError::illegal_state(format!("cannot load state: {e}")))?
        .ok_or_else(|| ActorError::illegal_state("state not found"))
}

/// A new, empty storage map.
pub(crate) fn new_storage() -> Storage {
    Hamt::new_with_bit_width(FvmBlockstore, STORAGE_BIT_WIDTH)
}

impl Host for FvmHost {
    fn basefee(&self) -> U256 {
        amount_to_u256(&fvm_sdk::network::base_fee())
    }

    fn blob_gasprice(&self) -> U256 {
        U256::ZERO
    }

    fn gas_limit(&self) -> U256 {
        U256::from(filmark_devnet_actors::evm::BLOCK_GAS_LIMIT)
    }

    fn difficulty(&self) -> U256 {
        U256::ZERO
    }

    fn prevrandao(&self) -> Option<U256> {
        let epoch = fvm_sdk::network::curr_epoch();
        fvm_sdk::rand::get_beacon_randomness(epoch)
            .ok()
            .map(|r| U256::from_be_bytes(r))
    }

    fn block_number(&self) -> U256 {
        U256::from(fvm_sdk::network::curr_epoch().max(0).unsigned_abs())
    }

    fn timestamp(&self) -> U256 {
        U256::from(fvm_sdk::network::tipset_timestamp())
    }

    fn beneficiary(&self) -> Address {
        Address::ZERO
    }

    fn slot_num(&self) -> U256 {
        U256::ZERO
    }

    fn chain_id(&self) -> U256 {
        U256::from(u64::from(fvm_sdk::network::chain_id()))
    }

    fn effective_gas_price(&self) -> U256 {
        amount_to_u256(&(fvm_sdk::network::base_fee() + fvm_sdk::message::gas_premium()))
    }

    fn caller(&self) -> Address {
        self.origin
            .unwrap_or_else(|| eth_of(fvm_sdk::message::origin()))
    }

    fn blob_hash(&self, _number: usize) -> Option<U256> {
        None
    }

    fn max_initcode_size(&self) -> usize {
        MAX_INITCODE_SIZE
    }

    fn gas_params(&self) -> &GasParams {
        &self.gas_params
    }

    fn is_amsterdam_eip8037_enabled(&self) -> bool {
        false
    }

    fn block_hash(&mut self, number: u64) -> Option<B256> {
        let epoch = i64::try_from(number).ok()?;
        let cid = fvm_sdk::network::tipset_cid(epoch).ok()?;
        let digest = cid.hash().digest();
        B256::try_from(digest).ok()
    }

    fn selfdestruct(
        &mut self,
        _address: Address,
        target: Address,
        _skip_cold_load: bool,
    ) -> Result<StateLoad<SelfDestructResult>, LoadError> {
        // Cancun semantics (EIP-6780) for a contract not created in this transaction: only the
        // balance moves.
        let balance = fvm_sdk::sself::current_balance();
        let had_value = !balance.is_zero();
        let to: FilAddress = to_filecoin(&target.0.0);
        if had_value {
            match fvm_sdk::send::send(&to, 0, None, balance, None, Default::default()) {
                Ok(r) if r.exit_code.is_success() => {}
                _ => {
                    return Err(self.fail(ActorError::unchecked(
                        filmark_devnet_actors::evm::EVM_CONTRACT_SELFDESTRUCT_FAILED,
                        "SELFDESTRUCT could not send the balance",
                    )));
                }
            }
        }
        Ok(StateLoad::new(
            SelfDestructResult {
                had_value,
                target_exists: true,
                previously_destroyed: false,
            },
            false,
        ))
    }

    fn log(&mut self, log: Log) {
        let topics: Vec<[u8; 32]> = log.data.topics().iter().map(|t| t.0).collect();
        let event = match filmark_actor_shared::events::evm_log(&topics, &log.data.data) {
            Ok(event) => event,
            Err(e) => {
                self.fail(e);
                return;
            }
        };
        if let Err(e) = fvm_sdk::event::emit_event(&event) {
            self.fail(ActorError::illegal_state(format!("cannot emit a log: {e}")));
        }
    }

    fn sstore_skip_cold_load(
        &mut self,
        _address: Address,
        key: StorageKey,
        value: StorageValue,
        _skip_cold_load: bool,
    ) -> Result<StateLoad<SStoreResult>, LoadError> {
        let present = self.sload_skip_cold_load(_address, key, false)?.data;
        let k = storage_key(&key);
        let storage = self.storage()?;
        let written = if value.is_zero() {
            storage.delete(&k).map(|_| ())
        } else {
            storage.set(k, ByteBuf::from(compact(&value))).map(|_| ())
        };
        if let Err(e) = written {
            return Err(self.fail(ActorError::illegal_state(format!(
                "cannot write storage: {e}"
            ))));
        }
        self.dirty = true;
        Ok(StateLoad::new(
            SStoreResult {
                original_value: present,
                present_value: present,
                new_value: value,
            },
            false,
        ))
    }

    fn sload_skip_cold_load(
        &mut self,
        _address: Address,
        key: StorageKey,
        _skip_cold_load: bool,
    ) -> Result<StateLoad<StorageValue>, LoadError> {
        let storage = self.storage()?;
        match storage.get(&storage_key(&key)) {
            Ok(v) => Ok(StateLoad::new(
                v.map_or(U256::ZERO, |b| {
                    U256::try_from_be_slice(b).unwrap_or_default()
                }),
                false,
            )),
            Err(e) => Err(self.fail(ActorError::illegal_state(format!(
                "cannot read storage: {e}"
            )))),
        }
    }

    fn tstore(&mut self, _address: Address, key: StorageKey, value: StorageValue) {
        if value.is_zero() {
            self.transient.remove(&key);
        } else {
            self.transient.insert(key, value);
        }
    }

    fn tload(&mut self, _address: Address, key: StorageKey) -> StorageValue {
        self.transient.get(&key).copied().unwrap_or_default()
    }

    fn load_account_info_skip_cold_load(
        &mut self,
        address: Address,
        load_code: bool,
        _skip_cold_load: bool,
    ) -> Result<AccountInfoLoad<'_>, LoadError> {
        let Some(id) = resolve(&address) else {
            // A reserved precompile address exists, as in FEVM: EXTCODEHASH answers
            // keccak256("") (the nonce only makes revm see a non-empty account).
            let precompile = crate::address::precompile(&address.0.0).is_some();
            return Ok(AccountInfoLoad {
                account: Cow::Owned(AccountInfo {
                    nonce: u64::from(precompile),
                    ..AccountInfo::default()
                }),
                is_cold: false,
                is_empty: !precompile,
            });
        };
        let balance = fvm_sdk::actor::balance_of(id)
            .map(|b| amount_to_u256(&b))
            .unwrap_or_default();
        let mut info = AccountInfo {
            balance,
            ..AccountInfo::default()
        };
        if crate::actor::is_evm(id) {
            info.nonce = 1;
            if id == fvm_sdk::message::receiver() {
                info.code_hash = B256::from(self.state.bytecode_hash);
                if load_code && !self.skip_code {
                    let code = crate::actor::load_bytecode(&self.state.bytecode)
                        .map_err(|e| self.fail(e))?;
                    info.code = Some(Bytecode::new_raw(code.into()));
                }
            } else if load_code && !self.skip_code {
                let code = crate::actor::bytecode_of(id).map_err(|e| self.fail(e))?;
                info.code_hash = B256::from(crate::actor::keccak(&code));
                info.code = Some(Bytecode::new_raw(code.into()));
            } else if !self.skip_code {
                info.code_hash = crate::actor::bytecode_hash_of(id).map_err(|e| self.fail(e))?;
            }
        }
        let is_empty = info.balance.is_zero() && info.nonce == 0 && info.code.is_none();
        Ok(AccountInfoLoad {
            account: Cow::Owned(info),
            is_cold: false,
            is_empty,
        })
    }
}
