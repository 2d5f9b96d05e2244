//! The on-chain commands: `deploy`, `register`, `escrow …`, `status`, over the SDK's clients.

use std::path::Path;
use std::str::FromStr as _;

use anyhow::{Context as _, bail};
use cid::Cid;
use filmark_sdk::client::{ContentStatus, DealState, OrderBuilder, Register};
use filmark_sdk::content::{Options, Packed, file};
use filmark_sdk::transport::{OfferState, ProviderOffer};
use filmark_sdk::{Client, Transport};
use fvm_shared::econ::TokenAmount;
use serde_json::{Value, json};

use super::node::{self, Actors, addr, is_not_found};
use crate::args::{AmountArgs, DeployArgs, EscrowCommand, RegisterArgs, StatusArgs};
use crate::output::{Bar, Waiting, emit, fil, parse_fil};

pub(crate) fn deploy(args: &DeployArgs) -> anyhow::Result<()> {
    let signer = node::signer(&args.chain)?;
    let d = node::block_on(async {
        let client = node::connect(&args.chain).await?;
        let _wait = Waiting::new("deploying the escrow and the registry");
        let d = client
            .deploy_filmark(
                &signer,
                filmark_actor_bundle::REGISTRY_WASM,
                filmark_actor_bundle::ESCROW_WASM,
            )
            .await?;
        anyhow::Ok(json!({
            "registry": addr(&client, &d.registry.id_address),
            "escrow": addr(&client, &d.escrow.id_address),
            "registry_robust": addr(&client, &d.registry.robust_address),
            "escrow_robust": addr(&client, &d.escrow.robust_address),
            "chain_id": client.network().chain_id,
            "rpc": node::rpc_url(&args.chain),
        }))
    })??;
    if let Some(out) = &args.out {
        let text = serde_json::to_string_pretty(&d)? + "\n";
        std::fs::write(out, text).with_context(|| {
            format!(
                "deployed (registry {}, escrow {}), but cannot write {}",
                d["registry"].as_str().unwrap_or_default(),
                d["escrow"].as_str().unwrap_or_default(),
                out.display()
            )
        })?;
    }
    emit(args.chain.json, d.clone(), || {
        format!(
            "registry  {}  {}\nescrow    {}  {}",
            d["registry"].as_str().unwrap_or_default(),
            d["registry_robust"].as_str().unwrap_or_default(),
            d["escrow"].as_str().unwrap_or_default(),
            d["escrow_robust"].as_str().unwrap_or_default()
        )
    })
}

/// A file or directory is packed (its CAR written to `car`, or dropped); otherwise the text
/// must be a CID.
fn target(text: &str, car: Option<&Path>) -> anyhow::Result<Result<Packed, Cid>> {
    let path = Path::new(text);
    if path.exists() {
        let opts = Options::default();
        let bar = Bar::new("pack");
        let packed = match (path.is_dir(), car) {
            (false, Some(out)) => file::pack(path, out, &opts, bar.callback())?,
            (true, Some(out)) => file::pack_dir(path, out, &opts, bar.callback())?,
            (false, None) => file::pack_to_writer(path, std::io::sink(), &opts, bar.callback())?,
            (true, None) => file::pack_dir_to_writer(path, std::io::sink(), &opts, bar.callback())?,
        };
        return Ok(Ok(packed));
    }
    match Cid::from_str(text) {
        Ok(cid) => Ok(Err(cid)),
        Err(_) => match std::fs::metadata(path) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                Err(anyhow::Error::new(e).context(format!("cannot read {text}")))
            }
            _ => bail!("{text}: no such file, and not a CID"),
        },
    }
}

pub(crate) fn cid(what: &str, text: &str) -> anyhow::Result<Cid> {
    Cid::from_str(text.trim()).with_context(|| format!("{what} {text:?} is not a CID"))
}

