// Compiles one contract with solc-js for the Rust tests and prints { abi, bytecode } as JSON:
//   node test/compile.js contracts/DealClient.sol DealClient
import { readFileSync } from 'node:fs'
import { basename } from 'node:path'
import { compile } from './solidity.js'

const [path, contract] = process.argv.slice(2)
if (!path || !contract) {
  console.error('usage: node test/compile.js FILE.sol CONTRACT')
  process.exit(2)
}
const file = basename(path)
console.log(JSON.stringify(compile({ [file]: readFileSync(path, 'utf8') }, file, contract)))
