//! [`RegistryClient`]: one method per registry method, on both paths (f1/CBOR, eth/ABI).

use alloy_primitives::{B256, Bytes};
use alloy_sol_types::SolCall;
use cid::Cid;
use filmark_abi::IFilmarkRegistry as I;
use filmark_registry::method::Method;
use filmark_registry::types::{
    AddSignerParams, AddSignerReturn, CountsReturn, GetFundingParams, GetFundingReturn, GetParams,
    LinkOrderParams, ListByOwnerParams, ListByOwnerReturn, ListSignersParams, ListSignersReturn,
    MetadataEntry, Record, RegisterBatchParams, RegisterParams, RevokeSignerParams,
    RevokeSignerReturn, TombstoneParams, TransferParams, UpdateMetadataParams,
};
use fvm_shared::address::Address;
use fvm_shared::clock::ChainEpoch;
use fvm_shared::econ::TokenAmount;

use super::abi_reads::{counts_of, is_abi_address};
use super::{Client, Returned, Signer, abi_decode, cbor, decode};
use crate::keys::{EthAddress, filecoin_to_eth};
use crate::transport::Transport;
use crate::{Error, Result};

/// The kind [`Register::new`] gives when none is set.
pub const DEFAULT_KIND: &str = "application/octet-stream";

/// A record to register: the CID and, optionally, the rest. Builds [`RegisterParams`].
///
/// ```
/// # use filmark_sdk::client::Register;
/// # let cid = cid::Cid::default();
/// let r = Register::new(cid).kind("image/png").size(1234).meta("title", "Sunset");
/// assert_eq!(r.params().metadata.len(), 1);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Register(RegisterParams);

impl Register {
    /// Registers `cid` for the sender, kind [`DEFAULT_KIND`], no size, piece, platform,
    /// reference or metadata.
    pub fn new(cid: Cid) -> Self {
        Self(RegisterParams {
            cid,
            owner: None,
            kind: DEFAULT_KIND.into(),
            size: 0,
            piece: None,
            platform: String::new(),
            ref_hash: [0; 32],
            metadata: Vec::new(),
        })
    }
    /// Registers for another owner (the sender needs its signer grant).
    #[must_use]
    pub const fn owner(mut self, owner: Address) -> Self {
        self.0.owner = Some(owner);
        self
    }
    /// The MIME type.
    #[must_use]
    pub fn kind(mut self, kind: impl Into<String>) -> Self {
        self.0.kind = kind.into();
        self
    }
    /// The payload size in bytes.
    #[must_use]
    pub const fn size(mut self, size: u64) -> Self {
        self.0.size = size;
        self
    }
    /// The piece commitment (commP) of its CAR.
    #[must_use]
    pub const fn piece(mut self, piece: Cid) -> Self {
        self.0.piece = Some(piece);
        self
    }
    /// The platform it was posted on.
    #[must_use]
    pub fn platform(mut self, platform: impl Into<String>) -> Self {
        self.0.platform = platform.into();
        self
    }
    /// A 32-byte reference (e.g. a hash of the post's URL).
    #[must_use]
    pub const fn ref_hash(mut self, hash: [u8; 32]) -> Self {
        self.0.ref_hash = hash;
        self
    }
    /// Adds a metadata entry.
    #[must_use]
    pub fn meta(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.0.metadata.push(MetadataEntry {
            key: key.into(),
            value: value.into(),
        });
        self
    }
    /// The params as built.
    pub const fn params(&self) -> &RegisterParams {
        &self.0
    }
    /// The params.
    pub fn into_params(self) -> RegisterParams {
        self.0
    }
}

impl From<RegisterParams> for Register {
    fn from(p: RegisterParams) -> Self {
        Self(p)
    }
}

/// The Ethereum form of an address (f410, or masked ID for f0).
///
/// # Errors
/// [`Error::NotEthCompatible`] for f1/f2/f3 addresses (resolve them to f0 first).
pub fn eth_of(a: &Address) -> Result<EthAddress> {
    filecoin_to_eth(a).ok_or_else(|| {
        Error::NotEthCompatible(format!(
            "{a} has no Ethereum form: pass its f0 or f410 address"
        ))
    })
}

