//! The reverts of the Solidity twins, read from `contracts/solidity/FilmarkErrors.sol`: one
//! custom error per exit code of the native actors, each carrying the reason.

alloy_sol_types::sol!(
    #[sol(extra_derives(Debug, PartialEq, Eq))]
    "../solidity/FilmarkErrors.sol"
);
