//! Gas breakdowns: a message's FVM gas charges summed by charge name. Opt-in
//! ([`crate::DevnetConfig::with_gas_tracing`], [`crate::Devnet::set_gas_tracing`]): the FVM then
//! records every charge of the message (its `MachineContext::tracing`), which costs time but no
//! gas.

use std::fmt;

use fvm::trace::{ExecutionEvent, ExecutionTrace};
use fvm_ipld_encoding::tuple::*;

/// The charges of one name in a message's execution (all amounts in milligas, the FVM's unit of
/// account; receipts round the sum up to gas).
#[derive(Debug, Clone, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct GasLine {
    /// The FVM's charge name: `OnChainMessage`, `OnMethodInvocation`, `wasm_exec`, `OnSyscall`,
    /// `OnBlockOpenBase`, `OnBlockOpen`, `OnBlockRead`, `OnBlockCreate`, `OnBlockLink`,
    /// `OnActorUpdate`, `OnHashing`, `OnActorEvent`, ... (see the FVM's `gas::price_list`).
    pub name: String,
    /// How many charges had this name.
    pub count: u64,
    /// Compute gas charged under this name, in milligas.
    pub compute_milligas: u64,
    /// The rest (storage, memory retention, deferred compute), in milligas.
    pub other_milligas: u64,
}

impl GasLine {
    /// Compute plus other gas, in milligas.
    pub const fn total_milligas(&self) -> u64 {
        self.compute_milligas.saturating_add(self.other_milligas)
    }
}

/// A message's gas by FVM charge name, in the order each name was first charged.
///
/// For a message that did not run out of gas, [`GasBreakdown::total_gas`] equals the receipt's
/// `gas_used`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct GasBreakdown {
    /// One line per charge name.
    pub lines: Vec<GasLine>,
}

impl GasBreakdown {
    /// Sums the gas charges of an FVM execution trace by name. The zero charge the FVM records
    /// as `none` for implicit messages (no inclusion cost) is left out.
    pub(crate) fn from_trace(trace: &ExecutionTrace) -> Self {
        let mut lines: Vec<GasLine> = Vec::new();
        for event in trace {
            let ExecutionEvent::GasCharge(charge) = event else {
                continue;
            };
            let (compute, other) = (
                charge.compute_gas.as_milligas(),
                charge.other_gas.as_milligas(),
            );
            if charge.name == "none" && compute == 0 && other == 0 {
                continue;
            }
            let line = match lines.iter().position(|l| l.name == charge.name) {
                Some(i) => &mut lines[i],
                None => {
                    lines.push(GasLine {
                        name: charge.name.to_string(),
                        count: 0,
                        compute_milligas: 0,
                        other_milligas: 0,
                    });
                    lines.last_mut().expect("just pushed")
                }
            };
            line.count += 1;
            line.compute_milligas = line.compute_milligas.saturating_add(compute);
            line.other_milligas = line.other_milligas.saturating_add(other);
        }
        Self { lines }
    }

    /// The line of charges named `name`, if any.
    pub fn get(&self, name: &str) -> Option<&GasLine> {
        self.lines.iter().find(|l| l.name == name)
    }

    /// The sum of every charge, in milligas.
    pub fn total_milligas(&self) -> u64 {
        self.lines
            .iter()
            .fold(0, |sum, l| sum.saturating_add(l.total_milligas()))
    }

    /// The sum of every charge in gas, rounded up as the FVM rounds a receipt's `gas_used`.
    pub fn total_gas(&self) -> u64 {
        self.total_milligas().div_ceil(1000)
    }
}

/// One line per charge name, largest first: name, count, gas, share of the total.
impl fmt::Display for GasBreakdown {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let total = self.total_milligas().max(1);
        let mut lines: Vec<&GasLine> = self.lines.iter().collect();
        lines.sort_by_key(|l| std::cmp::Reverse(l.total_milligas()));
        for l in lines {
            writeln!(
                f,
                "{:<22} {:>6} x {:>12} gas {:>5.1}%",
                l.name,
                l.count,
                l.total_milligas().div_ceil(1000),
                l.total_milligas() as f64 * 100.0 / total as f64
            )?;
        }
        write!(
            f,
            "{:<22} {:>6}   {:>12} gas",
            "total",
            "",
            self.total_gas()
        )
    }
}

#[cfg(test)]
mod tests {
    use fvm::gas::{Gas, GasCharge};

    use super::*;

    fn charge(name: &'static str, compute: u64, other: u64) -> ExecutionEvent {
        ExecutionEvent::GasCharge(GasCharge::new(
            name,
            Gas::from_milligas(compute),
            Gas::from_milligas(other),
        ))
    }

    #[test]
    fn it_sums_charges_by_name_in_first_charge_order() {
        let trace = vec![
            charge("none", 0, 0),
            charge("OnChainMessage", 1_500, 0),
            charge("wasm_exec", 400, 0),
            ExecutionEvent::Log("not a charge".into()),
            charge("OnBlockLink", 1_000, 2_000),
            charge("wasm_exec", 101, 0),
        ];
        let b = GasBreakdown::from_trace(&trace);
        let names: Vec<_> = b.lines.iter().map(|l| l.name.as_str()).collect();
        assert_eq!(names, ["OnChainMessage", "wasm_exec", "OnBlockLink"]);
        let wasm = b.get("wasm_exec").unwrap();
        assert_eq!((wasm.count, wasm.total_milligas()), (2, 501));
        assert_eq!(b.get("OnBlockLink").unwrap().other_milligas, 2_000);
        assert_eq!(b.total_milligas(), 5_001);
        assert_eq!(b.total_gas(), 6, "rounded up like gas_used");
        assert!(b.to_string().starts_with("OnBlockLink"));
        assert!(b.to_string().ends_with("6 gas"));
    }
}