fn opt_eth(a: Option<&Address>) -> Result<EthAddress> {
    a.map_or(Ok(EthAddress::ZERO), eth_of)
}

fn cid_bytes(c: Option<&Cid>) -> Bytes {
    c.map(|c| Bytes::from(c.to_bytes())).unwrap_or_default()
}

fn metadata_abi(m: &[MetadataEntry]) -> Vec<I::MetadataEntry> {
    m.iter()
        .map(|e| I::MetadataEntry {
            key: e.key.clone(),
            value: e.value.clone(),
        })
        .collect()
}

/// The ABI `RegisterRequest` of native register params.
///
/// # Errors
/// [`Error::NotEthCompatible`] for an owner without an Ethereum form.
pub fn register_request(p: &RegisterParams) -> Result<I::RegisterRequest> {
    Ok(I::RegisterRequest {
        cid: cid_bytes(Some(&p.cid)),
        owner: opt_eth(p.owner.as_ref())?,
        kind: p.kind.clone(),
        size: p.size,
        pieceCid: cid_bytes(p.piece.as_ref()),
        platform: p.platform.clone(),
        refHash: B256::from(p.ref_hash),
        metadata: metadata_abi(&p.metadata),
    })
}

/// The registry at one address, through a [`Client`]: the native actor at its f0/f2 address,
/// or a contract behind the same ABI (the Solidity twin) at its f410 address. Writes to the
/// actor take the [`Signer`]'s path (f1/CBOR or eth/ABI), writes to a contract always send
/// ABI calldata; reads of the actor run `StateCall` with CBOR params, reads of a contract
/// `eth_call` with the ABI's call types ([`is_abi_address`]). Every method returns the native
/// types on both.
#[derive(Debug, Clone, Copy)]
pub struct RegistryClient<'a, T> {
    client: &'a Client<T>,
    address: Address,
}

impl<'a, T: Transport> RegistryClient<'a, T> {
    /// The registry at `address`.
    pub const fn new(client: &'a Client<T>, address: Address) -> Self {
        Self { client, address }
    }

    /// Its address.
    pub const fn address(&self) -> Address {
        self.address
    }

    async fn write<P: fvm_ipld_encoding::ser::Serialize>(
        &self,
        signer: &Signer,
        method: Method,
        native: &P,
        abi: impl FnOnce() -> Result<Vec<u8>>,
        what: &str,
    ) -> Result<Returned> {
        self.client
            .invoke(
                signer,
                self.address,
                TokenAmount::default(),
                method.number(),
                cbor(native)?,
                abi,
                what,
            )
            .await
    }

    async fn read<
        P: fvm_ipld_encoding::ser::Serialize,
        R: fvm_ipld_encoding::de::DeserializeOwned,
    >(
        &self,
        method: Method,
        params: &P,
        what: &str,
    ) -> Result<R> {
        let ret = self
            .client
            .read(self.address, method.number(), cbor(params)?, what)
            .await?;
        decode(&ret, what)
    }

    /// `Register`: registers one record.
    ///
    /// # Errors
    /// [`Error::ActorFailed`] with the registry's exit code and message (already registered,
    /// invalid fields, no grant); the plumbing's errors ([`Client::send`]).
    pub async fn register(&self, signer: &Signer, record: Register) -> Result<()> {
        let p = record.into_params();
        self.write(
            signer,
            Method::Register,
            &p,
            || {
                Ok(I::registerCall {
                    request: register_request(&p)?,
                }
                .abi_encode())
            },
            "registry.register",
        )
        .await
        .map(drop)
    }

    /// `RegisterBatch`: registers several records at once, all or none.
    ///
    /// # Errors
    /// As [`RegistryClient::register`].
    pub async fn register_batch(&self, signer: &Signer, records: Vec<Register>) -> Result<()> {
        let p = RegisterBatchParams {
            records: records.into_iter().map(Register::into_params).collect(),
        };
        self.write(
            signer,
            Method::RegisterBatch,
            &p,
            || {
                let requests = p
                    .records
                    .iter()
                    .map(register_request)
                    .collect::<Result<_>>()?;
                Ok(I::registerBatchCall { requests }.abi_encode())
            },
            "registry.registerBatch",
        )
        .await
        .map(drop)
    }

