//! The escrow's method numbers (FRC-42), declared once.

use filmark_actor_shared::abi::INVOKE_EVM_METHOD;

use crate::ext::callbacks;

filmark_actor_shared::methods! {
    /// Every method the escrow actor implements.
    pub enum Method {
        /// Constructor (no parameters).
        Constructor = 1,
        /// Adds the value sent to the caller's available funds.
        Deposit = frc42_dispatch::method_hash!("Deposit"),
        /// Sends available funds to the caller or a named address.
        Withdraw = frc42_dispatch::method_hash!("Withdraw"),
        /// `[available, locked]` of an account.
        GetAccount = frc42_dispatch::method_hash!("GetAccount"),
        /// Creates a storage order, locking price × duration × replicas.
        CreateOrder = frc42_dispatch::method_hash!("CreateOrder"),
        /// One order.
        GetOrder = frc42_dispatch::method_hash!("GetOrder"),
        /// A page of orders.
        ListOrders = frc42_dispatch::method_hash!("ListOrders"),
        /// The registry-facing summary of an order (the cross-actor contract).
        GetOrderFunding = frc42_dispatch::method_hash!("GetOrderFunding"),
        /// Adds funds to an order (value from anyone, or the client's available funds).
        FundOrder = frc42_dispatch::method_hash!("FundOrder"),
        /// Binds an existing market deal to an order.
        BindDeal = frc42_dispatch::method_hash!("BindDeal"),
        /// Pays providers for active epochs and unlocks what is no longer needed.
        Settle = frc42_dispatch::method_hash!("Settle"),
        /// Closes an order after its end.
        CloseOrder = frc42_dispatch::method_hash!("CloseOrder"),
        /// Authorises an app key to spend for the caller up to a cap, until an expiry.
        AuthorizeKey = frc42_dispatch::method_hash!("AuthorizeKey"),
        /// Revokes an app key.
        RevokeKey = frc42_dispatch::method_hash!("RevokeKey"),
        /// An app key's grant.
        GetAppKey = frc42_dispatch::method_hash!("GetAppKey"),
        /// Market callback: accepts a deal proposal naming the escrow as client (read-only).
        AuthenticateMessage = callbacks::AUTHENTICATE_MESSAGE,
        /// Market callback: a deal naming the escrow as client was published.
        MarketNotifyDeal = callbacks::MARKET_NOTIFY_DEAL,
        /// The Ethereum entry point: Solidity-ABI calldata for the methods above.
        InvokeEvm = INVOKE_EVM_METHOD,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_frc42_and_distinct() {
        for (i, m) in Method::ALL.iter().enumerate() {
            assert_eq!(Method::from_number(m.number()), Some(*m));
            if *m != Method::Constructor {
                assert!(m.number() >= 1 << 24, "{} is not exported", m.name());
            }
            for other in &Method::ALL[i + 1..] {
                assert_ne!(m.number(), other.number());
            }
        }
        assert_eq!(Method::InvokeEvm.number(), 3_844_450_837);
        assert_eq!(Method::AuthenticateMessage.number(), 2_643_134_072);
        assert_eq!(Method::MarketNotifyDeal.number(), 4_186_741_094);
    }
}
