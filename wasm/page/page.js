// The dapp page's content step: a post or a file → progress → CID, piece CID and CAR, hashed
// in filmark-wasm's Web Worker so the page stays responsive.
import { contentWorker } from '/pkg/index.js';

const $ = (id) => document.getElementById(id);
const worker = contentWorker();

async function prepare() {
  const file = $('file').files[0];
  const text = $('post').value;
  const blob = file ?? new Blob([text], { type: 'text/plain' });
  $('error').textContent = '';
  $('prepare').disabled = true;
  try {
    const result = await worker.pack(blob, {
      onProgress: (done, total) => {
        $('progress').max = Math.max(total, 1);
        $('progress').value = done;
      },
    });
    $('cid').textContent = result.root;
    $('piece').textContent = result.piece.pieceCid;
    $('car').textContent = `${result.carSize} bytes, ${result.blocks} blocks`;
    window.__content = result;
  } catch (e) {
    $('error').textContent = `${e.code}: ${e.message}`;
  } finally {
    $('prepare').disabled = false;
  }
}

$('prepare').addEventListener('click', prepare);
