// numWorkers > 0: worker threads build the dataset from test/fixtures/datasets.mjs.
import '@torchts/backend-cpu';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Generator, RuntimeError, ValueError, isTensor, samplers } from '@torchts/core';
import { afterEach, describe, expect, it } from 'vitest';
import { DataLoader, datasetFromModule } from '../src/index.js';
import { WorkerPool } from '../src/pool.js';

const module = new URL('./fixtures/datasets.mjs', import.meta.url).href;
const gen = (seed: number) => new Generator().manualSeed(seed);

/** Batches as plain values (tensors listed with their dtype) for comparisons. */
function plain(x: unknown): unknown {
  if (isTensor(x)) return { dtype: x.dtype, shape: [...x.shape], values: x.tolist() };
  if (Array.isArray(x)) return x.map(plain);
  if (x && typeof x === 'object') return Object.fromEntries(Object.entries(x).map(([k, v]) => [k, plain(v)]));
  return x;
}

async function collect(loader: AsyncIterable<unknown>): Promise<unknown[]> {
  const out: unknown[] = [];
  for await (const b of loader) out.push(plain(b));
  return out;
}

const loaders: DataLoader<any, any>[] = [];
function track<L extends DataLoader<any, any>>(l: L): L {
  loaders.push(l);
  return l;
}
afterEach(() => {
  for (const l of loaders.splice(0)) l.shutdown();
});

