// The WebAssembly normalisation passes (assembly/norm.ts, both builds) against the TS kernels:
// they perform the same float64 operations in the same order, so every output of the fused
// layer/batch/group norm ops and their backward ops is bit-identical to TS, for any thread count.
import { afterAll, describe, expect, it } from 'vitest';
import {
  manualSeed, nativeBatchNorm, nativeBatchNormBackward, nativeGroupNorm, nativeGroupNormBackward, nativeLayerNorm,
  nativeLayerNormBackward, randn,
} from '@torchts/core';
import type { DType, Tensor } from '@torchts/core';
import { getNumThreads, setNumThreads } from '../../src/index.js';
import { BUILDS, expectSameAsTs, flat, lcg, withKernels } from './helpers.js';

const initial = getNumThreads();
afterAll(() => setNumThreads(initial));

const DTYPES: DType[] = ['float32', 'float64'];
const ALL = [true, true, true];
const drop = <T>(list: (T | null)[]): T[] => list.filter((t): t is T => t !== null);

/** Random values with NaN, +-inf and -0 planted in the first row/plane when `special`. */
function input(shape: number[], dtype: DType, special: boolean): Tensor {
  const x = randn(shape, { dtype }).mul(3).add(1);
  if (special && x.numel() > 8) {
    const f = x.reshape(-1);
    f.narrow(0, 1, 1).fill_(NaN);
    f.narrow(0, 3, 1).fill_(Infinity);
    f.narrow(0, 5, 1).fill_(-0);
  }
  return x;
}

function layerNormCase(M: number, K: number, dtype: DType, affine: boolean, special: boolean): Tensor[] {
  const x = input([M, K], dtype, special), dy = randn([M, K], { dtype });
  const w = affine ? randn([K], { dtype }) : null, b = affine ? randn([K], { dtype }) : null;
  const [out, mean, rstd] = nativeLayerNorm(x, [K], w, b, 1e-5) as [Tensor, Tensor, Tensor];
  return [out, mean, rstd, ...drop(nativeLayerNormBackward(dy, x, [K], mean, rstd, w, b, ALL))];
}

function batchNormCase(shape: number[], dtype: DType, training: boolean, special: boolean): Tensor[] {
  const C = shape[1]!;
  const x = input(shape, dtype, special), dy = randn(shape, { dtype });
  const w = randn([C], { dtype }), b = randn([C], { dtype });
  const rm = randn([C], { dtype }), rv = randn([C], { dtype }).abs();
  const [out, sm, si] = nativeBatchNorm(x, w, b, rm, rv, training, 0.1, 1e-5) as [Tensor, Tensor, Tensor];
  return [out, sm, si, rm, rv, ...drop(nativeBatchNormBackward(dy, x, w, rm, rv, sm, si, training, 1e-5, ALL))];
}

function groupNormCase(shape: number[], G: number, dtype: DType, affine: boolean, special: boolean): Tensor[] {
  const [N, C] = shape as [number, number];
  const HW = shape.slice(2).reduce((a, c) => a * c, 1);
  const x = input(shape, dtype, special), dy = randn(shape, { dtype });
  const w = affine ? randn([C], { dtype }) : null, b = affine ? randn([C], { dtype }) : null;
  const [out, mean, rstd] = nativeGroupNorm(x, w, b, N, C, HW, G, 1e-5) as [Tensor, Tensor, Tensor];
  return [out, mean, rstd, ...drop(nativeGroupNormBackward(dy, x, mean, rstd, w, N, C, HW, G, ALL))];
}

/** Runs `run` after reseeding, so the TS and wasm runs see the same inputs. */
const seeded = (seed: number, run: () => Tensor[]) => (): Tensor[] => {
  manualSeed(seed);
  return run();
};

