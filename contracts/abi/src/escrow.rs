//! The escrow's Solidity interface, read from `contracts/solidity/IFilmarkEscrow.sol` (the one
//! definition; its comments give the conventions).

alloy_sol_types::sol!(
    #[sol(extra_derives(Debug, PartialEq, Eq))]
    "../solidity/IFilmarkEscrow.sol"
);
