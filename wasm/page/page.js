// The dapp page: a post or a file → CID, piece CID and CAR (hashed in filmark-wasm's Web
// Worker) → registered on chain → a storage order created, funded and linked → the CAR handed
// to the devnet's provider → status(cid) shows the deal. Every chain call is the SDK's, through
// the wasm Client. `?rpc=…&registry=…&escrow=…&key=…` prefill the form.
import { Client, Key, Signer, contentWorker, load, offerCar } from '/pkg/index.js';

const $ = (id) => document.getElementById(id);
const worker = contentWorker();
const flow = {};
window.__flow = flow;

for (const [k, v] of new URLSearchParams(location.search)) {
  if ($(k) && v) $(k).value = v;
}

function show(e) {
  const code = e.code ?? e.name;
  const exit = e.exitCode === undefined ? '' : ` (exit code ${e.exitCode})`;
  $('error').textContent = `${code}${exit}: ${e.message}`;
  flow.error = { code, message: e.message, exitCode: e.exitCode };
}

// Runs a step with its button disabled; errors are shown, with their code.
function step(button, f) {
  $(button).addEventListener('click', async () => {
    $('error').textContent = '';
    $(button).disabled = true;
    try {
      await f();
    } catch (e) {
      show(e);
    } finally {
      $(button).disabled = false;
    }
  });
}

step('prepare', async () => {
  const file = $('file').files[0];
  const blob = file ?? new Blob([$('post').value], { type: 'text/plain' });
  const result = await worker.pack(blob, {
    onProgress: (done, total) => {
      $('progress').max = Math.max(total, 1);
      $('progress').value = done;
    },
  });
  $('cid').textContent = result.root;
  $('piece').textContent = result.piece.pieceCid;
  $('car').textContent = `${result.carSize} bytes, ${result.blocks} blocks`;
  flow.kind = file?.type || 'text/plain';
  window.__content = result;
});

let session;
// The client and signer of the form's node and key (reconnects when they change).
async function connect() {
  await load();
  const rpc = $('rpc').value.trim();
  const keyText = $('key').value.trim();
  const path = $('path').value;
  if (session?.rpc !== rpc || session?.keyText !== keyText || session?.path !== path) {
    const key = Key.parse(keyText);
    const signer = path === 'eth' ? Signer.eth(key) : Signer.f1(key);
    const client = await Client.connect(rpc, { timeoutMs: 60_000 });
    session = { rpc, keyText, path, key, signer, client };
  }
  const { client } = session;
  return {
    ...session,
    registry: client.registry($('registry').value.trim()),
    escrow: client.escrow($('escrow').value.trim()),
  };
}

function content() {
  if (!window.__content) throw Object.assign(new Error('prepare the content first'), { code: 'NO_CONTENT' });
  return window.__content;
}

step('register', async () => {
  const c = content();
  const { client, signer, registry } = await connect();
  $('signer').textContent = `${signer.address('t')} (${signer.path})`;
  await registry.register(signer, {
    cid: c.root,
    kind: flow.kind ?? 'text/plain',
    size: c.fileSize,
    piece: c.piece.pieceCid,
    platform: 'filmark-page',
  });
  const record = await registry.get(c.root);
  $('owner').textContent = record.owner;
  Object.assign(flow, { cid: c.root, record, signer: signer.address('t'), chainId: client.chainId });
});

step('order', async () => {
  const c = content();
  const { rpc, signer, registry, escrow } = await connect();
  const price = BigInt($('price').value.trim());
  const duration = Number($('duration').value.trim());
  const full = (price * BigInt(duration)).toString();
  const orderId = await escrow.createOrder(
    signer,
    {
      pieceCid: c.piece.pieceCid,
      pieceSize: c.piece.paddedSize,
      pricePerEpoch: price.toString(),
      minDuration: duration,
      content: c.root,
    },
    full,
  );
  $('order-id').textContent = String(orderId);
  await registry.linkOrder(signer, c.root, orderId);
  const order = await escrow.getOrder(orderId);
  $('funded').textContent = `${order.funded} attoFIL`;
  flow.orderId = orderId;
  $('provider').textContent = 'uploading the CAR…';
  const record = await offerCar(rpc, escrow.address, orderId, c.car);
  $('provider').textContent = `${record.provider}: ${record.state}, deal ${record.dealId}`;
  flow.provider = record;
  await refresh();
});

async function refresh() {
  const c = content();
  const { client, registry, escrow } = await connect();
  const s = await client.status(registry.address, escrow.address, c.root);
  const deal = s.order?.deals[0];
  $('epoch').textContent = String(s.epoch);
  $('deal').textContent = deal ? `${deal.dealId} with ${deal.provider}, epochs ${deal.start}–${deal.end}` : 'none yet';
  $('deal-state').textContent = deal ? `${deal.state}${deal.stateEpoch === null ? '' : ` since epoch ${deal.stateEpoch}`}` : '–';
  $('deal-state').className = `state ${deal?.state ?? ''}`;
  $('funded-until').textContent = s.order ? `epoch ${s.order.fundedUntil}` : '–';
  flow.status = s;
}

step('refresh', refresh);
