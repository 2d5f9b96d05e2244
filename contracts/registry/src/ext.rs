//! What the registry calls on other actors: method numbers and their param/return types.

/// The Filmark escrow actor (cross-actor contract; the registry does not depend on its crate).
pub mod escrow {
    use cid::Cid;
    use fvm_ipld_encoding::tuple::*;
    use fvm_shared::ActorID;
    use fvm_shared::clock::ChainEpoch;
    use serde::{Deserialize, Serialize};

    filmark_actor_shared::methods! {
        /// The escrow's methods the registry calls.
        pub enum Method {
            /// `GetOrderFunding`, sent read-only: [`GetOrderFundingParams`] → the order's
            /// funding.
            GetOrderFunding = frc42_dispatch::method_hash!("GetOrderFunding"),
        }
    }

    /// `GetOrderFunding` params: the order id, a bare u64.
    #[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
    #[serde(transparent)]
    pub struct GetOrderFundingParams {
        /// The order id.
        pub order_id: u64,
    }

    /// `GetOrderFunding` return, exactly
    /// `[piece_cid, content, client, funded_until, active_replicas, open]`.
    #[derive(Serialize_tuple, Deserialize_tuple, Clone, Debug, PartialEq, Eq)]
    pub struct OrderFunding {
        /// The piece the order pays to store.
        pub piece_cid: Cid,
        /// The registry content the order is for, if any.
        pub content: Option<Cid>,
        /// The client who funds the order.
        pub client: ActorID,
        /// Epochs before this one are paid for: the latest end a live deal is reserved to,
        /// else the last epoch any deal was paid up to (−1 if none).
        pub funded_until: ChainEpoch,
        /// Replicas currently stored under active deals.
        pub active_replicas: u64,
        /// The order can still store something: not closed, and before its deadline or with a
        /// live deal.
        pub open: bool,
    }
}

#[cfg(test)]
mod tests {
    use cid::Cid;
    use fvm_ipld_encoding::{RawBytes, to_vec};
    use multihash_codetable::{Code, MultihashDigest};

    use super::escrow::*;

    #[test]
    fn order_funding_wire_shape_is_the_contract() {
        let piece = Cid::new_v1(0xf101, Code::Blake2b256.digest(b"piece"));
        let f = OrderFunding {
            piece_cid: piece,
            content: None,
            client: 1001,
            funded_until: 5000,
            active_replicas: 2,
            open: true,
        };
        let bytes = to_vec(&f).unwrap();
        // A 6-element array: piece cid, null content, client, epoch, replicas, bool.
        let expected = to_vec(&(piece, Option::<Cid>::None, 1001u64, 5000i64, 2u64, true)).unwrap();
        assert_eq!(bytes, expected);
        assert_eq!(bytes[0], 0x86);
        let back: OrderFunding = RawBytes::new(bytes).deserialize().unwrap();
        assert_eq!(back, f);
        // The params are a bare integer, not an array.
        assert_eq!(
            to_vec(&GetOrderFundingParams { order_id: 7 }).unwrap(),
            vec![0x07]
        );
        assert_eq!(
            Method::GetOrderFunding.number(),
            frc42_dispatch::method_hash!("GetOrderFunding")
        );
        assert_eq!(Method::GetOrderFunding.name(), "GetOrderFunding");
    }
}
