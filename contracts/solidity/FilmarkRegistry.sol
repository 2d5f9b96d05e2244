// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity 0.8.37;

import {IFilmarkRegistry} from "./IFilmarkRegistry.sol";
import {IFilmarkEscrow} from "./IFilmarkEscrow.sol";
import {FilmarkErrors as E} from "./FilmarkErrors.sol";

/// The registry twin: everything the native registry actor (contracts/registry) does, behind
/// the same ABI, for networks that run only EVM contracts. The same records, return values,
/// events and limits; a failure reverts with the FilmarkErrors error named like the exit code
/// the actor gives, checked in the same order (arguments first, then the caller, then the
/// state). Immutable: no owner, no proxy, no upgrade. It holds no funds and sends none.
///
/// Addresses: an owner or signer is kept in the form the actor shows (its f410 address if it
/// has one, else its masked ID address), found with FEVM's resolve_address and
/// lookup_delegated_address precompiles; an f410 address that names no actor is NotFound, as
/// the actor's resolve_actor. Epochs are block.number (the Filecoin epoch on FEVM).
contract FilmarkRegistry is IFilmarkRegistry {
    // ---- limits: contracts/registry/src/policy.rs ----
    uint256 internal constant MAX_KIND_BYTES = 128;
    uint256 internal constant MAX_PLATFORM_BYTES = 32;
    uint256 internal constant MAX_METADATA_ENTRIES = 16;
    uint256 internal constant MAX_METADATA_KEY_BYTES = 64;
    uint256 internal constant MAX_METADATA_VALUE_BYTES = 256;
    uint256 internal constant MAX_CID_BYTES = 100;
    uint256 internal constant MAX_BATCH_SIZE = 100;
    uint32 internal constant MAX_PAGE_SIZE = 100;
    uint256 internal constant MAX_SIGNERS_PER_OWNER = 32;
    int64 internal constant MAX_SIGNER_TTL = 365 * 2880;

    // ---- signer scopes: contracts/registry/src/types.rs ----
    uint32 internal constant SCOPE_REGISTER = 1;
    uint32 internal constant SCOPE_UPDATE_METADATA = 1 << 1;
    uint32 internal constant SCOPE_TRANSFER = 1 << 2;
    uint32 internal constant SCOPE_TOMBSTONE = 1 << 3;
    uint32 internal constant SCOPE_LINK_ORDER = 1 << 4;
    uint32 internal constant SCOPE_ALL = 31;

    uint8 internal constant ACTIVE = 0;
    uint8 internal constant TOMBSTONED = 1;

    /// FEVM's Filecoin precompiles.
    address internal constant RESOLVE_ADDRESS = 0xFE00000000000000000000000000000000000001;
    address internal constant LOOKUP_DELEGATED_ADDRESS = 0xfE00000000000000000000000000000000000002;

    /// A stored record: the ABI Record without the has-flags' twins.
    struct Stored {
        bool exists;
        uint8 status;
        bool hasOrder;
        bool viaSigner;
        address owner;
        uint64 size;
        int64 created;
        int64 updated;
        uint64 orderId;
        uint64 index;
        uint64 seq;
        uint64 viaGrant;
        bytes32 refHash;
        bytes cid;
        string kind;
        bytes pieceCid;
        string platform;
        MetadataEntry[] metadata;
    }

    struct OwnerInfo {
        uint64 count;
        uint64 nextIndex;
    }

    struct Grant {
        address signer;
        uint64 signerId;
        uint64 grantId;
        uint32 scope;
        int64 granted;
        int64 expiry;
    }

    /// The escrow that linkOrder and getFunding ask (address(0): none).
    IFilmarkEscrow internal immutable escrow;

    mapping(bytes32 cidHash => Stored) internal records;
    mapping(address owner => OwnerInfo) internal owners;
    mapping(address owner => mapping(uint64 index => bytes32 cidHash)) internal ownerIndex;
    mapping(address owner => Grant[]) internal grants;
    mapping(uint64 grantId => bool) internal revoked;

    uint64 internal nextGrantId;
    uint64 internal seq;
    uint64 internal recordCount;
    uint64 internal tombstonedCount;
    uint64 internal ownerCount;
    uint64 internal signerCount;
    uint64 internal revokedCount;

    constructor(address escrow_) {
        escrow = IFilmarkEscrow(escrow_);
    }

    /// Unknown selectors and plain transfers, as the actor: UnhandledMessage.
    fallback() external {
        if (msg.data.length == 0) {
            revert E.UnhandledMessage("empty calldata: the registry accepts no plain transfers");
        }
        revert E.UnhandledMessage("unknown function selector");
    }

    // ---------------------------------------------------------------- writes

    function register(RegisterRequest calldata request) external {
        RegisterRequest[] memory items = new RegisterRequest[](1);
        items[0] = request;
        checkRequests(items);
        registerMany(items);
    }

    function registerBatch(RegisterRequest[] calldata requests) external {
        RegisterRequest[] memory items = requests;
        checkRequests(items);
        if (items.length == 0) revert E.IllegalArgument("empty batch");
        if (items.length > MAX_BATCH_SIZE) {
            revert E.IllegalArgument(string.concat("batch of ", dec(items.length), " records, over MAX_BATCH_SIZE = 100"));
        }
        registerMany(items);
    }

    function updateMetadata(bytes calldata cid, MetadataEntry[] calldata set, string[] calldata remove) external {
        checkCid("cid", cid, false);
        bytes32 key = keccak256(cid);
        Stored storage r = load(key, cid);
        (bool via, uint64 grantId) = authorize(r.owner, SCOPE_UPDATE_METADATA, "UpdateMetadata");
        requireActive(r);
        if (set.length == 0 && remove.length == 0) {
            revert E.IllegalArgument("nothing to update: set and remove are empty");
        }
        entryCount(remove.length);
        for (uint256 i = 0; i < remove.length; i++) {
            metadataKey(remove[i]);
        }
        MetadataEntry[] memory sorted = checkedMetadata(set);
        // Remove, then set (replacing or inserting in key order).
        MetadataEntry[] storage m = r.metadata;
        for (uint256 i = 0; i < m.length;) {
            if (contains(remove, m[i].key)) {
                for (uint256 j = i; j + 1 < m.length; j++) {
                    m[j] = m[j + 1];
                }
                m.pop();
            } else {
                i++;
            }
        }
        for (uint256 s = 0; s < sorted.length; s++) {
            upsert(m, sorted[s]);
        }
        if (m.length > MAX_METADATA_ENTRIES) {
            revert E.IllegalArgument(string.concat(
                "after the update the record would have too many entries: ", dec(m.length),
                " metadata entries, over MAX_METADATA_ENTRIES = 16"));
        }
        r.updated = epoch();
        r.seq = nextSeq();
        r.viaSigner = via;
        r.viaGrant = grantId;
        emit MetadataUpdated(r.owner, key, cid, uint32(m.length));
    }

    function transfer(bytes calldata cid, address newOwner) external {
        checkCid("cid", cid, false);
        (address to,) = resolve(newOwner, "new owner");
        bytes32 key = keccak256(cid);
        Stored storage r = load(key, cid);
        (bool via, uint64 grantId) = authorize(r.owner, SCOPE_TRANSFER, "Transfer");
        requireActive(r);
        address from = r.owner;
        if (from == to) revert E.IllegalArgument(string.concat(hex20(to), " already owns the content"));
        indexRemove(from, r.index);
        r.owner = to;
        r.index = indexAdd(to, key);
        r.updated = epoch();
        r.seq = nextSeq();
        r.viaSigner = via;
        r.viaGrant = grantId;
        emit Transferred(from, to, key, cid);
    }

    function tombstone(bytes calldata cid) external {
        checkCid("cid", cid, false);
        bytes32 key = keccak256(cid);
        Stored storage r = load(key, cid);
        (bool via, uint64 grantId) = authorize(r.owner, SCOPE_TOMBSTONE, "Tombstone");
        requireActive(r);
        r.status = TOMBSTONED;
        r.updated = epoch();
        r.seq = nextSeq();
        r.viaSigner = via;
        r.viaGrant = grantId;
        tombstonedCount++;
        emit Tombstoned(r.owner, key, cid);
    }

    function addSigner(address signer, uint32 scope, int64 expiry) external returns (uint64 grantId) {
        address owner = msg.sender;
        (address who, uint64 whoId) = resolve(signer, "signer");
        if (who == owner) revert E.IllegalArgument("an owner cannot be its own signer");
        int64 now_ = epoch();
        if (scope == 0) revert E.IllegalArgument("signer scope must name at least one method");
        if (scope & ~SCOPE_ALL != 0) revert E.IllegalArgument("signer scope has unknown bits (known: 0x1f)");
        if (expiry <= now_) revert E.IllegalArgument("signer expiry must be after the current epoch");
        if (int256(expiry) - int256(now_) > int256(MAX_SIGNER_TTL)) {
            revert E.IllegalArgument("signer expiry is more than MAX_SIGNER_TTL = 1051200 epochs ahead");
        }
        (bool had, uint64 old) = revokeGrant(owner, who);
        grantId = nextGrantId++;
        nextSeq();
        Grant[] storage list = grants[owner];
        if (list.length >= MAX_SIGNERS_PER_OWNER) {
            revert E.IllegalArgument(string.concat(
                "owner already has ", dec(list.length),
                " signer grants (MAX_SIGNERS_PER_OWNER = 32); revoke one first"));
        }
        list.push(Grant({signer: who, signerId: whoId, grantId: grantId, scope: scope, granted: now_, expiry: expiry}));
        signerCount++;
        if (had) emit SignerRevoked(owner, who, old);
        emit SignerAdded(owner, who, grantId, scope, expiry);
    }

    function revokeSigner(address owner, address signer) external returns (uint64 grantId) {
        address caller = msg.sender;
        address o = caller;
        if (owner != address(0)) {
            (o,) = resolve(owner, "owner");
        }
        (address s,) = resolve(signer, "signer");
        if (caller != o && caller != s) {
            revert E.Forbidden("caller is neither the owner nor the signer");
        }
        bool had;
        (had, grantId) = revokeGrant(o, s);
        if (!had) revert E.NotFound("owner has no current grant to the signer");
        emit SignerRevoked(o, s, grantId);
    }

    function linkOrder(bytes calldata cid, uint64 orderId) external {
        checkCid("cid", cid, false);
        bytes32 key = keccak256(cid);
        Stored storage r = load(key, cid);
        (bool via, uint64 grantId) = authorize(r.owner, SCOPE_LINK_ORDER, "LinkOrder");
        requireActive(r);
        OrderFunding memory f = orderFunding(orderId);
        if (keccak256(f.content) != key || f.content.length != cid.length) {
            revert E.IllegalArgument(string.concat("order ", dec(orderId), " is for other content"));
        }
        if (f.client != r.owner) {
            revert E.Forbidden(string.concat("order ", dec(orderId), "'s client is not the record's owner"));
        }
        if (r.pieceCid.length != 0 && keccak256(r.pieceCid) != keccak256(f.pieceCid)) {
            revert E.IllegalArgument(string.concat("order ", dec(orderId), " stores another piece than the record's"));
        }
        if (!f.open) {
            revert E.IllegalState(string.concat(
                "order ", dec(orderId), " is not open: closed, or past its deadline with no deal"));
        }
        r.hasOrder = true;
        r.orderId = orderId;
        r.updated = epoch();
        r.seq = nextSeq();
        r.viaSigner = via;
        r.viaGrant = grantId;
        emit OrderLinked(r.owner, key, cid, orderId);
    }

    // ---------------------------------------------------------------- reads

    function get(bytes calldata cid) external view returns (Record memory record) {
        checkCid("cid", cid, false);
        return toRecord(load(keccak256(cid), cid));
    }

    function listByOwner(address owner, uint64 cursor, uint32 limit)
        external
        view
        returns (Record[] memory page, bool hasMore, uint64 nextCursor)
    {
        if (limit == 0 || limit > MAX_PAGE_SIZE) {
            revert E.IllegalArgument(string.concat(
                "page limit ", dec(limit), " must be between 1 and MAX_PAGE_SIZE = 100"));
        }
        (address o,) = resolve(owner, "owner");
        OwnerInfo storage info = owners[o];
        Record[] memory buf = new Record[](limit);
        uint256 n = 0;
        for (uint64 i = cursor; i < info.nextIndex; i++) {
            bytes32 key = ownerIndex[o][i];
            if (key == bytes32(0)) continue;
            if (n == limit) {
                hasMore = true;
                nextCursor = i;
                break;
            }
            buf[n++] = toRecord(records[key]);
        }
        page = new Record[](n);
        for (uint256 i = 0; i < n; i++) {
            page[i] = buf[i];
        }
    }

    function listSigners(address owner) external view returns (SignerGrant[] memory out) {
        (address o,) = resolve(owner, "owner");
        Grant[] storage list = grants[o];
        Grant[] memory sorted = new Grant[](list.length);
        // By signer actor ID, as the actor lists them (insertion sort: at most 32).
        for (uint256 i = 0; i < list.length; i++) {
            Grant memory g = list[i];
            uint256 j = i;
            while (j > 0 && sorted[j - 1].signerId > g.signerId) {
                sorted[j] = sorted[j - 1];
                j--;
            }
            sorted[j] = g;
        }
        out = new SignerGrant[](sorted.length);
        for (uint256 i = 0; i < sorted.length; i++) {
            Grant memory g = sorted[i];
            out[i] = SignerGrant({signer: g.signer, grantId: g.grantId, scope: g.scope, granted: g.granted, expiry: g.expiry});
        }
    }

    function counts() external view returns (Counts memory) {
        return Counts({
            records: recordCount,
            active: recordCount - tombstonedCount,
            tombstoned: tombstonedCount,
            owners: ownerCount,
            signers: signerCount,
            revoked: revokedCount
        });
    }

    function getFunding(bytes calldata cid)
        external
        view
        returns (bool hasOrder, uint64 orderId, bool hasFunding, OrderFunding memory funding)
    {
        checkCid("cid", cid, false);
        Stored storage r = load(keccak256(cid), cid);
        if (r.hasOrder) {
            hasOrder = true;
            orderId = r.orderId;
            hasFunding = true;
            funding = orderFunding(r.orderId);
        }
    }

    // ---------------------------------------------------------------- internals

    /// The ABI-level checks the actor makes while decoding: each item's CIDs.
    function checkRequests(RegisterRequest[] memory items) internal pure {
        for (uint256 i = 0; i < items.length; i++) {
            checkCid("content cid", items[i].cid, false);
            checkCid("piece cid", items[i].pieceCid, true);
        }
    }

    function registerMany(RegisterRequest[] memory items) internal {
        uint256 n = items.length;
        address[] memory who = new address[](n);
        for (uint256 i = 0; i < n; i++) {
            who[i] = msg.sender;
            if (items[i].owner != address(0)) {
                (who[i],) = resolve(items[i].owner, "owner");
            }
        }
        // Authorize each owner once, in the order they first appear.
        bool[] memory via = new bool[](n);
        uint64[] memory grantIds = new uint64[](n);
        for (uint256 i = 0; i < n; i++) {
            uint256 j = 0;
            while (j < i && who[j] != who[i]) j++;
            if (j < i) {
                via[i] = via[j];
                grantIds[i] = grantIds[j];
            } else {
                (via[i], grantIds[i]) = authorize(who[i], SCOPE_REGISTER, "Register");
            }
        }
        MetadataEntry[][] memory metadata = new MetadataEntry[][](n);
        for (uint256 i = 0; i < n; i++) {
            metadata[i] = checkRegister(items[i]);
        }
        int64 now_ = epoch();
        for (uint256 i = 0; i < n; i++) {
            RegisterRequest memory p = items[i];
            bytes32 key = keccak256(p.cid);
            Stored storage r = records[key];
            if (r.exists) {
                if (r.status == TOMBSTONED) {
                    revert E.IllegalState("content is tombstoned and can never be registered again");
                }
                revert E.IllegalState("content is already registered");
            }
            r.exists = true;
            r.owner = who[i];
            r.cid = p.cid;
            r.kind = p.kind;
            r.size = p.size;
            r.pieceCid = p.pieceCid;
            r.platform = p.platform;
            r.refHash = p.refHash;
            for (uint256 k = 0; k < metadata[i].length; k++) {
                r.metadata.push(metadata[i][k]);
            }
            r.created = now_;
            r.updated = now_;
            r.seq = nextSeq();
            r.viaSigner = via[i];
            r.viaGrant = grantIds[i];
            r.index = indexAdd(who[i], key);
            recordCount++;
            emit Registered(who[i], key, p.cid, p.kind, p.size);
        }
    }

    /// validate::register: everything but the owner; returns the metadata sorted by key.
    function checkRegister(RegisterRequest memory p) internal pure returns (MetadataEntry[] memory) {
        if (bytes(p.kind).length == 0) revert E.IllegalArgument("kind (MIME type) must not be empty");
        text("kind", p.kind, MAX_KIND_BYTES, "MAX_KIND_BYTES");
        text("platform", p.platform, MAX_PLATFORM_BYTES, "MAX_PLATFORM_BYTES");
        return checkedMetadata(p.metadata);
    }

    function text(string memory what, string memory s, uint256 max, string memory limit) internal pure {
        if (bytes(s).length > max) {
            revert E.IllegalArgument(string.concat(
                what, " is ", dec(bytes(s).length), " bytes, over ", limit, " = ", dec(max)));
        }
    }

    function metadataKey(string memory key) internal pure {
        if (bytes(key).length == 0) revert E.IllegalArgument("metadata key must not be empty");
        text(string.concat("metadata key \"", key, "\""), key, MAX_METADATA_KEY_BYTES, "MAX_METADATA_KEY_BYTES");
    }

    function entryCount(uint256 n) internal pure {
        if (n > MAX_METADATA_ENTRIES) {
            revert E.IllegalArgument(string.concat(dec(n), " metadata entries, over MAX_METADATA_ENTRIES = 16"));
        }
    }

    /// validate::metadata: count, sizes, then sorted by key (bytewise) with no key twice.
    function checkedMetadata(MetadataEntry[] memory entries) internal pure returns (MetadataEntry[] memory sorted) {
        entryCount(entries.length);
        for (uint256 i = 0; i < entries.length; i++) {
            metadataKey(entries[i].key);
            text(string.concat("metadata value of \"", entries[i].key, "\""), entries[i].value,
                MAX_METADATA_VALUE_BYTES, "MAX_METADATA_VALUE_BYTES");
        }
        sorted = new MetadataEntry[](entries.length);
        for (uint256 i = 0; i < entries.length; i++) {
            MetadataEntry memory e = entries[i];
            uint256 j = i;
            while (j > 0 && less(e.key, sorted[j - 1].key)) {
                sorted[j] = sorted[j - 1];
                j--;
            }
            sorted[j] = e;
        }
        for (uint256 i = 1; i < sorted.length; i++) {
            if (keccak256(bytes(sorted[i].key)) == keccak256(bytes(sorted[i - 1].key))) {
                revert E.IllegalArgument(string.concat("metadata key \"", sorted[i].key, "\" given twice"));
            }
        }
    }

    /// a < b, bytewise (Rust's str ordering).
    function less(string memory a, string memory b) internal pure returns (bool) {
        bytes memory x = bytes(a);
        bytes memory y = bytes(b);
        uint256 n = x.length < y.length ? x.length : y.length;
        for (uint256 i = 0; i < n; i++) {
            if (x[i] != y[i]) return x[i] < y[i];
        }
        return x.length < y.length;
    }

    function contains(string[] calldata list, string memory key) internal pure returns (bool) {
        bytes32 h = keccak256(bytes(key));
        for (uint256 i = 0; i < list.length; i++) {
            if (keccak256(bytes(list[i])) == h) return true;
        }
        return false;
    }

    /// Replaces the entry with e's key, or inserts e in key order.
    function upsert(MetadataEntry[] storage m, MetadataEntry memory e) internal {
        uint256 pos = m.length;
        for (uint256 i = 0; i < m.length; i++) {
            if (keccak256(bytes(m[i].key)) == keccak256(bytes(e.key))) {
                m[i].value = e.value;
                return;
            }
            if (less(e.key, m[i].key)) {
                pos = i;
                break;
            }
        }
        m.push();
        for (uint256 j = m.length - 1; j > pos; j--) {
            m[j] = m[j - 1];
        }
        m[pos] = e;
    }

    function load(bytes32 key, bytes calldata cid) internal view returns (Stored storage r) {
        r = records[key];
        if (!r.exists) revert E.NotFound(string.concat("content 0x", hexBytes(cid), " is not registered"));
    }

    function requireActive(Stored storage r) internal view {
        if (r.status == TOMBSTONED) revert E.IllegalState("content is tombstoned and can no longer change");
    }

    /// The caller acts for `owner` within `needed`: (false, 0) when it is the owner, else the
    /// current grant's id.
    function authorize(address owner, uint32 needed, string memory method) internal view returns (bool, uint64) {
        if (msg.sender == owner) return (false, 0);
        Grant[] storage list = grants[owner];
        for (uint256 i = 0; i < list.length; i++) {
            Grant storage g = list[i];
            if (g.signer != msg.sender) continue;
            if (epoch() >= g.expiry) {
                revert E.Forbidden(string.concat("signer grant ", dec(g.grantId), " expired"));
            }
            if (g.scope & needed != needed) {
                revert E.Forbidden(string.concat("signer grant ", dec(g.grantId), " does not cover ", method));
            }
            return (true, g.grantId);
        }
        revert E.Forbidden("caller is not the owner and holds no current signer grant from it");
    }

    /// Removes the owner's current grant to `signer`, if any, counting it as revoked.
    function revokeGrant(address owner, address signer) internal returns (bool, uint64) {
        Grant[] storage list = grants[owner];
        for (uint256 i = 0; i < list.length; i++) {
            if (list[i].signer != signer) continue;
            uint64 id = list[i].grantId;
            list[i] = list[list.length - 1];
            list.pop();
            nextSeq();
            revoked[id] = true;
            signerCount--;
            revokedCount++;
            return (true, id);
        }
        return (false, 0);
    }

    function indexAdd(address owner, bytes32 key) internal returns (uint64 pos) {
        OwnerInfo storage info = owners[owner];
        if (info.count == 0) ownerCount++;
        pos = info.nextIndex++;
        info.count++;
        ownerIndex[owner][pos] = key;
    }

    function indexRemove(address owner, uint64 pos) internal {
        OwnerInfo storage info = owners[owner];
        delete ownerIndex[owner][pos];
        info.count--;
        if (info.count == 0) {
            delete owners[owner];
            ownerCount--;
        }
    }

    function nextSeq() internal returns (uint64) {
        return ++seq;
    }

    function epoch() internal view returns (int64) {
        return int64(uint64(block.number));
    }

    function orderFunding(uint64 orderId) internal view returns (OrderFunding memory f) {
        if (address(escrow) == address(0)) revert E.IllegalState("this registry has no escrow configured");
        (f.pieceCid, f.content, f.client, f.fundedUntil, f.activeReplicas, f.open) = escrow.getOrderFunding(orderId);
    }

    function toRecord(Stored storage r) internal view returns (Record memory) {
        return Record({
            cid: r.cid,
            owner: r.owner,
            kind: r.kind,
            size: r.size,
            pieceCid: r.pieceCid,
            platform: r.platform,
            refHash: r.refHash,
            metadata: r.metadata,
            created: r.created,
            updated: r.updated,
            status: r.status,
            hasOrder: r.hasOrder,
            orderId: r.orderId,
            index: r.index,
            seq: r.seq,
            viaSigner: r.viaSigner,
            viaGrant: r.viaGrant
        });
    }

    // ---- addresses ----

    /// The form the actor shows an actor in, and its ID. A masked ID address is taken as it
    /// is (an ID always resolves) and shown as the actor's f410 address when it has one; any
    /// other address is an f410 address that must name an actor.
    function resolve(address a, string memory what) internal view returns (address, uint64) {
        if (uint160(a) >> 64 == uint160(0xff) << 88) {
            uint64 id = uint64(uint160(a));
            (bool ok, bytes memory out) = LOOKUP_DELEGATED_ADDRESS.staticcall(abi.encode(uint256(id)));
            if (ok && out.length == 22 && out[0] == 0x04 && out[1] == 0x0a) {
                return (address(bytes20(slice20(out, 2))), id);
            }
            return (a, id);
        }
        (bool found, bytes memory word) = RESOLVE_ADDRESS.staticcall(abi.encodePacked(hex"040a", a));
        if (!found || word.length != 32) {
            revert E.NotFound(string.concat(what, " ", hex20(a), " does not resolve to an actor on chain"));
        }
        return (a, uint64(uint256(bytes32(word))));
    }

    function slice20(bytes memory b, uint256 pos) internal pure returns (bytes20 out) {
        assembly ("memory-safe") {
            out := mload(add(add(b, 32), pos))
        }
    }

    // ---- CIDs (the actor's cid_from_abi: one CID, v0 or v1, nothing after it) ----

    function checkCid(string memory what, bytes memory c, bool optional) internal pure {
        if (c.length == 0 && optional) return;
        if (c.length > MAX_CID_BYTES) {
            revert E.IllegalArgument(string.concat(what, " is ", dec(c.length), " bytes, over MAX_CID_BYTES = 100"));
        }
        (bool ok, uint256 version, uint256 p) = varint(c, 0);
        uint256 codec;
        if (ok) (ok, codec, p) = varint(c, p);
        if (ok && version == 0x12 && codec == 0x20) {
            // CIDv0: a bare sha2-256 multihash.
            ok = c.length - p >= 32;
            p += 32;
        } else if (ok && version == 1) {
            uint256 size;
            (ok,, p) = varint(c, p);
            if (ok) (ok, size, p) = varint(c, p);
            ok = ok && size <= 64 && c.length - p >= size;
            if (ok) p += size;
        } else {
            ok = false;
        }
        if (!ok) revert E.IllegalArgument(string.concat(what, " is not a CID"));
        if (p != c.length) {
            revert E.IllegalArgument(string.concat(what, " has ", dec(c.length - p), " trailing bytes after the CID"));
        }
    }

    /// An unsigned LEB128 varint of pos most 10 bytes, minimally encoded (unsigned-varint's u64).
    function varint(bytes memory c, uint256 p) internal pure returns (bool, uint256 value, uint256) {
        for (uint256 i = 0; i < 10 && p + i < c.length; i++) {
            uint8 b = uint8(c[p + i]);
            value |= uint256(b & 0x7f) << (7 * i);
            if (b & 0x80 == 0) {
                if (b == 0 && i > 0) return (false, 0, p);
                return (true, value & type(uint64).max, p + i + 1);
            }
            if (i == 9) return (false, 0, p);
        }
        return (false, 0, p);
    }

    // ---- messages ----

    function dec(uint256 v) internal pure returns (string memory) {
        if (v == 0) return "0";
        uint256 n;
        for (uint256 t = v; t != 0; t /= 10) n++;
        bytes memory s = new bytes(n);
        for (; v != 0; v /= 10) s[--n] = bytes1(uint8(48 + v % 10));
        return string(s);
    }

    function hexBytes(bytes memory b) internal pure returns (string memory) {
        bytes memory digits = "0123456789abcdef";
        bytes memory s = new bytes(b.length * 2);
        for (uint256 i = 0; i < b.length; i++) {
            s[2 * i] = digits[uint8(b[i]) >> 4];
            s[2 * i + 1] = digits[uint8(b[i]) & 15];
        }
        return string(s);
    }

    function hex20(address a) internal pure returns (string memory) {
        return string.concat("0x", hexBytes(abi.encodePacked(a)));
    }
}
