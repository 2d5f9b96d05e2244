// SPDX-License-Identifier: MIT
// Reads a deal from the storage market through the published Filecoin Solidity library
// (npm filecoin-solidity-api, pinned): MarketAPI calls the market through the call_actor_id
// precompile with the market's exported method numbers and CBOR.
pragma solidity ^0.8.20;

import {MarketAPI} from "filecoin-solidity-api/contracts/v0.8/MarketAPI.sol";
import {MarketTypes} from "filecoin-solidity-api/contracts/v0.8/types/MarketTypes.sol";

contract MarketReader {
    /// The deal's piece CID (as the library reads it: the CID's bytes behind a 0x00 prefix) and
    /// padded size, with the market's exit code.
    function dataCommitment(uint64 dealId) external view returns (int256 exit, bytes memory data, uint64 size) {
        MarketTypes.GetDealDataCommitmentReturn memory ret;
        (exit, ret) = MarketAPI.getDealDataCommitment(dealId);
        return (exit, ret.data, ret.size);
    }

    function client(uint64 dealId) external view returns (int256 exit, uint64 id) {
        return MarketAPI.getDealClient(dealId);
    }

    function provider(uint64 dealId) external view returns (int256 exit, uint64 id) {
        return MarketAPI.getDealProvider(dealId);
    }
}