describe('DataLoader with worker threads', () => {
  it('yields the same batches, in the same order, whatever numWorkers', async () => {
    const ds = await datasetFromModule({ module, exportName: 'Squares', args: [23] });
    const expected = await collect(new DataLoader(ds, { batchSize: 4, shuffle: true, generator: gen(5) }));
    expect(expected).toHaveLength(6);
    expect((expected[0] as any).x.dtype).toBe('float32');
    expect((expected[0] as any).y.dtype).toBe('int64');
    expect((expected[0] as any).bytes).toMatchObject({ dtype: 'uint8', shape: [4, 3] });
    for (const numWorkers of [1, 3]) {
      const loader = new DataLoader(ds, { batchSize: 4, shuffle: true, generator: gen(5), numWorkers, prefetchFactor: 1 });
      expect(await collect(loader)).toEqual(expected);
    }
  });

  it('builds datasets from factories, exported objects and the workerDataset option', async () => {
    const fromFactory = await datasetFromModule({ module, exportName: 'makeSquares', args: [5] });
    const a = await collect(new DataLoader(fromFactory, { batchSize: 2, numWorkers: 2 }));
    const b = await collect(new DataLoader(fromFactory, { batchSize: 2 }));
    expect(a).toEqual(b);
    const obj = await datasetFromModule({ module, exportName: 'small' });
    expect(await collect(new DataLoader(obj, { batchSize: 3, numWorkers: 1 }))).toHaveLength(2);
    // A dataset built here, rebuilt in the workers from an explicit descriptor.
    const { Squares } = await import(module);
    const local = new Squares(3);
    const loader = new DataLoader(local, { batchSize: 3, numWorkers: 1, workerDataset: { module, exportName: 'Squares', args: [3] } });
    expect(await collect(loader)).toEqual(await collect(new DataLoader(local, { batchSize: 3 })));
  });

  it('seeds each worker with baseSeed + id, runs workerInitFn, and assigns batches round-robin', async () => {
    const ds = await datasetFromModule({ module, exportName: 'WhoLoaded', args: [12] });
    const g = gen(99);
    const baseSeed = samplers.random64(g.clone()) & 0x7fffffffffffffffn;
    const loader = new DataLoader(ds, { batchSize: 2, numWorkers: 3, generator: g, workerInitFn: { module, exportName: 'init' } });
    // Each sample is [workerId, seed % 1e6, a draw, init arg], collated into four tensors.
    const batches = (await collect(loader)) as Array<Array<{ values: number[] }>>;
    expect(batches).toHaveLength(6);
    const firstDraw: Record<number, number> = {};
    batches.forEach((b, k) => {
      const [workerId, seed, draw, initArg] = b.map((t) => t.values[0]);
      expect(workerId).toBe(k % 3);
      expect(seed).toBe(Number((baseSeed + BigInt(workerId!)) % 1000000n));
      expect(initArg).toBe(workerId! * 10);
      if (k < 3) firstDraw[workerId!] = draw!;
    });
    // The worker's default generator was seeded with baseSeed + id.
    for (const id of [0, 1, 2]) {
      const expected = new Generator().manualSeed(baseSeed + BigInt(id));
      expect(firstDraw[id]).toBe(samplers.uniformDouble(expected));
    }
  });

  it('without automatic batching sends converted samples', async () => {
    const ds = await datasetFromModule({ module, exportName: 'Squares', args: [3] });
    const got = await collect(new DataLoader(ds, { batchSize: null, numWorkers: 2 }));
    expect(got).toEqual(await collect(new DataLoader(ds, { batchSize: null })));
    expect((got[1] as any).bytes).toEqual({ dtype: 'uint8', shape: [3], values: [1, 2, 3] });
    expect((got[1] as any).y).toBe(1);
  });

  it('runs a collateFn module export in the workers and a collateFn function on the main thread', async () => {
    const ds = await datasetFromModule({ module, exportName: 'Stream', args: [7] });
    const inWorkers = await collect(new DataLoader(ds, { batchSize: 3, numWorkers: 1, collateFn: { module, exportName: 'sumCollate' } }));
    expect(inWorkers).toEqual([{ total: 3, count: 3 }, { total: 12, count: 3 }, { total: 6, count: 1 }]);
    const onMain = await collect(new DataLoader(ds, { batchSize: 3, numWorkers: 1, collateFn: (b: number[]) => b.join('+') }));
    expect(onMain).toEqual(['0+1+2', '3+4+5', '6']);
  });

  it('streams iterable datasets from every worker until each one ends', async () => {
    const ds = await datasetFromModule({ module, exportName: 'Stream', args: [11] });
    // Worker 0 yields 0,3,6,9; worker 1: 1,4,7,10; worker 2: 2,5,8 (batches of 2, round-robin).
    const got = (await collect(new DataLoader(ds, { batchSize: 2, numWorkers: 3 }))) as Array<{ values: number[] }>;
    expect(got.map((b) => b.values)).toEqual([[0, 3], [1, 4], [2, 5], [6, 9], [7, 10], [8]]);
    const dropped = (await collect(new DataLoader(ds, { batchSize: 2, numWorkers: 3, dropLast: true }))) as Array<{ values: number[] }>;
    expect(dropped.map((b) => b.values)).toEqual([[0, 3], [1, 4], [2, 5], [6, 9], [7, 10]]);
    const asyncOnly = await datasetFromModule({ module, exportName: 'AsyncStream', args: [5] });
    const a = (await collect(new DataLoader(asyncOnly, { batchSize: 2, numWorkers: 1 }))) as Array<{ values: number[] }>;
    expect(a.map((b) => b.values)).toEqual([[0, 2], [4, 6], [8]]);
  });

  it('keeps persistent workers (and their datasets) between epochs', async () => {
    const ds = await datasetFromModule({ module, exportName: 'Squares', args: [4, { countCalls: true }] });
    const loader = track(new DataLoader(ds, { batchSize: 4, numWorkers: 1, persistentWorkers: true }));
    expect(await collect(loader)).toEqual([{ dtype: 'int64', shape: [4], values: [1, 2, 3, 4] }]);
    expect(await collect(loader)).toEqual([{ dtype: 'int64', shape: [4], values: [5, 6, 7, 8] }]);
    loader.shutdown();
    expect(await collect(loader)).toEqual([{ dtype: 'int64', shape: [4], values: [1, 2, 3, 4] }]);
    const fresh = new DataLoader(ds, { batchSize: 4, numWorkers: 1 });
    expect(await collect(fresh)).toEqual(await collect(fresh));
  });

  it('stops early without losing the next epoch', async () => {
    const ds = await datasetFromModule({ module, exportName: 'Squares', args: [20] });
    const loader = track(new DataLoader(ds, { batchSize: 2, numWorkers: 2, persistentWorkers: true }));
    for await (const b of loader) {
      expect((b as any).y.tolist()).toEqual([0, 1]);
      break;
    }
    expect(await collect(loader)).toHaveLength(10);
  });
});

