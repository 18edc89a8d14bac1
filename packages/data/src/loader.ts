/**
 * DataLoader: batches from a dataset, in the order of a sampler, on the main thread or in worker
 * threads. Follows torch.utils.data.DataLoader's options, checks and random draws (a base seed per
 * iteration, then the sampler's draws), so seeded runs visit PyTorch's order.
 */
import { NotImplementedError, ValueError, defaultGenerator } from '@torchts/core';
import type { Generator, Tensor, TypedArrayInput } from '@torchts/core';
import { defaultCollate, defaultConvert } from './collate.js';
import type { AnyDataset, Dataset, IterableDataset } from './dataset.js';
import { datasetIterator, isIterableDataset, lengthOf } from './dataset.js';
import { END, fetchIterAsync, fetchIterSync, fetchMapAsync, fetchMapSync } from './fetch.js';
import type { CollateFn } from './fetch.js';
import type { ModuleExport, WorkerDatasetSpec } from './module-spec.js';
import { workerSpecOf } from './module-spec.js';
import { WorkerPool } from './pool.js';
import type { WorkerCollate } from './protocol.js';
import { BatchSampler, RandomSampler, SequentialSampler } from './sampler.js';
import { drawSeed } from './seed.js';

/** What defaultCollate makes of a batch of samples of type T. */
export type Collated<T> = T extends Tensor | number | boolean | bigint | TypedArrayInput ? Tensor
  : T extends string ? string[]
  : T extends readonly unknown[] ? { -readonly [K in keyof T]: Collated<T[K]> }
  : T extends Map<infer K, infer V> ? Map<K, Collated<V>>
  : T extends object ? { [K in keyof T]: Collated<T[K]> }
  : unknown;

export interface DataLoaderOptions<B = unknown> {
  /** Samples per batch (default 1); null turns automatic batching off (one converted sample per step). */
  batchSize?: number | null;
  /** Reshuffle every epoch (a RandomSampler). */
  shuffle?: boolean;
  /** The index order (any iterable of indices); excludes shuffle. */
  sampler?: Iterable<number>;
  /** Yields whole batches of indices; excludes batchSize, shuffle, sampler and dropLast. */
  batchSampler?: Iterable<number[]>;
  /** Drop the last, incomplete batch. */
  dropLast?: boolean;
  /**
   * Merges samples into a batch (default defaultCollate, or defaultConvert when batchSize is null).
   * With workers a function runs on the main thread (samples travel to it); a module export
   * (`{ module, exportName }`) runs in the workers.
   */
  collateFn?: ((batch: any) => B) | ModuleExport;
  /** The shuffle's generator and the source of the base seed (default: the default generator). */
  generator?: Generator;
  /** Worker threads loading batches (default 0: load on the main thread). */
  numWorkers?: number;
  /** Batches loaded in advance per worker (default 2; only with workers). */
  prefetchFactor?: number;
  /** Keep the workers (and their datasets) between epochs. */
  persistentWorkers?: boolean;
  /** Called in each worker with its id, after seeding and before loading: a module export. */
  workerInitFn?: ModuleExport;
  /** Seconds to wait for a batch from the workers before failing (default 0: no limit). */
  timeout?: number;
  /** How workers build the dataset; default: the descriptor datasetFromModule recorded. */
  workerDataset?: WorkerDatasetSpec;
}

const KNOWN = new Set([
  'batchSize', 'shuffle', 'sampler', 'batchSampler', 'dropLast', 'collateFn', 'generator', 'numWorkers',
  'prefetchFactor', 'persistentWorkers', 'workerInitFn', 'timeout', 'workerDataset',
]);
const NOT_IMPLEMENTED: Record<string, string> = {
  pinMemory: 'pinMemory: the CPU device has no pinned memory; move batches with .to(device)',
  pinMemoryDevice: 'pinMemoryDevice: the CPU device has no pinned memory',
  multiprocessingContext: 'multiprocessingContext: workers are worker threads, there is no start method to choose',
};

