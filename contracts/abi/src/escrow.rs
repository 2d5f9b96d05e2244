//! The escrow's Solidity interface.
//!
//! Conventions: amounts are `uint256` attoFIL; addresses are 20-byte Ethereum addresses (f410,
//! or masked ID `0xff‖0^11‖id` for other actors); CIDs are `bytes` (binary CID, empty = none);
//! the zero address means "none" where a native parameter is optional.

alloy_sol_types::sol! {
    /// The Filmark storage-deal escrow.
    #[derive(Debug, PartialEq, Eq)]
    interface IFilmarkEscrow {
        /// An order as `getOrder` returns it.
        struct OrderView {
            uint64 id;
            address client;
            bytes pieceCid;
            uint64 pieceSize;
            uint256 pricePerEpoch;
            int64 minDuration;
            uint64 replicas;
            int64 activationDeadline;
            bytes content;
            uint256 funded;
            uint256 balance;
            uint256 paid;
            uint64 liveDeals;
            uint64 completed;
            uint64 activeReplicas;
            bool closed;
            bool allowSameProvider;
        }

        /// `createOrder` parameters.
        struct OrderParams {
            bytes pieceCid;
            uint64 pieceSize;
            uint256 pricePerEpoch;
            int64 minDuration;
            uint64 replicas;
            address[] allowedProviders;
            int64 activationDeadline;
            bytes content;
            address client;
            bool allowSameProvider;
        }

        function deposit() external payable;
        function withdraw(uint256 amount, address to) external;
        function getAccount(address account) external view returns (uint256 available, uint256 locked);
        function createOrder(OrderParams params) external payable returns (uint64 orderId);
        function getOrder(uint64 orderId) external view returns (OrderView order);
        function listOrders(address client, uint64 cursor, uint64 limit) external view returns (OrderView[] orders, bool more, uint64 nextCursor);
        function getOrderFunding(uint64 orderId) external view returns (bytes pieceCid, bytes content, address client, int64 fundedUntil, uint64 activeReplicas, bool open);
        function fundOrder(uint64 orderId, uint256 fromAvailable) external payable;
        function bindDeal(uint64 orderId, uint64 dealId) external;
        function settle(uint64 orderId) external returns (uint256 paid, uint256 unlocked);
        function closeOrder(uint64 orderId) external;
        function authorizeKey(address key, uint256 cap, int64 expiry) external;
        function revokeKey(address key) external;
        function getAppKey(address client, address key) external view returns (bool exists, uint256 cap, uint256 spent, int64 expiry);

        event Deposited(address indexed account, uint256 amount);
        event Withdrawn(address indexed account, address to, uint256 amount);
        event OrderCreated(uint64 indexed orderId, address indexed client, bytes32 indexed pieceCidHash, uint256 locked, bytes content);
        event OrderFunded(uint64 indexed orderId, address indexed funder, address indexed client, uint256 amount);
        event DealBound(uint64 indexed orderId, address indexed provider, bytes32 indexed pieceCidHash, uint64 dealId, int64 start, int64 end);
        event DealActivated(uint64 indexed orderId, address indexed provider, uint64 indexed dealId, int64 epoch);
        event DealRejected(uint64 indexed orderId, address indexed provider, uint64 indexed dealId, string reason);
        event DealFinished(uint64 indexed orderId, address indexed provider, uint64 indexed dealId, uint8 reason);
        event ProviderPaid(uint64 indexed orderId, address indexed provider, uint64 indexed dealId, uint256 amount, int64 epochs);
        event FundsUnlocked(uint64 indexed orderId, address indexed funder, uint256 amount);
        event OrderClosed(uint64 indexed orderId, address indexed client);
        event AppKeyAuthorized(address indexed client, address indexed key, uint256 cap, int64 expiry);
        event AppKeyRevoked(address indexed client, address indexed key);
    }
}
