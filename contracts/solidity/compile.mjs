// Compiles every .sol file here with solc-js (npm `solc`, pinned in package-lock.json) and
// writes out/<Contract>.json ({ contractName, sourceName, abi, bytecode, deployedBytecode,
// methodIdentifiers: solc's own selector of each function })
// for each contract, interface and library, plus out/solc.json naming the compiler and its
// settings. `node compile.mjs --check` writes nothing and exits 1 when out/ differs from a fresh
// build (scripts/test.sh runs it, so the committed files are always what the sources give).
import { readFileSync, readdirSync, writeFileSync, mkdirSync, existsSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import solc from 'solc'

const here = dirname(fileURLToPath(import.meta.url))
const outDir = join(here, 'out')
const check = process.argv.includes('--check')

// Cancun: the opcodes the devnet's EVM actor and FEVM (since network version 25) run. The IR
// pipeline keeps the wide ABI structs (a registry Record has 17 fields) off the stack limit.
const settings = {
  evmVersion: 'cancun',
  viaIR: true,
  optimizer: { enabled: true, runs: 200 },
  outputSelection: { '*': { '*': ['abi', 'evm.bytecode.object', 'evm.deployedBytecode.object', 'evm.methodIdentifiers'] } },
}

const files = readdirSync(here).filter((f) => f.endsWith('.sol')).sort()
const input = {
  language: 'Solidity',
  sources: Object.fromEntries(files.map((f) => [f, { content: readFileSync(join(here, f), 'utf8') }])),
  settings,
}
// Imports of npm packages (`filecoin-solidity-api`, pinned in package-lock.json) come from
// node_modules; only the contracts of the files here are written to out/.
const findImports = (path) => {
  const file = join(here, 'node_modules', path)
  return existsSync(file) ? { contents: readFileSync(file, 'utf8') } : { error: `not found: ${path}` }
}
const out = JSON.parse(solc.compile(JSON.stringify(input), { import: findImports }))
const problems = out.errors ?? []
for (const e of problems) console.error(e.formattedMessage)
if (problems.some((e) => e.severity === 'error')) process.exit(1)
if (problems.some((e) => e.severity === 'warning')) {
  console.error('solc warnings are errors here')
  process.exit(1)
}

const written = {
  'solc.json': { compiler: `solc-js ${solc.version()}`, settings },
}
for (const [sourceName, contracts] of Object.entries(out.contracts)) {
  if (!files.includes(sourceName)) continue
  for (const [contractName, c] of Object.entries(contracts)) {
    written[`${contractName}.json`] = {
      contractName,
      sourceName,
      abi: c.abi,
      bytecode: `0x${c.evm.bytecode.object}`,
      deployedBytecode: `0x${c.evm.deployedBytecode.object}`,
      methodIdentifiers: c.evm.methodIdentifiers,
    }
  }
}

let stale = []
if (!check) mkdirSync(outDir, { recursive: true })
for (const [name, value] of Object.entries(written)) {
  const path = join(outDir, name)
  const text = `${JSON.stringify(value, null, 2)}\n`
  if (check) {
    if (!existsSync(path) || readFileSync(path, 'utf8') !== text) stale.push(name)
  } else {
    writeFileSync(path, text)
  }
}
if (check) {
  const extra = existsSync(outDir) ? readdirSync(outDir).filter((f) => !(f in written)) : []
  stale = stale.concat(extra)
  if (stale.length > 0) {
    console.error(`contracts/solidity/out is stale (${stale.join(', ')}): run \`npm run build\` in contracts/solidity`)
    process.exit(1)
  }
  console.log(`contracts/solidity/out matches its sources (${Object.keys(written).length} files)`)
} else {
  console.log(`wrote ${Object.keys(written).length} files to contracts/solidity/out`)
}
