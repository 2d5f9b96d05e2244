//! `FakeRuntime`: an in-memory [`Runtime`] for native actor tests.
//!
//! It mirrors the FVM where tests depend on it: a failed call rolls back state, balance and
//! events; value received is added to the balance; sends must have been announced with
//! [`FakeRuntime::expect_send`] and are checked field by field; in a read-only call a state
//! write, a value transfer or an event fails with `USR_READ_ONLY`, as the FVM refuses the
//! syscall (a value send with the read-only flag too).

use std::cell::{Cell, RefCell};
use std::collections::{HashMap, HashSet, VecDeque};

use cid::Cid;
use fvm_ipld_blockstore::MemoryBlockstore;
use fvm_ipld_encoding::ipld_block::IpldBlock;
use fvm_shared::address::Address;
use fvm_shared::clock::ChainEpoch;
use fvm_shared::econ::TokenAmount;
use fvm_shared::error::{ErrorNumber, ExitCode};
use fvm_shared::event::ActorEvent;
use fvm_shared::{ActorID, MethodNum, Response};

use crate::{ActorError, Runtime};

/// A send the test expects the actor to make, and what it returns.
#[derive(Clone, Debug)]
pub struct ExpectedSend {
    /// Recipient, as the actor addresses it.
    pub to: Address,
    /// Method number.
    pub method: MethodNum,
    /// Parameters, compared exactly.
    pub params: Option<IpldBlock>,
    /// Value sent.
    pub value: TokenAmount,
    /// Whether the actor must send it read-only.
    pub read_only: bool,
    /// Exit code the callee ends with.
    pub exit_code: ExitCode,
    /// Return data from the callee.
    pub return_data: Option<IpldBlock>,
}

impl ExpectedSend {
    /// A successful send with no value, not read-only.
    pub fn new(to: Address, method: MethodNum, params: Option<IpldBlock>) -> Self {
        Self {
            to,
            method,
            params,
            value: TokenAmount::from_atto(0),
            read_only: false,
            exit_code: ExitCode::OK,
            return_data: None,
        }
    }

    /// Sets the value.
    #[must_use]
    pub fn value(mut self, value: TokenAmount) -> Self {
        self.value = value;
        self
    }

    /// Marks the send as read-only.
    #[must_use]
    pub const fn read_only(mut self) -> Self {
        self.read_only = true;
        self
    }

    /// Sets what the callee returns.
    #[must_use]
    pub fn returns(mut self, exit_code: ExitCode, return_data: Option<IpldBlock>) -> Self {
        self.exit_code = exit_code;
        self.return_data = return_data;
        self
    }
}

/// A send the actor made (kept for assertions).
#[derive(Clone, Debug, PartialEq)]
pub struct SentMessage {
    /// Recipient.
    pub to: Address,
    /// Method number.
    pub method: MethodNum,
    /// Value sent.
    pub value: TokenAmount,
    /// Exit code the (fake) callee returned.
    pub exit_code: ExitCode,
}

/// An in-memory runtime for one actor.
#[derive(Debug)]
pub struct FakeRuntime {
    store: MemoryBlockstore,
    receiver: ActorID,
    caller: Cell<ActorID>,
    value_received: RefCell<TokenAmount>,
    epoch: Cell<ChainEpoch>,
    balance: RefCell<TokenAmount>,
    state_root: RefCell<Option<Cid>>,
    read_only: Cell<bool>,
    ids: RefCell<HashMap<Address, ActorID>>,
    delegated: RefCell<HashMap<ActorID, Address>>,
    expected_sends: RefCell<VecDeque<ExpectedSend>>,
    sent: RefCell<Vec<SentMessage>>,
    events: RefCell<Vec<(ActorID, ActorEvent)>>,
    linked_ok: RefCell<HashSet<Cid>>,
}

impl FakeRuntime {
    /// A runtime for the actor `receiver`, at epoch 0 with no balance.
    pub fn new(receiver: ActorID) -> Self {
        Self {
            store: MemoryBlockstore::default(),
            receiver,
            caller: Cell::new(0),
            value_received: RefCell::new(TokenAmount::from_atto(0)),
            epoch: Cell::new(0),
            balance: RefCell::new(TokenAmount::from_atto(0)),
            state_root: RefCell::new(None),
            read_only: Cell::new(false),
            ids: RefCell::new(HashMap::new()),
            delegated: RefCell::new(HashMap::new()),
            expected_sends: RefCell::new(VecDeque::new()),
            sent: RefCell::new(Vec::new()),
            events: RefCell::new(Vec::new()),
            linked_ok: RefCell::new(HashSet::new()),
        }
    }

    /// Sets the immediate caller for the next calls.
    pub fn set_caller(&self, id: ActorID) {
        self.caller.set(id);
    }

