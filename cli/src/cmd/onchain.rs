//! The on-chain commands: `deploy`, `register`, `escrow …`, `status`, `demo`.

use std::path::Path;
use std::str::FromStr as _;

use anyhow::{Context as _, bail};
use cid::Cid;
use filmark_sdk::content::{Options, Packed, file};
use filmark_sdk::keys::{KeyInfo, parse_address};
use fvm_shared::address::Address;
use fvm_shared::econ::TokenAmount;

use crate::args::{
    ActorArgs, ChainArgs, DemoArgs, DeployArgs, EscrowCommand, RegisterArgs, StatusArgs,
};
use crate::keystore;
use crate::output::{Bar, parse_fil};

/// What `register` registers: a packed file or a bare CID.
#[derive(Debug)]
enum Target {
    Packed(Packed),
    Cid(Cid),
}

/// A file or directory is packed (its CAR written to `car`, or dropped); otherwise the text
/// must be a CID.
fn target(text: &str, car: Option<&Path>) -> anyhow::Result<Target> {
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
        return Ok(Target::Packed(packed));
    }
    match Cid::from_str(text) {
        Ok(cid) => Ok(Target::Cid(cid)),
        Err(_) => match std::fs::metadata(path) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                Err(anyhow::Error::new(e).context(format!("cannot read {text}")))
            }
            _ => bail!("{text}: no such file, and not a CID"),
        },
    }
}

fn address(what: &str, text: &str) -> anyhow::Result<Address> {
    parse_address(text.trim()).with_context(|| format!("--{what}"))
}

fn cid(what: &str, text: &str) -> anyhow::Result<Cid> {
    Cid::from_str(text.trim()).with_context(|| format!("{what} {text:?} is not a CID"))
}

/// The registry and escrow addresses: flags, else the deployment file.
#[derive(Debug)]
struct Actors {
    registry: Option<Address>,
    escrow: Option<Address>,
}

impl Actors {
    fn new(args: &ActorArgs) -> anyhow::Result<Self> {
        let file: serde_json::Value = match &args.deployment {
            Some(path) => {
                let text = std::fs::read_to_string(path)
                    .with_context(|| format!("cannot read {}", path.display()))?;
                serde_json::from_str(&text).with_context(|| {
                    format!("{} is not a deployment file (JSON)", path.display())
                })?
            }
            None => serde_json::Value::Null,
        };
        let pick = |name: &str, flag: &Option<String>| -> anyhow::Result<Option<Address>> {
            match flag.as_deref().or_else(|| file[name].as_str()) {
                Some(text) => address(name, text).map(Some),
                None => Ok(None),
            }
        };
        Ok(Self {
            registry: pick("registry", &args.registry)?,
            escrow: pick("escrow", &args.escrow)?,
        })
    }

    fn registry(&self) -> anyhow::Result<Address> {
        self.registry.context(
            "no registry: give --registry ADDR or --deployment FILE (from `filmark deploy --out`)",
        )
    }

    fn escrow(&self) -> anyhow::Result<Address> {
        self.escrow.context(
            "no escrow: give --escrow ADDR or --deployment FILE (from `filmark deploy --out`)",
        )
    }
}

/// The sender's key and the node: checked before anything is sent.
fn sender(chain: &ChainArgs) -> anyhow::Result<KeyInfo> {
    if !(chain.timeout.is_finite() && chain.timeout > 0.0) {
        bail!("--timeout {}: a positive number of seconds", chain.timeout);
    }
    keystore::sender(chain)
}

/// Until the SDK's clients are merged, the on-chain part of each command stops here.
fn not_wired(what: &str) -> anyhow::Result<()> {
    bail!("{what}: the SDK's network clients are not in this build yet")
}

pub(crate) fn deploy(args: &DeployArgs) -> anyhow::Result<()> {
    let _key = sender(&args.chain)?;
    not_wired("deploy")
}

pub(crate) fn register(args: &RegisterArgs) -> anyhow::Result<()> {
    let actors = Actors::new(&args.actors)?;
    let _key = sender(&args.chain)?;
    let _registry = actors.registry()?;
    let _target = target(&args.target, args.car.as_deref())?;
    not_wired("register")
}

pub(crate) fn escrow(cmd: EscrowCommand) -> anyhow::Result<()> {
    let (actors, chain) = match &cmd {
        EscrowCommand::Deposit(a) | EscrowCommand::Withdraw(a) => {
            let _amount: TokenAmount = parse_fil(&a.amount)?;
            (&a.actors, &a.chain)
        }
        EscrowCommand::Order(a) => {
            let _piece = cid("--piece", &a.piece)?;
            let _price = parse_fil(&a.price)?;
            for p in &a.providers {
                address("provider", p)?;
            }
            if let Some(c) = &a.content {
                cid("--content", c)?;
            }
            (&a.actors, &a.chain)
        }
        EscrowCommand::Fund(a) => {
            parse_fil(&a.amount)?;
            if let Some(x) = &a.from_available {
                parse_fil(x)?;
            }
            (&a.actors, &a.chain)
        }
        EscrowCommand::Bind(a) => (&a.actors, &a.chain),
        EscrowCommand::Settle(a) | EscrowCommand::Close(a) => (&a.actors, &a.chain),
        EscrowCommand::Show(a) => {
            if let Some(x) = &a.account {
                address("account", x)?;
            }
            (&a.actors, &a.chain)
        }
    };
    let _escrow = Actors::new(actors)?.escrow()?;
    let _key = sender(chain)?;
    not_wired("escrow")
}

pub(crate) fn status(args: &StatusArgs) -> anyhow::Result<()> {
    let _cid = cid("CID", &args.cid)?;
    let _registry = Actors::new(&args.actors)?.registry()?;
    not_wired("status")
}

pub(crate) fn demo(_args: &DemoArgs) -> anyhow::Result<()> {
    not_wired("demo")
}
