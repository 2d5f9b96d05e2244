//! The wasm module of the datacap actor.

/// The FVM's entry point: runs one method of [`filmark_devnet_actors::datacap`].
#[cfg(target_arch = "wasm32")]
#[unsafe(no_mangle)]
pub extern "C" fn invoke(params: u32) -> u32 {
    filmark_devnet_actors::wasm::invoke(params, filmark_devnet_actors::datacap::dispatch)
}
