// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity 0.8.37;

/// The Filmark content registry, as Ethereum tools see it: the one definition of its ABI, for
/// the native actor (contracts/registry, through InvokeEVM), the SDK and the Solidity twin
/// (FilmarkRegistry.sol). Reverts are the errors of FilmarkErrors.sol.
///
/// Conventions: CIDs are bytes in their binary form (empty = none for optional ones);
/// addresses are 20-byte Ethereum addresses (f410 addresses, or masked ID addresses
/// 0xff, 11 zero bytes, the 8-byte actor id, for other actors); address(0) as an owner means
/// "the caller"; optional numbers come with a has-flag. Every function is non-payable.
interface IFilmarkRegistry {
    /// One metadata key/value pair.
    struct MetadataEntry { string key; string value; }

    /// A record to register; owner == address(0) registers for the caller.
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

    /// A record as stored; status 0 active, 1 tombstoned.
    struct Record {
        bytes cid;
        address owner;
        string kind;
        uint64 size;
        bytes pieceCid;
        string platform;
        bytes32 refHash;
        MetadataEntry[] metadata;
        int64 created;
        int64 updated;
        uint8 status;
        bool hasOrder;
        uint64 orderId;
        uint64 index;
        uint64 seq;
        bool viaSigner;
        uint64 viaGrant;
    }

    /// A current signer grant.
    struct SignerGrant {
        address signer;
        uint64 grantId;
        uint32 scope;
        int64 granted;
        int64 expiry;
    }

    /// The registry's counters.
    struct Counts {
        uint64 records;
        uint64 active;
        uint64 tombstoned;
        uint64 owners;
        uint64 signers;
        uint64 revoked;
    }

    /// The escrow's answer about an order; content empty when the order names none.
    struct OrderFunding {
        bytes pieceCid;
        bytes content;
        address client;
        int64 fundedUntil;
        uint64 activeReplicas;
        bool open;
    }

    function register(RegisterRequest calldata request) external;
    function registerBatch(RegisterRequest[] calldata requests) external;
    function updateMetadata(bytes calldata cid, MetadataEntry[] calldata set, string[] calldata remove) external;
    function transfer(bytes calldata cid, address newOwner) external;
    function tombstone(bytes calldata cid) external;
    function addSigner(address signer, uint32 scope, int64 expiry) external returns (uint64 grantId);
    function revokeSigner(address owner, address signer) external returns (uint64 grantId);
    function get(bytes calldata cid) external view returns (Record memory record);
    function listByOwner(address owner, uint64 cursor, uint32 limit) external view returns (Record[] memory records, bool hasMore, uint64 nextCursor);
    function listSigners(address owner) external view returns (SignerGrant[] memory grants);
    function counts() external view returns (Counts memory counters);
    function linkOrder(bytes calldata cid, uint64 orderId) external;
    function getFunding(bytes calldata cid) external view returns (bool hasOrder, uint64 orderId, bool hasFunding, OrderFunding memory funding);

    event Registered(address indexed owner, bytes32 indexed cidHash, bytes cid, string kind, uint64 size);
    event MetadataUpdated(address indexed owner, bytes32 indexed cidHash, bytes cid, uint32 entries);
    event Transferred(address indexed from, address indexed to, bytes32 indexed cidHash, bytes cid);
    event Tombstoned(address indexed owner, bytes32 indexed cidHash, bytes cid);
    event OrderLinked(address indexed owner, bytes32 indexed cidHash, bytes cid, uint64 orderId);
    event SignerAdded(address indexed owner, address indexed signer, uint64 grantId, uint32 scope, int64 expiry);
    event SignerRevoked(address indexed owner, address indexed signer, uint64 grantId);
}
