//! [`Chain`] over HTTP JSON-RPC: a `filmark devnet` process, driven with Lotus' `Filecoin.*`
//! methods (and the devnet's `filmark_*`/`anvil_*` controls where Lotus has no equivalent).
//!
//! The process is the workspace's own `filmark` binary: [`Rpc::spawn`] builds it (a no-op when
//! it is fresh) into the target directory this test binary runs from, or takes the path in
//! `FILMARK_BIN`. It starts on a free loopback port with the `fast` market policy, as
//! [`filmark_devnet::DevnetConfig::test`], and is killed on drop.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::str::FromStr;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use cid::Cid;
use filmark_devnet::{DevnetKey, KeyKind};
use filmark_sdk::keys::json::{MessageJson, SignedMessageJson};
use filmark_sdk::keys::{Network, SecpKey, format_address, parse_address};
use fvm_ipld_encoding::RawBytes;
use fvm_shared::address::Address;
use fvm_shared::clock::ChainEpoch;
use fvm_shared::econ::TokenAmount;
use fvm_shared::error::ExitCode;
use fvm_shared::event::{ActorEvent, Entry, Flags, StampedEvent};
use fvm_shared::{ActorID, MethodNum};
use serde_json::{Value, json};

use crate::chain::{Chain, Error, Outcome, Result};

/// How long the process may take to print its RPC URL.
const START_TIMEOUT: Duration = Duration::from_secs(180);

/// A `filmark devnet` process and a JSON-RPC client of it.
#[derive(Debug)]
pub struct Rpc {
    child: Child,
    url: String,
    agent: ureq::Agent,
    chain_id: u64,
    f1: Vec<DevnetKey>,
    eth: Vec<DevnetKey>,
}

impl Drop for Rpc {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn rpc_err(what: impl std::fmt::Display) -> Error {
    Error::Rpc(what.to_string())
}

/// The `filmark` binary: `FILMARK_BIN`, or built next to this test binary's profile directory.
fn binary() -> Result<PathBuf> {
    static BIN: OnceLock<std::result::Result<PathBuf, String>> = OnceLock::new();
    BIN.get_or_init(|| {
        if let Some(bin) = std::env::var_os("FILMARK_BIN") {
            return Ok(PathBuf::from(bin));
        }
        // target/<profile>/deps/<test binary>
        let exe = std::env::current_exe().map_err(|e| e.to_string())?;
        let profile_dir = exe
            .parent()
            .and_then(|deps| deps.parent())
            .ok_or("no target directory above the test binary")?;
        let target = profile_dir.parent().ok_or("no target directory")?;
        let release = profile_dir.file_name().is_some_and(|n| n == "release");
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let mut build = Command::new(cargo);
        build
            .args(["build", "--quiet", "-p", "filmark-cli", "--bin", "filmark"])
            .env("CARGO_TARGET_DIR", target)
            .current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/.."));
        if release {
            build.arg("--release");
        }
        let status = build.status().map_err(|e| format!("running cargo: {e}"))?;
        if !status.success() {
            return Err(format!("cargo build -p filmark-cli failed: {status}"));
        }
        Ok(profile_dir.join(format!("filmark{}", std::env::consts::EXE_SUFFIX)))
    })
    .clone()
    .map_err(Error::Rpc)
}

impl Rpc {
    /// Starts `filmark devnet --port 0 --market-policy fast` and reads its startup text.
    ///
    /// # Errors
    /// [`Error::Rpc`] when the binary cannot be built or started, or prints no RPC URL in time.
    pub fn spawn() -> Result<Self> {
        let mut child = Command::new(binary()?)
            .args(["devnet", "--port", "0", "--market-policy", "fast"])
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .map_err(|e| rpc_err(format!("starting filmark devnet: {e}")))?;
        let stdout = child.stdout.take().ok_or_else(|| rpc_err("no stdout"))?;
        let mut lines = BufReader::new(stdout).lines();
        let deadline = Instant::now() + START_TIMEOUT;
        let mut text = String::new();
        while !text.contains("Listening on") {
            if Instant::now() > deadline {
                return Err(rpc_err(format!("no RPC URL in time: {text}")));
            }
            match lines.next() {
                Some(Ok(line)) => {
                    text.push_str(&line);
                    text.push('\n');
                }
                _ => return Err(rpc_err(format!("filmark devnet exited: {text}"))),
            }
        }
        let (url, chain_id, f1, eth) = parse_banner(&text)?;
        Ok(Self {
            child,
            url,
            agent: ureq::Agent::config_builder()
                .http_status_as_error(false)
                .build()
                .into(),
            chain_id,
            f1,
            eth,
        })
    }