interface PoolOwner {
  pool: WorkerPool | null;
}
const abandonedIterations = new FinalizationRegistry<PoolOwner>((owner) => owner.pool?.close());

function isModuleExport(x: unknown): x is ModuleExport {
  return x !== null && typeof x === 'object' && 'module' in x;
}

/** PyTorch's checks of the multiprocessing options, with its messages. */
function checkWorkerOptions(opts: DataLoaderOptions<unknown>): { numWorkers: number; timeout: number; prefetchFactor: number } {
  const numWorkers = opts.numWorkers ?? 0;
  const timeout = opts.timeout ?? 0;
  if (!Number.isInteger(numWorkers) || numWorkers < 0) {
    throw new ValueError('num_workers option should be non-negative; use num_workers=0 to disable multiprocessing.');
  }
  if (!(timeout >= 0)) throw new ValueError('timeout option should be non-negative');
  if (numWorkers === 0 && opts.prefetchFactor !== undefined) {
    throw new ValueError('prefetch_factor option could only be specified in multiprocessing.let num_workers > 0 to enable multiprocessing, otherwise set prefetch_factor to None.');
  }
  const prefetchFactor = opts.prefetchFactor ?? 2;
  if (!Number.isInteger(prefetchFactor) || prefetchFactor <= 0) throw new ValueError(`prefetch_factor should be a positive integer, got ${prefetchFactor}`);
  if (opts.persistentWorkers && numWorkers === 0) throw new ValueError('persistent_workers option needs num_workers > 0');
  return { numWorkers, timeout, prefetchFactor };
}

/** Where batches are collated: a function on this thread, a module export in the workers, or the defaults. */
function chooseCollate(collateFn: unknown, autoCollation: boolean, numWorkers: number): { collate: CollateFn; workerCollate: WorkerCollate } {
  if (isModuleExport(collateFn)) {
    if (numWorkers === 0) throw new TypeError('DataLoader: a collateFn given as a module export runs in workers only (numWorkers > 0); pass the function itself');
    return { collate: (x) => x, workerCollate: collateFn };
  }
  if (typeof collateFn === 'function') return { collate: collateFn as CollateFn, workerCollate: 'main' };
  if (collateFn !== undefined) throw new TypeError(`DataLoader: collateFn must be a function or a module export, not ${typeof collateFn}`);
  return autoCollation ? { collate: defaultCollate, workerCollate: 'default' } : { collate: defaultConvert, workerCollate: 'convert' };
}

export class DataLoader<T = unknown, B = Collated<T>> implements Iterable<B>, AsyncIterable<B> {
  readonly dataset: AnyDataset<T>;
  readonly batchSize: number | null;
  readonly dropLast: boolean;
  /** The sampler of indices (undefined for iterable datasets). */
  readonly sampler: Iterable<number> | undefined;
  /** Batches of indices (undefined for iterable datasets or when batchSize is null). */
  readonly batchSampler: Iterable<number[]> | undefined;
  readonly generator: Generator | undefined;
  readonly numWorkers: number;
  readonly prefetchFactor: number;
  readonly persistentWorkers: boolean;
  readonly timeout: number;
  private readonly collate: CollateFn;
  private readonly workerCollate: WorkerCollate;
  private readonly workerInitFn: ModuleExport | null;
  private readonly workerDataset: WorkerDatasetSpec | undefined;
  private readonly iterable: boolean;
  private pool: WorkerPool | null = null;

