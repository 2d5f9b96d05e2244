//! [`Client`]: the plumbing every call goes through (nonces, gas, signing, receipts, errors),
//! the deploy helpers (`deploy.rs`), the codecs and failure mapping (`codec.rs`), and the typed
//! clients [`RegistryClient`] and [`EscrowClient`].
//!
//! A [`Signer`] says how its messages are sent: [`Signer::f1`] sends native messages with CBOR
//! params from the key's f1 address; [`Signer::eth`] sends EIP-1559 transactions from its f410
//! address with Solidity-ABI calldata (the `filmark-abi` interfaces) to the actors' `InvokeEVM`.

mod abi_reads;
mod codec;
mod deploy;
mod escrow;
pub mod events;
mod registry;
mod status;

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use cid::Cid;
use fvm_ipld_encoding::{BytesDe, RawBytes};
use fvm_shared::address::Address;
use fvm_shared::econ::TokenAmount;
use fvm_shared::event::StampedEvent;
use fvm_shared::message::Message;
use fvm_shared::{METHOD_SEND, MethodNum};

pub use self::abi_reads::is_abi_address;
use self::codec::failure_error;
#[cfg(feature = "http")]
pub(crate) use self::codec::twin_error;
pub(crate) use self::codec::{Returned, abi_decode, cbor, decode, twin_revert};
pub use self::deploy::{Deployed, DeployedContract, Deployment};
pub use self::escrow::{EscrowClient, OrderBuilder};
pub use self::events::{Emitted, FilmarkEvent};
pub use self::registry::{DEFAULT_KIND, Register, RegistryClient, eth_of, register_request};
pub use self::status::{ContentStatus, DealState, DealStatus, OrderStatus, deal_state};
use crate::keys::{SecpKey, calldata_params, ext};
use crate::network::Network;
use crate::transport::{DevnetControls, Lookup, ProviderOffer, Transport};
use crate::{Error, Result};

/// A block's gas limit: no estimate with its margin goes above it.
pub const BLOCK_GAS_LIMIT: u64 = 10_000_000_000;

/// How a [`Signer`]'s messages reach the actors.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Path {
    /// Native Filecoin messages with CBOR params, from the key's f1 address.
    Native,
    /// EIP-1559 transactions with Solidity-ABI calldata, from the key's f410 address.
    Eth,
}

/// A key and the path its messages take.
#[derive(Debug, Clone)]
pub struct Signer {
    key: SecpKey,
    path: Path,
}

impl Signer {
    /// Sends native CBOR messages from `key`'s f1 address.
    pub const fn f1(key: SecpKey) -> Self {
        Self {
            key,
            path: Path::Native,
        }
    }

    /// Sends Solidity-ABI transactions from `key`'s f410 (`0x`) address.
    pub const fn eth(key: SecpKey) -> Self {
        Self {
            key,
            path: Path::Eth,
        }
    }

    /// The address messages come from: f1 or f410.
    pub fn address(&self) -> Address {
        match self.path {
            Path::Native => self.key.f1_address(),
            Path::Eth => self.key.f410_address(),
        }
    }

    /// The path its messages take.
    pub const fn path(&self) -> Path {
        self.path
    }

    /// The key.
    pub const fn key(&self) -> &SecpKey {
        &self.key
    }
}

/// How [`Client`] sends and waits.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct SendOptions {
    /// Added to the node's gas estimate, in percent (default 25).
    pub gas_margin_percent: u64,
    /// How long to wait for a message's execution (default 120 s).
    pub timeout: Duration,
    /// Tipsets on top of the executing one before a receipt counts (default 0).
    pub confirmations: u64,
    /// Time between receipt polls (default 100 ms).
    pub poll_interval: Duration,
}

impl Default for SendOptions {
    fn default() -> Self {
        Self {
            gas_margin_percent: 25,
            timeout: Duration::from_secs(120),
            confirmations: 0,
            poll_interval: Duration::from_millis(100),
        }
    }
}

/// A node, with nonce tracking and the send/call plumbing the typed clients use.
#[derive(Debug)]
pub struct Client<T> {
    transport: T,
    network: Network,
    options: SendOptions,
    nonces: Mutex<HashMap<Address, u64>>,
}

impl<T: Transport> Client<T> {
    /// A client of the node behind `transport`; the [`Network`] preset comes from its chain id
    /// and network name ([`Network::from_node`]).
    ///
    /// # Errors
    /// The transport's, when the node cannot be reached.
    pub async fn connect(transport: T) -> Result<Self> {
        let chain_id = transport.chain_id().await?;
        let name = transport.network_name().await?;
        Ok(Self {
            transport,
            network: Network::from_node(chain_id, &name),
            options: SendOptions::default(),
            nonces: Mutex::new(HashMap::new()),
        })
    }

