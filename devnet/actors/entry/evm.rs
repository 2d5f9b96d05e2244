//! The wasm module of the evm actor, a stub ([`filmark_devnet_actors::stub`]).

/// The FVM's entry point: runs one method of the stub.
#[cfg(target_arch = "wasm32")]
#[unsafe(no_mangle)]
pub extern "C" fn invoke(params: u32) -> u32 {
    filmark_devnet_actors::wasm::invoke(params, |method, params| {
        filmark_devnet_actors::stub::dispatch(filmark_devnet_actors::manifest::EVM, method, params)
    })
}