    /// The HTTP URL served.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Calls `method` with `params`; its result.
    ///
    /// # Errors
    /// [`Error::Rpc`] for a transport failure or a JSON-RPC error (its code and message).
    pub fn request(&self, method: &str, params: Value) -> Result<Value> {
        let body = json!({"jsonrpc": "2.0", "id": 1, "method": method, "params": params});
        let mut resp = self
            .agent
            .post(&self.url)
            .header("Content-Type", "application/json")
            .send(body.to_string())
            .map_err(|e| rpc_err(format!("{method}: {e}")))?;
        let reply: Value = resp
            .body_mut()
            .with_config()
            .limit(64 << 20)
            .read_json()
            .map_err(|e| rpc_err(format!("{method}: {e}")))?;
        if let Some(e) = reply.get("error") {
            return Err(rpc_err(format!(
                "{method}: {} ({})",
                e["message"], e["code"]
            )));
        }
        Ok(reply["result"].clone())
    }

    fn receipt_outcome(&self, cid: Option<Cid>, height: Option<i64>, r: &Value) -> Result<Outcome> {
        let events = match r.get("EventsRoot").filter(|v| v.is_object()) {
            Some(root) => decode_events(&self.request("Filecoin.ChainGetEvents", json!([root]))?)?,
            None => Vec::new(),
        };
        Ok(Outcome {
            cid,
            height,
            exit_code: ExitCode::new(num(&r["ExitCode"])? as u32),
            return_data: RawBytes::new(b64(&r["Return"])?),
            gas_used: num(&r["GasUsed"])?,
            events,
            failure: None,
        })
    }
}

/// The URL, chain id and keys from `filmark devnet`'s startup text.
fn parse_banner(text: &str) -> Result<(String, u64, Vec<DevnetKey>, Vec<DevnetKey>)> {
    let mut kinds = Vec::new();
    let mut keys = Vec::new();
    let mut section = "";
    let mut chain_id = None;
    let mut url = None;
    for line in text.lines() {
        if let Some(u) = line.strip_prefix("RPC URL:") {
            url = Some(u.trim().to_owned());
        }
        if !line.starts_with('(') && !line.starts_with('=') && !line.is_empty() {
            if section == "Chain ID" && chain_id.is_none() {
                chain_id = line.trim().parse::<u64>().ok();
            }
            if !line.chars().next().is_some_and(|c| c.is_ascii_digit()) {
                section = line.trim();
            }
            continue;
        }
        let Some((_, rest)) = line.split_once(") ") else {
            continue;
        };
        let first = rest.split_whitespace().next().unwrap_or_default();
        match section {
            "Available Accounts" => kinds.push(if first.starts_with("t410") {
                KeyKind::Eth
            } else {
                KeyKind::Secp256k1
            }),
            "Private Keys" => keys.push(
                SecpKey::from_hex(first.trim_start_matches("0x"))
                    .map_err(|e| rpc_err(format!("private key: {e}")))?,
            ),
            _ => {}
        }
    }
    let (mut f1, mut eth) = (Vec::new(), Vec::new());
    for (kind, key) in kinds.into_iter().zip(keys) {
        match kind {
            KeyKind::Eth => eth.push(DevnetKey::new(kind, key)),
            _ => f1.push(DevnetKey::new(kind, key)),
        }
    }
    Ok((
        url.ok_or_else(|| rpc_err("no RPC URL in the startup text"))?,
        chain_id.ok_or_else(|| rpc_err("no chain id in the startup text"))?,
        f1,
        eth,
    ))
}

fn num(v: &Value) -> Result<u64> {
    v.as_u64()
        .ok_or_else(|| rpc_err(format!("not a number: {v}")))
}

fn b64(v: &Value) -> Result<Vec<u8>> {
    match v {
        Value::Null => Ok(Vec::new()),
        Value::String(s) => BASE64
            .decode(s)
            .map_err(|e| rpc_err(format!("base64: {e}"))),
        other => Err(rpc_err(format!("not base64: {other}"))),
    }
}

fn cid_of(v: &Value) -> Result<Cid> {
    v["/"]
        .as_str()
        .and_then(|s| Cid::from_str(s).ok())
        .ok_or_else(|| rpc_err(format!("not a CID: {v}")))
}

/// `ChainGetEvents`' answer as the FVM's stamped events.
fn decode_events(v: &Value) -> Result<Vec<StampedEvent>> {
    let list = v
        .as_array()
        .ok_or_else(|| rpc_err(format!("events: {v}")))?;
    list.iter()
        .map(|e| {
            let entries = e["Entries"]
                .as_array()
                .ok_or_else(|| rpc_err(format!("entries: {e}")))?
                .iter()
                .map(|en| {
                    Ok(Entry {
                        flags: Flags::from_bits_truncate(num(&en["Flags"])?),
                        key: en["Key"].as_str().unwrap_or_default().to_owned(),
                        codec: num(&en["Codec"])?,
                        value: b64(&en["Value"])?,
                    })
                })
                .collect::<Result<Vec<_>>>()?;
            Ok(StampedEvent::new(
                num(&e["Emitter"])?,
                ActorEvent::from(entries),
            ))
        })
        .collect()
}

fn t(a: &Address) -> String {
    format_address(a, Network::Testnet)
}

fn unsigned(
    from: &Address,
    to: &Address,
    value: &TokenAmount,
    method: MethodNum,
    params: &RawBytes,
    nonce: u64,
) -> Value {
    json!({
        "Version": 0, "To": t(to), "From": t(from), "Nonce": nonce, "Value": value.atto().to_string(),
        "GasLimit": 0, "GasFeeCap": "0", "GasPremium": "0", "Method": method,
        "Params": if params.is_empty() { Value::Null } else { json!(BASE64.encode(params.bytes())) },
    })
}

impl Chain for Rpc {
    fn name(&self) -> &'static str {
        "rpc"
    }

