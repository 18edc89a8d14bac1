/**
 * The DataLoader worker thread (runs as dist/worker.js). It builds its own dataset from the
 * descriptor, seeds its default generator with baseSeed + id (as PyTorch seeds workers), runs the
 * workerInitFn, then answers fetch tasks one at a time: whole batches, collated here, sent back with
 * their tensors' bytes transferred.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { hasBackend, manualSeed } from '@torchts/core';
import type { Tensor } from '@torchts/core';
import { defaultCollate, defaultConvert } from './collate.js';
import type { Dataset, IterableDataset } from './dataset.js';
import { datasetIterator } from './dataset.js';
import { END, SAMPLE_INDEX, fetchIterAsync, fetchMapAsync } from './fetch.js';
import type { CollateFn } from './fetch.js';
import { instantiate, loadFunction } from './module-spec.js';
import type { FromWorker, ToWorker, WorkerBoot } from './protocol.js';
import { serializeError } from './protocol.js';
import { encode } from './transfer.js';
import { setWorkerInfo } from './worker-info.js';

const boot = workerData as WorkerBoot;
const port = parentPort!;
const post = (msg: FromWorker, transfer: ArrayBuffer[] = []): void => port.postMessage(msg, transfer);

let dataset: unknown;
let collate: CollateFn = (x) => x;
// Collated batches from defaultCollate/defaultConvert of typed arrays are fresh tensors owned here.
let ownsOutput = false;
let iterator: Iterator<unknown> | AsyncIterator<unknown> | null = null;
let iteratorEpoch = -1;

async function init(): Promise<void> {
  const seed = boot.baseSeed + BigInt(boot.workerId);
  manualSeed(seed);
  dataset = await instantiate(boot.dataset);
  if (!hasBackend('cpu')) {
    // The dataset module did not import a backend; collation needs the CPU device.
    try {
      await import('@torchts/backend-cpu' as string);
    } catch {
      throw new Error("no backend registered for device 'cpu' in the DataLoader worker: import 'torchts' (or '@torchts/backend-cpu') in the dataset's module");
    }
  }
  setWorkerInfo({ id: boot.workerId, numWorkers: boot.numWorkers, seed, dataset });
  if (boot.workerInitFn) await (await loadFunction(boot.workerInitFn, 'workerInitFn'))(boot.workerId);
  if (boot.collate === 'default') {
    collate = defaultCollate;
    ownsOutput = true;
  } else if (boot.collate === 'convert') collate = defaultConvert;
  else if (boot.collate !== 'main') collate = (await loadFunction(boot.collate, 'collateFn')) as CollateFn;
}

async function handle(msg: ToWorker): Promise<void> {
  try {
    let batch: unknown;
    if (msg.type === 'fetch') {
      batch = await fetchMapAsync(dataset as Dataset<unknown>, msg.indices, collate);
    } else {
      if (iteratorEpoch !== msg.epoch) {
        iterator = datasetIterator(dataset as IterableDataset<unknown>, false);
        iteratorEpoch = msg.epoch;
      }
      batch = await fetchIterAsync(iterator!, boot.batchSize, boot.dropLast, collate);
      if (batch === END) {
        post({ type: 'end', epoch: msg.epoch, task: msg.task });
        return;
      }
    }
    const transfer: ArrayBuffer[] = [];
    const tensors: Tensor[] = [];
    const payload = encode(batch, transfer, tensors);
    post({ type: 'data', epoch: msg.epoch, task: msg.task, payload }, transfer);
    if (ownsOutput) for (const t of tensors) t.dispose();
  } catch (e) {
    const sampleIndex = e !== null && typeof e === 'object' && SAMPLE_INDEX in e ? (e as Record<symbol, number>)[SAMPLE_INDEX]! : null;
    post({ type: 'error', epoch: msg.epoch, task: msg.task, error: serializeError(e), sampleIndex });
  }
}

// Tasks run one after another, in the order they arrive; none run if the worker failed to start.
let chain: Promise<boolean> = init().then(
  () => {
    post({ type: 'ready' });
    return true;
  },
  (e) => {
    post({ type: 'init-error', error: serializeError(e) });
    return false;
  },
);
port.on('message', (msg: ToWorker) => {
  chain = chain.then(async (ok) => {
    if (ok) await handle(msg);
    return ok;
  });
});
