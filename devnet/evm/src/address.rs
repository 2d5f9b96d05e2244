//! Ethereum addresses of Filecoin actors, as FEVM maps them: an actor with an `f410` address
//! (namespace: the EAM) is its 20-byte sub-address; any other actor is the masked id address
//! `0xff`, 11 zero bytes, then its 8-byte big-endian id.

use filmark_actor_shared::abi::MASKED_ID_PREFIX;
use fvm_shared::ActorID;
use fvm_shared::address::Address;

pub use filmark_devnet_actors::eam::eth_address_of;

/// The Filecoin address an Ethereum address names: the id address for a masked id, else the
/// `f410` address in the EAM's namespace.
pub fn to_filecoin(eth: &[u8; 20]) -> Address {
    match masked_id(eth) {
        Some(id) => Address::new_id(id),
        None => Address::new_delegated(filmark_devnet_actors::EAM_ACTOR_ID, eth)
            .expect("a 20-byte sub-address is within the f4 limit"),
    }
}

/// The actor id in a masked id address.
pub fn masked_id(eth: &[u8; 20]) -> Option<ActorID> {
    if eth[..12] == MASKED_ID_PREFIX {
        let mut id = [0; 8];
        id.copy_from_slice(&eth[12..]);
        Some(u64::from_be_bytes(id))
    } else {
        None
    }
}

/// A reserved precompile address, as FEVM v18's `is_reserved_precompile_address`: `0x00…` or
/// `0xfe00…` with 18 zero bytes and a non-zero last byte (Ethereum's and Filecoin's), and
/// `0x00…0100` (P256VERIFY, Ethereum's).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Precompile {
    /// Ethereum's, by index.
    Ethereum(u16),
    /// Filecoin's, by index.
    Filecoin(u8),
}

/// The precompile at `eth`, if the address is a reserved one.
pub fn precompile(eth: &[u8; 20]) -> Option<Precompile> {
    if eth[..18] == [0; 18] && eth[18..] == [1, 0] {
        return Some(Precompile::Ethereum(0x0100));
    }
    let [prefix, middle @ .., index] = *eth;
    if middle != [0; 18] || index == 0 {
        return None;
    }
    match prefix {
        0x00 => Some(Precompile::Ethereum(u16::from(index))),
        0xfe => Some(Precompile::Filecoin(index)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masked_ids_round_trip_and_others_are_f410() {
        let eth = eth_address_of(1234, None);
        assert_eq!(masked_id(&eth), Some(1234));
        assert_eq!(to_filecoin(&eth), Address::new_id(1234));
        let other = [7; 20];
        assert_eq!(masked_id(&other), None);
        assert_eq!(
            to_filecoin(&other),
            Address::new_delegated(10, &[7; 20]).unwrap()
        );
    }

    #[test]
    fn precompile_ranges() {
        let mut a = [0; 20];
        a[19] = 1;
        assert!(matches!(precompile(&a), Some(Precompile::Ethereum(1))));
        a[19] = 0xff;
        assert!(matches!(precompile(&a), Some(Precompile::Ethereum(0xff))));
        a[18] = 1;
        a[19] = 0;
        assert!(matches!(precompile(&a), Some(Precompile::Ethereum(0x100))));
        a[19] = 1;
        assert!(precompile(&a).is_none());
        let mut f = [0; 20];
        f[0] = 0xfe;
        f[19] = 3;
        assert!(matches!(precompile(&f), Some(Precompile::Filecoin(3))));
        f[19] = 0;
        assert!(precompile(&f).is_none());
        assert!(precompile(&[0xff; 20]).is_none());
    }
}
