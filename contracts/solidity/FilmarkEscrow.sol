// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity 0.8.37;

import {IFilmarkEscrow} from "./IFilmarkEscrow.sol";
import {FilmarkErrors as E} from "./FilmarkErrors.sol";
import {CBORDecoder} from "filecoin-solidity-api/contracts/v0.8/utils/CborDecode.sol";

/// @title Filmark storage-deal escrow, the Solidity twin of the native actor (contracts/escrow).
/// @notice Same rules, limits, events and error names as the native escrow (see its README,
/// "Settlement"), paying in FIL. Deals bind through the builtin market: its AuthenticateMessage
/// and MarketNotifyDeal arrive pos `handle_filecoin_method`; its deal getters are read through
/// the `call_actor_id` precompile. Immutable: no proxy, no owner.
contract FilmarkEscrow is IFilmarkEscrow {
    using CBORDecoder for bytes;

    // ---- policy (contracts/escrow/src/policy.rs) ----
    uint64 internal constant MAX_REPLICAS = 10;
    uint256 internal constant MAX_ALLOWED_PROVIDERS = 16;
    uint256 internal constant MAX_FUNDERS = 32;
    int64 internal constant EPOCHS_PER_DAY = 2880;
    int64 internal constant SETTLEMENT_WINDOW = EPOCHS_PER_DAY;
    uint64 internal constant MAX_LIST_LIMIT = 100;
    uint64 internal constant MAX_LIST_SCAN = 1000;
    int64 internal constant MIN_ORDER_DURATION = 1;
    int64 internal constant MAX_ORDER_DURATION = 1278 * EPOCHS_PER_DAY;
    int64 internal constant MAX_ACTIVATION_WINDOW = 90 * EPOCHS_PER_DAY;
    uint64 internal constant MIN_PIECE_SIZE = 128;
    uint64 internal constant MAX_PIECE_SIZE = 64 << 30;
    /// v1 CID prefix of a piece commitment: version 1, codec 0xf101, multihash 0x1012, 32 bytes.
    bytes7 internal constant PIECE_CID_PREFIX = 0x0181e203922020;

    // ---- exit codes the contract returns to native callers, and the market's ----
    uint32 internal constant USR_ILLEGAL_ARGUMENT = 16;
    uint32 internal constant USR_NOT_FOUND = 17;
    uint32 internal constant USR_FORBIDDEN = 18;
    uint32 internal constant USR_INSUFFICIENT_FUNDS = 19;
    uint32 internal constant USR_ILLEGAL_STATE = 20;
    uint32 internal constant USR_SERIALIZATION = 21;
    uint32 internal constant USR_UNHANDLED_MESSAGE = 22;
    uint32 internal constant USR_UNSPECIFIED = 23;
    uint32 internal constant USR_NOT_PAYABLE = 26;
    int256 internal constant EX_DEAL_EXPIRED = 32;
    int256 internal constant EX_DEAL_NOT_ACTIVATED = 33;

    // ---- the builtin market (actors v18) ----
    uint64 internal constant MARKET_ACTOR_ID = 5;
    uint64 internal constant AUTHENTICATE_MESSAGE = 2643134072;
    uint64 internal constant MARKET_NOTIFY_DEAL = 4186741094;
    uint64 internal constant GET_DEAL_CLIENT = 128053329;
    uint64 internal constant GET_DEAL_DATA_COMMITMENT = 1157985802;
    uint64 internal constant GET_DEAL_PROVIDER = 935081690;
    uint64 internal constant GET_DEAL_TERM = 163777312;
    uint64 internal constant GET_DEAL_ACTIVATION = 2567238399;
    uint64 internal constant CBOR_CODEC = 0x51;
    address internal constant RESOLVE_ADDRESS = 0xFE00000000000000000000000000000000000001;
    address internal constant CALL_ACTOR_ID = 0xfe00000000000000000000000000000000000005;

    // ---- finish reasons (order::FinishReason) ----
    uint8 internal constant COMPLETED = 0;
    uint8 internal constant NEVER_ACTIVATED = 2;
    uint8 internal constant EXPIRED = 3;
    uint8 internal constant DEAL_NOT_FOUND = 4;
    uint8 internal constant NOT_FINISHED = 255;

    // ---- deal status from GetDealActivation ----
    uint8 internal constant S_KNOWN = 0;
    uint8 internal constant S_NOT_ACTIVATED = 1;
    uint8 internal constant S_EXPIRED = 2;
    uint8 internal constant S_NOT_FOUND = 3;

    struct Account {
        uint256 available;
        uint256 locked;
    }

    struct AppKey {
        bool exists;
        uint256 cap;
        uint256 spent;
        int64 expiry;
    }

    struct Funder {
        address who;
        uint256 amount;
        uint256 refunded;
    }

    struct DealSlot {
        uint64 dealId;
        uint64 provider;
        int64 start;
        int64 end;
        int64 activation;
        int64 lastSeen;
        int64 settledUntil;
        int64 paidEpochs;
    }

    struct Order {
        address client;
        uint64 pieceSize;
        uint64 replicas;
        uint64 completed;
        int64 minDuration;
        int64 activationDeadline;
        int64 created;
        int64 paidUntil;
        bool closed;
        bool allowSameProvider;
        uint256 pricePerEpoch;
        uint256 funded;
        uint256 balance;
        uint256 paid;
        uint256 unlockTarget;
        bytes pieceCid;
        bytes content;
        uint64[] allowedProviders;
        Funder[] funders;
        DealSlot[] deals;
    }

    /// A deal as binding needs it.
    struct Terms {
        uint64 dealId;
        bytes pieceCid;
        uint64 pieceSize;
        uint64 provider;
        int64 start;
        int64 end;
    }

    /// The outcome of one deal's settlement.
    struct Outcome {
        uint64 dealId;
        uint64 provider;
        int64 epochs;
        uint256 amount;
        uint8 finished;
        int64 activated;
    }

    /// The fields of a market DealProposal the escrow reads.
    struct Proposal {
        bytes pieceCid;
        uint64 pieceSize;
        bytes client;
        bytes provider;
        bytes label;
        int64 start;
        int64 end;
        bytes price;
    }

    /// A failed check: an exit code and its message (code 0: passed).
    struct Fail {
        uint32 code;
        string reason;
    }

    /// This contract's actor id (the market names deal clients by id).
    uint64 internal immutable selfId;

    mapping(address => Account) internal accounts;
    mapping(address => mapping(address => AppKey)) internal appKeys;
    mapping(uint64 => Order) internal orders;
    /// deal id → order id + 1 (0: unbound).
    mapping(uint64 => uint64) internal dealOrder;
    uint64 internal nextOrderId;
    uint64 internal rejectedDeals;
    uint256 private locked_;

    modifier nonReentrant() {
        if (locked_ != 0) _fail(USR_ILLEGAL_STATE, "reentrant call");
        locked_ = 1;
        _;
        locked_ = 0;
    }

    constructor() {
        uint64 id = _resolve(abi.encodePacked(uint8(4), uint8(10), address(this)));
        selfId = id;
    }

    receive() external payable {
        _deposit();
    }

    // =====================================================================================
    // Accounts
    // =====================================================================================

    function deposit() external payable {
        _deposit();
    }

    function _deposit() internal {
        if (msg.value == 0) _fail(USR_ILLEGAL_ARGUMENT, "zero deposit");
        accounts[msg.sender].available += msg.value;
        emit Deposited(msg.sender, msg.value);
    }

    function withdraw(uint256 amount, address to) external nonReentrant {
        if (amount == 0) _fail(USR_ILLEGAL_ARGUMENT, "zero amount");
        if (to == address(0)) to = msg.sender;
        Account storage acc = accounts[msg.sender];
        if (acc.available < amount) _fail(USR_INSUFFICIENT_FUNDS, "amount > available");
        acc.available -= amount;
        emit Withdrawn(msg.sender, to, amount);
        _send(to, amount);
    }

    function getAccount(address account) external view returns (uint256 available, uint256 locked) {
        Account storage acc = accounts[account];
        return (acc.available, acc.locked);
    }

    // =====================================================================================
    // Orders
    // =====================================================================================

    function createOrder(OrderParams calldata p) external payable returns (uint64 orderId) {
        address client = p.client == address(0) ? msg.sender : p.client;
        if (p.client != address(0)) _resolveEth(client);
        if (msg.value > 0 && client != msg.sender) {
            _fail(USR_NOT_PAYABLE, "value");
        }
        int64 now_ = _now();
        _checkPiece(p.pieceCid, p.pieceSize);
        if (p.pricePerEpoch == 0) _fail(USR_ILLEGAL_ARGUMENT, "price_per_epoch");
        if (p.minDuration < MIN_ORDER_DURATION || p.minDuration > MAX_ORDER_DURATION) {
            _fail(USR_ILLEGAL_ARGUMENT, "min_duration");
        }
        if (p.replicas < 1 || p.replicas > MAX_REPLICAS) _fail(USR_ILLEGAL_ARGUMENT, "replicas");
        uint256 n = p.allowedProviders.length;
        if (n > MAX_ALLOWED_PROVIDERS) _fail(USR_ILLEGAL_ARGUMENT, "allowed_providers");
        uint64[] memory providers = new uint64[](n);
        for (uint256 i = 0; i < n; i++) {
            uint64 id = _resolveEth(p.allowedProviders[i]);
            for (uint256 j = 0; j < i; j++) {
                if (providers[j] == id) _fail(USR_ILLEGAL_ARGUMENT, "allowed provider twice");
            }
            providers[i] = id;
        }
        if (p.activationDeadline < now_ || p.activationDeadline > now_ + MAX_ACTIVATION_WINDOW) {
            _fail(USR_ILLEGAL_ARGUMENT, "activation_deadline");
        }
        uint256 lock = p.pricePerEpoch * uint256(uint64(p.minDuration)) * p.replicas;
        if (p.pricePerEpoch > type(uint128).max || lock > type(uint128).max) {
            _fail(USR_ILLEGAL_ARGUMENT, "lock over 2^128");
        }
        _spend(client, lock);
        Account storage acc = accounts[client];
        uint256 available = acc.available + msg.value;
        if (available < lock) _fail(USR_INSUFFICIENT_FUNDS, "lock > available");
        acc.available = available - lock;
        acc.locked += lock;

        orderId = nextOrderId++;
        Order storage o = orders[orderId];
        o.client = client;
        o.pieceCid = p.pieceCid;
        o.pieceSize = p.pieceSize;
        o.pricePerEpoch = p.pricePerEpoch;
        o.minDuration = p.minDuration;
        o.replicas = p.replicas;
        o.allowedProviders = providers;
        o.allowSameProvider = p.allowSameProvider;
        o.activationDeadline = p.activationDeadline;
        o.content = p.content;
        o.created = now_;
        o.funded = lock;
        o.balance = lock;
        o.paidUntil = -1;
        o.funders.push(Funder(client, lock, 0));

        if (msg.value > 0) emit Deposited(msg.sender, msg.value);
        emit OrderCreated(orderId, client, keccak256(p.pieceCid), lock, p.content);
    }

    function getOrder(uint64 orderId) external view returns (OrderView memory) {
        return _view(orderId, _order(orderId));
    }

    function listOrders(address client, uint64 cursor, uint64 limit)
        external
        view
        returns (OrderView[] memory page, bool more, uint64 nextCursor)
    {
        if (limit < 1 || limit > MAX_LIST_LIMIT) _fail(USR_ILLEGAL_ARGUMENT, "limit");
        uint64 budget = client == address(0) ? limit : MAX_LIST_SCAN;
        page = new OrderView[](limit);
        uint64 count = 0;
        uint64 i = cursor;
        uint64 end = nextOrderId;
        for (uint64 scanned = 0; i < end && scanned < budget && count < limit; scanned++) {
            Order storage o = orders[i];
            if (client == address(0) || o.client == client) page[count++] = _view(i, o);
            i++;
        }
        assembly {
            mstore(page, count) // shorten the page to what was found
        }
        more = i < end;
        nextCursor = more ? i : 0;
    }

    function getOrderFunding(uint64 orderId)
        external
        view
        returns (bytes memory pieceCid, bytes memory content, address client, int64 fundedUntil, uint64 activeReplicas, bool open)
    {
        Order storage o = _order(orderId);
        return (o.pieceCid, o.content, o.client, _fundedUntil(o), _activeReplicas(o), !o.closed && !_ended(o, _now()));
    }

    function fundOrder(uint64 orderId, uint256 fromAvailable) external payable {
        if (msg.value + fromAvailable == 0) _fail(USR_ILLEGAL_ARGUMENT, "nothing to fund");
        int64 now_ = _now();
        Order storage o = _order(orderId);
        if (o.closed) _fail(USR_ILLEGAL_STATE, "order is closed");
        if (now_ > o.activationDeadline) _fail(USR_ILLEGAL_STATE, "deadline passed");
        address client = o.client;
        _addFunder(o, msg.sender, msg.value);
        _addFunder(o, client, fromAvailable);
        if (fromAvailable > 0) _spend(client, fromAvailable);
        Account storage acc = accounts[client];
        if (acc.available < fromAvailable) _fail(USR_INSUFFICIENT_FUNDS, "from_available > available");
        acc.available -= fromAvailable;
        acc.locked += msg.value + fromAvailable;
        o.funded += msg.value + fromAvailable;
        o.balance += msg.value + fromAvailable;
        if (msg.value > 0) emit OrderFunded(orderId, msg.sender, client, msg.value);
        if (fromAvailable > 0) emit OrderFunded(orderId, client, client, fromAvailable);
    }

    function _addFunder(Order storage o, address who, uint256 amount) internal {
        if (amount == 0) return;
        uint256 n = o.funders.length;
        for (uint256 i = 0; i < n; i++) {
            if (o.funders[i].who == who) {
                o.funders[i].amount += amount;
                return;
            }
        }
        if (n >= MAX_FUNDERS) _fail(USR_ILLEGAL_STATE, "32 funders already");
        // A new funder brings pos least ceil(funded / MAX_FUNDERS): dust cannot fill the list.
        if (amount < (o.funded + MAX_FUNDERS - 1) / MAX_FUNDERS) {
            _fail(USR_ILLEGAL_ARGUMENT, "new funder below 1/32");
        }
        o.funders.push(Funder(who, amount, 0));
    }

    // =====================================================================================
    // App keys
    // =====================================================================================

    function authorizeKey(address key, uint256 cap, int64 expiry) external {
        _resolveEth(key);
        if (key == msg.sender) _fail(USR_ILLEGAL_ARGUMENT, "own app key");
        if (expiry <= _now()) _fail(USR_ILLEGAL_ARGUMENT, "expiry");
        AppKey storage g = appKeys[msg.sender][key];
        g.exists = true;
        g.cap = cap;
        g.expiry = expiry;
        emit AppKeyAuthorized(msg.sender, key, cap, expiry);
    }

    function revokeKey(address key) external {
        _resolveEth(key);
        if (!appKeys[msg.sender][key].exists) _fail(USR_NOT_FOUND, "app key");
        delete appKeys[msg.sender][key];
        emit AppKeyRevoked(msg.sender, key);
    }

    function getAppKey(address client, address key)
        external
        view
        returns (bool exists, uint256 cap, uint256 spent, int64 expiry)
    {
        AppKey storage g = appKeys[client][key];
        return (g.exists, g.cap, g.spent, g.expiry);
    }

    /// Checks that the caller may spend `amount` of `client`'s funds (the client, or an unexpired
    /// app key with room under its cap) and records the spend.
    function _spend(address client, uint256 amount) internal {
        if (client == msg.sender) return;
        AppKey storage g = appKeys[client][msg.sender];
        if (!g.exists) _fail(USR_FORBIDDEN, "app key");
        if (_now() >= g.expiry) _fail(USR_FORBIDDEN, "app key expired");
        uint256 spent = g.spent + amount;
        if (spent > g.cap) _fail(USR_FORBIDDEN, "app key cap");
        g.spent = spent;
    }

    // =====================================================================================
    // Deals: market callbacks, BindDeal
    // =====================================================================================

    /// Native calls from builtin actors: the market's AuthenticateMessage (read-only) and
    /// MarketNotifyDeal. A failed check is returned as the native exit code it stands for.
    function handle_filecoin_method(uint64 method, uint64, bytes calldata params)
        external
        payable
        returns (uint32, uint64, bytes memory)
    {
        if (method != AUTHENTICATE_MESSAGE && method != MARKET_NOTIFY_DEAL) {
            return (USR_UNHANDLED_MESSAGE, 0, "");
        }
        if (msg.sender != _masked(MARKET_ACTOR_ID)) return (USR_FORBIDDEN, 0, "");
        if (msg.value > 0) return (USR_NOT_PAYABLE, 0, "");
        bytes memory raw = params;
        uint256 pos;
        uint256 len;
        (len, pos) = raw.readFixedArray(0);
        if (len != 2) return (USR_SERIALIZATION, 0, "");
        if (method == AUTHENTICATE_MESSAGE) {
            (, pos) = raw.readBytes(pos); // signature: the escrow checks the proposal, not a key
            bytes memory message;
            (message, pos) = raw.readBytes(pos);
            (, , , Fail memory f) = _checkProposal(_proposal(message));
            if (f.code != 0) return (f.code, 0, "");
            return (0, CBOR_CODEC, hex"f5");
        }
        bytes memory proposal;
        (proposal, pos) = raw.readBytes(pos);
        (uint256 dealId, ) = _cborInt(raw, pos);
        _notify(_proposal(proposal), uint64(dealId));
        return (0, 0, "");
    }

    /// Binds a published deal; a deal that does not fit is recorded and the call succeeds.
    function _notify(Proposal memory p, uint64 dealId) internal {
        (uint64 orderId, bool labelOk) = _orderOfLabel(p.label);
        Fail memory f;
        Terms memory t;
        if (dealOrder[dealId] != 0) {
            f = Fail(USR_ILLEGAL_STATE, "deal is already bound");
        } else {
            (orderId, t, , f) = _checkProposal(p);
        }
        if (f.code != 0) {
            rejectedDeals++;
            (uint64 provider, ) = _tryResolve(p.provider);
            emit DealRejected(labelOk ? orderId : type(uint64).max, _masked(provider), dealId, f.reason);
            return;
        }
        t.dealId = dealId;
        (int64 from, int64 to) = _paidTerm(orders[orderId], t);
        _bind(orderId, t, from, to, -1);
    }

    /// Checks a proposal naming the escrow as client against its order.
    function _checkProposal(Proposal memory p)
        internal
        view
        returns (uint64 orderId, Terms memory t, Order storage o, Fail memory f)
    {
        o = orders[0];
        (uint64 clientId, bool ok) = _tryResolve(p.client);
        if (!ok || clientId != selfId) return (0, t, o, Fail(USR_ILLEGAL_ARGUMENT, "client is not this escrow"));
        (orderId, ok) = _orderOfLabel(p.label);
        if (!ok) return (0, t, o, Fail(USR_ILLEGAL_ARGUMENT, "label"));
        if (orderId >= nextOrderId) return (orderId, t, o, Fail(USR_NOT_FOUND, "order not found"));
        o = orders[orderId];
        (uint64 provider, bool found) = _tryResolve(p.provider);
        if (!found) return (orderId, t, o, Fail(USR_NOT_FOUND, "provider not found"));
        (uint256 price, bool fits) = _bigUint(p.price);
        if (!fits || price > o.pricePerEpoch) {
            return (orderId, t, o, Fail(USR_ILLEGAL_ARGUMENT, "market price"));
        }
        int64 start = p.start;
        int64 end = p.end;
        if (end <= start) return (orderId, t, o, Fail(USR_ILLEGAL_ARGUMENT, "deal end"));
        t = Terms(0, p.pieceCid, p.pieceSize, provider, start, end);
        f = _checkDeal(o, t, _now());
    }

    function bindDeal(uint64 orderId, uint64 dealId) external {
        int64 now_ = _now();
        Order storage o = _order(orderId);
        Terms memory t = _dealTerms(dealId);
        int64 activation = -1;
        (uint8 kind, int64 activated, int64 terminated) = _dealStatus(dealId);
        if (kind == S_KNOWN && activated >= 0) {
            if (terminated >= 0) _fail(USR_ILLEGAL_ARGUMENT, "deal expired or was slashed");
            activation = activated;
        } else if (kind == S_KNOWN || kind == S_NOT_ACTIVATED) {
            if (now_ > t.start) _fail(USR_ILLEGAL_ARGUMENT, "deal not activated");
        } else if (kind == S_EXPIRED) {
            _fail(USR_ILLEGAL_ARGUMENT, "deal expired or was slashed");
        } else {
            _fail(USR_NOT_FOUND, "deal not found");
        }
        if (dealOrder[dealId] != 0) _fail(USR_ILLEGAL_STATE, "deal is already bound");
        _raise(_checkDeal(o, t, now_));
        (int64 from, int64 to) = _paidTerm(o, t);
        _bind(orderId, t, from, to, activation);
    }

    /// Checks that a deal may be bound to `o` now (order::check_deal).
    function _checkDeal(Order storage o, Terms memory t, int64 now_) internal view returns (Fail memory) {
        if (o.closed) return Fail(USR_ILLEGAL_STATE, "order is closed");
        if (now_ > o.activationDeadline) return Fail(USR_ILLEGAL_STATE, "deadline passed");
        if (keccak256(t.pieceCid) != keccak256(o.pieceCid)) {
            return Fail(USR_ILLEGAL_ARGUMENT, "piece CID mismatch");
        }
        if (t.pieceSize != o.pieceSize) return Fail(USR_ILLEGAL_ARGUMENT, "piece size mismatch");
        uint256 n = o.allowedProviders.length;
        if (n > 0) {
            bool allowed = false;
            for (uint256 i = 0; i < n; i++) {
                if (o.allowedProviders[i] == t.provider) allowed = true;
            }
            if (!allowed) return Fail(USR_FORBIDDEN, "provider not allowed");
        }
        if (t.start > o.activationDeadline) {
            return Fail(USR_ILLEGAL_ARGUMENT, "deal start");
        }
        int64 from = t.start > now_ ? t.start : now_;
        if (t.end - from < o.minDuration) return Fail(USR_ILLEGAL_ARGUMENT, "deal term");
        uint64 taken = uint64(o.deals.length) + o.completed;
        if (taken >= o.replicas) return Fail(USR_ILLEGAL_STATE, "all replicas taken");
        if (!o.allowSameProvider) {
            for (uint256 i = 0; i < o.deals.length; i++) {
                if (o.deals[i].provider == t.provider) {
                    return Fail(USR_FORBIDDEN, "provider holds a replica");
                }
            }
        }
        if (_shareEpochs(o, t.end - from) < o.minDuration) {
            return Fail(USR_INSUFFICIENT_FUNDS, "free funds");
        }
        return Fail(0, "");
    }

    /// The epochs a new deal's share of the free funds (free / open slots) pays for, pos most `term`.
    function _shareEpochs(Order storage o, int64 term) internal view returns (int64) {
        uint256 open = o.replicas - uint64(o.deals.length) - o.completed;
        uint256 price = o.pricePerEpoch == 0 ? 1 : o.pricePerEpoch;
        uint256 share = _free(o) / open / price;
        return share < uint256(uint64(term)) ? int64(uint64(share)) : term;
    }

    /// The first epoch paid for and the epoch a passing deal is paid up to.
    function _paidTerm(Order storage o, Terms memory t) internal view returns (int64 from, int64 to) {
        int64 now_ = _now();
        from = t.start > now_ ? t.start : now_;
        to = from + _shareEpochs(o, t.end - from);
    }

    function _bind(uint64 orderId, Terms memory t, int64 from, int64 to, int64 activation) internal {
        Order storage o = orders[orderId];
        o.deals.push(DealSlot(t.dealId, t.provider, t.start, to, activation, activation >= 0 ? _now() : int64(-1), from, 0));
        dealOrder[t.dealId] = orderId + 1;
        emit DealBound(orderId, _masked(t.provider), keccak256(o.pieceCid), t.dealId, t.start, to);
    }

    // =====================================================================================
    // Settlement
    // =====================================================================================

    function settle(uint64 orderId) external nonReentrant returns (uint256 paid, uint256 unlocked) {
        int64 now_ = _now();
        Order storage o = _order(orderId);
        if (o.closed) _fail(USR_ILLEGAL_STATE, "order is closed");
        uint256 n = o.deals.length;
        // Read-only queries of the market first (they change nothing).
        uint8[] memory kind = new uint8[](n);
        int64[] memory activated = new int64[](n);
        int64[] memory terminated = new int64[](n);
        for (uint256 i = 0; i < n; i++) {
            (kind[i], activated[i], terminated[i]) = _dealStatus(o.deals[i].dealId);
        }
        Outcome[] memory out = new Outcome[](n);
        for (uint256 i = 0; i < n; i++) {
            out[i] = _settleSlot(o, o.deals[i], kind[i], activated[i], terminated[i], now_);
            paid += out[i].amount;
        }
        o.paid += paid;
        o.balance -= paid;
        // Drop finished deals, keeping the others in order.
        uint256 kept = 0;
        for (uint256 i = 0; i < n; i++) {
            if (out[i].finished == COMPLETED) o.completed++;
            if (out[i].finished == NOT_FINISHED) {
                if (kept != i) o.deals[kept] = o.deals[i];
                kept++;
            }
        }
        while (o.deals.length > kept) o.deals.pop();
        (address[] memory who, uint256[] memory amount, uint256 count) = _unlock(o, now_);
        for (uint256 k = 0; k < count; k++) unlocked += amount[k];
        accounts[o.client].locked -= paid + unlocked;
        for (uint256 k = 0; k < count; k++) accounts[who[k]].available += amount[k];

        for (uint256 i = 0; i < n; i++) {
            Outcome memory x = out[i];
            address provider = _masked(x.provider);
            if (x.activated >= 0) emit DealActivated(orderId, provider, x.dealId, x.activated);
            if (x.epochs > 0) emit ProviderPaid(orderId, provider, x.dealId, x.amount, x.epochs);
            if (x.finished != NOT_FINISHED) emit DealFinished(orderId, provider, x.dealId, x.finished);
        }
        for (uint256 k = 0; k < count; k++) emit FundsUnlocked(orderId, who[k], amount[k]);
        for (uint256 i = 0; i < n; i++) {
            if (out[i].amount > 0) _send(_masked(out[i].provider), out[i].amount);
        }
    }

    /// One deal's settlement (order::settle).
    function _settleSlot(Order storage o, DealSlot storage s, uint8 kind, int64 activated, int64 terminated, int64 now_)
        internal
        returns (Outcome memory x)
    {
        x.dealId = s.dealId;
        x.provider = s.provider;
        x.activated = -1;
        x.finished = NOT_FINISHED;
        int64 to;
        if (kind == S_KNOWN && activated >= 0) {
            if (s.activation < 0) x.activated = activated;
            s.activation = activated;
            if (terminated >= 0) {
                (to, x.finished) = _gone(s, terminated < now_ ? terminated : now_);
            } else {
                s.lastSeen = now_;
                to = now_ < s.end ? now_ : s.end;
                if (now_ >= s.end) x.finished = COMPLETED;
            }
        } else if (kind == S_KNOWN || kind == S_NOT_ACTIVATED) {
            to = s.settledUntil;
            if (now_ > s.start) x.finished = NEVER_ACTIVATED;
        } else if (kind == S_EXPIRED) {
            (to, x.finished) = _gone(s, now_);
        } else {
            to = s.settledUntil;
            x.finished = DEAL_NOT_FOUND;
        }
        int64 from = s.settledUntil > s.activation ? s.settledUntil : s.activation;
        x.epochs = to > from ? to - from : int64(0);
        s.paidEpochs += x.epochs;
        if (to > s.settledUntil) s.settledUntil = to;
        if (x.epochs > 0 && s.settledUntil > o.paidUntil) o.paidUntil = s.settledUntil;
        x.amount = o.pricePerEpoch * uint256(uint64(x.epochs));
    }

    /// A deal first seen gone pos `seenGone`: paid up to min(end, seenGone, lastSeen + W).
    function _gone(DealSlot storage s, int64 seenGone) internal view returns (int64 to, uint8 reason) {
        if (s.lastSeen < 0) return (s.settledUntil, NEVER_ACTIVATED);
        to = s.end;
        if (seenGone < to) to = seenGone;
        if (s.lastSeen + SETTLEMENT_WINDOW < to) to = s.lastSeen + SETTLEMENT_WINDOW;
        reason = to >= s.end ? COMPLETED : EXPIRED;
    }

    /// Past the deadline, hands free funds back to the funders pro rata; once the order has
    /// ended, everything left goes back and the client takes the dust (order::unlock).
    function _unlock(Order storage o, int64 now_)
        internal
        returns (address[] memory who, uint256[] memory amount, uint256 count)
    {
        uint256 nf = o.funders.length;
        who = new address[](nf);
        amount = new uint256[](nf);
        if (o.closed || now_ <= o.activationDeadline || o.funded == 0) return (who, amount, 0);
        uint256 free = _free(o);
        if (free > 0) o.unlockTarget += free;
        uint256 total = 0;
        for (uint256 i = 0; i < nf; i++) {
            Funder storage f = o.funders[i];
            uint256 target = (f.amount * o.unlockTarget) / o.funded;
            if (target > f.refunded) {
                uint256 delta = target - f.refunded;
                f.refunded = target;
                total += delta;
                who[count] = f.who;
                amount[count++] = delta;
            }
        }
        if (_ended(o, now_)) {
            uint256 rest = o.balance - total;
            if (rest > 0 && nf > 0) {
                Funder storage c = o.funders[0];
                c.refunded += rest;
                total += rest;
                bool seen = false;
                for (uint256 k = 0; k < count; k++) {
                    if (who[k] == c.who) {
                        amount[k] += rest;
                        seen = true;
                    }
                }
                if (!seen) {
                    who[count] = c.who;
                    amount[count++] = rest;
                }
            }
            o.unlockTarget = o.funded - o.paid;
        }
        o.balance -= total;
    }

    function closeOrder(uint64 orderId) external {
        int64 now_ = _now();
        Order storage o = _order(orderId);
        if (o.client != msg.sender) _fail(USR_FORBIDDEN, "not the client");
        if (o.closed) _fail(USR_ILLEGAL_STATE, "order is closed");
        if (!_ended(o, now_)) _fail(USR_ILLEGAL_STATE, "order has not ended");
        (address[] memory who, uint256[] memory amount, uint256 count) = _unlock(o, now_);
        uint256 unlocked = 0;
        for (uint256 k = 0; k < count; k++) unlocked += amount[k];
        accounts[o.client].locked -= unlocked;
        for (uint256 k = 0; k < count; k++) accounts[who[k]].available += amount[k];
        o.closed = true;
        for (uint256 k = 0; k < count; k++) emit FundsUnlocked(orderId, who[k], amount[k]);
        emit OrderClosed(orderId, o.client);
    }

    // =====================================================================================
    // Order arithmetic
    // =====================================================================================

    function _reserved(Order storage o) internal view returns (uint256 r) {
        for (uint256 i = 0; i < o.deals.length; i++) {
            DealSlot storage d = o.deals[i];
            r += o.pricePerEpoch * uint256(uint64(d.end - d.settledUntil));
        }
    }

    function _free(Order storage o) internal view returns (uint256) {
        uint256 refunded = 0;
        for (uint256 i = 0; i < o.funders.length; i++) refunded += o.funders[i].refunded;
        return o.balance - _reserved(o) - (o.unlockTarget - refunded);
    }

    function _ended(Order storage o, int64 now_) internal view returns (bool) {
        return now_ > o.activationDeadline && o.deals.length == 0;
    }

    function _activeReplicas(Order storage o) internal view returns (uint64 n) {
        for (uint256 i = 0; i < o.deals.length; i++) {
            if (o.deals[i].activation >= 0) n++;
        }
    }

    function _fundedUntil(Order storage o) internal view returns (int64 until) {
        if (o.deals.length == 0) return o.paidUntil;
        until = type(int64).min;
        for (uint256 i = 0; i < o.deals.length; i++) {
            if (o.deals[i].end > until) until = o.deals[i].end;
        }
    }

    function _view(uint64 id, Order storage o) internal view returns (OrderView memory v) {
        v.id = id;
        v.client = o.client;
        v.pieceCid = o.pieceCid;
        v.pieceSize = o.pieceSize;
        v.pricePerEpoch = o.pricePerEpoch;
        v.minDuration = o.minDuration;
        v.replicas = o.replicas;
        v.activationDeadline = o.activationDeadline;
        v.content = o.content;
        v.funded = o.funded;
        v.balance = o.balance;
        v.paid = o.paid;
        v.liveDeals = uint64(o.deals.length);
        v.completed = o.completed;
        v.activeReplicas = _activeReplicas(o);
        v.closed = o.closed;
        v.allowSameProvider = o.allowSameProvider;
    }

    function _order(uint64 orderId) internal view returns (Order storage) {
        if (orderId >= nextOrderId) _fail(USR_NOT_FOUND, "order not found");
        return orders[orderId];
    }

    function _checkPiece(bytes calldata cid, uint64 size) internal pure {
        if (cid.length != 39 || bytes7(cid[0:7]) != PIECE_CID_PREFIX) {
            _fail(USR_ILLEGAL_ARGUMENT, "piece_cid not a v1 commP");
        }
        if (size & (size - 1) != 0 || size < MIN_PIECE_SIZE || size > MAX_PIECE_SIZE) {
            _fail(USR_ILLEGAL_ARGUMENT, "piece_size range");
        }
    }

    // =====================================================================================
    // The market, addresses, FIL
    // =====================================================================================

    /// Calls a market getter read-only through the call_actor_id precompile (DELEGATECALL, as
    /// FEVM requires; read-only flag); returns the exit code and the CBOR return.
    function _market(uint64 method, uint64 dealId) internal returns (int256 exit, bytes memory ret) {
        bytes memory params = _cborUint(dealId);
        bytes memory input = abi.encode(method, uint256(0), uint64(1), CBOR_CODEC, params, MARKET_ACTOR_ID);
        (bool ok, bytes memory out) = CALL_ACTOR_ID.delegatecall(input);
        if (!ok) _fail(USR_ILLEGAL_STATE, "call_actor");
        (exit, , ret) = abi.decode(out, (int256, uint64, bytes));
    }

    /// A getter's answer for a deal that must exist (market_queries::require).
    function _required(uint64 method, uint64 dealId) internal returns (bytes memory) {
        (int256 exit, bytes memory ret) = _market(method, dealId);
        if (exit == 0) return ret;
        if (exit == int256(uint256(USR_NOT_FOUND))) _fail(USR_NOT_FOUND, "deal not found");
        if (exit == EX_DEAL_EXPIRED) _fail(USR_ILLEGAL_ARGUMENT, "deal expired or was slashed");
        if (exit == EX_DEAL_NOT_ACTIVATED) _fail(USR_ILLEGAL_ARGUMENT, "deal not activated");
        _fail(USR_ILLEGAL_STATE, "market getter");
    }

    /// The deal's piece, provider and term from the market's getters.
    function _dealTerms(uint64 dealId) internal returns (Terms memory t) {
        (uint256 client, ) = _cborInt(_required(GET_DEAL_CLIENT, dealId), 0);
        if (client != selfId) _fail(USR_ILLEGAL_ARGUMENT, "client is not this escrow");
        bytes memory dc = _required(GET_DEAL_DATA_COMMITMENT, dealId);
        (uint256 n, uint256 i) = dc.readFixedArray(0);
        if (n != 2) _fail(USR_SERIALIZATION, "GetDealDataCommitment");
        bytes memory piece;
        (piece, i) = dc.readBytes(i);
        (uint256 size, ) = _cborInt(dc, i);
        (uint256 provider, ) = _cborInt(_required(GET_DEAL_PROVIDER, dealId), 0);
        bytes memory term = _required(GET_DEAL_TERM, dealId);
        (uint256 len, uint256 pos) = term.readFixedArray(0);
        if (len != 2) _fail(USR_SERIALIZATION, "GetDealTerm");
        int256 start;
        int256 duration;
        (start, pos) = _cborSigned(term, pos);
        (duration, pos) = _cborSigned(term, pos);
        t = Terms(dealId, _stripCidPrefix(piece), uint64(size), uint64(provider), int64(start), int64(start + duration));
    }

    /// The deal's status from GetDealActivation: kind, activated, terminated.
    function _dealStatus(uint64 dealId) internal returns (uint8, int64, int64) {
        (int256 exit, bytes memory ret) = _market(GET_DEAL_ACTIVATION, dealId);
        if (exit == 0) {
            (uint256 len, uint256 pos) = ret.readFixedArray(0);
            if (len != 2) _fail(USR_SERIALIZATION, "GetDealActivation");
            int256 a;
            int256 t;
            (a, pos) = _cborSigned(ret, pos);
            (t, pos) = _cborSigned(ret, pos);
            return (S_KNOWN, int64(a), int64(t));
        }
        if (exit == EX_DEAL_EXPIRED) return (S_EXPIRED, -1, -1);
        if (exit == EX_DEAL_NOT_ACTIVATED) return (S_NOT_ACTIVATED, -1, -1);
        if (exit == int256(uint256(USR_NOT_FOUND))) return (S_NOT_FOUND, -1, -1);
        _fail(USR_ILLEGAL_STATE, "GetDealActivation");
    }

    /// A DAG-CBOR CID is a tag-42 byte string starting with 0x00; the library's readBytes keeps it.
    function _stripCidPrefix(bytes memory b) internal pure returns (bytes memory out) {
        if (b.length == 0 || b[0] != 0x00) return b;
        out = new bytes(b.length - 1);
        for (uint256 i = 1; i < b.length; i++) out[i - 1] = b[i];
    }

    /// A CBOR unsigned integer (major type 0).
    function _cborInt(bytes memory b, uint256 pos) internal pure returns (uint256, uint256) {
        (uint8 maj, uint64 v, uint256 next) = b.parseCborHeader(pos);
        if (maj != 0) _fail(USR_SERIALIZATION, "uint");
        return (v, next);
    }

    /// A CBOR integer of either sign. (The library's readInt64 decodes a negative integer as its
    /// CBOR argument, so -1 would read as 0; GetDealActivation answers -1 for "not terminated".)
    function _cborSigned(bytes memory b, uint256 pos) internal pure returns (int256, uint256) {
        (uint8 maj, uint64 v, uint256 next) = b.parseCborHeader(pos);
        if (maj == 0) return (int256(uint256(v)), next);
        if (maj == 1) return (-1 - int256(uint256(v)), next);
        _fail(USR_SERIALIZATION, "int");
    }

    function _cborUint(uint64 v) internal pure returns (bytes memory) {
        if (v < 24) return abi.encodePacked(uint8(v));
        if (v <= type(uint8).max) return abi.encodePacked(uint8(0x18), uint8(v));
        if (v <= type(uint16).max) return abi.encodePacked(uint8(0x19), uint16(v));
        if (v <= type(uint32).max) return abi.encodePacked(uint8(0x1a), uint32(v));
        return abi.encodePacked(uint8(0x1b), v);
    }

    /// A non-negative Filecoin big integer (sign byte, big-endian magnitude) as uint256.
    function _bigUint(bytes memory b) internal pure returns (uint256 v, bool ok) {
        if (b.length == 0) return (0, true);
        if (b[0] != 0x00 || b.length > 33) return (0, false);
        for (uint256 i = 1; i < b.length; i++) v = (v << 8) | uint8(b[i]);
        return (v, true);
    }

    /// Reads a DAG-CBOR DealProposal (actors v18: an 11-tuple) with the library's CBOR decoder.
    function _proposal(bytes memory b) internal pure returns (Proposal memory p) {
        (uint256 len, uint256 pos) = b.readFixedArray(0);
        if (len != 11) _fail(USR_SERIALIZATION, "proposal");
        bytes memory cid;
        (cid, pos) = b.readBytes(pos);
        p.pieceCid = _stripCidPrefix(cid);
        uint256 v;
        (v, pos) = _cborInt(b, pos);
        p.pieceSize = uint64(v);
        (, pos) = b.readBool(pos);
        (p.client, pos) = b.readBytes(pos);
        (p.provider, pos) = b.readBytes(pos);
        uint8 maj;
        uint64 n;
        (maj, n, pos) = b.parseCborHeader(pos);
        if (maj != 2 && maj != 3) _fail(USR_SERIALIZATION, "label");
        p.label = new bytes(n);
        for (uint256 i = 0; i < n; i++) p.label[i] = b[pos + i];
        pos += n;
        int256 e;
        (e, pos) = _cborSigned(b, pos);
        p.start = int64(e);
        (e, pos) = _cborSigned(b, pos);
        p.end = int64(e);
        (p.price, pos) = b.readBytes(pos);
    }

    /// The order a label names: the order id in decimal, surrounding whitespace allowed.
    function _orderOfLabel(bytes memory s) internal pure returns (uint64 id, bool ok) {
        uint256 a = 0;
        uint256 b = s.length;
        while (a < b && _space(s[a])) a++;
        while (b > a && _space(s[b - 1])) b--;
        if (a < b && s[a] == "+") a++;
        if (a == b) return (0, false);
        uint256 v = 0;
        for (uint256 i = a; i < b; i++) {
            uint8 c = uint8(s[i]);
            if (c < 48 || c > 57) return (0, false);
            v = v * 10 + (c - 48);
            if (v > type(uint64).max) return (0, false);
        }
        return (uint64(v), true);
    }

    function _space(bytes1 c) internal pure returns (bool) {
        return c == 0x20 || (c >= 0x09 && c <= 0x0d);
    }

    function _now() internal view returns (int64) {
        return int64(uint64(block.number));
    }

    function _masked(uint64 id) internal pure returns (address) {
        return address(uint160((uint256(0xff) << 152) | id));
    }

    /// The actor id of an Ethereum address: a masked ID address's id, else the f410 actor's id;
    /// NotFound when no actor has it.
    function _resolveEth(address a) internal view returns (uint64) {
        uint160 v = uint160(a);
        if (v >> 64 == uint160(0xff) << 88) return uint64(v);
        return _resolve(abi.encodePacked(uint8(4), uint8(10), a));
    }

    function _resolve(bytes memory filAddress) internal view returns (uint64) {
        (uint64 id, bool ok) = _tryResolve(filAddress);
        if (!ok) _fail(USR_NOT_FOUND, "no actor");
        return id;
    }

    /// The resolve_address precompile: a Filecoin address's actor id (f0 addresses included), if any.
    function _tryResolve(bytes memory filAddress) internal view returns (uint64, bool) {
        (bool ok, bytes memory out) = RESOLVE_ADDRESS.staticcall(filAddress);
        if (!ok || out.length != 32) return (0, false);
        uint256 word = abi.decode(out, (uint256));
        return (uint64(word), word <= type(uint64).max);
    }

    function _raise(Fail memory f) internal pure {
        if (f.code != 0) _fail(f.code, f.reason);
    }

    /// Reverts with the custom error of a native exit code (FilmarkErrors), one call site per
    /// code so each check costs only its message.
    function _fail(uint32 code, string memory reason) internal pure {
        if (code == USR_ILLEGAL_ARGUMENT) revert E.IllegalArgument(reason);
        if (code == USR_NOT_FOUND) revert E.NotFound(reason);
        if (code == USR_FORBIDDEN) revert E.Forbidden(reason);
        if (code == USR_INSUFFICIENT_FUNDS) revert E.InsufficientFunds(reason);
        if (code == USR_SERIALIZATION) revert E.Serialization(reason);
        if (code == USR_NOT_PAYABLE) revert E.NotPayable(reason);
        if (code == USR_UNSPECIFIED) revert E.Unspecified(reason);
        revert E.IllegalState(reason);
    }

    function _send(address to, uint256 amount) internal {
        (bool ok, ) = payable(to).call{value: amount}("");
        if (!ok) _fail(USR_UNSPECIFIED, "transfer failed");
    }
}
