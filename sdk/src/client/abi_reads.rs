//! The typed clients' reads through the Solidity ABI, for a contract behind it (a twin at its
//! f410 address, [`is_abi_address`]): `eth_call` with the `filmark-abi` call types, the return
//! converted to the native actors' return types, so [`RegistryClient`](super::RegistryClient)
//! and [`EscrowClient`](super::EscrowClient) answer alike on either implementation. Addresses
//! an ABI return carries become actor ids (a masked-ID address is its id, an f410 address the
//! id it resolves to); addresses a read takes become Ethereum addresses (f1 and f2 resolve to
//! their id first).

use alloy_primitives::U256;
use cid::Cid;
use filmark_abi::{IFilmarkEscrow as E, IFilmarkRegistry as R};
use filmark_escrow::abi::token_of;
use filmark_escrow::state::AppKey;
use filmark_escrow::types::{GetAccountReturn, GetAppKeyReturn, OrderFunding};
use filmark_registry::types::{
    CountsReturn, GetFundingReturn, ListByOwnerReturn, ListSignersReturn, MetadataEntry,
    OwnedRecord, Record, SignerGrant, Status,
};
use fvm_shared::ActorID;
use fvm_shared::address::{Address, Protocol};
use fvm_shared::econ::TokenAmount;

use super::Client;
use crate::keys::{EthAddress, as_masked_id, f410_from_eth, filecoin_to_eth, masked_id};
use crate::transport::Transport;
use crate::{Error, Result};

/// Whether the typed clients reach `address` through the Solidity ABI only: an f410 address
/// (a contract behind the same ABI, such as the Solidity twins). Reads then run `eth_call`
/// and writes send calldata to `InvokeEVM` whatever the signer's path; any other address is
/// a native actor's, read with CBOR `StateCall`.
pub fn is_abi_address(address: &Address) -> bool {
    address.protocol() == Protocol::Delegated
}

fn decode_err(what: &str, reason: impl Into<String>) -> Error {
    Error::Decode {
        what: what.to_owned(),
        reason: reason.into(),
    }
}

fn cid_of(what: &str, bytes: &[u8]) -> Result<Cid> {
    Cid::try_from(bytes).map_err(|e| decode_err(what, format!("a CID: {e}")))
}

fn opt_cid_of(what: &str, bytes: &[u8]) -> Result<Option<Cid>> {
    if bytes.is_empty() {
        Ok(None)
    } else {
        cid_of(what, bytes).map(Some)
    }
}

fn token(v: U256) -> TokenAmount {
    token_of(v)
}

impl<T: Transport> Client<T> {
    /// The Ethereum form of `address` for an ABI call's argument: f0 and f410 as they are, f1
    /// and f2 through the id they resolve to (masked-ID address).
    ///
    /// # Errors
    /// [`Error::NotFound`] for an f1/f2 address with no actor; the transport's.
    pub async fn eth_form(&self, address: &Address) -> Result<EthAddress> {
        if let Some(eth) = filecoin_to_eth(address) {
            return Ok(eth);
        }
        let id = self
            .transport()
            .lookup_id(address)
            .await?
            .ok_or_else(|| Error::NotFound(format!("{address} has no actor")))?;
        Ok(masked_id(id))
    }

    /// The actor id an ABI return's address stands for: a masked-ID address's id, or the actor
    /// an f410 address resolves to.
    ///
    /// # Errors
    /// [`Error::NotFound`] for an address with no actor; the transport's.
    pub async fn actor_id_of(&self, eth: EthAddress) -> Result<ActorID> {
        if let Some(id) = as_masked_id(&eth) {
            return Ok(id);
        }
        let f410 = f410_from_eth(&eth);
        self.transport()
            .lookup_id(&f410)
            .await?
            .ok_or_else(|| Error::NotFound(format!("{f410} (0x{eth:x}) has no actor")))
    }

    pub(crate) async fn record_of(&self, r: R::Record, what: &str) -> Result<(Cid, Record)> {
        let status = Status::from_code(r.status)
            .ok_or_else(|| decode_err(what, format!("status {}", r.status)))?;
        Ok((
            cid_of(what, &r.cid)?,
            Record {
                owner: self.actor_id_of(r.owner).await?,
                kind: r.kind,
                size: r.size,
                piece: opt_cid_of(what, &r.pieceCid)?,
                platform: r.platform,
                ref_hash: r.refHash.0,
                metadata: r
                    .metadata
                    .into_iter()
                    .map(|e| MetadataEntry {
                        key: e.key,
                        value: e.value,
                    })
                    .collect(),
                created: r.created,
                updated: r.updated,
                status,
                order_id: r.hasOrder.then_some(r.orderId),
                index: r.index,
                seq: r.seq,
                via_grant: r.viaSigner.then_some(r.viaGrant),
            },
        ))
    }

