// The repository's content and key vectors (sdk/tests/vectors), checked in the browser
// against the built package, on the page and in its Web Worker.
import {
  Key,
  cidOf,
  contentWorker,
  load,
  messageCid,
  pack,
  pieceOf,
  pieceOfParallel,
  verifySignedMessage,
} from '/pkg/index.js';
import { Checks, sha256Hex, vectorInput } from './common.js';

const c = new Checks();
const log = (s) => {
  document.getElementById('log').textContent += `${s}\n`;
  console.log(s);
};
const json = async (name) => (await fetch(`/vectors/${name}`)).json();

async function checkPack(name, blob, car, opts = {}) {
  const p = await pack(blob, opts);
  c.eq(`${name} car bytes`, p.carSize, car.bytes);
  c.eq(`${name} car blob size`, p.car.size, car.bytes);
  c.eq(`${name} car sha256`, await sha256Hex(await p.car.arrayBuffer()), car.sha256);
  c.eq(`${name} car piece v1`, p.piece.pieceCid, car.piece_v1);
  c.eq(`${name} car piece v2`, p.piece.pieceCidV2, car.piece_v2);
  return p;
}

async function smallVectors() {
  const { vectors } = await json('small.json');
  for (const v of vectors) {
    const bytes = await vectorInput(v.size);
    c.eq(`small ${v.size} input sha256`, await sha256Hex(bytes), v.sha256);
    const blob = new Blob([bytes]);
    const imported = await cidOf(blob);
    c.eq(`small ${v.size} cid`, imported.root, v.cid);
    c.eq(`small ${v.size} file size`, imported.fileSize, v.size);
    const piece = await pieceOf(blob);
    c.eq(`small ${v.size} piece v1`, piece.pieceCid, v.piece_v1);
    c.eq(`small ${v.size} piece v2`, piece.pieceCidV2, v.piece_v2);
    c.eq(`small ${v.size} padded size`, piece.paddedSize, v.padded_size);
    if (v.car) await checkPack(`small ${v.size}`, blob, v.car);
    if (v.size > 127 << 12) {
      const par = await pieceOfParallel(blob, { segmentSize: 127 << 12, workers: 2 });
      c.eq(`small ${v.size} parallel piece v2`, par.pieceCidV2, v.piece_v2);
    }
  }
  log(`small.json: ${vectors.length} inputs`);
}

async function contentVectors() {
  const { files } = await json('content.json');
  const worker = contentWorker();
  for (const f of files) {
    const blob = new Blob([await vectorInput(f.size)]);
    const name = `content ${f.size}`;
    c.eq(`${name} cid`, (await cidOf(blob)).root, f.cid);
    const piece = await pieceOf(blob, { sliceSize: 1_000_003 });
    c.eq(`${name} piece v1`, piece.pieceCid, f.piece_v1);
    c.eq(`${name} piece v2`, piece.pieceCidV2, f.piece_v2);
    c.eq(`${name} padded size`, piece.paddedSize, f.padded_piece_size);
    for (const k of [15, 17, 18]) {
      const par = await pieceOfParallel(blob, { segmentSize: 127 << k, workers: 2 });
      c.eq(`${name} parallel (segments 127<<${k}) piece v2`, par.pieceCidV2, f.piece_v2);
    }
    const alt = f.ipfs_car_default_dag;
    const altCid = await cidOf(blob, { chunkSize: 1 << 20, maxLinks: 1024 });
    c.eq(`${name} ipfs-car dag cid`, altCid.root, alt.cid);
    await checkPack(`${name} (page)`, blob, f.car_importer_order);

    // The same in the worker, while the page keeps running timers.
    let ticks = 0;
    const timer = setInterval(() => ticks++, 10);
    let progress = 0;
    let last = [0, 0];
    const p = await worker.pack(blob, {
      onProgress: (done, total) => {
        progress++;
        last = [done, total];
      },
    });
    clearInterval(timer);
    c.eq(`${name} (worker) root`, p.root, f.cid);
    c.eq(`${name} (worker) car piece`, p.piece.pieceCid, f.car_importer_order.piece_v1);
    c.eq(`${name} (worker) car sha256`, await sha256Hex(await p.car.arrayBuffer()), f.car_importer_order.sha256);
    c.ok(`${name} (worker) progress reported`, progress >= 4, `${progress} reports`);
    c.eq(`${name} (worker) progress ends at twice the size`, last.join('/'), `${2 * f.size}/${2 * f.size}`);
    c.ok(`${name} (worker) page not blocked`, ticks >= 3, `${ticks} timer ticks`);
    log(`${name}: worker pack with ${progress} progress reports, ${ticks} page ticks meanwhile`);
  }
  await c.throwsCode('worker error keeps its code', () => worker.cidOf(new Blob([new Uint8Array(10)]), { maxLinks: 1 }), 'INVALID_PARAMS');
  worker.terminate();
}

