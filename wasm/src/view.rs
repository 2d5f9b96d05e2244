//! The SDK's answers as plain JSON for JavaScript: camelCase fields, addresses with the
//! network's prefix, amounts in attoFIL as decimal strings (they pass 2^53), CIDs as strings.

use filmark_sdk::client::{ContentStatus, DealState, DealStatus, OrderStatus};
use filmark_sdk::keys::format_address;
use filmark_sdk::reexports::filmark_escrow::state::Order;
use filmark_sdk::reexports::filmark_registry::types::{MetadataEntry, Record, Status};
use filmark_sdk::transport::{Lookup, OfferState, ProviderOffer, b64_encode};
use fvm_shared::address::{Address, Network};
use fvm_shared::econ::TokenAmount;
use serde_json::{Map, Value, json};

/// The TypeScript shapes of what the clients take and give, added to the generated `.d.ts`.
#[wasm_bindgen::prelude::wasm_bindgen(typescript_custom_section)]
const TS_TYPES: &str = r#"
/** `Client.connect` options. */
export interface ConnectOptions {
  /** How long to wait for a message's execution, ms (default 120,000). */
  timeoutMs?: number;
  /** Time between receipt polls, ms (default 100). */
  pollIntervalMs?: number;
  /** Added to the node's gas estimate, percent (default 25). */
  gasMarginPercent?: number;
  /** Tipsets on top of the executing one before a receipt counts (default 0). */
  confirmations?: number;
}
/** An executed message. */
export interface Lookup {
  message: string;
  height: number;
  exitCode: number;
  /** Return value, base64. */
  returnData: string;
  gasUsed: number;
}
/** A record to register (amounts and sizes as numbers, CIDs and addresses as strings). */
export interface RegisterRecord {
  cid: string;
  /** MIME type (default application/octet-stream). */
  kind?: string;
  size?: number;
  /** Piece CID of its CAR. */
  piece?: string;
  platform?: string;
  /** 32 bytes, hex. */
  refHash?: string;
  /** Register for this owner (the signer needs its grant). */
  owner?: string;
  metadata?: Record<string, string>;
}
export interface RegistryRecord {
  owner: string;
  kind: string;
  size: number;
  piece: string | null;
  platform: string;
  refHash: string;
  metadata: Record<string, string>;
  created: number;
  updated: number;
  status: 'active' | 'tombstoned';
  orderId: number | null;
  index: number;
  seq: number;
  viaGrant: number | null;
}
export interface RegistryCounts {
  records: number;
  active: number;
  tombstoned: number;
  owners: number;
  signers: number;
  revoked: number;
}
/** An order to create; amounts in attoFIL (decimal strings). */
export interface OrderRequest {
  pieceCid: string;
  /** Padded piece size. */
  pieceSize: number;
  pricePerEpoch: string;
  minDuration: number;
  replicas?: number;
  allowedProviders?: string[];
  /** Epochs from creation within which a deal must activate (default 2,880). */
  activationDeadline?: number;
  /** The content CID the piece holds. */
  content?: string;
  client?: string;
  allowSameProvider?: boolean;
}
export interface EscrowOrder {
  client: string;
  pieceCid: string;
  pieceSize: number;
  pricePerEpoch: string;
  minDuration: number;
  replicas: number;
  allowedProviders: string[];
  allowSameProvider: boolean;
  activationDeadline: number;
  content: string | null;
  created: number;
  funded: string;
  balance: string;
  paid: string;
  funders: { address: string; amount: string; refunded: string }[];
  deals: { dealId: number; provider: string; start: number; end: number; activation: number; paidEpochs: number }[];
  completed: number;
  paidUntil: number;
  closed: boolean;
}
export interface DealStatus {
  dealId: number;
  provider: string;
  start: number;
  end: number;
  state: 'published' | 'active' | 'slashed' | 'expired';
  /** Activation epoch (active), slash or end epoch (slashed, expired). */
  stateEpoch: number | null;
  paid: string;
  sectorStartEpoch: number | null;
}
export interface ProviderOffer {
  provider: string;
  state: 'received' | 'rejected' | 'published' | 'active' | 'unknown';
  dealId?: number;
  activeSince?: number;
  rejection?: { kind: string; message: string };
  piece: string | null;
  note: string | null;
}
export interface OrderStatus {
  id: number;
  pricePerEpoch: string;
  minDuration: number;
  replicas: number;
  fundedUntil: number;
  funded: string;
  paid: string;
  sponsors: { address: string; amount: string }[];
  closed: boolean;
  deals: DealStatus[];
  offers: ProviderOffer[];
}
/** `Client.status(registry, escrow, cid)`. */
export interface ContentStatus {
  cid: string;
  epoch: number;
  owner: string;
  tombstoned: boolean;
  record: RegistryRecord;
  order: OrderStatus | null;
}
"#;

fn atto(t: &TokenAmount) -> String {
    t.atto().to_string()
}

fn id(net: Network, id: u64) -> String {
    format_address(&Address::new_id(id), net)
}

fn metadata(m: &[MetadataEntry]) -> Value {
    Value::Object(
        m.iter()
            .map(|e| (e.key.clone(), Value::String(e.value.clone())))
            .collect::<Map<_, _>>(),
    )
}

/// An executed message: `{message, height, exitCode, returnData (base64), gasUsed}`.
pub(crate) fn lookup(l: &Lookup) -> Value {
    json!({
        "message": l.message.to_string(),
        "height": l.height,
        "exitCode": l.receipt.exit_code.value(),
        "returnData": b64_encode(l.receipt.return_data.bytes()),
        "gasUsed": l.receipt.gas_used,
    })
}

