/** `randomSplit`: PyTorch's random_split, permutation for permutation. */
import { ValueError, defaultGenerator, randperm } from '@torchts/core';
import type { Generator } from '@torchts/core';
import type { Dataset } from './dataset.js';
import { Subset, lengthOf } from './dataset.js';

/** Python's math.isclose with its default rel_tol (1e-9). */
function isClose(a: number, b: number): boolean {
  return Math.abs(a - b) <= 1e-9 * Math.max(Math.abs(a), Math.abs(b));
}

/**
 * Lengths from fractions as PyTorch computes them: floor(n * frac) each, then the remainder handed
 * out one by one, round-robin from the first split.
 */
export function splitLengths(n: number, lengths: readonly number[]): number[] {
  const sum = lengths.reduce((s, x) => s + x, 0);
  if (isClose(sum, 1) && sum <= 1) {
    const out = lengths.map((frac, i) => {
      if (!(frac >= 0 && frac <= 1)) throw new ValueError(`Fraction at index ${i} is not between 0 and 1`);
      return Math.floor(n * frac);
    });
    const remainder = n - out.reduce((s, x) => s + x, 0);
    for (let i = 0; i < remainder; i++) out[i % out.length]! += 1;
    out.forEach((len, i) => {
      if (len === 0) console.warn(`torchts: Length of split at index ${i} is 0. This might result in an empty dataset.`);
    });
    return out;
  }
  lengths.forEach((len, i) => {
    if (!Number.isInteger(len) || len < 0) throw new ValueError(`randomSplit: length at index ${i} must be a non-negative integer (or all lengths fractions summing to 1), got ${len}`);
  });
  if (sum !== n) throw new ValueError('Sum of input lengths does not equal the length of the input dataset!');
  return [...lengths];
}

/**
 * Splits a dataset into non-overlapping Subsets of the given lengths (or fractions summing to 1),
 * using `randperm(n, { generator })` (the default generator when none is given) exactly as PyTorch.
 */
export function randomSplit<T>(dataset: Dataset<T>, lengths: readonly number[], opts: { generator?: Generator } = {}): Subset<T>[] {
  const sizes = splitLengths(lengthOf(dataset), lengths);
  const total = sizes.reduce((s, x) => s + x, 0);
  const perm = randperm(total, { generator: opts.generator ?? defaultGenerator });
  const indices = perm.tolist() as number[];
  perm.dispose();
  let offset = 0;
  return sizes.map((len) => new Subset(dataset, indices.slice(offset, (offset += len))));
}
