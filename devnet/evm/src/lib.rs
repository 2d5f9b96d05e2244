#![doc = include_str!("../README.md")]

#[cfg(feature = "fil-actor")]
mod actor;
#[cfg(all(target_arch = "wasm32", feature = "fil-actor"))]
mod alloc;
#[cfg(feature = "fil-actor")]
mod host;
#[cfg(feature = "fil-actor")]
mod precompiles;

pub mod address;
pub mod ethereum;

pub use filmark_actor_shared::ActorError;

/// The wasm entry point of the module (`entry/evm.rs`).
#[cfg(feature = "fil-actor")]
pub use actor::invoke;

/// The result of an actor method.
pub type ActorResult<T> = Result<T, ActorError>;

#[cfg(test)]
mod tests {
    use alloy_primitives::{Address, B256, keccak256};
    use filmark_devnet_actors::eam::{create_address, create2_address};
    use filmark_devnet_actors::evm::HANDLE_FILECOIN_METHOD_SELECTOR;

    fn keccak(data: &[u8]) -> [u8; 32] {
        keccak256(data).0
    }

    #[test]
    fn the_filecoin_method_selector_is_the_signature_hash() {
        let hash = keccak256("handle_filecoin_method(uint64,uint64,bytes)");
        assert_eq!(hash[..4], HANDLE_FILECOIN_METHOD_SELECTOR);
    }

    #[test]
    fn eam_addresses_match_ethereum_create_and_create2() {
        let sender = Address::repeat_byte(0x42);
        for nonce in [0, 1, 0x7f, 0x80, 0xff, 0x100, u64::MAX] {
            assert_eq!(
                create_address(keccak, &sender.0.0, nonce),
                sender.create(nonce).0.0,
                "nonce {nonce}"
            );
        }
        let salt = B256::repeat_byte(7);
        let initcode = [0x60, 0x00, 0xf3];
        assert_eq!(
            create2_address(keccak, &sender.0.0, &salt.0, &initcode),
            sender.create2_from_code(salt, initcode).0.0
        );
    }
}