    /// Sets the value the next call receives (added to the balance when the call starts).
    pub fn set_value(&self, value: TokenAmount) {
        *self.value_received.borrow_mut() = value;
    }

    /// Sets the current epoch.
    pub fn set_epoch(&self, epoch: ChainEpoch) {
        self.epoch.set(epoch);
    }

    /// Sets the actor's balance.
    pub fn set_balance(&self, balance: TokenAmount) {
        *self.balance.borrow_mut() = balance;
    }

    /// Makes the next calls read-only (as the market's `AuthenticateMessage` call is).
    pub fn set_read_only(&self, read_only: bool) {
        self.read_only.set(read_only);
    }

    /// Registers a non-ID address (f1, f2, f3, f4) for an actor.
    pub fn add_id_address(&self, addr: Address, id: ActorID) {
        self.ids.borrow_mut().insert(addr, id);
    }

    /// Registers an Ethereum account: `eth` is its f410 address.
    pub fn add_eth_account(&self, id: ActorID, eth: [u8; 20]) -> Address {
        let addr = crate::abi::f410_address(&eth);
        self.add_id_address(addr, id);
        self.delegated.borrow_mut().insert(id, addr);
        addr
    }

    /// Announces a send the actor must make next.
    pub fn expect_send(&self, send: ExpectedSend) {
        self.expected_sends.borrow_mut().push_back(send);
    }

    /// Checks that every announced send was made.
    ///
    /// # Panics
    /// When announced sends remain.
    pub fn verify(&self) {
        let left = self.expected_sends.borrow();
        assert!(left.is_empty(), "expected sends not made: {left:?}");
    }

    /// Forgets announced sends (after a call that failed before making them).
    pub fn reset_expectations(&self) {
        self.expected_sends.borrow_mut().clear();
    }

    /// The events emitted so far (by successful calls), with their emitter.
    pub fn events(&self) -> Vec<ActorEvent> {
        self.events
            .borrow()
            .iter()
            .map(|(_, e)| e.clone())
            .collect()
    }

    /// Takes the events emitted so far.
    pub fn take_events(&self) -> Vec<ActorEvent> {
        self.events.borrow_mut().drain(..).map(|(_, e)| e).collect()
    }

    /// Sends made so far by successful calls.
    pub fn sent(&self) -> Vec<SentMessage> {
        self.sent.borrow().clone()
    }

    /// The in-memory blockstore.
    pub const fn blockstore(&self) -> &MemoryBlockstore {
        &self.store
    }

    /// The state root, if constructed.
    pub fn root(&self) -> Option<Cid> {
        *self.state_root.borrow()
    }

    /// Runs one invocation, like the FVM does: the value received is credited first, and on
    /// failure state, balance, events and sends are rolled back. The value is then reset to zero.
    ///
    /// # Errors
    /// Whatever the method returns.
    pub fn call<F>(
        &self,
        dispatch: F,
        method: MethodNum,
        params: Option<IpldBlock>,
    ) -> Result<Option<IpldBlock>, ActorError>
    where
        F: FnOnce(&Self, MethodNum, Option<IpldBlock>) -> Result<Option<IpldBlock>, ActorError>,
    {
        let root = *self.state_root.borrow();
        let balance = self.balance.borrow().clone();
        let events = self.events.borrow().len();
        let sent = self.sent.borrow().len();
        let value = self.value_received.borrow().clone();
        *self.balance.borrow_mut() += &value;
        let result = dispatch(self, method, params);
        if result.is_err() {
            *self.state_root.borrow_mut() = root;
            *self.balance.borrow_mut() = balance;
            self.events.borrow_mut().truncate(events);
            self.sent.borrow_mut().truncate(sent);
        }
        *self.value_received.borrow_mut() = TokenAmount::from_atto(0);
        result
    }
}

impl FakeRuntime {
    /// Walks the state blocks reachable from `root` that were not checked before and fails the
    /// test on a link the FVM would refuse (see [`crate::cid`]), as `ipld::put` would on chain.
    fn check_state_links(&self, root: &Cid) {
        use fvm_ipld_blockstore::Blockstore;
        use ipld_core::ipld::Ipld;

        let mut todo = vec![*root];
        while let Some(cid) = todo.pop() {
            if cid.codec() != fvm_ipld_encoding::DAG_CBOR
                || !self.linked_ok.borrow_mut().insert(cid)
            {
                continue;
            }
            let Some(block) = self.store.get(&cid).expect("memory blockstore") else {
                panic!("state links to {cid}, which is not in the store");
            };
            let ipld: Ipld = fvm_ipld_encoding::from_slice(&block)
                .unwrap_or_else(|e| panic!("state block {cid} is not DAG-CBOR: {e}"));
            let mut stack = vec![&ipld];
            while let Some(node) = stack.pop() {
                match node {
                    Ipld::Link(link) => {
                        if let Some(why) = crate::cid::forbidden_link(link) {
                            panic!(
                                "state block {cid}: {why}; on chain this write aborts with \
                                 USR_ILLEGAL_STATE. Keep external CIDs as bytes \
                                 (filmark_actor_shared::cid::ExternalCid)"
                            );
                        }
                        todo.push(*link);
                    }
                    Ipld::List(items) => stack.extend(items.iter()),
                    Ipld::Map(map) => stack.extend(map.values()),
                    _ => {}
                }
            }
        }
    }
}

