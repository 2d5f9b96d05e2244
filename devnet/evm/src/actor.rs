//! The EVM actor's methods in the FVM, and the interpreter loop: revm's interpreter runs the
//! bytecode; a CALL or CREATE suspends it, the actor sends the matching message (to the callee,
//! to itself with `InvokeContractDelegate`, or to the EAM) and resumes it with the outcome.

use cid::Cid;
use filmark_actor_shared::abi::{abi_return, calldata};
use filmark_actor_shared::dispatch::{decode_cbor, params as decode_params, ret};
use filmark_devnet_actors::eam::{self, CreateReturn};
use filmark_devnet_actors::evm::*;
use filmark_devnet_actors::{
    EAM_ACTOR_ID, FIRST_EXPORTED_METHOD_NUMBER, INIT_ACTOR_ID, INVOKE_EVM_METHOD, SYSTEM_ACTOR_ID,
};
use fvm_ipld_encoding::ipld_block::IpldBlock;
use fvm_ipld_encoding::{BytesSer, CBOR, DAG_CBOR, IPLD_RAW};
use fvm_shared::address::Address as FilAddress;
use fvm_shared::crypto::hash::SupportedHashes;
use fvm_shared::econ::TokenAmount;
use fvm_shared::error::{ErrorNumber, ExitCode};
use fvm_shared::sys::SendFlags;
use fvm_shared::{ActorID, MethodNum};
use multihash_codetable::Code;
use revm_interpreter::bytecode::opcode;
use revm_interpreter::instructions::{GasTable, gas_table_spec};
use revm_interpreter::interpreter::{EthInterpreter, ExtBytecode, SharedMemory};
use revm_interpreter::interpreter_types::{MemoryTr, ReturnData};
use revm_interpreter::primitives::{Address, B256, Bytes, U256};
use revm_interpreter::state::Bytecode;
use revm_interpreter::{
    CallInput, CallInputs, CallScheme, CreateInputs, CreateScheme, FrameInput, Host, InputsImpl,
    Instruction, InstructionContext, InstructionResult, InstructionTable, Interpreter,
    InterpreterAction, InterpreterResult, instruction_table,
};

use crate::host::{FvmHost, amount_to_u256, eth_of, new_storage, resolve, u256_to_amount};
use crate::{ActorError, ActorResult};

/// Runs one invocation (the wasm `invoke` export).
pub fn invoke(params: u32) -> u32 {
    filmark_actor_shared::fvm::invoke(params, |_rt, method, params| dispatch(method, params))
}

fn dispatch(method: MethodNum, params: Option<IpldBlock>) -> ActorResult<Option<IpldBlock>> {
    match Method::from_number(method) {
        Some(Method::Constructor) => constructor(params),
        Some(Method::GetBytecode) => {
            let host = FvmHost::load()?;
            ret(&Some(host.state.bytecode))
        }
        Some(Method::GetBytecodeHash) => {
            let host = FvmHost::load()?;
            ret(&BytesSer(&host.state.bytecode_hash))
        }
        Some(Method::GetStorageAt) => {
            if fvm_sdk::message::caller() != SYSTEM_ACTOR_ID {
                return Err(ActorError::forbidden(
                    "GetStorageAt is for the system actor",
                ));
            }
            let p: GetStorageAtParams = decode_params(params)?;
            if p.storage_key.len() > 32 {
                return Err(ActorError::illegal_argument(
                    "a storage key has at most 32 bytes",
                ));
            }
            let key = U256::from_be_slice(&p.storage_key);
            let mut host = FvmHost::load()?;
            let value = revm_interpreter::Host::sload(&mut host, Address::ZERO, key)
                .map(|v| v.data)
                .ok_or_else(|| {
                    host.fault
                        .take()
                        .unwrap_or_else(|| ActorError::illegal_state("storage"))
                })?;
            ret(&BytesSer(&value.to_be_bytes::<32>()))
        }
        Some(Method::InvokeContractDelegate) => {
            let me = fvm_sdk::message::receiver();
            if fvm_sdk::message::caller() != me {
                return Err(ActorError::forbidden(
                    "InvokeContractDelegate is for the contract itself (DELEGATECALL)",
                ));
            }
            let p: DelegateCallParams = decode_params(params)?;
            let code = load_bytecode(&p.code)?;
            let mut host = FvmHost::load()?;
            let out = run(
                &mut host,
                Frame {
                    code,
                    input: p.input,
                    caller: Address::from(p.caller.0),
                    value: amount_to_u256(&p.value),
                },
            )?;
            abi_return(&out)
        }
        Some(Method::InvokeContract) => {
            let input = calldata(params)?;
            let mut host = FvmHost::load()?;
            let code = load_bytecode(&host.state.bytecode)?;
            let out = run(&mut host, Frame::from_message(code, input))?;
            abi_return(&out)
        }
        None if method >= FIRST_EXPORTED_METHOD_NUMBER => handle_filecoin_method(method, params),
        None => Err(ActorError::unhandled_message(format!(
            "the EVM actor has no method {method}"
        ))),
    }
}

