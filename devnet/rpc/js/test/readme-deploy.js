// The devnet README's viem example, run as is by the tests (devnet/rpc/tests/it/clients.rs),
// which also check that the README shows this file from the `import` line on.
import { createPublicClient, createWalletClient, defineChain, http } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { erc20 } from './solidity.js' // solc-js + OpenZeppelin: any { abi, bytecode } does

// From `filmark devnet`'s banner: its RPC URL and one of its private keys.
const url = process.env.FILMARK_RPC_URL
const [key] = process.env.FILMARK_ETH_KEYS.split(',')

const chain = defineChain({
  id: 31415926,
  name: 'filmark devnet',
  nativeCurrency: { name: 'Filecoin', symbol: 'FIL', decimals: 18 },
  rpcUrls: { default: { http: [url] } },
})
const client = createPublicClient({ chain, transport: http() })
const wallet = createWalletClient({ account: privateKeyToAccount(key), chain, transport: http() })

const { abi, bytecode } = erc20()
const hash = await wallet.deployContract({ abi, bytecode, args: [1000n] })
const { contractAddress, status } = await client.waitForTransactionReceipt({ hash })
const supply = await client.readContract({ address: contractAddress, abi, functionName: 'totalSupply' })
console.log(`deployed ${contractAddress}: ${status}, totalSupply ${supply}`)
if (status !== 'success' || supply !== 1000n) process.exit(1)
console.log('readme-deploy: ok')
