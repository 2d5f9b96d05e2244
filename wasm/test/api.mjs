// The rest of the wasm network client in Chromium, on the devnet the page flow used (after it):
// nonce/gas/push/wait, transfer, balances, signer grants, escrow deposit/app keys/settle,
// record transfer and tombstone, and the error codes. Each check names what it expects.

/** Runs in the page: every call is the wasm client's; returns what each step gave. */
async function inPage({ url, registry, escrow, f1Key, ethKey, cid, orderId }) {
  const m = await import('/pkg/index.js');
  await m.load();
  const client = await m.Client.connect(url);
  const f1 = m.Signer.f1(m.Key.parse(f1Key));
  const eth = m.Signer.eth(m.Key.parse(ethKey));
  const reg = client.registry(registry);
  const esc = client.escrow(escrow);
  const f1Addr = f1.address('t');
  const f1Id = await client.lookupId(f1Addr);
  const ethAddr = eth.address('t');
  const out = { f1Id, network: client.network, chainId: client.chainId };
  const code = async (p) => {
    try {
      await p;
      return null;
    } catch (e) {
      return { code: e.code, exitCode: e.exitCode, message: e.message };
    }
  };

  // prepare (nonce, gas) → push → wait: a plain send of 5 attoFIL from f1 to the eth account.
  const before = BigInt(await client.balance(ethAddr));
  const nonce = await client.nonce(f1Addr);
  const msg = JSON.parse(await client.prepare(f1Addr, ethAddr, '5', 0));
  const cidOfPush = await client.push(f1, JSON.stringify(msg));
  const landed = await client.wait(cidOfPush);
  out.push = { nonce, msgNonce: msg.Nonce, gasLimit: msg.GasLimit, cid: cidOfPush, landed };
  out.nonceAfter = await client.nonce(f1Addr);
  const sent = await client.transfer(f1, ethAddr, '7');
  out.transfer = sent.exitCode;
  out.ethGained = (BigInt(await client.balance(ethAddr)) - before).toString();

  // Signer grants: the record's owner (eth) grants f1, then revokes it.
  out.grant = await reg.addSigner(eth, f1Id, 1, 1_000_000);
  out.revoked = await reg.revokeSigner(eth, f1Id);

  // Escrow: f1 deposits; app keys; eth settles the page's order.
  await esc.deposit(f1, '1000');
  out.account = await esc.getAccount(f1Addr);
  await esc.authorizeKey(f1, ethAddr, '500', 1_000_000);
  out.appKey = await esc.getAppKey(f1Addr, ethAddr);
  await esc.revokeKey(f1, ethAddr);
  out.appKeyAfter = await esc.getAppKey(f1Addr, ethAddr);
  out.settled = await esc.settle(eth, orderId);
  out.order = await esc.getOrder(orderId);

  // The record changes hands, and its new owner (f1) tombstones it.
  await reg.transfer(eth, cid, f1Id);
  out.newOwner = (await reg.get(cid)).owner;
  await reg.tombstone(f1, cid);
  out.status = await client.status(registry, escrow, cid);
  out.counts = await reg.counts();

  // Errors: their stable codes.
  const { root: unknown } = await m.cidOf(new Blob(['never registered']));
  out.notFound = await code(reg.get(unknown));
  out.badAddress = await code(client.balance('x123'));
  out.badCid = await code(reg.get('not-a-cid'));
  out.badRecord = await code(reg.register(eth, { cid, nope: 1 }));
  out.again = await code(reg.register(eth, { cid }));
  out.unreachable = await code(m.Client.connect('http://127.0.0.1:9/rpc/v1'));
  return out;
}

function check(results, ok, what) {
  console.log(`${ok ? 'ok' : 'FAIL'} ${what}`);
  results.push(ok);
}

/** The API checks; resolves to true when every one passed. */
export async function checkApi(context, serverUrl, devnet, cid, orderId) {
  const page = await context.newPage();
  page.on('pageerror', (e) => console.log(`  [page error] ${e.message}`));
  await page.goto(`${serverUrl}/page/index.html`);
  const r = await page.evaluate(inPage, {
    url: devnet.url,
    registry: devnet.registry,
    escrow: devnet.escrow,
    f1Key: devnet.f1Key,
    ethKey: devnet.ethKey,
    cid,
    orderId,
  });
  await page.close();
  const results = [];
  check(results, r.network === 'devnet' && r.chainId === 31415926, `connect: ${r.network}, chain id ${r.chainId}`);
  check(
    results,
    r.push.msgNonce === r.push.nonce && r.push.gasLimit > 0 && r.push.landed.exitCode === 0 && r.push.landed.message === r.push.cid && r.nonceAfter === r.push.nonce + 1,
    `prepare/push/wait: nonce ${r.push.nonce} (message ${r.push.msgNonce}, then ${r.nonceAfter}), gas limit ${r.push.gasLimit}, ${r.push.cid} executed at ${r.push.landed.height} as ${r.push.landed.message}, exit ${r.push.landed.exitCode}`,
  );
  check(results, r.transfer === 0 && r.ethGained === '12', `transfer (exit ${r.transfer}): the eth account gained ${r.ethGained} attoFIL (5 pushed + 7)`);
  check(results, Number.isInteger(r.grant) && r.revoked === r.grant, `addSigner → grant ${r.grant}, revokeSigner → ${r.revoked}`);
  check(results, r.account.available === '1000', `deposit: available ${r.account.available}`);
  check(results, r.appKey?.cap === '500' && r.appKeyAfter === null, `authorizeKey cap ${r.appKey?.cap}, revokeKey → ${r.appKeyAfter}`);
  check(results, typeof r.settled.paid === 'string' && r.order.deals.length === 1, `settle: paid ${r.settled.paid}, unlocked ${r.settled.unlocked}`);
  check(results, r.newOwner === r.f1Id && r.status.tombstoned && r.status.record.status === 'tombstoned', `transfer to ${r.newOwner}, tombstoned`);
  check(results, r.counts.records === 1 && r.counts.tombstoned === 1, `counts: ${JSON.stringify(r.counts)}`);
  check(results, r.notFound?.code === 'ACTOR_FAILED' && r.notFound.exitCode === 17, `get(unknown): ${r.notFound?.code} ${r.notFound?.exitCode}`);
  check(results, r.badAddress?.code === 'INVALID_ADDRESS', `balance("x123"): ${r.badAddress?.code}`);
  check(results, r.badCid?.code === 'INVALID_ARGUMENT', `get("not-a-cid"): ${r.badCid?.code}`);
  check(results, r.badRecord?.code === 'INVALID_ARGUMENT' && /nope/.test(r.badRecord.message), `register({nope}): ${r.badRecord?.code}`);
  check(results, r.again?.code === 'ACTOR_FAILED' && r.again.exitCode > 0, `register again: ${r.again?.code} exit ${r.again?.exitCode}: ${r.again?.message}`);
  check(results, r.unreachable?.code === 'TRANSPORT', `connect(port 9): ${r.unreachable?.code}`);
  return results.every(Boolean);
}
