/**
 * Samplers: the index orders a DataLoader visits, drawn exactly as torch.utils.data draws them, so
 * a seeded Generator gives PyTorch's order.
 */
import { Generator, ValueError, defaultGenerator, isTensor, multinomial, randint, randperm, tensor } from '@torchts/core';
import type { Tensor } from '@torchts/core';
import { lengthOf } from './dataset.js';
import { drawSeed } from './seed.js';

/** Anything with a length (a dataset, an array). */
export interface Sized {
  readonly length: number;
}

/** Base class of samplers: an iterable of indices (or of index batches), usually with a length. */
export abstract class Sampler<T = number> implements Iterable<T> {
  abstract [Symbol.iterator](): Iterator<T>;
}

function requirePositiveInt(name: string, value: unknown): void {
  if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0) {
    throw new ValueError(`${name} should be a positive integer value, but got ${name}=${String(value)}`);
  }
}

function requireBool(name: string, value: unknown, cls: typeof TypeError | typeof ValueError = ValueError): void {
  if (typeof value !== 'boolean') throw new cls(`${name} should be a boolean value, but got ${name}=${String(value)}`);
}

function takeList(t: Tensor): number[] {
  const list = t.tolist() as number[];
  t.dispose();
  return list;
}

/** 0, 1, ..., length - 1. */
export class SequentialSampler extends Sampler<number> {
  constructor(readonly dataSource: Sized) {
    super();
  }
  *[Symbol.iterator](): Iterator<number> {
    const n = lengthOf(this.dataSource);
    for (let i = 0; i < n; i++) yield i;
  }
  get length(): number {
    return lengthOf(this.dataSource);
  }
}

export interface RandomSamplerOptions {
  replacement?: boolean;
  /** Samples to draw (default: the dataset's length). */
  numSamples?: number;
  generator?: Generator;
}

/**
 * Random order: permutations without replacement, `randint` draws (32 at a time) with it. Without a
 * generator each epoch seeds a fresh one from the default generator (as PyTorch does), so
 * `torch.manualSeed(s)` makes epochs reproducible.
 */
export class RandomSampler extends Sampler<number> {
  readonly replacement: boolean;
  readonly generator: Generator | undefined;
  private readonly requested: number | undefined;

  constructor(readonly dataSource: Sized, opts: RandomSamplerOptions = {}) {
    super();
    this.replacement = opts.replacement ?? false;
    this.requested = opts.numSamples;
    this.generator = opts.generator;
    requireBool('replacement', this.replacement, TypeError);
    requirePositiveInt('num_samples', this.numSamples);
  }

  get numSamples(): number {
    return this.requested ?? lengthOf(this.dataSource);
  }
  get length(): number {
    return this.numSamples;
  }

  *[Symbol.iterator](): Iterator<number> {
    const n = lengthOf(this.dataSource);
    const total = this.numSamples;
    // PyTorch fails here with a ZeroDivisionError.
    if (n === 0) throw new ValueError(`RandomSampler: cannot draw ${total} samples from an empty dataset`);
    const g = this.generator ?? new Generator().manualSeed(drawSeed(defaultGenerator));
    if (this.replacement) {
      for (let i = 0; i < Math.floor(total / 32); i++) yield* takeList(randint(n, [32], { dtype: 'int64', generator: g }));
      yield* takeList(randint(n, [total % 32], { dtype: 'int64', generator: g }));
    } else {
      for (let i = 0; i < Math.floor(total / n); i++) yield* takeList(randperm(n, { generator: g }));
      yield* takeList(randperm(n, { generator: g })).slice(0, total % n);
    }
  }
}

/** A random permutation of the given indices (drawn from `generator`, else the default one). */
export class SubsetRandomSampler extends Sampler<number> {
  constructor(readonly indices: readonly number[], readonly generator?: Generator) {
    super();
  }
  *[Symbol.iterator](): Iterator<number> {
    for (const i of takeList(randperm(this.indices.length, { generator: this.generator ?? defaultGenerator }))) yield this.indices[i]!;
  }
  get length(): number {
    return this.indices.length;
  }
}

export interface WeightedRandomSamplerOptions {
  /** Draw with replacement (default true). */
  replacement?: boolean;
  generator?: Generator;
}

/** Indices drawn with probabilities proportional to `weights` (`torch.multinomial` on float64 weights). */
export class WeightedRandomSampler extends Sampler<number> {
  readonly weights: Tensor;
  readonly replacement: boolean;
  readonly generator: Generator | undefined;

  constructor(weights: readonly number[] | Float64Array | Float32Array | Tensor, readonly numSamples: number, opts: WeightedRandomSamplerOptions = {}) {
    super();
    requirePositiveInt('num_samples', numSamples);
    this.replacement = opts.replacement ?? true;
    requireBool('replacement', this.replacement);
    const w = isTensor(weights) ? weights.to({ dtype: 'float64' }) : tensor(Array.from(weights as ArrayLike<number>), { dtype: 'float64' });
    if (w.ndim !== 1) throw new ValueError(`weights should be a 1d sequence but given weights have shape (${w.shape.join(', ')}${w.ndim === 1 ? ',' : ''})`);
    this.weights = w;
    this.generator = opts.generator;
  }

  *[Symbol.iterator](): Iterator<number> {
    yield* takeList(multinomial(this.weights, this.numSamples, { replacement: this.replacement, generator: this.generator ?? defaultGenerator }));
  }
  get length(): number {
    return this.numSamples;
  }
}

/** Groups another sampler's indices into batches of `batchSize` (the last one shorter unless dropLast). */
export class BatchSampler extends Sampler<number[]> {
  constructor(readonly sampler: Iterable<number>, readonly batchSize: number, readonly dropLast: boolean) {
    super();
    requirePositiveInt('batch_size', batchSize);
    requireBool('drop_last', dropLast);
  }

  *[Symbol.iterator](): Iterator<number[]> {
    let batch: number[] = [];
    for (const idx of this.sampler) {
      batch.push(idx);
      if (batch.length === this.batchSize) {
        yield batch;
        batch = [];
      }
    }
    if (batch.length > 0 && !this.dropLast) yield batch;
  }

  get length(): number {
    const n = lengthOf(this.sampler);
    return this.dropLast ? Math.floor(n / this.batchSize) : Math.ceil(n / this.batchSize);
  }
}
