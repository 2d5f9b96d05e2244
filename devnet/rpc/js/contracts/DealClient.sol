// SPDX-License-Identifier: MIT
// A storage-deal client contract, written for the devnet's tests: the market sends it
// AuthenticateMessage (read-only) and MarketNotifyDeal, which the EVM actor hands to
// handle_filecoin_method. It accepts only proposals its owner approved (by keccak256 of the
// proposal's CBOR as signed), and records each published deal and emits DealPublished.
pragma solidity ^0.8.20;

/// The few CBOR heads these params use (RFC 8949): arrays, byte strings, unsigned ints.
library SmallCbor {
    error BadCbor(uint256 at);

    /// The head at `i`: major type, argument, and where the item's content starts.
    function head(bytes calldata b, uint256 i) internal pure returns (uint8 major, uint64 arg, uint256 next) {
        if (i >= b.length) revert BadCbor(i);
        uint8 first = uint8(b[i]);
        major = first >> 5;
        uint8 info = first & 31;
        if (info < 24) return (major, info, i + 1);
        if (info > 27) revert BadCbor(i);
        uint256 n = 1 << (info - 24);
        if (i + 1 + n > b.length) revert BadCbor(i);
        for (uint256 k = 0; k < n; k++) {
            arg = (arg << 8) | uint8(b[i + 1 + k]);
        }
        return (major, arg, i + 1 + n);
    }

    function expect(bytes calldata b, uint256 i, uint8 major) internal pure returns (uint64 arg, uint256 next) {
        uint8 got;
        (got, arg, next) = head(b, i);
        if (got != major) revert BadCbor(i);
    }

    /// The byte string at `i` and what follows it.
    function byteString(bytes calldata b, uint256 i) internal pure returns (bytes calldata out, uint256 next) {
        (uint64 len, uint256 at) = expect(b, i, 2);
        if (at + len > b.length) revert BadCbor(i);
        return (b[at:at + len], at + len);
    }
}

contract DealClient {
    using SmallCbor for bytes;

    /// FRC-42 numbers of the methods the market calls on a deal's client.
    uint64 public constant AUTHENTICATE_MESSAGE = 2643134072;
    uint64 public constant MARKET_NOTIFY_DEAL = 4186741094;
    uint64 public constant CBOR_CODEC = 0x51;
    /// The market (f05) as msg.sender: a masked ID address.
    address public constant MARKET = 0xff00000000000000000000000000000000000005;

    address public immutable owner;
    mapping(bytes32 => bool) public approved;
    /// Deal id => keccak256 of the proposal the market notified (ID-address parties).
    mapping(uint64 => bytes32) public proposalOf;
    uint64[] public deals;

    event ProposalApproved(bytes32 indexed proposalHash);
    event DealPublished(uint64 indexed dealId, bytes32 indexed proposalHash);

    error NotOwner();
    error NotMarket(address caller);
    error NotApproved(bytes32 proposalHash);
    error UnsupportedMethod(uint64 method);
    error UnsupportedCodec(uint64 codec);

    constructor() {
        owner = msg.sender;
    }

    function approve(bytes32 proposalHash) external {
        if (msg.sender != owner) revert NotOwner();
        approved[proposalHash] = true;
        emit ProposalApproved(proposalHash);
    }

    function dealCount() external view returns (uint256) {
        return deals.length;
    }

    function handle_filecoin_method(uint64 method, uint64 codec, bytes calldata params)
        external
        returns (uint32, uint64, bytes memory)
    {
        if (msg.sender != MARKET) revert NotMarket(msg.sender);
        if (codec != CBOR_CODEC) revert UnsupportedCodec(codec);
        if (method == AUTHENTICATE_MESSAGE) {
            // [signature bytes, message bytes]
            (uint64 n, uint256 i) = params.expect(0, 4);
            if (n != 2) revert SmallCbor.BadCbor(0);
            (, i) = params.byteString(i);
            (bytes calldata message,) = params.byteString(i);
            bytes32 h = keccak256(message);
            if (!approved[h]) revert NotApproved(h);
            return (0, CBOR_CODEC, hex"f5"); // CBOR true
        }
        if (method == MARKET_NOTIFY_DEAL) {
            // [proposal bytes, deal id]
            (uint64 n, uint256 i) = params.expect(0, 4);
            if (n != 2) revert SmallCbor.BadCbor(0);
            bytes calldata proposal;
            (proposal, i) = params.byteString(i);
            (uint64 dealId,) = params.expect(i, 0);
            bytes32 h = keccak256(proposal);
            proposalOf[dealId] = h;
            deals.push(dealId);
            emit DealPublished(dealId, h);
            return (0, 0, "");
        }
        revert UnsupportedMethod(method);
    }
}