describe('wasm normalisation kernels vs TS (bit-identical)', () => {
  it('layer norm forward and backward: row lengths around the vector width, affine or not, special values', () => {
    const pick = lcg(5);
    let seed = 0;
    for (const dtype of DTYPES) {
      for (const K of [1, 3, 4, 5, 8, 17, 130]) {
        const M = 1 + pick(6);
        for (const affine of [true, false]) {
          expectSameAsTs(`layer norm ${dtype} [${M}, ${K}] affine=${affine}`, seeded(seed++, () => layerNormCase(M, K, dtype, affine, K > 2)));
        }
      }
    }
  });

  it('layer norm backward: every output mask, a weight without a bias, split and unsplit calls', () => {
    let seed = 50;
    const masks = [[true, false, false], [false, true, true], [false, true, false], [false, false, true], [true, false, true]];
    for (const dtype of DTYPES) {
      for (const [M, K, threads] of [[3, 13, 1], [40, 600, 1], [40, 600, 2]] as const) {
        for (const mask of masks) {
          expectSameAsTs(`layer norm backward ${dtype} [${M}, ${K}] mask=${mask} threads=${threads}`, seeded(seed++, () => {
            setNumThreads(threads);
            const x = input([M, K], dtype, true), dy = randn([M, K], { dtype }), w = randn([K], { dtype });
            const [out, mean, rstd] = nativeLayerNorm(x, [K], w, null, 1e-5) as [Tensor, Tensor, Tensor];
            return [out, mean, rstd, ...drop(nativeLayerNormBackward(dy, x, [K], mean, rstd, w, null, mask))];
          }));
        }
      }
    }
    setNumThreads(initial);
  });

  it('batch norm forward and backward, training and evaluation, with the running-stat updates', () => {
    let seed = 100;
    for (const dtype of DTYPES) {
      for (const shape of [[5, 3], [2, 3, 7], [3, 2, 4, 5], [2, 4, 1, 9]]) {
        for (const training of [true, false]) {
          expectSameAsTs(`batch norm ${dtype} [${shape}] training=${training}`, seeded(seed++, () => batchNormCase(shape, dtype, training, true)));
        }
      }
    }
  });

  it('group norm forward and backward: one group, one channel per group, spatial tails', () => {
    let seed = 200;
    for (const dtype of DTYPES) {
      for (const [shape, G] of [[[2, 6, 5], 3], [[3, 4], 2], [[2, 4, 3, 3], 4], [[1, 6, 2, 7], 1]] as [number[], number][]) {
        for (const affine of [true, false]) {
          expectSameAsTs(`group norm ${dtype} [${shape}] G=${G}`, seeded(seed++, () => groupNormCase(shape, G, dtype, affine, true)));
        }
      }
    }
  });

  it('matches the TS kernels on statistics: NaN rows stay NaN, other rows are unaffected', () => {
    manualSeed(3);
    const x = randn([2, 8]);
    x.narrow(0, 0, 1).narrow(1, 2, 1).fill_(NaN);
    for (const build of BUILDS) {
      const [out, mean] = withKernels(build, () => nativeLayerNorm(x, [8], null, null, 1e-5)) as [Tensor, Tensor];
      expect(flat(out).slice(0, 8).every(Number.isNaN), build).toBe(true);
      expect(flat(out).slice(8).every(Number.isFinite), build).toBe(true);
      expect(Number.isNaN(flat(mean)[0]!) && Number.isFinite(flat(mean)[1]!), build).toBe(true);
    }
  });

  it('gives identical bytes for 1, 2 and 3 threads on tensors large enough to split', () => {
    for (const build of BUILDS) {
      for (const dtype of DTYPES) {
        const cases: Array<() => Tensor[]> = [
          seeded(7, () => layerNormCase(64, 600, dtype, true, false)),
          seeded(8, () => batchNormCase([4, 8, 40, 40], dtype, true, false)),
          seeded(9, () => groupNormCase([4, 8, 40, 40], 2, dtype, true, false)),
        ];
        for (const run of cases) {
          const results = [1, 2, 3].map((t) => {
            setNumThreads(t);
            return withKernels(build, run).map(flat);
          });
          for (const r of results.slice(1)) {
            r.forEach((values, j) => expect(values.every((v, i) => Object.is(v, results[0]![j]![i])), `${build} ${dtype} output ${j}`).toBe(true));
          }
        }
      }
    }
  });
});