    /// `UpdateMetadata`: sets `set` and removes the keys `remove`.
    ///
    /// # Errors
    /// As [`RegistryClient::register`].
    pub async fn update_metadata(
        &self,
        signer: &Signer,
        cid: Cid,
        set: Vec<MetadataEntry>,
        remove: Vec<String>,
    ) -> Result<()> {
        let p = UpdateMetadataParams { cid, set, remove };
        self.write(
            signer,
            Method::UpdateMetadata,
            &p,
            || {
                Ok(I::updateMetadataCall {
                    cid: cid_bytes(Some(&p.cid)),
                    set: metadata_abi(&p.set),
                    remove: p.remove.clone(),
                }
                .abi_encode())
            },
            "registry.updateMetadata",
        )
        .await
        .map(drop)
    }

    /// `Transfer`: gives the record to `new_owner`.
    ///
    /// # Errors
    /// As [`RegistryClient::register`].
    pub async fn transfer(&self, signer: &Signer, cid: Cid, new_owner: Address) -> Result<()> {
        let p = TransferParams { cid, new_owner };
        self.write(
            signer,
            Method::Transfer,
            &p,
            || {
                Ok(I::transferCall {
                    cid: cid_bytes(Some(&cid)),
                    newOwner: eth_of(&new_owner)?,
                }
                .abi_encode())
            },
            "registry.transfer",
        )
        .await
        .map(drop)
    }

    /// `Tombstone`: marks the record tombstoned, for ever.
    ///
    /// # Errors
    /// As [`RegistryClient::register`].
    pub async fn tombstone(&self, signer: &Signer, cid: Cid) -> Result<()> {
        let p = TombstoneParams { cid };
        self.write(
            signer,
            Method::Tombstone,
            &p,
            || {
                Ok(I::tombstoneCall {
                    cid: cid_bytes(Some(&cid)),
                }
                .abi_encode())
            },
            "registry.tombstone",
        )
        .await
        .map(drop)
    }

    /// `AddSigner`: grants `signer_address` the right to act for the sender; the grant id.
    ///
    /// # Errors
    /// As [`RegistryClient::register`].
    pub async fn add_signer(
        &self,
        signer: &Signer,
        signer_address: Address,
        scope: u32,
        expiry: ChainEpoch,
    ) -> Result<u64> {
        let p = AddSignerParams {
            signer: signer_address,
            scope,
            expiry,
        };
        let what = "registry.addSigner";
        let r = self
            .write(
                signer,
                Method::AddSigner,
                &p,
                || {
                    Ok(I::addSignerCall {
                        signer: eth_of(&signer_address)?,
                        scope,
                        expiry,
                    }
                    .abi_encode())
                },
                what,
            )
            .await?;
        match r {
            Returned::Cbor(ret) => decode::<AddSignerReturn>(&ret, what).map(|r| r.grant_id),
            abi => abi_decode::<I::addSignerCall>(abi, what),
        }
    }

    /// `RevokeSigner`: revokes the grant of `signer_address` by `owner` (the sender if `None`);
    /// the revoked grant's id.
    ///
    /// # Errors
    /// As [`RegistryClient::register`].
    pub async fn revoke_signer(
        &self,
        signer: &Signer,
        owner: Option<Address>,
        signer_address: Address,
    ) -> Result<u64> {
        let p = RevokeSignerParams {
            owner,
            signer: signer_address,
        };
        let what = "registry.revokeSigner";
        let r = self
            .write(
                signer,
                Method::RevokeSigner,
                &p,
                || {
                    Ok(I::revokeSignerCall {
                        owner: opt_eth(owner.as_ref())?,
                        signer: eth_of(&signer_address)?,
                    }
                    .abi_encode())
                },
                what,
            )
            .await?;
        match r {
            Returned::Cbor(ret) => decode::<RevokeSignerReturn>(&ret, what).map(|r| r.grant_id),
            abi => abi_decode::<I::revokeSignerCall>(abi, what),
        }
    }

