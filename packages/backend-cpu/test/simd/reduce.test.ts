// The WebAssembly SIMD row reductions (both builds) against the TS reducers: sums within
// float64 round-off of the TS sums (then rounded to the dtype), max/min equal, NaN propagated.
import { describe, expect, it } from 'vitest';
import { amax, amin, manualSeed, max, mean, min, randn, sum, tensor } from '@torchts/core';
import type { DType, Tensor } from '@torchts/core';
import { BUILDS, expectWithin, withKernels } from './helpers.js';

const DTYPES: DType[] = ['float32', 'float64'];
/** The dtype's unit in the last place relative to the result, plus float64 order effects. */
const TOL: Record<string, number> = { float32: 2 ** -23, float64: 2 ** -40 };

function compare(what: string, dtype: DType, run: () => Tensor, scale: () => Tensor): void {
  const want = withKernels('ts', run);
  const mag = withKernels('ts', scale);
  for (const build of BUILDS) expectWithin(withKernels(build, run), want, mag, TOL[dtype]!, `${what} (${build})`);
}

describe('wasm SIMD reductions vs TS', () => {
  it('sum and mean: full, last dim, other dims (TS path), lengths around the vector widths', () => {
    manualSeed(9);
    for (const dtype of DTYPES) {
      for (const n of [32, 33, 100, 1027]) {
        const x = randn([5, n], { dtype }).mul(100);
        const ax = x.abs();
        compare(`sum all ${n} ${dtype}`, dtype, () => sum(x), () => sum(ax));
        compare(`sum dim -1 ${n} ${dtype}`, dtype, () => sum(x, -1), () => sum(ax, -1));
        compare(`mean dim -1 ${n} ${dtype}`, dtype, () => mean(x, -1), () => mean(ax, -1));
        compare(`sum dim 0 ${n} ${dtype}`, dtype, () => sum(x, 0), () => sum(ax, 0));
        compare(`mean all keepdim ${n} ${dtype}`, dtype, () => x.mean({ dim: [0, 1], keepdim: true }), () => ax.mean({ dim: [0, 1], keepdim: true }));
      }
      const big = randn([1 << 16], { dtype });
      compare(`sum 65536 ${dtype}`, dtype, () => sum(big), () => sum(big.abs()));
    }
  });

  it('max/min/amax/amin along the last dim and overall, NaN and infinities', () => {
    manualSeed(10);
    for (const dtype of DTYPES) {
      for (const n of [32, 47, 515]) {
        const x = randn([4, n], { dtype });
        x.select(0, 1).narrow(0, n - 1, 1).fill_(Number.NaN); // NaN in the scalar tail
        x.select(0, 2).narrow(0, 3, 1).fill_(Number.NaN); // NaN in the vector part
        x.select(0, 3).narrow(0, 5, 1).fill_(Infinity);
        const zero = () => tensor(0, { dtype });
        for (const [name, f] of [['amax', (t: Tensor) => amax(t, -1)], ['amin', (t: Tensor) => amin(t, -1)],
          ['max', (t: Tensor) => max(t)], ['min', (t: Tensor) => min(t)],
          ['max.dim', (t: Tensor) => max(t, -1).values], ['min.dim', (t: Tensor) => min(t, -1).values]] as const) {
          compare(`${name} ${n} ${dtype}`, dtype, () => f(x), zero);
          compare(`${name} no NaN ${n} ${dtype}`, dtype, () => f(x.narrow(0, 0, 1)), zero);
        }
        for (const build of BUILDS) {
          expect(withKernels(build, () => max(x, -1).indices.tolist())).toEqual(withKernels('ts', () => max(x, -1).indices.tolist()));
        }
      }
    }
  });
});