  constructor(dataset: AnyDataset<T>, opts: DataLoaderOptions<B> = {}) {
    for (const key of Object.keys(opts)) {
      if (key in NOT_IMPLEMENTED) throw new NotImplementedError(`DataLoader option ${NOT_IMPLEMENTED[key]}`);
      if (!KNOWN.has(key)) throw new TypeError(`DataLoader got an unexpected option '${key}'`);
    }
    const { numWorkers, timeout, prefetchFactor } = checkWorkerOptions(opts);

    this.dataset = dataset;
    this.iterable = isIterableDataset(dataset);
    const batchSize = opts.batchSize === undefined ? 1 : opts.batchSize;
    const shuffle = opts.shuffle ?? false;
    const dropLast = opts.dropLast ?? false;
    let { sampler, batchSampler } = opts;

    if (this.iterable) {
      if (opts.shuffle !== undefined && opts.shuffle !== false) throw new ValueError(`DataLoader with IterableDataset: expected unspecified shuffle option, but got shuffle=${String(opts.shuffle)}`);
      if (sampler !== undefined) throw new ValueError('DataLoader with IterableDataset: expected unspecified sampler option, but got sampler=' + sampler.constructor.name);
      if (batchSampler !== undefined) throw new ValueError('DataLoader with IterableDataset: expected unspecified batch_sampler option, but got batch_sampler=' + batchSampler.constructor.name);
    } else {
      if (typeof (dataset as Dataset<T>).getItem !== 'function') throw new TypeError('DataLoader: the dataset needs a getItem(index) method (a Dataset) or an iterator (an IterableDataset)');
      if (sampler !== undefined && shuffle) throw new ValueError('sampler option is mutually exclusive with shuffle');
    }
    if (batchSampler !== undefined) {
      if (batchSize !== 1 || shuffle || sampler !== undefined || dropLast) {
        throw new ValueError('batch_sampler option is mutually exclusive with batch_size, shuffle, sampler, and drop_last');
      }
    } else if (batchSize === null) {
      if (dropLast) throw new ValueError('batch_size=None option disables auto-batching and is mutually exclusive with drop_last');
    } else if (!Number.isInteger(batchSize) || batchSize <= 0) {
      throw new ValueError(`batch_size should be a positive integer value, but got batch_size=${String(batchSize)}`);
    }
    if (!this.iterable) {
      sampler ??= shuffle ? new RandomSampler(dataset as Dataset<T>, { generator: opts.generator }) : new SequentialSampler(dataset as Dataset<T>);
      if (batchSize !== null && batchSampler === undefined) batchSampler = new BatchSampler(sampler, batchSize, dropLast);
    }
    this.batchSize = batchSampler !== undefined && opts.batchSampler !== undefined ? null : batchSize;
    this.dropLast = dropLast;
    this.sampler = sampler;
    this.batchSampler = batchSampler;
    this.generator = opts.generator;
    this.numWorkers = numWorkers;
    this.prefetchFactor = prefetchFactor;
    this.persistentWorkers = opts.persistentWorkers ?? false;
    this.timeout = timeout;

    const autoCollation = batchSampler !== undefined || (this.iterable && batchSize !== null);
    ({ collate: this.collate, workerCollate: this.workerCollate } = chooseCollate(opts.collateFn, autoCollation, numWorkers));
    if (opts.workerInitFn !== undefined && !isModuleExport(opts.workerInitFn)) {
      throw new TypeError('DataLoader: workerInitFn must be a module export ({ module, exportName }): functions cannot be sent to worker threads');
    }
    this.workerInitFn = opts.workerInitFn ?? null;
    this.workerDataset = opts.workerDataset ?? workerSpecOf(dataset as object);
    if (numWorkers > 0 && !this.workerDataset) {
      throw new TypeError(
        `DataLoader: numWorkers > 0 needs to know how each worker thread can build the dataset (functions and class instances cannot be sent to threads): create it with datasetFromModule({ module, exportName, args }) or pass workerDataset: { module, exportName, args }`,
      );
    }
  }

  /** The number of batches an epoch yields (for an iterable dataset: from its length, if it has one). */
  get length(): number {
    if (this.iterable) {
      const n = lengthOf(this.dataset);
      if (this.batchSize === null) return n;
      return this.dropLast ? Math.floor(n / this.batchSize) : Math.ceil(n / this.batchSize);
    }
    return lengthOf(this.batchSampler ?? this.sampler);
  }