    fn chain_id(&self) -> Result<u64> {
        Ok(self.chain_id)
    }

    fn f1(&self, index: usize) -> Result<DevnetKey> {
        self.f1
            .get(index)
            .cloned()
            .ok_or_else(|| Error::NotFound(format!("f1 account {index}")))
    }

    fn eth(&self, index: usize) -> Result<DevnetKey> {
        self.eth
            .get(index)
            .cloned()
            .ok_or_else(|| Error::NotFound(format!("f410 account {index}")))
    }

    fn send(
        &self,
        from: &DevnetKey,
        to: &Address,
        value: TokenAmount,
        method: MethodNum,
        params: RawBytes,
    ) -> Result<Outcome> {
        let nonce = num(&self.request("Filecoin.MpoolGetNonce", json!([t(&from.address())]))?)?;
        let m = unsigned(&from.address(), to, &value, method, &params, nonce);
        let estimated = self.request("Filecoin.GasEstimateMessageGas", json!([m, null, null]))?;
        let message = serde_json::from_value::<MessageJson>(estimated)
            .map_err(rpc_err)?
            .to_message()
            .map_err(rpc_err)?;
        let signed = from.sign(message, self.chain_id)?;
        let body = SignedMessageJson::new(&signed, Network::Testnet);
        let pushed = cid_of(&self.request("Filecoin.MpoolPush", json!([body]))?)?;
        let lookup = self.request(
            "Filecoin.StateWaitMsg",
            json!([{"/": pushed.to_string()}, 1, -1, true]),
        )?;
        // Right after an instant devnet mined it, the lookup's tipset is the including one.
        let height = lookup["Height"].as_i64();
        self.receipt_outcome(Some(pushed), height, &lookup["Receipt"])
    }

    fn call(
        &self,
        from: &Address,
        to: &Address,
        method: MethodNum,
        params: RawBytes,
    ) -> Result<Outcome> {
        let m = unsigned(from, to, &TokenAmount::default(), method, &params, 0);
        let r = self.request("Filecoin.StateCall", json!([m, null]))?;
        let mut out = self.receipt_outcome(None, None, &r["MsgRct"])?;
        out.failure = r["Error"]
            .as_str()
            .filter(|e| !e.is_empty())
            .map(str::to_owned);
        Ok(out)
    }

    fn deploy_filmark(&self, from: &DevnetKey) -> Result<filmark_sdk::client::Deployment> {
        crate::chain::sdk_deploy(filmark_sdk::HttpTransport::new(&self.url)?, from)
    }

    fn mine(&self, n: u64) -> Result<ChainEpoch> {
        self.request("anvil_mine", json!([n]))?;
        self.epoch()
    }