    /// `LinkOrder`: links the record to the escrow order paying for its storage.
    ///
    /// # Errors
    /// As [`RegistryClient::register`].
    pub async fn link_order(&self, signer: &Signer, cid: Cid, order_id: u64) -> Result<()> {
        let p = LinkOrderParams { cid, order_id };
        self.write(
            signer,
            Method::LinkOrder,
            &p,
            || {
                Ok(I::linkOrderCall {
                    cid: cid_bytes(Some(&cid)),
                    orderId: order_id,
                }
                .abi_encode())
            },
            "registry.linkOrder",
        )
        .await
        .map(drop)
    }

    /// Whether reads and writes go through the ABI only (a contract at an f410 address).
    fn abi_only(&self) -> bool {
        is_abi_address(&self.address)
    }

    /// An ABI read of the contract: `eth_call` of `call`.
    async fn read_abi<C: SolCall>(&self, call: &C, what: &str) -> Result<C::Return> {
        self.client.eth_call(self.address, call, what).await
    }

    /// `Get`: the record of `cid`.
    ///
    /// # Errors
    /// [`Error::ActorFailed`] with `USR_NOT_FOUND` (17) for a CID not registered; the
    /// transport's.
    pub async fn get(&self, cid: Cid) -> Result<Record> {
        let what = "registry.get";
        if self.abi_only() {
            let call = I::getCall {
                cid: cid_bytes(Some(&cid)),
            };
            let r = self.read_abi(&call, what).await?;
            return Ok(self.client.record_of(r, what).await?.1);
        }
        self.read(Method::Get, &GetParams { cid }, what).await
    }

    /// `ListByOwner`: one page of `owner`'s records from `cursor`.
    ///
    /// # Errors
    /// As [`RegistryClient::get`].
    pub async fn list_by_owner(
        &self,
        owner: Address,
        cursor: u64,
        limit: u32,
    ) -> Result<ListByOwnerReturn> {
        let what = "registry.listByOwner";
        if self.abi_only() {
            let call = I::listByOwnerCall {
                owner: self.client.eth_form(&owner).await?,
                cursor,
                limit,
            };
            let page = self.read_abi(&call, what).await?;
            return self.client.records_page_of(page, what).await;
        }
        let p = ListByOwnerParams {
            owner,
            cursor,
            limit,
        };
        self.read(Method::ListByOwner, &p, what).await
    }

    /// `ListSigners`: `owner`'s current grants.
    ///
    /// # Errors
    /// As [`RegistryClient::get`].
    pub async fn list_signers(&self, owner: Address) -> Result<ListSignersReturn> {
        let what = "registry.listSigners";
        if self.abi_only() {
            let call = I::listSignersCall {
                owner: self.client.eth_form(&owner).await?,
            };
            let grants = self.read_abi(&call, what).await?;
            return self.client.grants_of(grants).await;
        }
        self.read(Method::ListSigners, &ListSignersParams { owner }, what)
            .await
    }

    /// `Counts`: the registry's counters.
    ///
    /// # Errors
    /// As [`RegistryClient::get`].
    pub async fn counts(&self) -> Result<CountsReturn> {
        if self.abi_only() {
            let c = self.read_abi(&I::countsCall {}, "registry.counts").await?;
            return Ok(counts_of(&c));
        }
        let ret = self
            .client
            .read(
                self.address,
                Method::Counts.number(),
                fvm_ipld_encoding::RawBytes::default(),
                "registry.counts",
            )
            .await?;
        decode(&ret, "registry.counts")
    }

    /// `GetFunding`: the record's order and the escrow's answer about it.
    ///
    /// # Errors
    /// As [`RegistryClient::get`].
    pub async fn get_funding(&self, cid: Cid) -> Result<GetFundingReturn> {
        let what = "registry.getFunding";
        if self.abi_only() {
            let call = I::getFundingCall {
                cid: cid_bytes(Some(&cid)),
            };
            let f = self.read_abi(&call, what).await?;
            return self.client.funding_of(f, what).await;
        }
        self.read(Method::GetFunding, &GetFundingParams { cid }, what)
            .await
    }
}