pub(crate) fn register(args: &RegisterArgs) -> anyhow::Result<()> {
    let registry = Actors::new(&args.actors, &args.chain)?.registry()?;
    let signer = node::signer(&args.chain)?;
    let packed = target(&args.target, args.car.as_deref())?;
    let (root, mut out) = match &packed {
        Ok(p) => (
            p.root,
            json!({
                "cid": p.root.to_string(),
                "size": p.file_size,
                "piece_cid": p.piece.cid_v1().to_string(),
                "piece_size": p.piece.padded_size,
            }),
        ),
        Err(cid) => (*cid, json!({ "cid": cid.to_string() })),
    };
    let mut record = Register::new(root);
    if let Ok(p) = &packed {
        record = record.size(p.file_size).piece(p.piece.cid_v1());
    }
    if let Some(kind) = &args.kind {
        record = record.kind(kind.clone());
    }
    for (k, v) in &args.meta {
        record = record.meta(k.clone(), v.clone());
    }
    let (owner, registry) = node::block_on(async {
        let client = node::connect(&args.chain).await?;
        let _wait = Waiting::new("registering");
        client.registry(registry).register(&signer, record).await?;
        anyhow::Ok((addr(&client, &signer.address()), addr(&client, &registry)))
    })?
    .with_context(|| match (&packed, &args.car) {
        (Ok(_), Some(car)) => format!("{root} packed (CAR {}), not registered", car.display()),
        _ => format!("{root} not registered"),
    })?;
    out["owner"] = json!(owner);
    out["registry"] = json!(registry);
    emit(args.chain.json, out.clone(), || {
        let mut text = format!("registered {root}\nowner      {owner}");
        if let Ok(p) = &packed {
            text += &format!(
                "\nsize       {} bytes\npiece cid  {}\npiece size {}",
                p.file_size,
                p.piece.cid_v1(),
                p.piece.padded_size
            );
        }
        text
    })
}

pub(crate) fn escrow(cmd: EscrowCommand) -> anyhow::Result<()> {
    match cmd {
        EscrowCommand::Deposit(a) => amount(&a, true),
        EscrowCommand::Withdraw(a) => amount(&a, false),
        EscrowCommand::Order(a) => {
            let piece = cid("--piece", &a.piece)?;
            let price = parse_fil(&a.price)?;
            let providers = a
                .providers
                .iter()
                .map(|p| node::address("provider", p))
                .collect::<anyhow::Result<Vec<_>>>()?;
            let content = a
                .content
                .as_deref()
                .map(|c| cid("--content", c))
                .transpose()?;
            let escrow = Actors::new(&a.actors, &a.chain)?.escrow()?;
            let signer = node::signer(&a.chain)?;
            let mut order = OrderBuilder::new(piece, a.piece_size, price.clone(), a.duration)
                .replicas(a.replicas)
                .activation_deadline(a.deadline)
                .allowed_providers(providers);
            if let Some(c) = content {
                order = order.content(c);
            }
            let value = if a.from_available {
                TokenAmount::default()
            } else {
                price * a.duration * a.replicas
            };
            let id = node::block_on(async {
                let client = node::connect(&a.chain).await?;
                let _wait = Waiting::new("creating the order");
                anyhow::Ok(
                    client
                        .escrow(escrow)
                        .create_order(&signer, order, value.clone())
                        .await?,
                )
            })??;
            emit(
                a.chain.json,
                json!({"order_id": id, "sent": value.atto().to_string()}),
                || format!("order {id} created ({} sent)", fil(&value)),
            )
        }
        EscrowCommand::Fund(a) => {
            let value = parse_fil(&a.amount)?;
            let from_available = a
                .from_available
                .as_deref()
                .map(parse_fil)
                .transpose()?
                .unwrap_or_default();
            let escrow = Actors::new(&a.actors, &a.chain)?.escrow()?;
            let signer = node::signer(&a.chain)?;
            let order = node::block_on(async {
                let client = node::connect(&a.chain).await?;
                let e = client.escrow(escrow);
                let _wait = Waiting::new("funding the order");
                e.fund_order(&signer, a.order, from_available.clone(), value.clone())
                    .await?;
                anyhow::Ok(e.get_order(a.order).await?)
            })??;
            emit(
                a.chain.json,
                json!({"order_id": a.order, "funded": order.funded.atto().to_string()}),
                || {
                    format!(
                        "order {} funded with {} (total funded {})",
                        a.order,
                        fil(&(value.clone() + &from_available)),
                        fil(&order.funded)
                    )
                },
            )
        }
        EscrowCommand::Bind(a) => {
            let escrow = Actors::new(&a.actors, &a.chain)?.escrow()?;
            let signer = node::signer(&a.chain)?;
            node::block_on(async {
                let client = node::connect(&a.chain).await?;
                let _wait = Waiting::new("binding the deal");
                client
                    .escrow(escrow)
                    .bind_deal(&signer, a.order, a.deal)
                    .await?;
                anyhow::Ok(())
            })??;
            emit(
                a.chain.json,
                json!({"order_id": a.order, "deal_id": a.deal}),
                || format!("deal {} bound to order {}", a.deal, a.order),
            )
        }
        EscrowCommand::Settle(a) => {
            let escrow = Actors::new(&a.actors, &a.chain)?.escrow()?;
            let signer = node::signer(&a.chain)?;
            let r = node::block_on(async {
                let client = node::connect(&a.chain).await?;
                let _wait = Waiting::new("settling");
                anyhow::Ok(client.escrow(escrow).settle(&signer, a.order).await?)
            })??;
            emit(
                a.chain.json,
                json!({
                    "order_id": a.order,
                    "paid": r.paid.atto().to_string(),
                    "unlocked": r.unlocked.atto().to_string(),
                }),
                || {
                    format!(
                        "order {}: paid {} to providers, unlocked {}",
                        a.order,
                        fil(&r.paid),
                        fil(&r.unlocked)
                    )
                },
            )
        }
        EscrowCommand::Close(a) => {
            let escrow = Actors::new(&a.actors, &a.chain)?.escrow()?;
            let signer = node::signer(&a.chain)?;
            node::block_on(async {
                let client = node::connect(&a.chain).await?;
                let _wait = Waiting::new("closing the order");
                client.escrow(escrow).close_order(&signer, a.order).await?;
                anyhow::Ok(())
            })??;
            emit(
                a.chain.json,
                json!({"order_id": a.order, "closed": true}),
                || format!("order {} closed", a.order),
            )
        }
        EscrowCommand::Show(a) => {
            let escrow = Actors::new(&a.actors, &a.chain)?.escrow()?;
            let account = a
                .account
                .as_deref()
                .map(|x| node::address("account", x))
                .transpose()?;
            let signer = match (a.order, account) {
                (None, None) => Some(node::signer(&a.chain)?),
                _ => None,
            };
            let (json, text) = node::block_on(async {
                let client = node::connect(&a.chain).await?;
                let e = client.escrow(escrow);
                if let Some(id) = a.order {
                    let o = e.get_order(id).await.map_err(|err| {
                        if is_not_found(&err) {
                            anyhow::anyhow!("no order {id} in escrow {}", addr(&client, &escrow))
                        } else {
                            err.into()
                        }
                    })?;
                    return anyhow::Ok(order_view(&client, id, &o));
                }
                let who = account
                    .or(signer.map(|s| s.address()))
                    .expect("one of them");
                let acc = e.get_account(who).await?;
                let who = addr(&client, &who);
                Ok((
                    json!({
                        "account": who,
                        "available": acc.available.atto().to_string(),
                        "locked": acc.locked.atto().to_string(),
                    }),
                    format!(
                        "account   {who}\navailable {}\nlocked    {}",
                        fil(&acc.available),
                        fil(&acc.locked)
                    ),
                ))
            })??;
            emit(a.chain.json, json, || text)
        }
    }
}

