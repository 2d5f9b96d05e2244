//! The registry's method numbers (FRC-0042), declared once.

use filmark_actor_shared::methods;

methods! {
    /// Every method of the registry actor. Numbers are `frc42_dispatch::method_hash!` of the
    /// name, except the constructor (1) and `InvokeEvm`, the Ethereum entry point
    /// (`filmark_actor_shared::abi::INVOKE_EVM_METHOD`, 3844450837).
    pub enum Method {
        /// Creates the state; only the init actor may call it.
        Constructor = 1,
        /// Registers one content record.
        Register = frc42_dispatch::method_hash!("Register"),
        /// Registers up to `policy::MAX_BATCH_SIZE` records at once.
        RegisterBatch = frc42_dispatch::method_hash!("RegisterBatch"),
        /// Sets and removes metadata keys of a record.
        UpdateMetadata = frc42_dispatch::method_hash!("UpdateMetadata"),
        /// Gives a record to another owner.
        Transfer = frc42_dispatch::method_hash!("Transfer"),
        /// Marks a record as tombstoned, for ever.
        Tombstone = frc42_dispatch::method_hash!("Tombstone"),
        /// Grants an app signer the right to act for the caller.
        AddSigner = frc42_dispatch::method_hash!("AddSigner"),
        /// Revokes a signer grant, for ever.
        RevokeSigner = frc42_dispatch::method_hash!("RevokeSigner"),
        /// Reads one record.
        Get = frc42_dispatch::method_hash!("Get"),
        /// Lists an owner's records, one page at a time.
        ListByOwner = frc42_dispatch::method_hash!("ListByOwner"),
        /// Lists an owner's current signer grants.
        ListSigners = frc42_dispatch::method_hash!("ListSigners"),
        /// Reads the registry's counters.
        Counts = frc42_dispatch::method_hash!("Counts"),
        /// Links a record to the escrow order that pays for its storage.
        LinkOrder = frc42_dispatch::method_hash!("LinkOrder"),
        /// Reads a record's order and its funding from the escrow.
        GetFunding = frc42_dispatch::method_hash!("GetFunding"),
        /// The Ethereum entry point: Solidity-ABI calldata for any method above.
        InvokeEvm = frc42_dispatch::method_hash!("InvokeEVM"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_frc42_and_distinct() {
        assert_eq!(
            Method::InvokeEvm.number(),
            filmark_actor_shared::abi::INVOKE_EVM_METHOD
        );
        for (i, a) in Method::ALL.iter().enumerate() {
            assert_eq!(Method::from_number(a.number()), Some(*a));
            if *a != Method::Constructor {
                assert!(a.number() >= 1 << 24, "{} is not exported", a.name());
            }
            for b in &Method::ALL[i + 1..] {
                assert_ne!(a.number(), b.number());
            }
        }
    }
}