    fn epoch(&self) -> Result<ChainEpoch> {
        self.request("Filecoin.ChainHead", json!([]))?["Height"]
            .as_i64()
            .ok_or_else(|| rpc_err("ChainHead without a height"))
    }

    fn balance(&self, addr: &Address) -> Result<TokenAmount> {
        let v = self.request("Filecoin.WalletBalance", json!([t(addr)]))?;
        let atto = v
            .as_str()
            .and_then(|s| fvm_shared::bigint::BigInt::from_str(s).ok());
        atto.map(TokenAmount::from_atto)
            .ok_or_else(|| rpc_err(format!("balance: {v}")))
    }

    fn lookup_id(&self, addr: &Address) -> Result<Option<ActorID>> {
        match self.request("Filecoin.StateLookupID", json!([t(addr), null])) {
            Ok(v) => {
                let a = parse_address(v.as_str().unwrap_or_default()).map_err(rpc_err)?;
                Ok(a.id().ok())
            }
            Err(Error::Rpc(e)) if e.contains("actor not found") => Ok(None),
            Err(e) => Err(e),
        }
    }

    fn delegated_address(&self, id: ActorID) -> Result<Option<Address>> {
        match self.request("Filecoin.StateGetActor", json!([format!("t0{id}"), null])) {
            Ok(a) => match a["DelegatedAddress"].as_str() {
                Some(s) => Ok(Some(parse_address(s).map_err(rpc_err)?)),
                None => Ok(None),
            },
            Err(Error::Rpc(e)) if e.contains("actor not found") => Ok(None),
            Err(e) => Err(e),
        }
    }

    fn state_root(&self, addr: &Address) -> Result<Cid> {
        match self.request("Filecoin.StateGetActor", json!([t(addr), null])) {
            Ok(a) => cid_of(&a["Head"]),
            Err(Error::Rpc(e)) if e.contains("actor not found") => {
                Err(Error::NotFound(format!("actor {addr}")))
            }
            Err(e) => Err(e),
        }
    }

    fn read_block(&self, cid: &Cid) -> Result<Option<Vec<u8>>> {
        let c = json!({"/": cid.to_string()});
        if self.request("Filecoin.ChainHasObj", json!([c]))? != json!(true) {
            return Ok(None);
        }
        Ok(Some(b64(
            &self.request("Filecoin.ChainReadObj", json!([c]))?
        )?))
    }

    fn activate_deals(&self, ids: &[u64]) -> Result<()> {
        self.request("filmark_activateDeals", json!([ids]))?;
        Ok(())
    }

    fn terminate_deals(&self, ids: &[u64]) -> Result<()> {
        self.request("filmark_terminateDeals", json!([ids]))?;
        Ok(())
    }

    fn settle_deal_payments(
        &self,
        ids: &[u64],
    ) -> Result<filmark_devnet_actors::market::SettleDealPaymentsReturn> {
        let r = self.request("filmark_settleDealPayments", json!([ids]))?;
        fvm_ipld_encoding::from_slice(&b64(&r["Return"])?).map_err(|e| Error::Decode {
            what: "SettleDealPaymentsReturn".into(),
            reason: e.to_string(),
        })
    }

    fn advance_epochs(&self, n: u64) -> Result<ChainEpoch> {
        self.request("filmark_advanceEpochs", json!([n]))?
            .as_i64()
            .ok_or_else(|| rpc_err("filmark_advanceEpochs without a height"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn it_reads_the_startup_text() {
        let text = "filmark devnet 0.1.0\n\nAvailable Accounts\n==================\n\
            (0) t1abc  t0100  (1 FIL)\n(1) t410fxyz  0xab  t0101  (1 FIL)\n\nPrivate Keys\n\
            ==================\n(0) 0x0101010101010101010101010101010101010101010101010101010101010101\n\
            (1) 0x0202020202020202020202020202020202020202020202020202020202020202\n\nChain ID\n\
            ==================\n314159\n\nRPC URL:   http://127.0.0.1:5/rpc/v1\nListening on 127.0.0.1:5\n";
        let (url, chain_id, f1, eth) = parse_banner(text).unwrap();
        assert_eq!(
            (url.as_str(), chain_id),
            ("http://127.0.0.1:5/rpc/v1", 314_159)
        );
        assert_eq!((f1.len(), eth.len()), (1, 1));
        assert_eq!(eth[0].kind(), KeyKind::Eth);
        assert_eq!(
            f1[0].address(),
            SecpKey::from_bytes(&[1; 32]).unwrap().f1_address()
        );
    }
}