impl Runtime for FakeRuntime {
    type Blockstore = MemoryBlockstore;

    fn store(&self) -> &MemoryBlockstore {
        &self.store
    }

    fn caller(&self) -> ActorID {
        self.caller.get()
    }

    fn receiver(&self) -> ActorID {
        self.receiver
    }

    fn value_received(&self) -> TokenAmount {
        self.value_received.borrow().clone()
    }

    fn curr_epoch(&self) -> ChainEpoch {
        self.epoch.get()
    }

    fn current_balance(&self) -> TokenAmount {
        self.balance.borrow().clone()
    }

    fn read_only(&self) -> bool {
        self.read_only.get()
    }

    fn resolve_address(&self, addr: &Address) -> Option<ActorID> {
        addr.id()
            .ok()
            .or_else(|| self.ids.borrow().get(addr).copied())
    }

    fn lookup_delegated_address(&self, id: ActorID) -> Option<Address> {
        self.delegated.borrow().get(&id).copied()
    }

    fn state_root(&self) -> Result<Cid, ActorError> {
        self.state_root
            .borrow()
            .ok_or_else(|| ActorError::illegal_state("actor not constructed"))
    }

    fn set_state_root(&self, root: &Cid) -> Result<(), ActorError> {
        if self.read_only.get() {
            return Err(crate::read_only_write_error());
        }
        self.check_state_links(root);
        *self.state_root.borrow_mut() = Some(*root);
        Ok(())
    }

    fn send(
        &self,
        to: &Address,
        method: MethodNum,
        params: Option<IpldBlock>,
        value: TokenAmount,
        read_only: bool,
    ) -> Result<Response, ActorError> {
        if (self.read_only.get() || read_only) && !value.is_zero() {
            // The FVM refuses the send before it reaches the recipient.
            return Err(crate::send_error(ErrorNumber::ReadOnly, to));
        }
        let expected = self
            .expected_sends
            .borrow_mut()
            .pop_front()
            .unwrap_or_else(|| {
                panic!("unexpected send to {to} method {method} value {value} params {params:?}")
            });
        assert_eq!(&expected.to, to, "send recipient (method {method})");
        assert_eq!(expected.method, method, "send method number (to {to})");
        assert_eq!(
            expected.params, params,
            "send params (to {to} method {method})"
        );
        assert_eq!(
            expected.value, value,
            "send value (to {to} method {method})"
        );
        assert_eq!(
            expected.read_only, read_only,
            "send read-only flag (to {to} method {method})"
        );
        if value > *self.balance.borrow() {
            return Err(ActorError::insufficient_funds(format!(
                "sending {value} with a balance of {}",
                self.balance.borrow()
            )));
        }
        if expected.exit_code.is_success() {
            *self.balance.borrow_mut() -= &value;
        }
        self.sent.borrow_mut().push(SentMessage {
            to: *to,
            method,
            value,
            exit_code: expected.exit_code,
        });
        Ok(Response {
            exit_code: expected.exit_code,
            return_data: expected.return_data,
        })
    }

    fn emit_event(&self, event: &ActorEvent) -> Result<(), ActorError> {
        if self.read_only.get() {
            return Err(crate::emit_error(ErrorNumber::ReadOnly));
        }
        self.events
            .borrow_mut()
            .push((self.receiver, event.clone()));
        Ok(())
    }
}

/// The ID of the f410 (Ethereum) account [`assert_emits_like_alloy`] sets up.
pub const ETH_ACTOR: ActorID = 77;

/// Runs `emit` on a fresh [`FakeRuntime`] (where actor [`ETH_ACTOR`] is an f410 account, so
/// events show both address forms) and asserts that it emitted exactly one event: alloy's
/// encoding of `want(rt)` (see [`crate::events::sol_event`]).
///
/// # Panics
/// When `emit` fails or the events differ.
pub fn assert_emits_like_alloy<E: alloy_sol_types::SolEvent>(
    emit: impl FnOnce(&FakeRuntime) -> Result<(), ActorError>,
    want: impl FnOnce(&FakeRuntime) -> E,
) {
    let rt = FakeRuntime::new(1000);
    let eth = rt.add_eth_account(ETH_ACTOR, [0xab; 20]);
    rt.add_id_address(eth, ETH_ACTOR);
    emit(&rt).unwrap();
    let expected = crate::events::sol_event(&want(&rt)).unwrap();
    assert_eq!(rt.take_events(), vec![expected], "{}", E::SIGNATURE);
}

