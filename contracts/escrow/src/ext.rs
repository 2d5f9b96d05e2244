//! What the escrow sends to other actors: the storage market's exported methods, their FRC-42
//! numbers and their CBOR shapes. No method number appears anywhere else.

/// The builtin storage market actor (f05).
pub mod market {
    use cid::Cid;
    use fvm_ipld_encoding::tuple::*;
    use fvm_shared::ActorID;
    use fvm_shared::address::Address;
    use fvm_shared::clock::ChainEpoch;
    use fvm_shared::econ::TokenAmount;
    use fvm_shared::error::ExitCode;
    use fvm_shared::piece::PaddedPieceSize;
    use ipld_core::ipld::Ipld;
    use serde::{Deserialize, Serialize};

    /// The market's address, f05.
    pub const ADDRESS: Address =
        Address::new_id(filmark_actor_shared::builtin::STORAGE_MARKET_ACTOR_ID);

    filmark_actor_shared::methods! {
        /// The market's exported deal getters the escrow calls, read-only, each with a deal id
        /// ([`DealQueryParams`]). Errors name them by [`Getter::name`].
        pub enum Getter {
            /// Deal id → [`GetDealDataCommitmentReturn`].
            GetDealDataCommitment = frc42_dispatch::method_hash!("GetDealDataCommitment"),
            /// Deal id → client actor id: `BindDeal` binds only deals whose client is the
            /// escrow (deals it authenticated against an order).
            GetDealClient = frc42_dispatch::method_hash!("GetDealClient"),
            /// Deal id → provider actor id.
            GetDealProvider = frc42_dispatch::method_hash!("GetDealProvider"),
            /// Deal id → [`GetDealTermReturn`].
            GetDealTerm = frc42_dispatch::method_hash!("GetDealTerm"),
            /// Deal id → [`GetDealActivationReturn`].
            GetDealActivation = frc42_dispatch::method_hash!("GetDealActivation"),
        }
    }

    /// Exit code of a getter for a deal that expired, was slashed or was cleaned up.
    pub const EX_DEAL_EXPIRED: ExitCode = ExitCode::new(32);
    /// Exit code of a getter for a deal that is not activated.
    pub const EX_DEAL_NOT_ACTIVATED: ExitCode = ExitCode::new(33);

    /// Params of every deal getter: the deal id, a bare u64.
    #[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
    #[serde(transparent)]
    pub struct DealQueryParams {
        /// The deal id.
        pub id: u64,
    }

    /// Return of `GetDealDataCommitment`.
    #[derive(Serialize_tuple, Deserialize_tuple, Clone, Debug, PartialEq, Eq)]
    pub struct GetDealDataCommitmentReturn {
        /// The piece CID.
        pub data: Cid,
        /// The padded piece size.
        pub size: PaddedPieceSize,
    }

    /// Return of `GetDealClient`.
    #[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
    #[serde(transparent)]
    pub struct GetDealClientReturn {
        /// The client's actor id.
        pub client: ActorID,
    }

    /// Return of `GetDealProvider`.
    #[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
    #[serde(transparent)]
    pub struct GetDealProviderReturn {
        /// The provider's actor id.
        pub provider: ActorID,
    }

    /// Return of `GetDealTerm`.
    #[derive(Serialize_tuple, Deserialize_tuple, Clone, Copy, Debug, PartialEq, Eq)]
    pub struct GetDealTermReturn {
        /// First epoch of the deal.
        pub start: ChainEpoch,
        /// Length in epochs; the deal ends at `start + duration`.
        pub duration: ChainEpoch,
    }

    /// Return of `GetDealActivation`.
    #[derive(Serialize_tuple, Deserialize_tuple, Clone, Copy, Debug, PartialEq, Eq)]
    pub struct GetDealActivationReturn {
        /// Epoch the deal's sector was activated, or -1.
        pub activated: ChainEpoch,
        /// Epoch the deal was terminated, or -1.
        pub terminated: ChainEpoch,
    }

    /// A deal label: a UTF-8 string or bytes (CBOR text or byte string).
    #[derive(Clone, Debug, PartialEq, Eq)]
    pub enum Label {
        /// A text label.
        String(String),
        /// A bytes label.
        Bytes(Vec<u8>),
    }

    impl Label {
        /// The label's bytes.
        pub fn as_bytes(&self) -> &[u8] {
            match self {
                Self::String(s) => s.as_bytes(),
                Self::Bytes(b) => b,
            }
        }
    }

