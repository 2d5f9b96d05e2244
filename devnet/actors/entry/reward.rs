//! The wasm module of the reward actor (`f02`, also `f099`).

/// The FVM's entry point: runs one method of [`filmark_devnet_actors::reward`].
#[cfg(target_arch = "wasm32")]
#[unsafe(no_mangle)]
pub extern "C" fn invoke(params: u32) -> u32 {
    filmark_devnet_actors::wasm::invoke(params, filmark_devnet_actors::reward::dispatch)
}