/// One execution's inputs.
struct Frame {
    code: Vec<u8>,
    input: Vec<u8>,
    caller: Address,
    value: U256,
}

impl Frame {
    /// A frame for the current message: its caller and value.
    fn from_message(code: Vec<u8>, input: Vec<u8>) -> Self {
        Self {
            code,
            input,
            caller: eth_of(fvm_sdk::message::caller()),
            value: amount_to_u256(&fvm_sdk::message::value_received()),
        }
    }
}

fn constructor(params: Option<IpldBlock>) -> ActorResult<Option<IpldBlock>> {
    if fvm_sdk::message::caller() != INIT_ACTOR_ID {
        return Err(ActorError::forbidden(
            "the EVM actor is constructed by init",
        ));
    }
    let p: ConstructorParams = decode_params(params)?;
    if p.initcode.len() > MAX_INITCODE_SIZE {
        return Err(ActorError::illegal_argument(format!(
            "initcode of {} bytes is over the limit of {MAX_INITCODE_SIZE}",
            p.initcode.len()
        )));
    }
    let mut storage = new_storage();
    let contract_state = storage
        .flush()
        .map_err(|e| ActorError::illegal_state(format!("cannot write storage: {e}")))?;
    let state = State {
        bytecode: put_bytecode(&[])?,
        bytecode_hash: keccak(&[]),
        contract_state,
        nonce: 1,
    };
    let mut host = FvmHost::with(state, Some(storage), Cid::default());
    host.save()?;
    let frame = Frame {
        code: p.initcode.into(),
        input: Vec::new(),
        caller: Address::from(p.creator.0),
        value: amount_to_u256(&fvm_sdk::message::value_received()),
    };
    let code = run(&mut host, frame)?;
    if code.len() > MAX_CODE_SIZE {
        return Err(ActorError::illegal_argument(format!(
            "the constructor returned {} bytes of code, over the limit of {MAX_CODE_SIZE}",
            code.len()
        )));
    }
    if code.first() == Some(&0xef) {
        return Err(ActorError::illegal_argument(
            "code may not start with 0xEF (EIP-3541)",
        ));
    }
    host.reload()?;
    host.state.bytecode = put_bytecode(&code)?;
    host.state.bytecode_hash = keccak(&code);
    host.save()?;
    Ok(None)
}

/// `handle_filecoin_method(uint64 method, uint64 codec, bytes params)` for a native caller
/// with an exported method number; the contract returns `(uint32 exit, uint64 codec, bytes)`.
fn handle_filecoin_method(
    method: MethodNum,
    params: Option<IpldBlock>,
) -> ActorResult<Option<IpldBlock>> {
    use alloy_sol_types::SolValue;
    let (codec, data) = params.map_or((0, Vec::new()), |p| (p.codec, p.data));
    let mut input = HANDLE_FILECOIN_METHOD_SELECTOR.to_vec();
    input.extend((method, codec, alloy_primitives::Bytes::from(data)).abi_encode_params());
    let mut host = FvmHost::load()?;
    let code = load_bytecode(&host.state.bytecode)?;
    let out = run(&mut host, Frame::from_message(code, input))?;
    let (exit, codec, data) = <(u32, u64, alloy_primitives::Bytes)>::abi_decode_params(&out)
        .map_err(|e| {
            ActorError::serialization(format!(
                "handle_filecoin_method returned no (uint32,uint64,bytes): {e}"
            ))
        })?;
    let block = (codec != 0 || !data.is_empty()).then(|| IpldBlock {
        codec,
        data: data.to_vec(),
    });
    if exit != 0 {
        return Err(ActorError::unchecked(
            ExitCode::new(exit),
            "handle_filecoin_method returned an error",
        )
        .with_data(block));
    }
    Ok(block)
}