    pub(crate) async fn records_page_of(
        &self,
        page: R::listByOwnerReturn,
        what: &str,
    ) -> Result<ListByOwnerReturn> {
        let mut records = Vec::with_capacity(page.records.len());
        for r in page.records {
            let (cid, record) = self.record_of(r, what).await?;
            records.push(OwnedRecord { cid, record });
        }
        Ok(ListByOwnerReturn {
            records,
            next_cursor: page.hasMore.then_some(page.nextCursor),
        })
    }

    pub(crate) async fn grants_of(&self, grants: Vec<R::SignerGrant>) -> Result<ListSignersReturn> {
        let mut out = Vec::with_capacity(grants.len());
        for g in grants {
            out.push(SignerGrant {
                signer: self.actor_id_of(g.signer).await?,
                grant_id: g.grantId,
                scope: g.scope,
                granted: g.granted,
                expiry: g.expiry,
            });
        }
        Ok(ListSignersReturn { grants: out })
    }

    pub(crate) async fn order_funding_of(
        &self,
        f: R::OrderFunding,
        what: &str,
    ) -> Result<OrderFunding> {
        Ok(OrderFunding {
            piece_cid: cid_of(what, &f.pieceCid)?,
            content: opt_cid_of(what, &f.content)?,
            client: self.actor_id_of(f.client).await?,
            funded_until: f.fundedUntil,
            active_replicas: f.activeReplicas,
            open: f.open,
        })
    }

    pub(crate) async fn funding_of(
        &self,
        f: R::getFundingReturn,
        what: &str,
    ) -> Result<GetFundingReturn> {
        Ok(GetFundingReturn {
            order_id: f.hasOrder.then_some(f.orderId),
            funding: if f.hasFunding {
                let f = self.order_funding_of(f.funding, what).await?;
                Some(filmark_registry::ext::escrow::OrderFunding {
                    piece_cid: f.piece_cid,
                    content: f.content,
                    client: f.client,
                    funded_until: f.funded_until,
                    active_replicas: f.active_replicas,
                    open: f.open,
                })
            } else {
                None
            },
        })
    }

    pub(crate) async fn escrow_funding_of(
        &self,
        f: E::getOrderFundingReturn,
        what: &str,
    ) -> Result<OrderFunding> {
        self.order_funding_of(
            R::OrderFunding {
                pieceCid: f.pieceCid,
                content: f.content,
                client: f.client,
                fundedUntil: f.fundedUntil,
                activeReplicas: f.activeReplicas,
                open: f.open,
            },
            what,
        )
        .await
    }
}

/// The native `Counts` of the ABI's.
pub(crate) const fn counts_of(c: &R::Counts) -> CountsReturn {
    CountsReturn {
        records: c.records,
        active: c.active,
        tombstoned: c.tombstoned,
        owners: c.owners,
        signers: c.signers,
        revoked: c.revoked,
    }
}

/// The native `GetAccount` return of the ABI's.
pub(crate) fn account_of(a: E::getAccountReturn) -> GetAccountReturn {
    GetAccountReturn {
        available: token(a.available),
        locked: token(a.locked),
    }
}

/// The native `GetAppKey` return of the ABI's.
pub(crate) fn app_key_of(k: E::getAppKeyReturn) -> GetAppKeyReturn {
    GetAppKeyReturn {
        grant: k.exists.then(|| AppKey {
            cap: token(k.cap),
            spent: token(k.spent),
            expiry: k.expiry,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_f410_addresses_are_abi_only() {
        assert!(is_abi_address(&f410_from_eth(&EthAddress::repeat_byte(7))));
        assert!(!is_abi_address(&Address::new_id(1_000)));
        let key = crate::keys::SecpKey::from_seed(b"t", 0);
        assert!(!is_abi_address(&key.f1_address()));
    }

    #[test]
    fn abi_accounts_and_keys_become_native_returns() {
        let a = account_of(E::getAccountReturn {
            available: U256::from(5),
            locked: U256::from(7),
        });
        assert_eq!(a.available, TokenAmount::from_atto(5));
        assert_eq!(a.locked, TokenAmount::from_atto(7));
        let none = app_key_of(E::getAppKeyReturn {
            exists: false,
            cap: U256::ZERO,
            spent: U256::ZERO,
            expiry: 0,
        });
        assert!(none.grant.is_none());
        let some = app_key_of(E::getAppKeyReturn {
            exists: true,
            cap: U256::from(9),
            spent: U256::from(2),
            expiry: 40,
        });
        assert_eq!(
            some.grant,
            Some(AppKey {
                cap: TokenAmount::from_atto(9),
                spent: TokenAmount::from_atto(2),
                expiry: 40
            })
        );
    }
}
