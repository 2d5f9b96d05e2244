//! The registry's Solidity interface, read from `contracts/solidity/IFilmarkRegistry.sol` (the
//! one definition; its comments give the conventions).

alloy_sol_types::sol!(
    #[sol(extra_derives(Debug, PartialEq, Eq))]
    "../solidity/IFilmarkRegistry.sol"
);
