/**
 * Datasets, as torch.utils.data defines them: map-style `Dataset` (getItem + length),
 * `IterableDataset` (a sync and/or async iterator), and the wrappers TensorDataset, ConcatDataset,
 * ChainDataset and Subset.
 */
import { IndexError, ValueError, isTensor } from '@torchts/core';
import type { Tensor } from '@torchts/core';

/** A map-style dataset: `getItem(i)` for `0 <= i < length` (getItem may be async). */
export abstract class Dataset<T = unknown> {
  abstract getItem(index: number): T | Promise<T>;
  abstract get length(): number;

  /** `dataset + other` in PyTorch: the two datasets one after the other. */
  concat(other: Dataset<T>): ConcatDataset<T> {
    return new ConcatDataset<T>([this, other]);
  }
}

/**
 * A dataset that is a stream: subclasses implement `[Symbol.iterator]` (usable by the synchronous
 * DataLoader iterator) and/or `[Symbol.asyncIterator]`. An optional `length` lets `loader.length` work.
 * (The iterator methods are not declared here, so subclasses define them without `override`.)
 */
export abstract class IterableDataset<T = unknown> {
  /** Type-level only: the sample type. */
  declare readonly __sample?: T;

  /** `dataset + other` in PyTorch: a ChainDataset. */
  chain(other: IterableDataset<T>): ChainDataset<T> {
    return new ChainDataset<T>([this, other]);
  }
}
/** What an iterable dataset offers at run time. */
interface Streams<T> {
  [Symbol.iterator]?(): Iterator<T>;
  [Symbol.asyncIterator]?(): AsyncIterator<T>;
}

/** Anything a DataLoader can load from. */
export type AnyDataset<T = unknown> = Dataset<T> | IterableDataset<T>;

export function isIterableDataset(d: unknown): d is IterableDataset<unknown> {
  if (d instanceof IterableDataset) return true;
  if (d instanceof Dataset) return false;
  const o = d as { getItem?: unknown; [Symbol.iterator]?: unknown; [Symbol.asyncIterator]?: unknown } | null;
  return !!o && typeof o.getItem !== 'function' && (typeof o[Symbol.iterator] === 'function' || typeof o[Symbol.asyncIterator] === 'function');
}

/** An iterator over an iterable dataset, preferring the synchronous one when there is one. */
export function datasetIterator<T>(dataset: IterableDataset<T>, sync: boolean): Iterator<T> | AsyncIterator<T> {
  const d = dataset as IterableDataset<T> & Streams<T>;
  if (typeof d[Symbol.iterator] === 'function') return d[Symbol.iterator]!();
  if (sync) {
    throw new TypeError(`${d.constructor.name} has only [Symbol.asyncIterator]; iterate the DataLoader with \`for await\``);
  }
  if (typeof d[Symbol.asyncIterator] === 'function') return d[Symbol.asyncIterator]!();
  throw new TypeError(`${d.constructor.name} is an IterableDataset without [Symbol.iterator] or [Symbol.asyncIterator]`);
}

/** The length of a dataset or sampler, or PyTorch's TypeError when it has none. */
export function lengthOf(x: unknown): number {
  const n = (x as { length?: unknown } | null)?.length;
  if (typeof n !== 'number') {
    const name = (x as object | null)?.constructor?.name ?? typeof x;
    throw new TypeError(`object of type '${name}' has no len()`);
  }
  return n;
}

/** Validates an index into something of length `n`; negative indices count from the end. */
export function normalizeIndex(index: number, n: number, what = 'dataset'): number {
  if (!Number.isInteger(index)) throw new TypeError(`${what} indices must be integers, not ${typeof index === 'number' ? index : typeof index}`);
  const i = index < 0 ? index + n : index;
  if (i < 0 || i >= n) throw new IndexError(`index ${index} is out of range for a ${what} of length ${n}`);
  return i;
}

/** Each sample is the `index`-th slice (along dim 0) of every tensor. */
export class TensorDataset extends Dataset<Tensor[]> {
  readonly tensors: Tensor[];