#[cfg(test)]
mod tests {
    use serde::{Deserialize, Serialize};

    use super::*;

    #[derive(Serialize, Deserialize)]
    struct Counter(u64);

    fn bump(
        rt: &FakeRuntime,
        method: MethodNum,
        _: Option<IpldBlock>,
    ) -> Result<Option<IpldBlock>, ActorError> {
        if method == 1 {
            rt.create(&Counter(0))?;
            return Ok(None);
        }
        rt.transaction(|st: &mut Counter, _| {
            st.0 += 1;
            Ok(())
        })?;
        if method == 3 {
            return Err(ActorError::illegal_argument("fail after write"));
        }
        Ok(None)
    }

    #[test]
    fn failed_calls_roll_back() {
        let rt = FakeRuntime::new(100);
        rt.call(bump, 1, None).unwrap();
        rt.set_value(TokenAmount::from_atto(5));
        rt.call(bump, 2, None).unwrap();
        assert_eq!(rt.state::<Counter>().unwrap().0, 1);
        assert_eq!(rt.current_balance(), TokenAmount::from_atto(5));
        rt.set_value(TokenAmount::from_atto(5));
        assert!(rt.call(bump, 3, None).is_err());
        assert_eq!(rt.state::<Counter>().unwrap().0, 1);
        assert_eq!(rt.current_balance(), TokenAmount::from_atto(5));
    }

    #[test]
    #[should_panic(expected = "ExternalCid")]
    fn state_links_the_fvm_refuses_fail_the_test() {
        use multihash_codetable::{Code, MultihashDigest};
        let rt = FakeRuntime::new(100);
        let unixfs_root = Cid::new_v1(0x70, Code::Sha2_256.digest(b"post"));
        let _ = rt.call(
            |rt, _, _| {
                rt.create(&vec![unixfs_root])?;
                Ok(None)
            },
            1,
            None,
        );
    }

    #[test]
    fn external_cids_in_state_are_fine() {
        use multihash_codetable::{Code, MultihashDigest};
        let rt = FakeRuntime::new(100);
        let unixfs_root = Cid::new_v1(0x70, Code::Sha2_256.digest(b"post"));
        rt.call(
            |rt, _, _| {
                rt.create(&vec![crate::cid::ExternalCid(unixfs_root)])?;
                Ok(None)
            },
            1,
            None,
        )
        .unwrap();
    }

    /// The three things a read-only call may not do, each as one method of a test actor.
    fn read_only_breaker(
        rt: &FakeRuntime,
        method: MethodNum,
        _: Option<IpldBlock>,
    ) -> Result<Option<IpldBlock>, ActorError> {
        match method {
            2 => rt.create(&Counter(9))?,
            3 => {
                rt.send(
                    &Address::new_id(7),
                    0,
                    None,
                    TokenAmount::from_atto(1),
                    false,
                )?;
            }
            4 => rt.emit_event(&crate::events::evm_log(&[[1; 32]], b"x")?)?,
            _ => {
                rt.send(
                    &Address::new_id(7),
                    0,
                    None,
                    TokenAmount::from_atto(1),
                    true,
                )?;
            }
        }
        Ok(None)
    }

    #[test]
    fn read_only_calls_fail_like_the_fvm() {
        let rt = FakeRuntime::new(100);
        rt.call(bump, 1, None).unwrap();
        rt.set_balance(TokenAmount::from_atto(10));
        let root = rt.root();
        rt.set_read_only(true);
        let cases = [
            (2, "state write in a read-only call"),
            (3, "send to f07 failed: execution context is read-only"),
            (4, "emit event: execution context is read-only"),
        ];
        for (method, msg) in cases {
            let e = rt.call(read_only_breaker, method, None).unwrap_err();
            assert_eq!(e.exit_code(), ExitCode::USR_READ_ONLY, "method {method}");
            assert_eq!(e.msg(), msg, "method {method}");
        }
        rt.set_read_only(false);
        // A value send flagged read-only is refused outside read-only calls too.
        let e = rt.call(read_only_breaker, 5, None).unwrap_err();
        assert_eq!(e.exit_code(), ExitCode::USR_READ_ONLY);
        assert_eq!(rt.root(), root, "nothing was written");
        assert_eq!(rt.current_balance(), TokenAmount::from_atto(10));
        assert!(rt.events().is_empty() && rt.sent().is_empty());
        // Outside read-only calls the same write succeeds.
        rt.call(read_only_breaker, 2, None).unwrap();
        assert_eq!(rt.state::<Counter>().unwrap().0, 9);
    }
}