    /// Uses `options` for later sends.
    #[must_use]
    pub fn with_options(mut self, options: SendOptions) -> Self {
        self.options = options;
        self
    }

    /// The transport.
    pub const fn transport(&self) -> &T {
        &self.transport
    }

    /// The network (from the node's chain id and network name).
    pub const fn network(&self) -> &Network {
        &self.network
    }

    /// The registry at `address`.
    pub const fn registry(&self, address: Address) -> RegistryClient<'_, T> {
        RegistryClient::new(self, address)
    }

    /// The escrow at `address`.
    pub const fn escrow(&self, address: Address) -> EscrowClient<'_, T> {
        EscrowClient::new(self, address)
    }

    /// The next nonce of `address`: the larger of the pool's (`MpoolGetNonce`) and the one this
    /// client tracked after its own last push (a node that has not yet seen it answers low).
    ///
    /// # Errors
    /// The transport's.
    pub async fn next_nonce(&self, address: &Address) -> Result<u64> {
        let pool = self.transport.pool_nonce(address).await?;
        let local = self
            .nonces
            .lock()
            .map_or(0, |n| n.get(address).copied().unwrap_or(0));
        Ok(pool.max(local))
    }

    /// Forgets the nonces this client tracked, so the next ones come from the pool again (after
    /// the chain was reverted to a snapshot, say).
    pub fn forget_nonces(&self) {
        if let Ok(mut n) = self.nonces.lock() {
            n.clear();
        }
    }

    /// An unsigned message with its nonce and gas: the node's estimate, the limit raised by
    /// [`SendOptions::gas_margin_percent`] (capped at [`BLOCK_GAS_LIMIT`]).
    ///
    /// # Errors
    /// The transport's; a message whose estimate fails.
    pub async fn prepare(
        &self,
        from: Address,
        to: Address,
        value: TokenAmount,
        method: MethodNum,
        params: RawBytes,
    ) -> Result<Message> {
        let message = Message {
            version: 0,
            from,
            to,
            sequence: self.next_nonce(&from).await?,
            value,
            method_num: method,
            params,
            gas_limit: 0,
            gas_fee_cap: TokenAmount::default(),
            gas_premium: TokenAmount::default(),
        };
        let mut m = self.transport.estimate_gas(message).await?;
        m.gas_limit = (u128::from(m.gas_limit) * u128::from(100 + self.options.gas_margin_percent)
            / 100)
            .min(u128::from(BLOCK_GAS_LIMIT)) as u64;
        Ok(m)
    }

    /// Signs and pushes `message` (a secp256k1 message from an f1, an EIP-1559 transaction
    /// from an f410) and returns its CID; the nonce is tracked locally.
    ///
    /// # Errors
    /// Signing errors; the pool's refusal.
    pub async fn push(&self, signer: &Signer, message: Message) -> Result<Cid> {
        let from = message.from;
        let nonce = message.sequence;
        let cid = match signer.path {
            Path::Native => {
                let signed = signer.key.sign(message, self.network.chain_id)?;
                self.transport.push(&signed).await?
            }
            Path::Eth => {
                let tx = signer.key.sign_eip1559(&message, self.network.chain_id)?;
                let cid = tx.to_signed_message(self.network.chain_id)?.cid();
                self.transport.push_eth(&tx.encode()).await?;
                cid
            }
        };
        if let Ok(mut n) = self.nonces.lock() {
            n.insert(from, nonce + 1);
        }
        Ok(cid)
    }

    /// Waits until `message` is executed with [`SendOptions::confirmations`] tipsets on top,
    /// polling every [`SendOptions::poll_interval`] up to [`SendOptions::timeout`].
    ///
    /// # Errors
    /// [`Error::Timeout`]; the transport's.
    pub async fn wait(&self, message: &Cid) -> Result<Lookup> {
        let polls = (self.options.timeout.as_millis()
            / self.options.poll_interval.as_millis().max(1))
        .max(1);
        for _ in 0..polls {
            if let Some(l) = self.transport.search(message).await? {
                let confirmed = self.options.confirmations == 0
                    || self.transport.head_height().await?
                        >= l.height + self.options.confirmations as i64;
                if confirmed {
                    return Ok(l);
                }
            }
            crate::transport::sleep(self.options.poll_interval).await;
        }
        Err(Error::Timeout {
            message: *message,
            seconds: self.options.timeout.as_secs(),
        })
    }

    /// Prepares, signs, pushes and waits for a message; fails unless it exits 0.
    ///
    /// # Errors
    /// [`Error::ActorFailed`] with the exit code, the actor's message (re-run with `StateCall`
    /// when the node does not keep it) and, for `InvokeEVM` calls, the decoded revert string;
    /// the errors of [`Client::prepare`], [`Client::push`], [`Client::wait`].
    pub async fn send(
        &self,
        signer: &Signer,
        to: Address,
        value: TokenAmount,
        method: MethodNum,
        params: RawBytes,
        what: &str,
    ) -> Result<Lookup> {
        let message = self
            .prepare(signer.address(), to, value, method, params)
            .await?;
        self.send_prepared(signer, message, what).await
    }

    /// Signs, pushes and waits for a message already prepared ([`Client::prepare`]: its nonce
    /// and gas set); fails unless it exits 0.
    ///
    /// # Errors
    /// As [`Client::send`], without its preparation.
    pub async fn send_prepared(
        &self,
        signer: &Signer,
        message: Message,
        what: &str,
    ) -> Result<Lookup> {
        let cid = self.push(signer, message.clone()).await?;
        let lookup = self.wait(&cid).await?;
        if lookup.receipt.exit_code.is_success() {
            return Ok(lookup);
        }
        let failure = match &lookup.failure {
            Some(f) => Some(f.clone()),
            None => self
                .transport
                .call(&message)
                .await
                .ok()
                .and_then(|o| o.failure),
        };
        Err(failure_error(
            what,
            &message,
            lookup.receipt.exit_code,
            failure,
            lookup.receipt.return_data.bytes(),
        ))
    }

    /// A plain transfer of `value` to `to`.
    ///
    /// # Errors
    /// As [`Client::send`].
    pub async fn transfer(
        &self,
        signer: &Signer,
        to: Address,
        value: TokenAmount,
    ) -> Result<Lookup> {
        let method = match signer.path {
            Path::Native => METHOD_SEND,
            Path::Eth => ext::evm::INVOKE_CONTRACT,
        };
        self.send(signer, to, value, method, RawBytes::default(), "transfer")
            .await
    }

    /// Runs a read-only call from the system actor (f00) on the head state; its return value.
    ///
    /// # Errors
    /// As [`Client::call`].
    pub async fn read(
        &self,
        to: Address,
        method: MethodNum,
        params: RawBytes,
        what: &str,
    ) -> Result<RawBytes> {
        self.call(Address::new_id(0), to, method, params, what)
            .await
    }

    /// Runs a read-only call on the head state; its return value.
    ///
    /// # Errors
    /// [`Error::ActorFailed`] when the actor exits non-zero; the transport's.
    pub async fn call(
        &self,
        from: Address,
        to: Address,
        method: MethodNum,
        params: RawBytes,
        what: &str,
    ) -> Result<RawBytes> {
        let message = Message {
            version: 0,
            from,
            to,
            sequence: 0,
            value: TokenAmount::default(),
            method_num: method,
            params,
            gas_limit: 0,
            gas_fee_cap: TokenAmount::default(),
            gas_premium: TokenAmount::default(),
        };
        let out = self.transport.call(&message).await?;
        if out.receipt.exit_code.is_success() {
            Ok(out.receipt.return_data)
        } else {
            Err(failure_error(
                what,
                &message,
                out.receipt.exit_code,
                out.failure,
                out.receipt.return_data.bytes(),
            ))
        }
    }

    /// A Solidity-ABI read-only call (`eth_call` over HTTP, the same `InvokeEVM` call in
    /// process): `call` encoded with its `sol!` type, run against `to` from no one, its
    /// return decoded. Works on Filmark's actors (f0 / masked-ID address) and on any contract
    /// behind the same ABI (f410 address).
    ///
    /// # Errors
    /// [`Error::ActorFailed`] when the call reverts; [`Error::Decode`] when its return does not
    /// decode as `C`'s; [`Error::NotEthCompatible`] for a `to` with no Ethereum form (f1, f2:
    /// resolve it first); the transport's.
    pub async fn eth_call<C: alloy_sol_types::SolCall>(
        &self,
        to: Address,
        call: &C,
        what: &str,
    ) -> Result<C::Return> {
        let bytes = match self.transport.eth_call(&to, &call.abi_encode()).await {
            Err(Error::ActorFailed {
                exit_code,
                message,
                revert,
                ..
            }) => {
                return Err(Error::ActorFailed {
                    what: what.to_owned(),
                    exit_code,
                    message,
                    revert,
                });
            }
            other => other?,
        };
        C::abi_decode_returns(&bytes).map_err(|e| Error::Decode {
            what: what.to_owned(),
            reason: e.to_string(),
        })
    }

    /// The FVM events a message emitted (its receipt's events root, `ChainGetEvents`), with
    /// their emitters; decode Filmark's with [`events::decode_events`].
    ///
    /// # Errors
    /// The transport's.
    pub async fn events(&self, lookup: &Lookup) -> Result<Vec<StampedEvent>> {
        match &lookup.receipt.events_root {
            Some(root) => self.transport.events(root).await,
            None => Ok(Vec::new()),
        }
    }

    /// Filmark's events a message emitted, typed ([`Client::events`] then
    /// [`events::decode_events`]).
    ///
    /// # Errors
    /// The transport's.
    pub async fn filmark_events(&self, lookup: &Lookup) -> Result<Vec<Emitted>> {
        Ok(events::decode_events(&self.events(lookup).await?))
    }

    /// Runs a Solidity-ABI call read-only (from f00, on the head state) against `to`, a
    /// native actor's `InvokeEVM` or an EVM contract alike, and decodes its return.
    ///
    /// # Errors
    /// As [`Client::call`]; [`Error::Decode`] when the return does not decode.
    pub async fn read_abi<C: alloy_sol_types::SolCall>(
        &self,
        to: Address,
        call: &C,
        what: &str,
    ) -> Result<C::Return> {
        let ret = self
            .read(
                to,
                ext::evm::INVOKE_CONTRACT,
                calldata_params(&call.abi_encode()),
                what,
            )
            .await?;
        let BytesDe(bytes) = if ret.is_empty() {
            BytesDe(Vec::new())
        } else {
            decode(&ret, what)?
        };
        abi_decode::<C>(Returned::Abi(bytes), what)
    }

    /// Sends `native` (CBOR) to `method` for an f1 signer, or `abi` (calldata) to `InvokeEVM`
    /// for an eth signer and for any signer to a contract reached through the ABI only (an
    /// f410 address, [`is_abi_address`]); the return value, CBOR or ABI bytes.
    #[allow(clippy::too_many_arguments)]
    pub(crate) async fn invoke(
        &self,
        signer: &Signer,
        to: Address,
        value: TokenAmount,
        method: MethodNum,
        native: RawBytes,
        abi: impl FnOnce() -> Result<Vec<u8>>,
        what: &str,
    ) -> Result<Returned> {
        match signer.path {
            Path::Native if !is_abi_address(&to) => {
                let l = self.send(signer, to, value, method, native, what).await?;
                Ok(Returned::Cbor(l.receipt.return_data))
            }
            Path::Native | Path::Eth => {
                let params = calldata_params(&abi()?);
                let l = self
                    .send(signer, to, value, ext::evm::INVOKE_CONTRACT, params, what)
                    .await?;
                let BytesDe(bytes) = if l.receipt.return_data.is_empty() {
                    BytesDe(Vec::new())
                } else {
                    decode(&l.receipt.return_data, what)?
                };
                Ok(Returned::Abi(bytes))
            }
        }
    }
}