/// `escrow deposit` and `escrow withdraw`.
fn amount(a: &AmountArgs, deposit: bool) -> anyhow::Result<()> {
    let amount = parse_fil(&a.amount)?;
    let escrow = Actors::new(&a.actors, &a.chain)?.escrow()?;
    let signer = node::signer(&a.chain)?;
    let account = node::block_on(async {
        let client = node::connect(&a.chain).await?;
        let e = client.escrow(escrow);
        let _wait = Waiting::new(if deposit { "depositing" } else { "withdrawing" });
        if deposit {
            e.deposit(&signer, amount.clone()).await?;
        } else {
            e.withdraw(&signer, amount.clone(), None).await?;
        }
        anyhow::Ok(e.get_account(signer.address()).await?)
    })??;
    let verb = if deposit { "deposited" } else { "withdrew" };
    emit(
        a.chain.json,
        json!({
            verb: amount.atto().to_string(),
            "available": account.available.atto().to_string(),
            "locked": account.locked.atto().to_string(),
        }),
        || {
            format!(
                "{verb} {}\navailable {}\nlocked    {}",
                fil(&amount),
                fil(&account.available),
                fil(&account.locked)
            )
        },
    )
}

fn order_view<T: Transport>(
    client: &Client<T>,
    id: u64,
    o: &filmark_sdk::reexports::filmark_escrow::state::Order,
) -> (Value, String) {
    let refunded: TokenAmount = o.funders.iter().map(|f| f.refunded.clone()).sum();
    let json = json!({
        "order_id": id,
        "client": addr(client, &fvm_shared::address::Address::new_id(o.client)),
        "piece_cid": o.piece_cid.to_string(),
        "piece_size": o.piece_size,
        "price_per_epoch": o.price_per_epoch.atto().to_string(),
        "min_duration": o.min_duration,
        "replicas": o.replicas,
        "funded": o.funded.atto().to_string(),
        "balance": o.balance.atto().to_string(),
        "paid": o.paid.atto().to_string(),
        "refunded": refunded.atto().to_string(),
        "deals": o.deals.iter().map(|d| d.deal_id).collect::<Vec<_>>(),
        "closed": o.closed,
    });
    let text = format!(
        "order {id}{}\npiece     {} ({} bytes padded)\nprice     {} per epoch × {} epochs × {} \
         replica(s)\nfunded    {}\nbalance   {}\npaid      {}\nrefunded  {}\ndeals     {:?}",
        if o.closed { " (closed)" } else { "" },
        o.piece_cid,
        o.piece_size,
        fil(&o.price_per_epoch),
        o.min_duration,
        o.replicas,
        fil(&o.funded),
        fil(&o.balance),
        fil(&o.paid),
        fil(&refunded),
        o.deals.iter().map(|d| d.deal_id).collect::<Vec<_>>()
    );
    (json, text)
}

