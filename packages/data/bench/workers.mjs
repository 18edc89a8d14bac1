// How much worker threads speed up a slow dataset (~1 ms of CPU per item).
//   cd packages/data && npx tsc -b && node bench/workers.mjs [items=800] [msPerItem=1] [batchSize=32]
// Prints items/s for numWorkers 0, 1, 2 (and more if the machine has the cores), for the first
// epoch (worker start-up included) and for a second epoch with persistent workers.
import { availableParallelism } from 'node:os';
import { DataLoader, datasetFromModule } from '@torchts/data';

const [items = 800, ms = 1, batchSize = 32] = process.argv.slice(2).map(Number);
const module = new URL('./slow-dataset.mjs', import.meta.url).href;
const dataset = await datasetFromModule({ module, exportName: 'Slow', args: [items, ms] });

async function epoch(loader) {
  const t0 = performance.now();
  let n = 0;
  for await (const [x] of loader) n += x.shape[0];
  if (n !== items) throw new Error(`expected ${items} samples, got ${n}`);
  return (performance.now() - t0) / 1000;
}

const counts = [0, 1, 2, ...(availableParallelism() > 2 ? [Math.min(4, availableParallelism())] : [])];
let baseline = 0;
console.log(`${items} items, ~${ms} ms each, batch ${batchSize}, ${availableParallelism()} cores`);
for (const numWorkers of counts) {
  const loader = new DataLoader(dataset, { batchSize, numWorkers, persistentWorkers: numWorkers > 0 });
  const first = await epoch(loader);
  const second = await epoch(loader);
  loader.shutdown();
  if (numWorkers === 0) baseline = second;
  const rate = (s) => `${Math.round(items / s)} items/s`;
  console.log(`numWorkers=${numWorkers}: first epoch ${rate(first)}, second ${rate(second)}, speed-up ${(baseline / second).toFixed(2)}x`);
}