impl<T: DevnetControls> Client<T> {
    /// Hands `car` to a devnet's simulated storage provider for `escrow`'s order `order_id`
    /// ([`DevnetControls::upload_car`]: `PUT /provider/car/{escrow}/{orderId}` over HTTP). The
    /// provider recomputes the piece commitment and publishes a deal (escrow as client) only
    /// when it matches the order's; its record says which deal, or why none.
    ///
    /// # Errors
    /// The transport's; a rejection is not an error but the record's
    /// [`OfferState::Rejected`](crate::transport::OfferState::Rejected).
    pub async fn upload_car(
        &self,
        escrow: Address,
        order_id: u64,
        car: Vec<u8>,
    ) -> Result<ProviderOffer> {
        self.transport.upload_car(&escrow, order_id, car).await
    }
}

#[cfg(test)]
mod tests {
    use fvm_ipld_encoding::BytesSer;
    use fvm_shared::error::ExitCode;

    use super::*;

    fn message(method: MethodNum) -> Message {
        Message {
            version: 0,
            from: Address::new_id(100),
            to: Address::new_id(101),
            sequence: 0,
            value: TokenAmount::default(),
            method_num: method,
            params: RawBytes::default(),
            gas_limit: 0,
            gas_fee_cap: TokenAmount::default(),
            gas_premium: TokenAmount::default(),
        }
    }

