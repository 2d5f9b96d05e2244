//! `filmark demo`: the whole flow in one process, on an in-process devnet.
//!
//! 1. a devnet (the `fast` market policy) with both actors deployed by account 0 (the client);
//! 2. a file (given, or generated) packed: CID, CAR, piece CID;
//! 3. the file registered;
//! 4. an order created for its piece, linked to the record, and sponsored by account 1;
//! 5. the CAR handed to the devnet's simulated provider, which checks its piece commitment;
//! 6. the deal published with the escrow as client, activated, the chain advanced past its
//!    end, settled, and the order closed;
//! 7. a summary: paid to the provider, refunded, funded-until, and `status(cid)`.

use std::io::Cursor;
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};
use filmark_devnet::{Devnet, DevnetConfig, KeyKind};
use filmark_devnet_rpc::InProcess;
use filmark_sdk::client::{OrderBuilder, Register, SendOptions};
use filmark_sdk::content::{Options, Packed};
use filmark_sdk::transport::OfferState;
use filmark_sdk::{Client, Signer};
use fvm_shared::econ::TokenAmount;
use serde_json::json;

use super::node::addr;
use super::onchain::{status_json, status_text};
use crate::args::DemoArgs;
use crate::output::{Bar, Waiting, emit, fil};

/// The order's price per epoch: 0.0001 FIL.
const PRICE_NANO_FIL: u64 = 100_000;
/// The order's minimum duration, in epochs (the fast market policy takes any length).
const DURATION: i64 = 60;

/// Epochs from the order's creation within which its deal must start: the order can be closed
/// (and its remainder refunded) only after both this deadline and its deals' ends.
const DEADLINE: i64 = 30;

/// The steps done so far with the seconds since the start at which each ended; named in the
/// error when a later one fails.
struct Done {
    started: Instant,
    steps: Vec<(String, f64)>,
}

impl Done {
    fn new(started: Instant) -> Self {
        Self {
            started,
            steps: Vec::new(),
        }
    }

    fn add(&mut self, step: impl Into<String>) {
        self.steps
            .push((step.into(), self.started.elapsed().as_secs_f64()));
    }

    fn context(&self, step: &str) -> String {
        if self.steps.is_empty() {
            format!("{step} failed")
        } else {
            let names: Vec<&str> = self.steps.iter().map(|(s, _)| s.as_str()).collect();
            format!("{} done; {step} failed", names.join(", "))
        }
    }

    fn json(&self) -> serde_json::Value {
        self.steps
            .iter()
            .map(|(s, t)| json!({"step": s, "seconds": (t * 1000.0).round() / 1000.0}))
            .collect()
    }
}

/// Deterministic bytes for the generated file (xorshift64*, so the CID is the same every run).
fn generated(size: u64) -> anyhow::Result<Vec<u8>> {
    let len = usize::try_from(size).context("--size does not fit in memory")?;
    let mut out = Vec::with_capacity(len);
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    while out.len() < len {
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        out.extend_from_slice(&x.wrapping_mul(0x2545_F491_4F6C_DD1D).to_le_bytes());
    }
    out.truncate(len);
    Ok(out)
}

/// The input's CAR in memory, with its CID and piece.
fn pack(args: &DemoArgs) -> anyhow::Result<(Packed, Vec<u8>, String)> {
    let (bytes, name) = match &args.file {
        Some(path) => (
            std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?,
            path.display().to_string(),
        ),
        None => (
            generated(args.size)?,
            format!("generated, {} bytes", args.size),
        ),
    };
    let mut car = Cursor::new(Vec::new());
    let bar = Bar::new("pack");
    let packed = filmark_sdk::content::pack(
        bytes.as_slice(),
        Some(bytes.len() as u64),
        &mut car,
        &Options::default(),
        bar.callback(),
    )?;
    drop(bar);
    Ok((packed, car.into_inner(), name))
}

