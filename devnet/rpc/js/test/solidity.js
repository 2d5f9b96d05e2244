// Compiles Solidity with solc-js (npm `solc`, pinned) for the contract tests: sources and
// OpenZeppelin's imports (npm `@openzeppelin/contracts`, pinned) from node_modules, EVM version
// Cancun (the opcodes the devnet's EVM actor runs). Nothing compiled is committed.
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import solc from 'solc'

const require = createRequire(import.meta.url)

function findImports(path) {
  try {
    return { contents: readFileSync(require.resolve(path), 'utf8') }
  } catch (e) {
    return { error: `${path}: ${e.message}` }
  }
}

// Compiles `sources` ({ file: source }) and returns { abi, bytecode } of `contract` in `file`.
export function compile(sources, file, contract) {
  const input = {
    language: 'Solidity',
    sources: Object.fromEntries(Object.entries(sources).map(([k, v]) => [k, { content: v }])),
    settings: {
      evmVersion: 'cancun',
      optimizer: { enabled: true, runs: 200 },
      outputSelection: { '*': { '*': ['abi', 'evm.bytecode.object'] } },
    },
  }
  const out = JSON.parse(solc.compile(JSON.stringify(input), { import: findImports }))
  const errors = (out.errors ?? []).filter((e) => e.severity === 'error')
  if (errors.length > 0) throw new Error(errors.map((e) => e.formattedMessage).join('\n'))
  const c = out.contracts[file][contract]
  return { abi: c.abi, bytecode: `0x${c.evm.bytecode.object}` }
}

// An OpenZeppelin ERC-20 that mints `supply` to its deployer, and reverts with a reason.
export const erc20Source = `// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;
import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
contract Token is ERC20 {
    constructor(uint256 supply) ERC20("Filmark Test", "FMT") { _mint(msg.sender, supply); }
    function fail() external pure { revert("nope"); }
}
`

export function erc20() {
  return compile({ 'Token.sol': erc20Source }, 'Token.sol', 'Token')
}
