/** DistributedSampler: each of `numReplicas` processes gets its own share of every epoch's order. */
import { Generator, ValueError, randperm } from '@torchts/core';
import { lengthOf } from './dataset.js';
import type { Sized } from './sampler.js';
import { Sampler } from './sampler.js';

export interface DistributedSamplerOptions {
  /** Processes taking part (PyTorch defaults it from the process group; torchts needs it given). */
  numReplicas: number;
  /** This process's rank in [0, numReplicas). */
  rank: number;
  shuffle?: boolean;
  /** Seed of the shuffle; identical on every replica. */
  seed?: number;
  /** Drop the tail so every replica gets the same number of samples, instead of padding by repetition. */
  dropLast?: boolean;
}

/**
 * PyTorch's index assignment: permute (seed + epoch) or keep the order, pad by repeating the order
 * (or drop the tail) to a multiple of numReplicas, then take every numReplicas-th index from `rank`.
 * Call `setEpoch(e)` before each epoch for a different shuffle per epoch.
 */
export class DistributedSampler extends Sampler<number> {
  readonly numReplicas: number;
  readonly rank: number;
  readonly shuffle: boolean;
  readonly seed: number;
  readonly dropLast: boolean;
  epoch = 0;

  constructor(readonly dataset: Sized, opts: DistributedSamplerOptions) {
    super();
    const { numReplicas, rank } = opts ?? ({} as DistributedSamplerOptions);
    if (numReplicas === undefined || rank === undefined) {
      throw new ValueError('DistributedSampler: numReplicas and rank are required (torchts has no default process group)');
    }
    if (!Number.isInteger(numReplicas) || numReplicas <= 0) throw new ValueError(`DistributedSampler: numReplicas must be a positive integer, got ${numReplicas}`);
    if (!Number.isInteger(rank) || rank >= numReplicas || rank < 0) {
      throw new ValueError(`Invalid rank ${rank}, rank should be in the interval [0, ${numReplicas - 1}]`);
    }
    this.numReplicas = numReplicas;
    this.rank = rank;
    this.shuffle = opts.shuffle ?? true;
    this.seed = opts.seed ?? 0;
    this.dropLast = opts.dropLast ?? false;
  }

  /** Samples this replica gets per epoch. */
  get numSamples(): number {
    const n = lengthOf(this.dataset);
    if (this.dropLast && n % this.numReplicas !== 0) return Math.ceil((n - this.numReplicas) / this.numReplicas);
    return Math.ceil(n / this.numReplicas);
  }
  get totalSize(): number {
    return this.numSamples * this.numReplicas;
  }
  get length(): number {
    return this.numSamples;
  }

  setEpoch(epoch: number): void {
    this.epoch = epoch;
  }

  *[Symbol.iterator](): Iterator<number> {
    const n = lengthOf(this.dataset);
    let indices: number[];
    if (this.shuffle) {
      const perm = randperm(n, { generator: new Generator().manualSeed(this.seed + this.epoch) });
      indices = perm.tolist() as number[];
      perm.dispose();
    } else {
      indices = Array.from({ length: n }, (_, i) => i);
    }
    const total = this.totalSize;
    if (!this.dropLast) {
      const padding = total - indices.length;
      const base = indices;
      // Repeat the order as often as needed (PyTorch: indices * ceil(padding / n), then cut).
      for (let k = 0; k < padding; k++) indices.push(base[k % n]!);
    } else {
      indices = indices.slice(0, total);
    }
    for (let i = this.rank; i < total; i += this.numReplicas) yield indices[i]!;
  }
}
