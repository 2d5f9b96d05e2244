//! The call tree of one message, built from the FVM's execution trace (the `Call`,
//! `InvokeActor`, `CallReturn` and `CallError` events it records when tracing is enabled), in the
//! shape Lotus' `ExecutionTrace` reports: each send with its receipt and its own sends nested.

use fvm::trace::ExecutionEvent;
use fvm_shared::address::Address;
use fvm_shared::econ::TokenAmount;
use fvm_shared::error::{ErrorNumber, ExitCode};
use fvm_shared::state::ActorState;
use fvm_shared::{ActorID, MethodNum};

/// Params or a return value as the FVM passed them: the IPLD codec and the bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TraceBlock {
    /// The IPLD codec (`0x51` DAG-CBOR, `0x55` raw ...).
    pub codec: u64,
    /// The encoded bytes.
    pub data: Vec<u8>,
}

/// One send in a call tree: the message the FVM dispatched, the actor it invoked, its outcome
/// and the sends it made in turn.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct CallTrace {
    /// The sending actor.
    pub from: ActorID,
    /// The recipient, as the sender named it.
    pub to: Address,
    /// The value sent.
    pub value: TokenAmount,
    /// The method.
    pub method: MethodNum,
    /// The params, if any.
    pub params: Option<TraceBlock>,
    /// The gas limit the send carried.
    pub gas_limit: u64,
    /// Whether the send was read-only.
    pub read_only: bool,
    /// The actor invoked (its id and state when invoked); `None` if none was (a send that
    /// failed before dispatch).
    pub invoked: Option<(ActorID, ActorState)>,
    /// The exit code. A send the FVM could not dispatch at all has the exit code it maps to on
    /// chain: insufficient funds, invalid receiver, or an assertion failure for anything else.
    pub exit_code: ExitCode,
    /// The return value, if any.
    pub return_data: Option<TraceBlock>,
    /// The sends this one made, in order.
    pub subcalls: Vec<Self>,
}

fn block(b: Option<&fvm_ipld_encoding::ipld_block::IpldBlock>) -> Option<TraceBlock> {
    b.map(|b| TraceBlock {
        codec: b.codec,
        data: b.data.clone(),
    })
}

/// The call tree of `events` (one message's trace); `None` if they hold no call.
pub(crate) fn call_tree(events: &[ExecutionEvent]) -> Option<CallTrace> {
    let mut stack: Vec<CallTrace> = Vec::new();
    let mut root = None;
    let mut finish = |stack: &mut Vec<CallTrace>, exit_code, return_data| {
        let Some(mut done) = stack.pop() else { return };
        done.exit_code = exit_code;
        done.return_data = return_data;
        match stack.last_mut() {
            Some(parent) => parent.subcalls.push(done),
            None => root = Some(done),
        }
    };
    for event in events {
        match event {
            ExecutionEvent::Call {
                from,
                to,
                method,
                params,
                value,
                gas_limit,
                read_only,
            } => stack.push(CallTrace {
                from: *from,
                to: *to,
                value: value.clone(),
                method: *method,
                params: block(params.as_ref()),
                gas_limit: *gas_limit,
                read_only: *read_only,
                invoked: None,
                exit_code: ExitCode::OK,
                return_data: None,
                subcalls: Vec::new(),
            }),
            ExecutionEvent::InvokeActor { id, state } => {
                if let Some(current) = stack.last_mut() {
                    current.invoked = Some((*id, state.clone()));
                }
            }
            ExecutionEvent::CallReturn(code, ret) => finish(&mut stack, *code, block(ret.as_ref())),
            ExecutionEvent::CallError(err) => {
                let code = match err.1 {
                    ErrorNumber::InsufficientFunds => ExitCode::SYS_INSUFFICIENT_FUNDS,
                    ErrorNumber::NotFound => ExitCode::SYS_INVALID_RECEIVER,
                    _ => ExitCode::SYS_ASSERTION_FAILED,
                };
                finish(&mut stack, code, None);
            }
            _ => {}
        }
    }
    // A trace cut short (an aborted message) still shows the calls that started.
    while !stack.is_empty() {
        finish(&mut stack, ExitCode::SYS_ASSERTION_FAILED, None);
    }
    root
}

#[cfg(test)]
mod tests {
    use super::*;
    use fvm::kernel::SyscallError;

    fn call(from: ActorID, to: u64) -> ExecutionEvent {
        ExecutionEvent::Call {
            from,
            to: Address::new_id(to),
            method: 2,
            params: None,
            value: TokenAmount::from_atto(1),
            gas_limit: 10,
            read_only: false,
        }
    }

    #[test]
    fn it_nests_sends_under_their_caller() {
        let events = vec![
            call(100, 200),
            call(200, 300),
            ExecutionEvent::CallReturn(ExitCode::new(17), None),
            call(200, 400),
            ExecutionEvent::CallError(SyscallError::new(ErrorNumber::NotFound, "no actor")),
            ExecutionEvent::CallReturn(ExitCode::OK, None),
        ];
        let tree = call_tree(&events).unwrap();
        assert_eq!(tree.to, Address::new_id(200));
        assert_eq!(tree.exit_code, ExitCode::OK);
        assert_eq!(tree.subcalls.len(), 2);
        assert_eq!(tree.subcalls[0].exit_code, ExitCode::new(17));
        assert_eq!(tree.subcalls[0].from, 200);
        assert_eq!(tree.subcalls[1].to, Address::new_id(400));
        assert_eq!(tree.subcalls[1].exit_code, ExitCode::SYS_INVALID_RECEIVER);
        assert!(call_tree(&[]).is_none());
    }
}
