//! Counters in actor state (sequence numbers, ids, totals) move with checked arithmetic: an
//! overflow is an error with an exit code, never a trap.

use crate::ActorError;

/// Adds one to `counter` and returns the new value.
///
/// # Errors
/// `USR_ILLEGAL_STATE`, naming the counter, when it is already `u64::MAX` (`counter` is then
/// unchanged).
pub fn increment(counter: &mut u64, name: &str) -> Result<u64, ActorError> {
    *counter = counter.checked_add(1).ok_or_else(|| overflow(name))?;
    Ok(*counter)
}

/// Takes the next id from `next_id`: returns its value and adds one to it.
///
/// # Errors
/// As [`increment`].
pub fn take_id(next_id: &mut u64, name: &str) -> Result<u64, ActorError> {
    let id = *next_id;
    increment(next_id, name)?;
    Ok(id)
}

#[cold]
#[inline(never)]
fn overflow(name: &str) -> ActorError {
    ActorError::illegal_state(format!("counter {name} is at u64::MAX and cannot grow"))
}

#[cfg(test)]
mod tests {
    use fvm_shared::error::ExitCode;

    use super::*;

    #[test]
    fn counters_grow_by_one_and_stop_with_an_error_at_the_top() {
        let mut n = 0;
        assert_eq!(increment(&mut n, "seq").unwrap(), 1);
        assert_eq!(take_id(&mut n, "next_id").unwrap(), 1);
        assert_eq!(n, 2);
        let mut top = u64::MAX;
        let e = increment(&mut top, "seq").unwrap_err();
        assert_eq!(e.exit_code(), ExitCode::USR_ILLEGAL_STATE);
        assert_eq!(e.msg(), "counter seq is at u64::MAX and cannot grow");
        assert_eq!(top, u64::MAX);
        let e = take_id(&mut top, "next_id").unwrap_err();
        assert_eq!(e.msg(), "counter next_id is at u64::MAX and cannot grow");
    }
}