async function mnemonicVectors() {
  const { eth, f1 } = await json('mnemonic.json');
  for (const v of eth) {
    const k = Key.fromMnemonic(v.mnemonic, v.passphrase, 'eth', v.index);
    c.eq(`eth ${v.path} ${v.passphrase} key`, k.secretHex(), v.private_key);
    c.eq(`eth ${v.path} ${v.passphrase} address`, k.ethAddress(), v.address);
    k.free();
  }
  for (const v of f1) {
    const k = Key.fromMnemonic(v.mnemonic, v.passphrase, 'filecoin', v.index);
    c.eq(`f1 ${v.path} ${v.passphrase} key`, k.secretHex(), v.private_key);
    c.eq(`f1 ${v.path} ${v.passphrase} address`, k.f1Address('f'), v.address);
    const exported = Key.parse(v.lotus_export);
    c.eq(`f1 ${v.path} lotus export`, exported.secretHex(), v.private_key);
    k.free();
    exported.free();
  }
  log(`mnemonic.json: ${eth.length} eth, ${f1.length} f1 keys`);
}

async function signing() {
  const key = Key.parse('0x' + '11'.repeat(32));
  const f1 = key.f1Address('t');
  const f410 = key.f410Address('t');
  // A plain send from f1; from f410 a call to an EVM contract (InvokeEVM, empty calldata),
  // the shape a delegated signature covers.
  const msg = (from) =>
    JSON.stringify({
      Version: 0, To: 't01000', From: from, Nonce: 3, Value: '1000', GasLimit: 1000000,
      GasFeeCap: '100000', GasPremium: '1000',
      Method: from.startsWith('t410') ? 3844450837 : 0, Params: null,
    });
  const chain = 31415926;
  const signed = key.signMessage(msg(f1), chain);
  c.eq('f1 signature type', JSON.parse(signed).Signature.Type, 1);
  c.eq('f1 signed message verifies', verifySignedMessage(signed, chain), undefined);
  c.ok('message CID', messageCid(msg(f1)).startsWith('bafy2bzace'));
  const delegated = key.signMessage(msg(f410), chain);
  c.eq('f410 signature type', JSON.parse(delegated).Signature.Type, 3);
  c.eq('f410 signed message verifies', verifySignedMessage(delegated, chain), undefined);
  const raw = key.signEthTx(msg(f410), chain);
  c.eq('eth raw tx is EIP-1559', raw[0], 2);
  const other = Key.parse('0x' + '22'.repeat(32));
  const forged = JSON.parse(other.signMessage(msg(other.f1Address('t')), chain));
  forged.Message.From = f1;
  await c.throwsCode('forged signer', () => verifySignedMessage(JSON.stringify(forged), chain), 'SIGNER_MISMATCH');
  await c.throwsCode('sign for another key', () => other.signMessage(msg(f1), chain), 'SIGNER_MISMATCH');
  await c.throwsCode('bad key text', () => Key.parse('not a key'), 'INVALID_KEY_FORMAT');
  await c.throwsCode('zero key', () => Key.parse('00'.repeat(32)), 'INVALID_SECRET_KEY');
  await c.throwsCode('bad mnemonic', () => Key.fromMnemonic('abandon '.repeat(12).trim(), '', 'eth', 0), 'INVALID_MNEMONIC');
  await c.throwsCode('bad account', () => Key.fromMnemonic('x', '', 'btc', 0), 'INVALID_ARGUMENT');
  await c.throwsCode('bad message JSON', () => messageCid('{"To": 1}'), 'INVALID_JSON');
  await c.throwsCode('not a blob', () => cidOf('text'), 'INVALID_ARGUMENT');
  const r = Key.random();
  c.ok('random key', r.secretHex().length === 64 && r.secretHex() !== Key.random().secretHex());
  c.ok('public key', key.publicKey().length === 65 && key.publicKey()[0] === 4);
  log('signing and errors');
}

try {
  await load();
  await smallVectors();
  await mnemonicVectors();
  await signing();
  await contentVectors();
} catch (e) {
  c.failed.push(`uncaught: ${e.code ?? ''} ${e.stack ?? e}`);
}
log(`passed ${c.passed}, failed ${c.failed.length}`);
c.finish();
