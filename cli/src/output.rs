//! Progress bars, amounts in FIL and printing (text, or `--json`).

use std::io::{IsTerminal, Write as _};

use anyhow::Context as _;
use fvm_shared::econ::TokenAmount;
use indicatif::{ProgressBar, ProgressStyle};
use serde_json::Value;

/// A byte progress bar on stderr, hidden unless stderr is a terminal.
pub(crate) struct Bar(ProgressBar);

impl Bar {
    pub(crate) fn new(label: &'static str) -> Self {
        let bar = if std::io::stderr().is_terminal() {
            let bar = ProgressBar::no_length();
            bar.set_style(
                ProgressStyle::with_template(
                    "{prefix} [{bar:30}] {bytes}/{total_bytes} {binary_bytes_per_sec} {eta}",
                )
                .expect("valid template")
                .progress_chars("=> "),
            );
            bar.set_prefix(label);
            bar
        } else {
            ProgressBar::hidden()
        };
        Self(bar)
    }

    /// The callback for the SDK.
    pub(crate) fn callback(&self) -> impl FnMut(u64, Option<u64>) + '_ {
        |done, total| {
            if let Some(t) = total {
                self.0.set_length(t);
            }
            self.0.set_position(done);
        }
    }
}

impl Drop for Bar {
    fn drop(&mut self) {
        self.0.finish_and_clear();
    }
}

/// A spinner on stderr while waiting (for the node, for a message to be mined), hidden unless
/// stderr is a terminal; cleared when dropped.
pub(crate) struct Waiting(ProgressBar);

impl Waiting {
    pub(crate) fn new(what: impl Into<std::borrow::Cow<'static, str>>) -> Self {
        let bar = if std::io::stderr().is_terminal() {
            let bar = ProgressBar::new_spinner();
            bar.set_style(
                ProgressStyle::with_template("{spinner} {msg} {elapsed}").expect("valid template"),
            );
            bar.set_message(what);
            bar.enable_steady_tick(std::time::Duration::from_millis(100));
            bar
        } else {
            ProgressBar::hidden()
        };
        Self(bar)
    }

    /// Says what is being waited for now.
    pub(crate) fn set(&self, what: impl Into<std::borrow::Cow<'static, str>>) {
        self.0.set_message(what);
    }
}

impl Drop for Waiting {
    fn drop(&mut self) {
        self.0.finish_and_clear();
    }
}

/// An amount in FIL, as fvm_shared writes it (`1.5 FIL`, `0.000000000000000001 FIL`).
pub(crate) fn fil(amount: &TokenAmount) -> String {
    format!("{amount} FIL")
}

/// An amount given on the command line: FIL as a decimal (`1.5`, `2 FIL`) or attoFIL with the
/// suffix `attofil` (`1500attofil`).
pub(crate) fn parse_fil(text: &str) -> anyhow::Result<TokenAmount> {
    let t = text.trim();
    let lower = t.to_ascii_lowercase();
    let bad =
        || anyhow::anyhow!("{text:?} is not an amount: FIL as `1.5`, or attoFIL as `15attofil`");
    if let Some(atto) = lower.strip_suffix("attofil") {
        let atto: u128 = atto.trim().parse().map_err(|_| bad())?;
        return Ok(TokenAmount::from_atto(atto));
    }
    let number = lower.strip_suffix("fil").unwrap_or(&lower).trim();
    let (whole, frac) = number.split_once('.').unwrap_or((number, ""));
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if whole.is_empty() && frac.is_empty()
        || !digits(whole)
        || !digits(frac)
        || frac.len() > TokenAmount::DECIMALS
    {
        return Err(bad());
    }
    let scaled = format!("{whole}{frac:0<width$}", width = TokenAmount::DECIMALS);
    let atto: u128 = scaled.parse().map_err(|_| bad())?;
    Ok(TokenAmount::from_atto(atto))
}

/// Prints a command's result on stdout: `value` as one JSON line with `--json`, else `text`.
pub(crate) fn emit(json: bool, value: Value, text: impl FnOnce() -> String) -> anyhow::Result<()> {
    print_to(json, false, value, text)
}

/// [`emit`], on stderr when `stderr` (stdout carries a CAR).
pub(crate) fn print_to(
    json: bool,
    stderr: bool,
    value: Value,
    text: impl FnOnce() -> String,
) -> anyhow::Result<()> {
    let line = if json { value.to_string() } else { text() };
    if stderr {
        writeln!(std::io::stderr(), "{line}").context("cannot write to stderr")
    } else {
        writeln!(std::io::stdout(), "{line}").context("cannot write to stdout")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_parse_in_fil_and_attofil_and_print_in_fil() {
        let cases = [
            ("1", 1_000_000_000_000_000_000u128),
            ("1.5", 1_500_000_000_000_000_000),
            ("0.000000000000000001", 1),
            (".25 FIL", 250_000_000_000_000_000),
            ("2fil", 2_000_000_000_000_000_000),
            ("15attofil", 15),
        ];
        for (text, atto) in cases {
            assert_eq!(
                parse_fil(text).unwrap(),
                TokenAmount::from_atto(atto),
                "{text}"
            );
        }
        for bad in ["", ".", "-1", "1e3", "0.0000000000000000001", "x", "1.2.3"] {
            assert!(parse_fil(bad).is_err(), "{bad:?}");
        }
        assert_eq!(
            fil(&TokenAmount::from_atto(1_500_000_000_000_000_000u128)),
            "1.5 FIL"
        );
        assert_eq!(fil(&TokenAmount::from_whole(2)), "2.0 FIL");
    }
}
