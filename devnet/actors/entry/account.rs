//! The wasm module of the account actor.

/// The FVM's entry point: runs one method of [`filmark_devnet_actors::account`].
#[cfg(target_arch = "wasm32")]
#[unsafe(no_mangle)]
pub extern "C" fn invoke(params: u32) -> u32 {
    filmark_devnet_actors::wasm::invoke(params, filmark_devnet_actors::account::dispatch)
}