pub(crate) fn status(args: &StatusArgs) -> anyhow::Result<()> {
    let root = cid("CID", &args.cid)?;
    let actors = Actors::new(&args.actors, &args.chain)?;
    let (registry, escrow) = (actors.registry()?, actors.escrow()?);
    let (json, text) = node::block_on(async {
        let client = node::connect(&args.chain).await?;
        let s = client.status(registry, escrow, root).await.map_err(|e| {
            if is_not_found(&e) {
                anyhow::anyhow!(
                    "{root} is not registered in registry {}",
                    addr(&client, &registry)
                )
            } else {
                e.into()
            }
        })?;
        anyhow::Ok((status_json(&client, &s), status_text(&client, &s)))
    })??;
    emit(args.chain.json, json, || text)
}

fn state_json(s: &DealState) -> Value {
    match s {
        DealState::Published => json!({"state": "published"}),
        DealState::Active { since } => json!({"state": "active", "since": since}),
        DealState::Slashed { at } => json!({"state": "slashed", "at": at}),
        DealState::Expired { at } => json!({"state": "expired", "at": at}),
    }
}

fn state_text(s: &DealState) -> String {
    match s {
        DealState::Published => "published".into(),
        DealState::Active { since } => format!("active since epoch {since}"),
        DealState::Slashed { at } => format!("slashed at epoch {at}"),
        DealState::Expired { at } => format!("expired at epoch {at}"),
    }
}

/// `status(cid)` as one JSON object (amounts in attoFIL, as strings).
pub(crate) fn status_json<T: Transport>(client: &Client<T>, s: &ContentStatus) -> Value {
    let r = &s.record;
    let order = s.order.as_ref().map(|o| {
        json!({
            "id": o.id,
            "price_per_epoch": o.price_per_epoch.atto().to_string(),
            "min_duration": o.min_duration,
            "replicas": o.replicas,
            "funded_until": o.funded_until,
            "funded": o.funded.atto().to_string(),
            "paid": o.paid.atto().to_string(),
            "closed": o.closed,
            "sponsors": o.sponsors.iter().map(|(a, v)| json!({
                "address": addr(client, a), "amount": v.atto().to_string()
            })).collect::<Vec<_>>(),
            "deals": o.deals.iter().map(|d| {
                let mut v = json!({
                    "deal_id": d.deal_id,
                    "provider": addr(client, &d.provider),
                    "start": d.start,
                    "end": d.end,
                    "paid": d.paid.atto().to_string(),
                });
                if let (Value::Object(m), Value::Object(s)) = (&mut v, state_json(&d.state)) {
                    m.extend(s);
                }
                v
            }).collect::<Vec<_>>(),
            "offers": o.offers.iter().map(|f| offer_json(client, f)).collect::<Vec<_>>(),
        })
    });
    json!({
        "cid": s.cid.to_string(),
        "epoch": s.epoch,
        "owner": addr(client, &s.owner()),
        "kind": r.kind,
        "size": r.size,
        "piece_cid": r.piece.map(|p| p.to_string()),
        "metadata": r.metadata.iter().map(|m| (m.key.clone(), json!(m.value))).collect::<serde_json::Map<_, _>>(),
        "tombstoned": s.tombstoned,
        "order": order,
    })
}

