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

/// The Ethereum precompiles FEVM offers: `0x01` (ecrecover) to `0x0a` (point evaluation is not
/// one of them, see the README).
pub fn ethereum_precompile(eth: &[u8; 20]) -> Option<u8> {
    (eth[..19] == [0; 19] && (1..=10).contains(&eth[19])).then_some(eth[19])
}

/// FEVM's Filecoin precompiles: `0xfe` then 18 zero bytes then the index (1: resolve_address,
/// 2: lookup_delegated_address, 3: call_actor, 5: call_actor_id).
pub fn filecoin_precompile(eth: &[u8; 20]) -> Option<u8> {
    (eth[0] == 0xfe && eth[1..19] == [0; 18] && eth[19] != 0).then_some(eth[19])
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
        assert_eq!(ethereum_precompile(&a), Some(1));
        a[19] = 11;
        assert_eq!(ethereum_precompile(&a), None);
        let mut f = [0; 20];
        f[0] = 0xfe;
        f[19] = 3;
        assert_eq!(filecoin_precompile(&f), Some(3));
        assert_eq!(ethereum_precompile(&f), None);
    }
}
