// SPDX-License-Identifier: MIT
// Native <-> EVM calls, written for the devnet's tests: `registerVia` calls a native actor (the
// Filmark registry) through the call_actor_id precompile with its InvokeEVM entry point
// (method 3844450837, params: the ABI calldata as a CBOR byte string); `remember` is what a
// native account calls with InvokeContract.
pragma solidity ^0.8.20;

interface IRegistry {
    struct MetadataEntry {
        string key;
        string value;
    }

    struct RegisterRequest {
        bytes cid;
        address owner;
        string kind;
        uint64 size;
        bytes pieceCid;
        string platform;
        bytes32 refHash;
        MetadataEntry[] metadata;
    }

    function register(RegisterRequest calldata request) external;
}

contract NativeCalls {
    /// FEVM's call_actor_id precompile, and the flags and codec it takes.
    address constant CALL_ACTOR_ID = 0xfe00000000000000000000000000000000000005;
    uint64 constant DEFAULT_FLAG = 0;
    uint64 constant CBOR_CODEC = 0x51;
    /// The FRC-42 number of InvokeEVM (InvokeContract's number on an EVM actor).
    uint64 public constant INVOKE_EVM = 3844450837;

    address public lastCaller;
    uint256 public lastValue;

    error CallFailed(int256 exit, bytes ret);
    error PrecompileFailed();

    event Remembered(address indexed caller, uint256 value);

    /// Registers `cid` (owned by this contract) in the registry actor `registryId`; the
    /// registry's exit code and return codec.
    function registerVia(uint64 registryId, bytes calldata cid) external returns (int256, uint64) {
        IRegistry.RegisterRequest memory r;
        r.cid = cid;
        r.kind = "text/plain";
        r.size = 8;
        bytes memory params = cborByteString(abi.encodeCall(IRegistry.register, (r)));
        (bool ok, bytes memory out) = CALL_ACTOR_ID.delegatecall(
            abi.encode(INVOKE_EVM, uint256(0), DEFAULT_FLAG, CBOR_CODEC, params, registryId)
        );
        if (!ok) revert PrecompileFailed();
        (int256 exit, uint64 codec, bytes memory ret) = abi.decode(out, (int256, uint64, bytes));
        if (exit != 0) revert CallFailed(exit, ret);
        return (exit, codec);
    }

    /// Records its caller and `value`; returns the caller and `value * 2`.
    function remember(uint256 value) external returns (address, uint256) {
        lastCaller = msg.sender;
        lastValue = value;
        emit Remembered(msg.sender, value);
        return (msg.sender, value * 2);
    }

    /// `data` as a CBOR byte string (major type 2).
    function cborByteString(bytes memory data) internal pure returns (bytes memory) {
        uint256 n = data.length;
        if (n < 24) return abi.encodePacked(uint8(0x40 + n), data);
        if (n < 0x100) return abi.encodePacked(uint8(0x58), uint8(n), data);
        if (n < 0x10000) return abi.encodePacked(uint8(0x59), uint16(n), data);
        return abi.encodePacked(uint8(0x5a), uint32(n), data);
    }
}