describe('DataLoader worker failures', () => {
  it('surfaces an error thrown by getItem with its class, worker, batch and sample index', async () => {
    const ds = await datasetFromModule({ module, exportName: 'Squares', args: [10, { failAt: 5 }] });
    const loader = new DataLoader(ds, { batchSize: 2, numWorkers: 2 });
    const seen: unknown[] = [];
    const err = await (async () => {
      try {
        for await (const b of loader) seen.push(b);
      } catch (e) {
        return e as Error;
      }
      return null;
    })();
    expect(seen).toHaveLength(2);
    expect(err).toBeInstanceOf(ValueError);
    expect(err!.message).toBe('Caught ValueError in DataLoader worker 0 while loading batch 2 (dataset index 5): sample 5 is broken');
    expect(String((err as any).cause.stack)).toContain('sample 5 is broken');
  });

  it('reports a worker that exits', async () => {
    const ds = await datasetFromModule({ module, exportName: 'Squares', args: [6, { exitAt: 3 }] });
    await expect(collect(new DataLoader(ds, { batchSize: 2, numWorkers: 2 }))).rejects.toThrow(/DataLoader worker 1 exited unexpectedly with exit code 3/);
  });

  it('fails with a clear error when a batch takes longer than timeout', async () => {
    const ds = await datasetFromModule({ module, exportName: 'Squares', args: [6, { hangAt: 2 }] });
    const loader = new DataLoader(ds, { batchSize: 2, numWorkers: 1, timeout: 0.2 });
    await expect(collect(loader)).rejects.toThrow(new RuntimeError('DataLoader timed out after 0.2 seconds'));
  });

  it('reports a worker that cannot build its dataset', async () => {
    const ds = await datasetFromModule({ module, exportName: 'Squares', args: [4] });
    const missing = new DataLoader(ds, { numWorkers: 1, workerDataset: { module, exportName: 'Nope' } });
    await expect(collect(missing)).rejects.toThrow(/DataLoader worker 0 failed to start: module '.*datasets\.mjs' has no export 'Nope'/);
    const throwing = new DataLoader(ds, { numWorkers: 1, workerDataset: { module, exportName: 'notADataset' } });
    const err = await collect(throwing).catch((e: Error) => e);
    expect(err).toBeInstanceOf(RuntimeError);
    expect((err as Error).message).toBe('DataLoader worker 0 failed to start: the factory failed');
  });

  it('refuses what workers cannot do', async () => {
    const { Squares } = await import(module);
    expect(() => new DataLoader(new Squares(3), { numWorkers: 1 })).toThrow(/numWorkers > 0 needs to know how each worker thread can build the dataset/);
    const ds = await datasetFromModule({ module, exportName: 'Squares', args: [3] });
    const loader = new DataLoader(ds, { numWorkers: 1 });
    expect(() => [...loader]).toThrow(/with numWorkers > 0 iterate with `for await/);
    expect(() => new DataLoader(ds, { numWorkers: 1, workerInitFn: (() => {}) as any })).toThrow(/workerInitFn must be a module export/);
    expect(() => new DataLoader(ds, { collateFn: { module, exportName: 'sumCollate' } })).toThrow(/runs in workers only/);
  });

  it('never keeps the process alive: an abandoned iteration lets node exit', () => {
    const script = `
      import { DataLoader, datasetFromModule } from '@torchts/data';
      const ds = await datasetFromModule({ module: ${JSON.stringify(module)}, exportName: 'Squares', args: [100] });
      const persistent = new DataLoader(ds, { batchSize: 2, numWorkers: 2, persistentWorkers: true });
      for await (const b of persistent) break;
      const it = new DataLoader(ds, { batchSize: 2, numWorkers: 2 })[Symbol.asyncIterator]();
      await it.next();
      console.log('done');
    `;
    const cwd = fileURLToPath(new URL('.', import.meta.url));
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd, timeout: 30_000, encoding: 'utf8' });
    expect(out.trim()).toBe('done');
  });
});

describe('DataLoader worker lifetime', () => {
  it('ends an iteration cleanly when the loader is shut down or iterated again', async () => {
    const ds = await datasetFromModule({ module, exportName: 'Squares', args: [40] });
    const loader = track(new DataLoader(ds, { batchSize: 2, numWorkers: 1, persistentWorkers: true }));
    const first = loader[Symbol.asyncIterator]();
    await first.next();
    const second = loader[Symbol.asyncIterator]();
    expect(((await second.next()).value as any).y.tolist()).toEqual([0, 1]);
    await expect(first.next()).rejects.toThrow('this iteration was superseded by a new iteration of the same loader');
    loader.shutdown();
    await expect(second.next()).rejects.toThrow('DataLoader: the workers were shut down during the iteration');
  });

  it('ends the workers of an iteration dropped half-way once it is collected', async () => {
    const gc = (globalThis as { gc?: () => void }).gc;
    expect(gc).toBeTypeOf('function'); // vitest.config.ts passes --expose-gc
    const ds = await datasetFromModule({ module, exportName: 'Squares', args: [40] });
    const before = WorkerPool.live;
    await (async () => {
      const it = new DataLoader(ds, { batchSize: 2, numWorkers: 1 })[Symbol.asyncIterator]();
      await it.next();
      expect(WorkerPool.live).toBe(before + 1);
    })();
    for (let i = 0; i < 20 && WorkerPool.live > before; i++) {
      gc!();
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(WorkerPool.live).toBe(before);
  });
});