    #[test]
    fn a_failure_carries_exit_code_message_and_revert() {
        let err = filmark_actor_shared::ActorError::forbidden("not the owner");
        let data = filmark_actor_shared::abi::into_revert(err)
            .data()
            .expect("revert data")
            .data
            .clone();
        let e = failure_error(
            "registry.transfer",
            &message(ext::evm::INVOKE_CONTRACT),
            ExitCode::USR_FORBIDDEN,
            None,
            &data,
        );
        match &e {
            Error::ActorFailed {
                exit_code,
                message,
                revert,
                ..
            } => {
                assert_eq!(*exit_code, ExitCode::USR_FORBIDDEN);
                assert_eq!(revert.as_deref(), Some("not the owner (exit code 18)"));
                assert_eq!(message, "not the owner (exit code 18)");
            }
            other => panic!("{other:?}"),
        }
        assert!(e.to_string().contains("exit code 18"), "{e}");
        // A native call's return data is never read as a revert.
        let e = failure_error(
            "registry.get",
            &message(42),
            ExitCode::USR_NOT_FOUND,
            Some("no record".into()),
            &data,
        );
        assert!(
            matches!(e, Error::ActorFailed { revert: None, .. }),
            "{e:?}"
        );
        assert!(e.to_string().contains("no record"), "{e}");
    }

