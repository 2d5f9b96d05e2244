//! Collects invariant violations, as `check_state_invariants` functions report them.

use std::cell::RefCell;
use std::fmt::Display;

/// Accumulates messages about broken invariants instead of failing on the first one.
#[derive(Debug, Default)]
pub struct MessageAccumulator {
    msgs: RefCell<Vec<String>>,
}

impl MessageAccumulator {
    /// Records a violation.
    pub fn add(&self, msg: impl Display) {
        self.msgs.borrow_mut().push(msg.to_string());
    }

    /// Records `msg` unless `predicate` holds.
    pub fn require(&self, predicate: bool, msg: impl Display) {
        if !predicate {
            self.add(msg);
        }
    }

    /// Records the error of a failed result, with context.
    pub fn require_ok<T, E: Display>(
        &self,
        result: Result<T, E>,
        context: impl Display,
    ) -> Option<T> {
        match result {
            Ok(v) => Some(v),
            Err(e) => {
                self.add(format!("{context}: {e}"));
                None
            }
        }
    }

    /// True when no violation was recorded.
    pub fn is_empty(&self) -> bool {
        self.msgs.borrow().is_empty()
    }

    /// The recorded violations.
    pub fn messages(&self) -> Vec<String> {
        self.msgs.borrow().clone()
    }

    /// Panics, listing every violation, if any was recorded (for tests).
    ///
    /// # Panics
    /// When a violation was recorded.
    pub fn assert_empty(&self) {
        let msgs = self.msgs.borrow();
        assert!(
            msgs.is_empty(),
            "state invariants broken:\n  {}",
            msgs.join("\n  ")
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn collects_violations() {
        let acc = MessageAccumulator::default();
        acc.require(true, "fine");
        assert!(acc.is_empty());
        acc.require(false, "count mismatch");
        let _ = acc.require_ok(Err::<(), _>("boom"), "loading");
        assert_eq!(
            acc.messages(),
            vec!["count mismatch".to_string(), "loading: boom".into()]
        );
    }
}
