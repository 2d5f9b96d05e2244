//! The escrow's Solidity interface, read from `contracts/solidity/IFilmarkEscrow.sol` (the one
//! definition; its comments give the conventions).

alloy_sol_types::sol!("../solidity/IFilmarkEscrow.sol");
