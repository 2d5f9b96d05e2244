//! The wasm module of the EVM actor: one instance per contract.

/// The FVM's entry point: runs one method of [`filmark_devnet_evm`].
#[cfg(target_arch = "wasm32")]
#[unsafe(no_mangle)]
pub extern "C" fn invoke(params: u32) -> u32 {
    filmark_devnet_evm::invoke(params)
}