/// A registry record.
pub(crate) fn record(net: Network, r: &Record) -> Value {
    json!({
        "owner": id(net, r.owner),
        "kind": r.kind,
        "size": r.size,
        "piece": r.piece.map(|p| p.to_string()),
        "platform": r.platform,
        "refHash": hex::encode(r.ref_hash),
        "metadata": metadata(&r.metadata),
        "created": r.created,
        "updated": r.updated,
        "status": match r.status {
            Status::Active => "active",
            Status::Tombstoned => "tombstoned",
        },
        "orderId": r.order_id,
        "index": r.index,
        "seq": r.seq,
        "viaGrant": r.via_grant,
    })
}

/// An escrow order as the escrow holds it.
pub(crate) fn order(net: Network, o: &Order) -> Value {
    json!({
        "client": id(net, o.client),
        "pieceCid": o.piece_cid.to_string(),
        "pieceSize": o.piece_size,
        "pricePerEpoch": atto(&o.price_per_epoch),
        "minDuration": o.min_duration,
        "replicas": o.replicas,
        "allowedProviders": o.allowed_providers.iter().map(|p| id(net, *p)).collect::<Vec<_>>(),
        "allowSameProvider": o.allow_same_provider,
        "activationDeadline": o.activation_deadline,
        "content": o.content.as_ref().map(ToString::to_string),
        "created": o.created,
        "funded": atto(&o.funded),
        "balance": atto(&o.balance),
        "paid": atto(&o.paid),
        "funders": o.funders.iter().map(|f| json!({
            "address": id(net, f.id),
            "amount": atto(&f.amount),
            "refunded": atto(&f.refunded),
        })).collect::<Vec<_>>(),
        "deals": o.deals.iter().map(|d| json!({
            "dealId": d.deal_id,
            "provider": id(net, d.provider),
            "start": d.start,
            "end": d.end,
            "activation": d.activation,
            "paidEpochs": d.paid_epochs,
        })).collect::<Vec<_>>(),
        "completed": o.completed,
        "paidUntil": o.paid_until,
        "closed": o.closed,
    })
}

/// `{state, since?, at?}` of a deal: `published`, `active` (since), `slashed` (at), `expired`
/// (at).
fn deal_state(s: &DealState) -> (&'static str, Option<i64>) {
    match *s {
        DealState::Published => ("published", None),
        DealState::Active { since } => ("active", Some(since)),
        DealState::Slashed { at } => ("slashed", Some(at)),
        DealState::Expired { at } => ("expired", Some(at)),
    }
}

fn deal(net: Network, d: &DealStatus) -> Value {
    let (state, epoch) = deal_state(&d.state);
    json!({
        "dealId": d.deal_id,
        "provider": format_address(&d.provider, net),
        "start": d.start,
        "end": d.end,
        "state": state,
        "stateEpoch": epoch,
        "paid": atto(&d.paid),
        "sectorStartEpoch": d.market.as_ref().map(|m| m.sector_start_epoch),
    })
}

fn offer(net: Network, o: &ProviderOffer) -> Value {
    let mut v = json!({
        "provider": format_address(&o.provider, net),
        "piece": o.piece.map(|p| p.to_string()),
        "note": o.note,
    });
    let extra = match &o.state {
        OfferState::Received => json!({ "state": "received" }),
        OfferState::Rejected { kind, message } => {
            json!({ "state": "rejected", "rejection": { "kind": kind, "message": message } })
        }
        OfferState::Published { deal_id } => json!({ "state": "published", "dealId": deal_id }),
        OfferState::Active { deal_id, since } => {
            json!({ "state": "active", "dealId": deal_id, "activeSince": since })
        }
        _ => json!({ "state": "unknown" }),
    };
    if let (Value::Object(m), Value::Object(e)) = (&mut v, extra) {
        m.extend(e);
    }
    v
}

fn order_status(net: Network, o: &OrderStatus) -> Value {
    json!({
        "id": o.id,
        "pricePerEpoch": atto(&o.price_per_epoch),
        "minDuration": o.min_duration,
        "replicas": o.replicas,
        "fundedUntil": o.funded_until,
        "funded": atto(&o.funded),
        "paid": atto(&o.paid),
        "sponsors": o.sponsors.iter().map(|(a, v)| json!({
            "address": format_address(a, net),
            "amount": atto(v),
        })).collect::<Vec<_>>(),
        "closed": o.closed,
        "deals": o.deals.iter().map(|d| deal(net, d)).collect::<Vec<_>>(),
        "offers": o.offers.iter().map(|f| offer(net, f)).collect::<Vec<_>>(),
    })
}

/// `status(cid)`: `{cid, epoch, owner, tombstoned, record, order}`.
pub(crate) fn status(net: Network, s: &ContentStatus) -> Value {
    json!({
        "cid": s.cid.to_string(),
        "epoch": s.epoch,
        "owner": format_address(&s.owner(), net),
        "tombstoned": s.tombstoned,
        "record": record(net, &s.record),
        "order": s.order.as_ref().map(|o| order_status(net, o)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deal_states_name_their_epoch() {
        assert_eq!(
            deal_state(&DealState::Active { since: 9 }),
            ("active", Some(9))
        );
        assert_eq!(deal_state(&DealState::Published), ("published", None));
    }

    #[test]
    fn offers_carry_their_state_fields() {
        let o = ProviderOffer {
            provider: Address::new_id(1000),
            state: OfferState::Active {
                deal_id: 3,
                since: 12,
            },
            piece: None,
            note: None,
        };
        let v = offer(Network::Testnet, &o);
        assert_eq!(v["state"], "active");
        assert_eq!(v["dealId"], 3);
        assert_eq!(v["activeSince"], 12);
        assert_eq!(v["provider"], "t01000");
    }
}
