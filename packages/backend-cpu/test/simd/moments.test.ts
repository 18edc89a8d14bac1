// var/std (and var_mean/std_mean) and the 1- and 2-norms through the wasm power-sum row kernel
// (assembly/moments.ts) against the TS loops: both sum in float64, in another order, so float32
// results are the TS ones or one ulp away and float64 ones within 2^-46 relative; NaN and
// infinities as TS.
import { describe, it } from 'vitest';
import { manualSeed, randn, stdMean, tensor, varMean } from '@torchts/core';
import type { DType, Tensor } from '@torchts/core';
import { BUILDS, expectWithin, withKernels } from './helpers.js';

function compare(what: string, run: () => Tensor[], dtype: DType): void {
  const want = withKernels('ts', run);
  const tol = dtype === 'float32' ? 2 ** -23 : 2 ** -46;
  for (const build of BUILDS) {
    const got = withKernels(build, run);
    got.forEach((g, i) => expectWithin(g, want[i]!, want[i]!.abs(), tol, `${what} output ${i} (${build})`));
  }
}

describe('power-sum row kernels (var/std, norms)', () => {
  it('rows of every length, offsets from the mean, both dtypes, corrections', () => {
    manualSeed(51);
    for (const dtype of ['float32', 'float64'] as DType[]) {
      for (const n of [32, 33, 34, 35, 64, 101, 1000]) {
        const x = randn([6, n], { dtype }).mul(3).add(1000);
        compare(`${dtype} n=${n} var/std`, () => [x.var(1), x.std(1, { correction: 0 }), ...varMean(x, 1), ...stdMean(x, 1, { correction: 2 })], dtype);
        compare(`${dtype} n=${n} norms`, () => [x.norm(2, 1), x.norm(1, 1), x.sub(1000).norm(), x.norm(1)], dtype);
      }
    }
  });

  it('NaN, infinities and float32 overflow of the squares', () => {
    for (const dtype of ['float32', 'float64'] as DType[]) {
      const row = (v: number, at: number) => Array.from({ length: 40 }, (_, i) => (i === at ? v : (i % 7) - 3));
      const big = new Array<number>(40).fill(dtype === 'float32' ? 1e20 : 1e160);
      const x = tensor([row(NaN, 3), row(Infinity, 39), row(-Infinity, 0)], { dtype });
      compare(`${dtype} specials`, () => [x.var(1), x.std(1), x.norm(2, 1), x.norm(1, 1)], dtype);
      // (The variance of equal huge values is the square of the mean's rounding error, which
      // depends on the sum's order: only the norms are compared there.)
      const b = tensor([big], { dtype });
      compare(`${dtype} overflowing squares`, () => [b.norm(2, 1), b.norm(1, 1)], dtype);
    }
  });
});
