//! The wasm module of the ethaccount actor.

/// The FVM's entry point: runs one method of the ethaccount actor
/// ([`filmark_devnet_actors::holder`]).
#[cfg(target_arch = "wasm32")]
#[unsafe(no_mangle)]
pub extern "C" fn invoke(params: u32) -> u32 {
    use filmark_devnet_actors::holder;
    filmark_devnet_actors::wasm::invoke(params, |method, params| {
        holder::dispatch(filmark_devnet_actors::manifest::ETHACCOUNT, method, params)
    })
}
