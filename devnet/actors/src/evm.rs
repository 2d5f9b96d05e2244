//! The EVM actor's interface (numbers, CBOR shapes, state), shared by the actor
//! (`filmark-devnet-evm`), the EAM and the RPC. The shapes are FEVM's.

use cid::Cid;
use filmark_actor_shared::methods;
use fvm_ipld_encoding::RawBytes;
use fvm_ipld_encoding::strict_bytes;
use fvm_ipld_encoding::tuple::*;
use fvm_shared::METHOD_CONSTRUCTOR;
use fvm_shared::econ::TokenAmount;
use fvm_shared::error::ExitCode;

pub use crate::eam::EthAddress;

methods! {
    /// The EVM actor's methods (FEVM's numbers).
    pub enum Method {
        /// [`ConstructorParams`]: runs the initcode and keeps what it returns as the bytecode;
        /// caller: init.
        Constructor = METHOD_CONSTRUCTOR,
        /// → `Option<Cid>`: the bytecode's CID (an IPLD raw block), `None` when empty.
        GetBytecode = 3,
        /// → 32 bytes: `keccak256` of the bytecode.
        GetBytecodeHash = 4,
        /// [`GetStorageAtParams`] → a 32-byte word (CBOR byte string); caller: the system actor.
        GetStorageAt = 5,
        /// [`DelegateCallParams`] → CBOR bytes: `DELEGATECALL` from a contract into another's code.
        InvokeContractDelegate = 6,
        /// Calldata (one CBOR byte string, or raw) → return data (one CBOR byte string).
        InvokeContract = crate::INVOKE_EVM_METHOD,
    }
}

/// Params of [`Method::Constructor`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct ConstructorParams {
    /// The creator's Ethereum address (`msg.sender` of the initcode).
    pub creator: EthAddress,
    /// The initcode.
    pub initcode: RawBytes,
}

/// Params of [`Method::GetStorageAt`]: the slot, a big-endian unsigned integer of at most 32
/// bytes (leading zeros may be stripped).
#[derive(Clone, Debug, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct GetStorageAtParams {
    /// The storage slot.
    #[serde(with = "strict_bytes")]
    pub storage_key: Vec<u8>,
}

/// Params of [`Method::InvokeContractDelegate`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct DelegateCallParams {
    /// The bytecode to run (a CID from [`Method::GetBytecode`]).
    pub code: Cid,
    /// The calldata.
    #[serde(with = "strict_bytes")]
    pub input: Vec<u8>,
    /// `msg.sender` in the delegated frame.
    pub caller: EthAddress,
    /// `msg.value` in the delegated frame.
    pub value: TokenAmount,
}

/// The EVM actor's state.
#[derive(Clone, Debug, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct State {
    /// The bytecode (IPLD raw block).
    pub bytecode: Cid,
    /// `keccak256` of the bytecode.
    #[serde(with = "strict_bytes")]
    pub bytecode_hash: [u8; 32],
    /// Root of the storage: a HAMT (sha-256 hashed keys, bit width 5) from the 32-byte slot to
    /// its value (big-endian, leading zeros stripped; zero values are absent).
    pub contract_state: Cid,
    /// The contract's nonce (number of contracts it created, starting at 1 as EIP-161 says).
    pub nonce: u64,
}

/// The storage HAMT's bit width.
pub const STORAGE_BIT_WIDTH: u32 = 5;

/// The exit code of a `REVERT` (FEVM's `EVM_CONTRACT_REVERTED`); the revert data is the
/// return value.
pub const EVM_CONTRACT_REVERTED: ExitCode = ExitCode::new(33);
/// An invalid instruction (`INVALID`, 0xfe).
pub const EVM_CONTRACT_INVALID_INSTRUCTION: ExitCode = ExitCode::new(34);
/// An undefined opcode.
pub const EVM_CONTRACT_UNDEFINED_INSTRUCTION: ExitCode = ExitCode::new(35);
/// Stack underflow.
pub const EVM_CONTRACT_STACK_UNDERFLOW: ExitCode = ExitCode::new(36);
/// Stack overflow.
pub const EVM_CONTRACT_STACK_OVERFLOW: ExitCode = ExitCode::new(37);
/// Memory access out of bounds.
pub const EVM_CONTRACT_ILLEGAL_MEMORY_ACCESS: ExitCode = ExitCode::new(38);
/// A jump to an invalid destination.
pub const EVM_CONTRACT_BAD_JUMPDEST: ExitCode = ExitCode::new(39);
/// `SELFDESTRUCT` failed.
pub const EVM_CONTRACT_SELFDESTRUCT_FAILED: ExitCode = ExitCode::new(40);

/// Gas limit of one block (as Lotus' `BlockGasLimit`): `block.gaslimit`, and the devnet's
/// tipset limit.
pub const BLOCK_GAS_LIMIT: u64 = 10_000_000_000;

/// The largest initcode accepted (EIP-3860: twice the largest contract, 2 × 24,576 bytes).
pub const MAX_INITCODE_SIZE: usize = 49_152;
/// The largest bytecode a constructor may return (EIP-170).
pub const MAX_CODE_SIZE: usize = 24_576;

/// `handle_filecoin_method(uint64,uint64,bytes)`: how native callers with an exported method
/// number reach a contract.
pub const HANDLE_FILECOIN_METHOD_SELECTOR: [u8; 4] = [0x86, 0x8e, 0x10, 0xc4];