/// `status(cid)` for people.
pub(crate) fn status_text<T: Transport>(client: &Client<T>, s: &ContentStatus) -> String {
    let r = &s.record;
    let mut t = format!(
        "{}  (at epoch {})\n  owner      {}\n  kind       {}\n  size       {} bytes",
        s.cid,
        s.epoch,
        addr(client, &s.owner()),
        r.kind,
        r.size
    );
    if let Some(p) = r.piece {
        t += &format!("\n  piece      {p}");
    }
    for m in &r.metadata {
        t += &format!("\n  meta       {}={}", m.key, m.value);
    }
    if s.tombstoned {
        t += "\n  TOMBSTONED";
    }
    match &s.order {
        None => t += "\n  order      none (no storage paid for)",
        Some(o) => {
            t += &format!(
                "\n  order {}{}\n    price        {} per epoch × {} epochs × {} replica(s)\n    \
                 funded       {} (until epoch {})\n    paid         {}",
                o.id,
                if o.closed { " (closed)" } else { "" },
                fil(&o.price_per_epoch),
                o.min_duration,
                o.replicas,
                fil(&o.funded),
                o.funded_until,
                fil(&o.paid),
            );
            for (a, v) in &o.sponsors {
                t += &format!("\n    sponsor      {} {}", addr(client, a), fil(v));
            }
            if o.deals.is_empty() {
                t += "\n    deals        none live";
            }
            for d in &o.deals {
                t += &format!(
                    "\n    deal {:<7} provider {}, epochs {}..{}, {}, paid {}",
                    d.deal_id,
                    addr(client, &d.provider),
                    d.start,
                    d.end,
                    state_text(&d.state),
                    fil(&d.paid)
                );
            }
            for f in &o.offers {
                t += &format!(
                    "\n    provider {}: {}",
                    addr(client, &f.provider),
                    offer_text(&f.state)
                );
            }
        }
    }
    t
}

/// A provider's offer for people: its deal, or why it made none.
fn offer_text(s: &OfferState) -> String {
    match s {
        OfferState::Received => "received, being checked".into(),
        OfferState::Rejected { kind, message } => format!("rejected ({kind}): {message}"),
        OfferState::Published { deal_id } => format!("deal {deal_id} published"),
        OfferState::Active { deal_id, since } => {
            format!("deal {deal_id} active since epoch {since}")
        }
        OfferState::Ended {
            deal_id,
            at: Some(at),
        } => format!("deal {deal_id} ended at epoch {at}"),
        OfferState::Ended { deal_id, at: None } => format!("deal {deal_id} ended"),
        _ => "unknown state".into(),
    }
}

fn offer_json<T: Transport>(client: &Client<T>, f: &ProviderOffer) -> Value {
    let mut v = json!({
        "provider": addr(client, &f.provider),
        "piece_cid": f.piece.map(|p| p.to_string()),
        "note": f.note,
    });
    let s = match &f.state {
        OfferState::Received => json!({"state": "received"}),
        OfferState::Rejected { kind, message } => {
            json!({"state": "rejected", "rejection": {"kind": kind, "message": message}})
        }
        OfferState::Published { deal_id } => json!({"state": "published", "deal_id": deal_id}),
        OfferState::Active { deal_id, since } => {
            json!({"state": "active", "deal_id": deal_id, "since": since})
        }
        OfferState::Ended { deal_id, at } => {
            json!({"state": "ended", "deal_id": deal_id, "ended_at": at})
        }
        _ => json!({"state": "unknown"}),
    };
    if let (Value::Object(m), Value::Object(s)) = (&mut v, s) {
        m.extend(s);
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_offer_says_its_deal_or_why_none_was_made() {
        let rejected = OfferState::Rejected {
            kind: "pieceMismatch".into(),
            message: "piece mismatch: the CAR's piece is a, the order's is b".into(),
        };
        assert_eq!(
            offer_text(&rejected),
            "rejected (pieceMismatch): piece mismatch: the CAR's piece is a, the order's is b"
        );
        let active = OfferState::Active {
            deal_id: 4,
            since: 12,
        };
        assert_eq!(offer_text(&active), "deal 4 active since epoch 12");
    }
}