    impl Serialize for Label {
        fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            match self {
                Self::String(v) => s.serialize_str(v),
                Self::Bytes(v) => s.serialize_bytes(v),
            }
        }
    }

    /// Decodes through the IPLD data model (whose DAG-CBOR decoder the actor carries anyway for
    /// its HAMTs) rather than a `deserialize_any` visitor of its own, which would compile a
    /// decoder for every CBOR major type into the wasm for this one field.
    impl<'de> Deserialize<'de> for Label {
        fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            use serde::de::Error;
            match Ipld::deserialize(d)? {
                Ipld::String(s) => Ok(Self::String(s)),
                Ipld::Bytes(b) => Ok(Self::Bytes(b)),
                other => Err(D::Error::custom(format_args!(
                    "invalid type: {}, expected a string or bytes",
                    kind_name(&other)
                ))),
            }
        }
    }

    /// The data model kind of a value, for error messages.
    fn kind_name(v: &Ipld) -> &'static str {
        match v {
            Ipld::Null => "null",
            Ipld::Bool(_) => "boolean",
            Ipld::Integer(_) => "integer",
            Ipld::Float(_) => "float",
            Ipld::String(_) => "string",
            Ipld::Bytes(_) => "bytes",
            Ipld::List(_) => "list",
            Ipld::Map(_) => "map",
            Ipld::Link(_) => "link",
        }
    }

    /// A storage deal proposal, as the market encodes it.
    #[derive(Serialize_tuple, Deserialize_tuple, Clone, Debug, PartialEq)]
    pub struct DealProposal {
        /// The piece CID.
        pub piece_cid: Cid,
        /// The padded piece size.
        pub piece_size: PaddedPieceSize,
        /// Whether the deal uses DataCap.
        pub verified_deal: bool,
        /// The deal's client.
        pub client: Address,
        /// The storage provider.
        pub provider: Address,
        /// The label.
        pub label: Label,
        /// First epoch of the deal.
        pub start_epoch: ChainEpoch,
        /// Epoch the deal ends.
        pub end_epoch: ChainEpoch,
        /// Market-level price per epoch paid by the client (normally 0 for escrow deals).
        pub storage_price_per_epoch: TokenAmount,
        /// Provider collateral.
        pub provider_collateral: TokenAmount,
        /// Client collateral.
        pub client_collateral: TokenAmount,
    }
}

/// Callbacks the escrow receives as a deal's client (FRC-42 numbers the market uses).
pub mod callbacks {
    /// `AuthenticateMessage`, called read-only by the market for each deal the escrow is client of.
    pub const AUTHENTICATE_MESSAGE: u64 = frc42_dispatch::method_hash!("AuthenticateMessage");
    /// `MarketNotifyDeal`, sent by the market after publishing such a deal.
    pub const MARKET_NOTIFY_DEAL: u64 = frc42_dispatch::method_hash!("MarketNotifyDeal");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_match_the_market() {
        use market::Getter;
        assert_eq!(Getter::GetDealDataCommitment.number(), 1_157_985_802);
        assert_eq!(Getter::GetDealClient.number(), 128_053_329);
        assert_eq!(Getter::GetDealProvider.number(), 935_081_690);
        assert_eq!(Getter::GetDealTerm.number(), 163_777_312);
        assert_eq!(Getter::GetDealActivation.number(), 2_567_238_399);
        assert_eq!(callbacks::AUTHENTICATE_MESSAGE, 2_643_134_072);
        assert_eq!(callbacks::MARKET_NOTIFY_DEAL, 4_186_741_094);
    }

    #[test]
    fn label_accepts_text_and_bytes() {
        let text = fvm_ipld_encoding::to_vec(&market::Label::String("7".into())).unwrap();
        assert_eq!(text, vec![0x61, b'7']);
        let bytes = fvm_ipld_encoding::to_vec(&market::Label::Bytes(vec![1])).unwrap();
        assert_eq!(bytes, vec![0x41, 1]);
        let back: market::Label = fvm_ipld_encoding::from_slice(&text).unwrap();
        assert_eq!(back, market::Label::String("7".into()));
        let back: market::Label = fvm_ipld_encoding::from_slice(&bytes).unwrap();
        assert_eq!(back, market::Label::Bytes(vec![1]));
        let empty: market::Label = fvm_ipld_encoding::from_slice(&[0x60]).unwrap();
        assert_eq!(empty, market::Label::String(String::new()));
    }

    #[test]
    fn label_refuses_other_kinds_naming_them() {
        // 5, [], {}, null, true, 1.5, a CID link, and a text string that is not UTF-8.
        let cid = cid::Cid::default().to_bytes();
        let mut link = vec![0xd8, 0x2a, 0x40 + (cid.len() as u8 + 1), 0];
        link.extend_from_slice(&cid);
        for (cbor, kind) in [
            (vec![0x05], "integer"),
            (vec![0x80], "list"),
            (vec![0xa0], "map"),
            (vec![0xf6], "null"),
            (vec![0xf5], "boolean"),
            (vec![0xfb, 0x3f, 0xf8, 0, 0, 0, 0, 0, 0], "float"),
            (link, "link"),
        ] {
            let e = fvm_ipld_encoding::from_slice::<market::Label>(&cbor).unwrap_err();
            assert!(
                e.to_string()
                    .contains(&format!("invalid type: {kind}, expected a string or bytes")),
                "{kind}: {e}"
            );
        }
        assert!(fvm_ipld_encoding::from_slice::<market::Label>(&[0x61, 0xff]).is_err());
    }
}
