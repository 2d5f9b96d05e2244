// SPDX-License-Identifier: MIT
// Asks a storage miner actor who controls it through the published Filecoin Solidity library
// (npm filecoin-solidity-api, pinned): MinerAPI calls the miner through the call_actor_id
// precompile with the miner's exported method numbers and CBOR.
pragma solidity ^0.8.20;

import {MinerAPI} from "filecoin-solidity-api/contracts/v0.8/MinerAPI.sol";
import {MinerTypes} from "filecoin-solidity-api/contracts/v0.8/types/MinerTypes.sol";
import {CommonTypes} from "filecoin-solidity-api/contracts/v0.8/types/CommonTypes.sol";

contract MinerReader {
    /// Whether `addr` (a Filecoin address's bytes) is the miner's owner, worker or a control
    /// address, with the miner's exit code.
    function isControlling(uint64 miner, bytes memory addr) external view returns (int256 exit, bool controls) {
        return MinerAPI.isControllingAddress(CommonTypes.FilActorId.wrap(miner), CommonTypes.FilAddress(addr));
    }

    /// The owner's address bytes.
    function owner(uint64 miner) external view returns (int256 exit, bytes memory ownerAddress) {
        MinerTypes.GetOwnerReturn memory ret;
        (exit, ret) = MinerAPI.getOwner(CommonTypes.FilActorId.wrap(miner));
        return (exit, ret.owner.data);
    }

    function sectorSize(uint64 miner) external view returns (int256 exit, uint64 size) {
        return MinerAPI.getSectorSize(CommonTypes.FilActorId.wrap(miner));
    }
}
