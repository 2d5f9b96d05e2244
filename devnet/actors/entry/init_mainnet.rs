//! The wasm module of the init actor (`f01`) with the devnet's user-wasm extension off: the
//! devnet behaves exactly as mainnet.

/// The FVM's entry point: runs one method of [`filmark_devnet_actors::init`].
#[cfg(target_arch = "wasm32")]
#[unsafe(no_mangle)]
pub extern "C" fn invoke(params: u32) -> u32 {
    use filmark_devnet_actors::init;
    filmark_devnet_actors::wasm::invoke(params, |method, params| {
        init::dispatch(!init::USER_WASM_ON, method, params)
    })
}