pub(crate) fn demo(args: &DemoArgs) -> anyhow::Result<()> {
    let started = Instant::now();
    let mut done = Done::new(started);
    let (packed, car, name) = pack(args)?;
    done.add("packed");
    let root = packed.root;
    let wait = Waiting::new("starting the devnet");
    let handle = Devnet::spawn(DevnetConfig::test().with_accounts(2, 0))
        .context("starting the in-process devnet")?;
    let devnet: Devnet = handle.devnet();
    let client_key = devnet
        .account(KeyKind::Secp256k1, 0)?
        .key
        .secp_key()
        .clone();
    let sponsor_key = devnet
        .account(KeyKind::Secp256k1, 1)?
        .key
        .secp_key()
        .clone();
    let (alice, bob) = (Signer::f1(client_key), Signer::f1(sponsor_key));
    done.add("devnet started");
    let summary = super::node::block_on(async {
        let mut options = SendOptions::default();
        // The in-process devnet mines each message at once.
        options.poll_interval = Duration::from_millis(2);
        let client = Client::connect(InProcess::new(devnet.clone()))
            .await?
            .with_options(options);

        wait.set("deploying the registry and the escrow");
        let d = client
            .deploy_filmark(
                &alice,
                filmark_actor_bundle::REGISTRY_WASM,
                filmark_actor_bundle::ESCROW_WASM,
            )
            .await
            .with_context(|| done.context("deploying"))?;
        let (registry, escrow) = (d.registry.id_address, d.escrow.id_address);
        done.add(format!(
            "deployed (registry {}, escrow {})",
            addr(&client, &registry),
            addr(&client, &escrow)
        ));

        wait.set("registering");
        let record = Register::new(root)
            .size(packed.file_size)
            .piece(packed.piece.cid_v1())
            .meta("source", "filmark demo");
        client
            .registry(registry)
            .register(&alice, record)
            .await
            .with_context(|| done.context("registering"))?;
        done.add(format!("{root} registered"));

        wait.set("ordering storage");
        let price = TokenAmount::from_nano(PRICE_NANO_FIL);
        let full = price.clone() * DURATION;
        let order = OrderBuilder::new(
            packed.piece.cid_v1(),
            packed.piece.padded_size,
            price.clone(),
            DURATION,
        )
        .content(root)
        .activation_deadline(DEADLINE);
        let escrow_client = client.escrow(escrow);
        let order_id = escrow_client
            .create_order(&alice, order, full.clone())
            .await
            .with_context(|| done.context("creating the order"))?;
        done.add(format!("order {order_id} created"));
        client
            .registry(registry)
            .link_order(&alice, root, order_id)
            .await
            .with_context(|| done.context("linking the order to the record"))?;
        done.add("order linked");
        // A sponsor's share: a quarter of the price (the escrow asks a new funder for at least
        // 1/32 of what is funded).
        let sponsored = full.div_floor(4);
        escrow_client
            .fund_order(&bob, order_id, TokenAmount::default(), sponsored.clone())
            .await
            .with_context(|| done.context("sponsoring"))?;
        done.add("order sponsored");

        wait.set("handing the CAR to the provider");
        // The SDK's upload (in process here; `PUT /provider/car/{escrow}/{orderId}` over HTTP).
        let rec = client
            .upload_car(escrow, order_id, car.clone())
            .await
            .with_context(|| done.context("offering the CAR"))?;
        let deal_id = match &rec.state {
            OfferState::Active { deal_id, .. } => *deal_id,
            other => bail!(
                "{}: the provider made no active deal: {other:?}",
                done.context("storing")
            ),
        };
        done.add(format!("deal {deal_id} active"));

        // Halfway through the deal's term: settled once, and where the content is then.
        let o = escrow_client.get_order(order_id).await?;
        let slot = o
            .deals
            .first()
            .context("the bound deal is not in the order")?;
        let (start, end) = (slot.start, slot.end);
        // The deal names the provider's miner actor (the simulated provider's key is its owner
        // and worker).
        let miner = fvm_shared::address::Address::new_id(slot.provider);
        let mine_to = |epoch: i64, what: &'static str| {
            let head = devnet.head().height();
            if epoch > head {
                wait.set(what);
                devnet.mine(u64::try_from(epoch - head).unwrap_or_default())?;
            }
            anyhow::Ok(())
        };
        mine_to(
            start + (end - start) / 2,
            "advancing the chain to the deal's middle",
        )
        .with_context(|| done.context("advancing the chain"))?;
        done.add("chain at the deal's middle");
        let halfway = escrow_client
            .settle(&alice, order_id)
            .await
            .with_context(|| done.context("settling"))?;
        done.add("settled halfway");
        let during = client
            .status(registry, escrow, root)
            .await
            .with_context(|| done.context("reading the status"))?;

        // Past the deal's end and the order's activation deadline: settled, closed, refunded.
        mine_to(
            end.max(o.activation_deadline) + 1,
            "advancing the chain past the deal's end",
        )
        .with_context(|| done.context("advancing the chain"))?;
        done.add("chain past the deal's end");
        let settled = escrow_client
            .settle(&alice, order_id)
            .await
            .with_context(|| done.context("settling"))?;
        done.add("settled");
        escrow_client
            .close_order(&alice, order_id)
            .await
            .with_context(|| done.context("closing the order"))?;
        done.add("order closed");

        let o = escrow_client.get_order(order_id).await?;
        let refunded: TokenAmount = o.funders.iter().map(|f| f.refunded.clone()).sum();
        let status = client
            .status(registry, escrow, root)
            .await
            .with_context(|| done.context("reading the status"))?;
        let funded_until = status.order.as_ref().map_or(-1, |o| o.funded_until);
        let elapsed = started.elapsed().as_secs_f64();
        let json = json!({
            "file": name,
            "cid": root.to_string(),
            "car_bytes": car.len(),
            "piece_cid": packed.piece.cid_v1().to_string(),
            "piece_size": packed.piece.padded_size,
            "registry": addr(&client, &registry),
            "escrow": addr(&client, &escrow),
            "order_id": order_id,
            "deal_id": deal_id,
            "provider": addr(&client, &miner),
            "funded": o.funded.atto().to_string(),
            "paid_to_provider": o.paid.atto().to_string(),
            "paid_halfway": halfway.paid.atto().to_string(),
            "paid_at_the_end": settled.paid.atto().to_string(),
            "refunded": refunded.atto().to_string(),
            "funded_until": funded_until,
            "status_during_the_deal": status_json(&client, &during),
            "status": status_json(&client, &status),
            "seconds": elapsed,
            "steps": done.json(),
        });
        let text = format!(
            "file          {name}\ncid           {root}\ncar           {} bytes\npiece cid     {} \
             ({} bytes padded)\nregistry      {}\nescrow        {}\norder         {order_id}: {} \
             per epoch for {DURATION} epochs; funded {} (client {}, sponsor {})\ndeal          \
             {deal_id} by miner {}, epochs {start}..{end}; settled halfway ({}) and at the \
             end ({})\npaid to the provider {}\nrefunded      {}\nfunded until  epoch \
             {funded_until}\n\nstatus(cid) halfway through the deal:\n{}\n\nstatus(cid) at the \
             end:\n{}\n\n{elapsed:.2} s",
            car.len(),
            packed.piece.cid_v1(),
            packed.piece.padded_size,
            addr(&client, &registry),
            addr(&client, &escrow),
            fil(&price),
            fil(&o.funded),
            fil(&full),
            fil(&sponsored),
            addr(&client, &miner),
            fil(&halfway.paid),
            fil(&settled.paid),
            fil(&o.paid),
            fil(&refunded),
            status_text(&client, &during),
            status_text(&client, &status),
        );
        anyhow::Ok((json, text))
    })??;
    drop(wait);
    drop(handle);
    emit(args.json, summary.0, || summary.1)
}