/// Keccak-256 through the FVM's hash syscall.
pub(crate) fn keccak(data: &[u8]) -> [u8; 32] {
    let mut out = [0; 32];
    fvm_sdk::crypto::hash_into(SupportedHashes::Keccak256, data, &mut out);
    out
}

fn put_bytecode(code: &[u8]) -> ActorResult<Cid> {
    fvm_sdk::ipld::put(Code::Blake2b256.into(), 32, IPLD_RAW, code)
        .map_err(|e| ActorError::illegal_state(format!("cannot store the bytecode: {e}")))
}

/// The bytecode in an IPLD raw block.
pub(crate) fn load_bytecode(cid: &Cid) -> ActorResult<Vec<u8>> {
    fvm_sdk::ipld::get(cid)
        .map_err(|e| ActorError::not_found(format!("cannot load bytecode {cid}: {e}")))
}

/// Whether actor `id` runs the EVM actor's code.
pub(crate) fn is_evm(id: ActorID) -> bool {
    fvm_sdk::actor::get_actor_code_cid(&FilAddress::new_id(id)).is_some_and(|code| {
        fvm_sdk::actor::get_builtin_actor_type(&code) == Some(filmark_devnet_actors::types::EVM)
    })
}

fn read_only_send(id: ActorID, method: Method) -> ActorResult<Option<IpldBlock>> {
    let r = fvm_sdk::send::send(
        &FilAddress::new_id(id),
        method as u64,
        None,
        TokenAmount::default(),
        None,
        SendFlags::READ_ONLY,
    )
    .map_err(|e| ActorError::illegal_state(format!("cannot ask f0{id} for its bytecode: {e}")))?;
    if !r.exit_code.is_success() {
        return Err(ActorError::unchecked(
            r.exit_code,
            format!("f0{id} refused to give its bytecode"),
        ));
    }
    Ok(r.return_data)
}

/// The bytecode of another EVM actor.
pub(crate) fn bytecode_of(id: ActorID) -> ActorResult<Vec<u8>> {
    let cid: Option<Cid> =
        filmark_actor_shared::dispatch::decode_return(read_only_send(id, Method::GetBytecode)?)?;
    cid.map_or(Ok(Vec::new()), |c| load_bytecode(&c))
}

/// The bytecode hash of another EVM actor.
pub(crate) fn bytecode_hash_of(id: ActorID) -> ActorResult<B256> {
    let block = read_only_send(id, Method::GetBytecodeHash)?;
    let bytes = calldata(block)?;
    B256::try_from(bytes.as_slice())
        .map_err(|_| ActorError::serialization("a bytecode hash has 32 bytes"))
}

/// Our instruction table, built at compile time: revm's, with KECCAK256 through the FVM's
/// syscall, GAS answering the FVM's gas, and the CALLs loading no callee bytecode.
static TABLE: InstructionTable<EthInterpreter, FvmHost> = {
    let mut table = instruction_table::<EthInterpreter, FvmHost>();
    table[opcode::KECCAK256 as usize] = Instruction::new(keccak256);
    table[opcode::GAS as usize] = Instruction::new(gas);
    table[opcode::CALL as usize] = Instruction::new(call::<{ opcode::CALL }>);
    table[opcode::CALLCODE as usize] = Instruction::new(call::<{ opcode::CALLCODE }>);
    table[opcode::DELEGATECALL as usize] = Instruction::new(call::<{ opcode::DELEGATECALL }>);
    table[opcode::STATICCALL as usize] = Instruction::new(call::<{ opcode::STATICCALL }>);
    table
};

/// The static gas of each opcode at [`crate::host::SPEC`], built at compile time.
static GAS_TABLE: GasTable = gas_table_spec(crate::host::SPEC);

type Ctx<'a> = InstructionContext<'a, FvmHost, EthInterpreter>;

fn keccak256(ctx: Ctx<'_>) -> Result<(), InstructionResult> {
    let [offset, len] = ctx
        .interpreter
        .stack
        .popn()
        .ok_or(InstructionResult::StackUnderflow)?;
    let len = usize::try_from(len).map_err(|_| InstructionResult::InvalidOperandOOG)?;
    let hash = if len == 0 {
        keccak(&[])
    } else {
        let offset = usize::try_from(offset).map_err(|_| InstructionResult::InvalidOperandOOG)?;
        ctx.interpreter
            .resize_memory(ctx.host.gas_params(), offset, len)?;
        keccak(&ctx.interpreter.memory.slice_len(offset, len))
    };
    if !ctx.interpreter.stack.push(U256::from_be_bytes(hash)) {
        return Err(InstructionResult::StackOverflow);
    }
    Ok(())
}