  constructor(...tensors: Tensor[]) {
    super();
    if (tensors.length === 0) throw new ValueError('TensorDataset needs at least one tensor');
    tensors.forEach((t, i) => {
      if (!isTensor(t)) throw new TypeError(`TensorDataset: argument ${i} must be a Tensor, not ${typeof t}`);
      if (t.ndim === 0) throw new ValueError(`TensorDataset: tensor ${i} is 0-d; every tensor needs a first dimension`);
    });
    const n = tensors[0]!.shape[0]!;
    const bad = tensors.findIndex((t) => t.shape[0] !== n);
    if (bad >= 0) throw new ValueError(`Size mismatch between tensors: tensor 0 has ${n} samples, tensor ${bad} has ${tensors[bad]!.shape[0]}`);
    this.tensors = tensors;
  }

  getItem(index: number): Tensor[] {
    const i = normalizeIndex(index, this.length);
    return this.tensors.map((t) => t.select(0, i));
  }

  get length(): number {
    return this.tensors[0]!.shape[0]!;
  }
}

/** Several map-style datasets one after the other. */
export class ConcatDataset<T = unknown> extends Dataset<T> {
  readonly datasets: Dataset<T>[];
  /** Running totals of the datasets' lengths (PyTorch's cumulative_sizes). */
  readonly cumulativeSizes: number[];

  constructor(datasets: Iterable<Dataset<T>>) {
    super();
    this.datasets = [...datasets];
    if (this.datasets.length === 0) throw new ValueError('datasets should not be an empty iterable');
    for (const d of this.datasets) {
      if (isIterableDataset(d)) throw new TypeError('ConcatDataset does not support IterableDataset');
    }
    let total = 0;
    this.cumulativeSizes = this.datasets.map((d) => (total += lengthOf(d)));
  }

  get length(): number {
    return this.cumulativeSizes[this.cumulativeSizes.length - 1]!;
  }

  getItem(index: number): T | Promise<T> {
    if (Number.isInteger(index) && index < 0 && -index > this.length) {
      throw new ValueError('absolute value of index should not exceed dataset length');
    }
    const i = normalizeIndex(index, this.length);
    // First dataset whose running total exceeds i (bisect_right).
    let lo = 0;
    let hi = this.cumulativeSizes.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.cumulativeSizes[mid]! <= i) lo = mid + 1;
      else hi = mid;
    }
    const start = lo === 0 ? 0 : this.cumulativeSizes[lo - 1]!;
    return this.datasets[lo]!.getItem(i - start);
  }
}

/** Several iterable datasets chained; iterating yields each one's samples in turn. */
export class ChainDataset<T = unknown> extends IterableDataset<T> {
  readonly datasets: IterableDataset<T>[];
  /** Present only when every chained dataset has a synchronous iterator. */
  declare [Symbol.iterator]?: () => Iterator<T>;

  constructor(datasets: Iterable<IterableDataset<T>>) {
    super();
    this.datasets = [...datasets];
    for (const d of this.datasets) {
      if (!isIterableDataset(d)) throw new TypeError('ChainDataset only supports IterableDataset');
    }
    // A sync iterator only when every part has one; the async one always works.
    if (this.datasets.every((d) => typeof (d as Streams<T>)[Symbol.iterator] === 'function')) {
      this[Symbol.iterator] = function* (this: ChainDataset<T>) {
        for (const d of this.datasets) yield* { [Symbol.iterator]: () => datasetIterator(d, true) as Iterator<T> };
      };
    }
  }

  async *[Symbol.asyncIterator](): AsyncIterator<T> {
    for (const d of this.datasets) {
      const it = datasetIterator(d, false);
      for (let r = await it.next(); !r.done; r = await it.next()) yield r.value;
    }
  }

  get length(): number {
    return this.datasets.reduce((s, d) => s + lengthOf(d), 0);
  }
}

/** The samples of `dataset` at `indices`, in that order. */
export class Subset<T = unknown> extends Dataset<T> {
  constructor(readonly dataset: Dataset<T>, readonly indices: readonly number[]) {
    super();
  }

  getItem(index: number): T | Promise<T> {
    return this.dataset.getItem(this.indices[normalizeIndex(index, this.indices.length)]!);
  }

  get length(): number {
    return this.indices.length;
  }
}