    #[test]
    fn a_twin_revert_is_the_native_exit_code() {
        use alloy_sol_types::SolError;
        use filmark_abi::FilmarkErrors as F;
        let data = |payload: Vec<u8>| fvm_ipld_encoding::to_vec(&BytesSer(&payload)).unwrap();
        let forbidden = data(
            F::Forbidden {
                reason: "not the owner".into(),
            }
            .abi_encode(),
        );
        // The EVM actor's exit code for a revert (33) becomes the one the error is named after.
        let e = failure_error(
            "registry.transfer",
            &message(ext::evm::INVOKE_CONTRACT),
            ExitCode::new(33),
            Some("contract reverted".into()),
            &forbidden,
        );
        match e {
            Error::ActorFailed {
                exit_code,
                message,
                revert,
                ..
            } => {
                assert_eq!(exit_code, ExitCode::USR_FORBIDDEN);
                assert_eq!(message, "not the owner");
                assert_eq!(revert.as_deref(), Some("not the owner"));
            }
            other => panic!("{other:?}"),
        }
        // Every error maps to a distinct user exit code, 16..=26 (the names are the codes').
        let all = [
            F::IllegalArgument {
                reason: String::new(),
            }
            .abi_encode(),
            F::NotFound {
                reason: String::new(),
            }
            .abi_encode(),
            F::Forbidden {
                reason: String::new(),
            }
            .abi_encode(),
            F::InsufficientFunds {
                reason: String::new(),
            }
            .abi_encode(),
            F::IllegalState {
                reason: String::new(),
            }
            .abi_encode(),
            F::Serialization {
                reason: String::new(),
            }
            .abi_encode(),
            F::UnhandledMessage {
                reason: String::new(),
            }
            .abi_encode(),
            F::Unspecified {
                reason: String::new(),
            }
            .abi_encode(),
            F::AssertionFailed {
                reason: String::new(),
            }
            .abi_encode(),
            F::ReadOnly {
                reason: String::new(),
            }
            .abi_encode(),
            F::NotPayable {
                reason: String::new(),
            }
            .abi_encode(),
        ];
        let codes: Vec<u32> = all
            .into_iter()
            .map(|p| twin_revert(&data(p)).unwrap().0.value())
            .collect();
        assert_eq!(codes, (16..=26).collect::<Vec<_>>());
        // Not a twin's error: none (a native `Error(string)` keeps its own exit code).
        let native = filmark_actor_shared::abi::into_revert(
            filmark_actor_shared::ActorError::forbidden("x"),
        );
        assert!(twin_revert(&native.data().unwrap().data).is_none());
    }

    #[test]
    fn signers_send_from_their_path_address() {
        let key = SecpKey::from_seed(b"t", 0);
        assert_eq!(Signer::f1(key.clone()).address(), key.f1_address());
        assert_eq!(Signer::eth(key.clone()).address(), key.f410_address());
        assert_eq!(Signer::eth(key).path(), Path::Eth);
    }
}