fn gas(ctx: Ctx<'_>) -> Result<(), InstructionResult> {
    if !ctx
        .interpreter
        .stack
        .push(U256::from(fvm_sdk::gas::available()))
    {
        return Err(InstructionResult::StackOverflow);
    }
    Ok(())
}

fn call<const KIND: u8>(ctx: Ctx<'_>) -> Result<(), InstructionResult> {
    ctx.host.skip_code = true;
    let host: *mut FvmHost = ctx.host;
    let r = revm_interpreter::instructions::contract::call::<KIND, EthInterpreter, FvmHost>(ctx);
    // SAFETY: `ctx` (which borrowed the host) has been consumed.
    unsafe { (*host).skip_code = false };
    r
}

/// Runs `frame` to the end, serving its calls and creates, and returns its output; a revert or
/// an EVM error is an actor error with FEVM's exit code (a revert carries its data).
fn run(host: &mut FvmHost, frame: Frame) -> ActorResult<Vec<u8>> {
    let is_static = fvm_sdk::vm::read_only();
    let me = eth_of(fvm_sdk::message::receiver());
    let input = InputsImpl {
        target_address: me,
        bytecode_address: None,
        caller_address: frame.caller,
        input: CallInput::Bytes(Bytes::from(frame.input)),
        call_value: frame.value,
        depth: 0,
    };
    let bytecode = ExtBytecode::new(Bytecode::new_raw(Bytes::from(frame.code)));
    let mut interpreter = Interpreter::<EthInterpreter>::new(
        SharedMemory::new(),
        bytecode,
        input,
        is_static,
        crate::host::SPEC,
        u64::MAX,
    );
    loop {
        let action = interpreter.run_plain(&TABLE, &GAS_TABLE, host);
        if let Some(err) = host.fault.take() {
            return Err(err);
        }
        match action {
            InterpreterAction::Return(result) => {
                host.flush()?;
                return outcome(result);
            }
            InterpreterAction::NewFrame(FrameInput::Call(inputs)) => {
                host.flush()?;
                let (ok, output) = send_call(&inputs, &interpreter)?;
                host.reload()?;
                resume_call(&mut interpreter, &inputs, ok, output);
            }
            InterpreterAction::NewFrame(FrameInput::Create(inputs)) => {
                host.state.nonce += 1;
                let nonce = host.state.nonce - 1;
                host.dirty = true;
                host.flush()?;
                let r = send_create(&inputs, nonce)?;
                host.reload()?;
                interpreter.gas.erase_cost(inputs.gas_limit());
                let (pushed, data) = match r {
                    Ok(addr) => (U256::from_be_slice(addr.as_slice()), Vec::new()),
                    Err(data) => (U256::ZERO, data),
                };
                interpreter.return_data.set_buffer(Bytes::from(data));
                let _ = interpreter.stack.push(pushed);
            }
            InterpreterAction::NewFrame(_) => {
                return Err(ActorError::illegal_state("unsupported frame"));
            }
        }
    }
}

/// The actor result of a finished execution.
fn outcome(result: InterpreterResult) -> ActorResult<Vec<u8>> {
    use InstructionResult as R;
    let code = match result.result {
        R::Stop | R::Return | R::SelfDestruct => return Ok(result.output.to_vec()),
        R::Revert => {
            let data = (!result.output.is_empty())
                .then(|| bytes_block(&result.output))
                .transpose()?;
            return Err(
                ActorError::unchecked(EVM_CONTRACT_REVERTED, "contract reverted").with_data(data),
            );
        }
        R::InvalidFEOpcode => EVM_CONTRACT_INVALID_INSTRUCTION,
        R::OpcodeNotFound | R::NotActivated => EVM_CONTRACT_UNDEFINED_INSTRUCTION,
        R::StackUnderflow => EVM_CONTRACT_STACK_UNDERFLOW,
        R::StackOverflow => EVM_CONTRACT_STACK_OVERFLOW,
        R::InvalidJump => EVM_CONTRACT_BAD_JUMPDEST,
        R::OutOfOffset | R::MemoryOOG | R::MemoryLimitOOG | R::InvalidOperandOOG => {
            EVM_CONTRACT_ILLEGAL_MEMORY_ACCESS
        }
        R::CallNotAllowedInsideStatic | R::StateChangeDuringStaticCall => ExitCode::USR_READ_ONLY,
        R::CreateInitCodeSizeLimit
        | R::CreateContractSizeLimit
        | R::CreateContractStartingWithEF => ExitCode::USR_ILLEGAL_ARGUMENT,
        R::OutOfGas => ExitCode::SYS_OUT_OF_GAS,
        _ => ExitCode::USR_ILLEGAL_STATE,
    };
    Err(ActorError::unchecked(
        code,
        format!("EVM execution failed: {:?}", result.result),
    ))
}