  /** What the index sampler yields per step: index batches, or single indices (batching off). */
  private indexIterator(): Iterator<number[] | number> {
    return (this.batchSampler ?? this.sampler!)[Symbol.iterator]();
  }

  /** PyTorch draws a base seed (for the workers) at the start of every iteration. */
  private drawBaseSeed(): bigint {
    return drawSeed(this.generator ?? defaultGenerator);
  }

  /**
   * Synchronous iteration: needs numWorkers 0 and a synchronous getItem (or a dataset with
   * [Symbol.iterator]); use `for await` otherwise.
   */
  *[Symbol.iterator](): Iterator<B> {
    if (this.numWorkers > 0) throw new TypeError('DataLoader: the synchronous iterator loads on the main thread; with numWorkers > 0 iterate with `for await (const batch of loader)`');
    this.drawBaseSeed();
    if (this.iterable) {
      const it = datasetIterator(this.dataset as IterableDataset<T>, true) as Iterator<unknown>;
      for (let b = fetchIterSync(it, this.batchSize, this.dropLast, this.collate); b !== END; b = fetchIterSync(it, this.batchSize, this.dropLast, this.collate)) yield b as B;
      return;
    }
    const ds = this.dataset as Dataset<unknown>;
    for (const indices of { [Symbol.iterator]: () => this.indexIterator() }) yield fetchMapSync(ds, indices, this.collate) as B;
  }

  [Symbol.asyncIterator](): AsyncIterator<B> {
    if (this.numWorkers === 0) return this.mainThreadBatches();
    const owner: PoolOwner = { pool: null };
    const it = this.workerBatches(owner);
    // An iteration dropped half-way (never finished nor returned) ends its workers when collected.
    if (!this.persistentWorkers) abandonedIterations.register(it, owner);
    return it;
  }

  private async *mainThreadBatches(): AsyncGenerator<B, void, undefined> {
    this.drawBaseSeed();
    if (this.iterable) {
      const it = datasetIterator(this.dataset as IterableDataset<T>, false);
      for (let b = await fetchIterAsync(it, this.batchSize, this.dropLast, this.collate); b !== END; b = await fetchIterAsync(it, this.batchSize, this.dropLast, this.collate)) yield b as B;
      return;
    }
    const ds = this.dataset as Dataset<unknown>;
    const it = this.indexIterator();
    for (let r = it.next(); !r.done; r = it.next()) yield (await fetchMapAsync(ds, r.value, this.collate)) as B;
  }

  private async *workerBatches(owner: PoolOwner): AsyncGenerator<B, void, undefined> {
    // Persistent workers keep their base seed (drawn when they started), as PyTorch's do.
    let pool = this.persistentWorkers && this.pool && !this.pool.isClosed ? this.pool : null;
    if (!pool) {
      pool = new WorkerPool({
        boot: {
          numWorkers: this.numWorkers,
          baseSeed: this.drawBaseSeed(),
          dataset: this.workerDataset!,
          workerInitFn: this.workerInitFn,
          collate: this.workerCollate,
          iterable: this.iterable,
          batchSize: this.batchSize,
          dropLast: this.dropLast,
        },
        prefetchFactor: this.prefetchFactor,
        timeout: this.timeout,
      });
      if (this.persistentWorkers) this.pool = pool;
    }
    owner.pool = pool;
    const mainCollate = this.workerCollate === 'main';
    try {
      for await (const payload of pool.run(this.iterable ? null : this.indexIterator())) {
        yield (mainCollate ? this.collate(payload) : payload) as B;
      }
    } finally {
      if (!this.persistentWorkers) pool.close();
    }
  }

  /** Terminates persistent workers now (they never keep the process alive, but hold memory). */
  shutdown(): void {
    this.pool?.close();
    this.pool = null;
  }

  [Symbol.dispose](): void {
    this.shutdown();
  }
}