/// The gas FEVM grants a bare transfer (a CALL with gas 0 and value, or 2300 and no value).
const TRANSFER_GAS_LIMIT: u64 = 10_000_000;

/// Sends a CALL's message as FEVM does; returns whether it succeeded and its return (or
/// revert) data.
fn send_call(
    inputs: &CallInputs,
    interp: &Interpreter<EthInterpreter>,
) -> ActorResult<(bool, Vec<u8>)> {
    use crate::address::{Precompile, precompile};
    let input: Vec<u8> = match &inputs.input {
        CallInput::Bytes(b) => b.to_vec(),
        CallInput::SharedBuffer(range) => interp.memory.global_slice(range.clone()).to_vec(),
    };
    let value = inputs.value.get();
    // revm adds the 2300 stipend to a value-carrying CALL's gas; FEVM sees the gas asked for.
    let mut gas = if inputs.transfers_value() {
        inputs.gas_limit.saturating_sub(2300)
    } else {
        inputs.gas_limit
    };
    let code_address = inputs.bytecode_address;
    if let Some(p) = precompile(&code_address.0.0) {
        let out = match p {
            Precompile::Filecoin(index) => {
                crate::precompiles::filecoin(index, &input, inputs.scheme, gas)
            }
            Precompile::Ethereum(index) => crate::precompiles::ethereum(index, &input),
        };
        // As FEVM: the value goes to the precompile's address after it succeeded.
        let paid = match inputs.value.transfer() {
            Some(v) if out.is_some() && !v.is_zero() => fvm_sdk::send::send(
                &crate::address::to_filecoin(&code_address.0.0),
                fvm_shared::METHOD_SEND,
                None,
                u256_to_amount(&v),
                None,
                SendFlags::empty(),
            )
            .is_ok_and(|r| r.exit_code.is_success()),
            _ => true,
        };
        return Ok(match out {
            Some(out) if paid => (true, out),
            _ => (false, Vec::new()),
        });
    }
    let gas_limit = gas.min(fvm_sdk::gas::available());
    match inputs.scheme {
        CallScheme::Call | CallScheme::StaticCall => {
            if (gas == 0 && !value.is_zero()) || (gas == 2300 && value.is_zero()) {
                gas = TRANSFER_GAS_LIMIT;
            }
            let to = crate::address::to_filecoin(&inputs.target_address.0.0);
            let params = (!input.is_empty()).then_some(IpldBlock {
                codec: IPLD_RAW,
                data: input,
            });
            let flags = if inputs.scheme == CallScheme::StaticCall {
                SendFlags::READ_ONLY
            } else {
                SendFlags::empty()
            };
            let r = fvm_sdk::send::send(
                &to,
                INVOKE_EVM_METHOD,
                params,
                u256_to_amount(&value),
                Some(gas.min(fvm_sdk::gas::available())),
                flags,
            );
            Ok(match r {
                Ok(r) => (r.exit_code.is_success(), return_bytes(r.return_data)),
                Err(ErrorNumber::NotFound) => (true, Vec::new()),
                Err(ErrorNumber::ReadOnly) if inputs.is_static => (true, Vec::new()),
                Err(_) => (false, Vec::new()),
            })
        }
        CallScheme::DelegateCall => {
            let Some(id) = resolve(&code_address) else {
                return Ok((true, Vec::new()));
            };
            if !is_evm(id) {
                // An account or placeholder has no code (success); a native actor fails.
                let code = fvm_sdk::actor::get_actor_code_cid(&FilAddress::new_id(id));
                let account = code
                    .and_then(|c| fvm_sdk::actor::get_builtin_actor_type(&c))
                    .is_some_and(|t| {
                        use filmark_devnet_actors::types::{ACCOUNT, ETHACCOUNT, PLACEHOLDER};
                        [ACCOUNT, ETHACCOUNT, PLACEHOLDER].contains(&t)
                    });
                return Ok((account, Vec::new()));
            }
            let code: Option<Cid> = filmark_actor_shared::dispatch::decode_return(read_only_send(
                id,
                Method::GetBytecode,
            )?)?;
            let Some(code) = code else {
                return Ok((true, Vec::new()));
            };
            let params = DelegateCallParams {
                code,
                input,
                caller: EthAddress(interp.input.caller_address.0.0),
                value: u256_to_amount(&interp.input.call_value),
            };
            let me = FilAddress::new_id(fvm_sdk::message::receiver());
            let r = fvm_sdk::send::send(
                &me,
                Method::InvokeContractDelegate as u64,
                Some(cbor_block(&params)?),
                TokenAmount::default(),
                Some(gas_limit),
                SendFlags::empty(),
            );
            Ok(match r {
                Ok(r) => (r.exit_code.is_success(), return_bytes(r.return_data)),
                Err(_) => (false, Vec::new()),
            })
        }
        // FEVM has no CALLCODE.
        CallScheme::CallCode => Ok((false, Vec::new())),
    }
}

/// One CBOR byte string.
pub(crate) fn bytes_block(data: &[u8]) -> ActorResult<IpldBlock> {
    cbor_block(&BytesSer(data))
}

/// A value as a CBOR params block.
pub(crate) fn cbor_block<T: serde::Serialize + ?Sized>(value: &T) -> ActorResult<IpldBlock> {
    IpldBlock::serialize_cbor(value)
        .map_err(|e| ActorError::serialization(format!("cannot encode params: {e}")))?
        .ok_or_else(|| ActorError::serialization("empty params"))
}

/// The bytes in a callee's return: one CBOR byte string (EVM actors, Filmark's actors), else
/// the raw block.
pub(crate) fn return_bytes(block: Option<IpldBlock>) -> Vec<u8> {
    match block {
        None => Vec::new(),
        Some(b) => match decode_cbor::<fvm_ipld_encoding::BytesDe>(&b.data) {
            Ok(bytes) if b.codec == CBOR || b.codec == DAG_CBOR => bytes.0,
            _ => b.data,
        },
    }
}

/// Puts a call's outcome into the interpreter as revm's handler does.
fn resume_call(
    interp: &mut Interpreter<EthInterpreter>,
    inputs: &CallInputs,
    ok: bool,
    output: Vec<u8>,
) {
    interp.gas.erase_cost(inputs.gas_limit);
    let out = &inputs.return_memory_offset;
    let n = out.len().min(output.len());
    if n > 0 {
        interp.memory.set(out.start, &output[..n]);
    }
    interp.return_data.set_buffer(Bytes::from(output));
    let _ = interp.stack.push(U256::from(u8::from(ok)));
}

/// Sends a CREATE or CREATE2 to the EAM; the new address, or the revert data.
fn send_create(inputs: &CreateInputs, nonce: u64) -> ActorResult<Result<Address, Vec<u8>>> {
    let initcode = inputs.init_code().to_vec();
    let (method, params) = match inputs.scheme() {
        CreateScheme::Create2 { salt } => (
            eam::Method::Create2,
            cbor_block(&eam::Create2Params {
                initcode,
                salt: salt.to_be_bytes(),
            })?,
        ),
        _ => (
            eam::Method::Create,
            cbor_block(&eam::CreateParams { initcode, nonce })?,
        ),
    };
    let r = fvm_sdk::send::send(
        &FilAddress::new_id(EAM_ACTOR_ID),
        method as u64,
        Some(params),
        u256_to_amount(&inputs.value()),
        None,
        SendFlags::empty(),
    );
    Ok(match r {
        Ok(r) if r.exit_code.is_success() => {
            let created: CreateReturn =
                filmark_actor_shared::dispatch::decode_return(r.return_data)?;
            Ok(Address::from(created.eth_address.0))
        }
        Ok(r) => Err(return_bytes(r.return_data)),
        Err(_) => Err(Vec::new()),
    })
}
