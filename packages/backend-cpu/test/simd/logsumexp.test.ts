// logsumexp through the wasm row kernel (assembly/logsumexp.ts) against the TS loop: float64 all
// the way (vector exp/log within ~2 ulp, the sum in another order), so float32 results are the TS
// ones or one float32 ulp away, float64 within 2^-48 relative (+2^-52 absolute near 0); infinities
// and NaN exactly.
import { afterAll, describe, expect, it } from 'vitest';
import { logsumexp, manualSeed, randn, tensor } from '@torchts/core';
import type { DType, Tensor } from '@torchts/core';
import { getNumThreads, setNumThreads } from '../../src/index.js';
import { BUILDS, expectSameBytesForThreads, expectWithin, withKernels } from './helpers.js';

const initialThreads = getNumThreads();
afterAll(() => setNumThreads(initialThreads));

function compare(what: string, x: Tensor, dim: number | number[]): void {
  const want = withKernels('ts', () => logsumexp(x, dim));
  const tol = x.dtype === 'float32' ? 2 ** -23 : 2 ** -48;
  for (const build of BUILDS) {
    const got = withKernels(build, () => logsumexp(x, dim));
    expectWithin(got, want, want.abs().add(x.dtype === 'float32' ? 2 ** -20 : 2 ** -4), tol, `${what} (${build})`);
  }
}

describe('logsumexp row kernel', () => {
  it('rows of every length, large and small values, both dtypes', () => {
    manualSeed(41);
    for (const dtype of ['float32', 'float64'] as DType[]) {
      for (const n of [32, 33, 35, 64, 99, 1000]) {
        compare(`${dtype} n=${n}`, randn([7, n], { dtype }), 1);
        compare(`${dtype} n=${n} wide`, randn([7, n], { dtype }).mul(300), 1);
        compare(`${dtype} n=${n} all`, randn([n], { dtype }), 0);
      }
    }
  });

  it('infinities and NaN as the TS loop (and PyTorch)', () => {
    for (const dtype of ['float32', 'float64'] as DType[]) {
      const row = (v: number, at: number[]) => Array.from({ length: 40 }, (_, i) => (at.includes(i) ? v : i / 40));
      const x = tensor([row(Infinity, [3]), row(-Infinity, [0, 39]), new Array<number>(40).fill(-Infinity), row(NaN, [37]), row(Infinity, [1, 2])], { dtype });
      const want = withKernels('ts', () => logsumexp(x, 1));
      for (const build of BUILDS) {
        const got = withKernels(build, () => logsumexp(x, 1));
        const g = got.tolist() as number[], w = want.tolist() as number[];
        expect(g[0]).toBe(Infinity);
        expect(g[2]).toBe(-Infinity);
        expect(Number.isNaN(g[3])).toBe(true);
        expect(g[4]).toBe(Infinity);
        expect(Math.abs(g[1]! - w[1]!)).toBeLessThanOrEqual(Math.abs(w[1]!) * 2 ** -23);
      }
    }
  });
});

// Along non-last dims the column kernel (logsumexpCols*: four columns per step in float64 lanes)
// computes every column as the row kernel does: the same tolerances against the TS loop.
describe('logsumexp column kernel (non-last dims)', () => {
  it('strips of every width, 3-d layouts, both dtypes', () => {
    manualSeed(43);
    for (const dtype of ['float32', 'float64'] as DType[]) {
      for (const m of [2, 3, 4, 5, 7, 8, 9, 16, 17]) {
        compare(`${dtype} [37, ${m}] dim 0`, randn([37, m], { dtype }), 0);
        compare(`${dtype} [37, ${m}] dim 0 wide`, randn([37, m], { dtype }).mul(300), 0);
      }
      compare(`${dtype} [3, 40, 5] dim 1`, randn([3, 40, 5], { dtype }), 1);
      compare(`${dtype} [40, 3, 6] dims 0, 1`, randn([40, 3, 6], { dtype }), [0, 1]);
      compare(`${dtype} [3, 40, 6] dim -2, sliced`, randn([3, 40, 8], { dtype }).narrow(2, 1, 6), -2);
    }
  });

  it('infinities and NaN per column as the TS loop', () => {
    for (const dtype of ['float32', 'float64'] as DType[]) {
      const col = (v: number, at: number[]) => Array.from({ length: 40 }, (_, i) => (at.includes(i) ? v : i / 40));
      const cols = [col(Infinity, [3]), col(-Infinity, [0, 39]), new Array<number>(40).fill(-Infinity), col(NaN, [37]), col(Infinity, [1, 2])];
      const x = tensor(cols, { dtype }).t().contiguous(); // [40, 5]: reduce dim 0
      const want = withKernels('ts', () => logsumexp(x, 0));
      for (const build of BUILDS) {
        const g = withKernels(build, () => logsumexp(x, 0)).tolist() as number[], w = want.tolist() as number[];
        expect(g[0]).toBe(Infinity);
        expect(g[2]).toBe(-Infinity);
        expect(Number.isNaN(g[3])).toBe(true);
        expect(g[4]).toBe(Infinity);
        expect(Math.abs(g[1]! - w[1]!)).toBeLessThanOrEqual(Math.abs(w[1]!) * 2 ** -23);
      }
    }
  });

  it('identical bytes for 1, 2 and 3 threads (split over the pool)', () => {
    manualSeed(44);
    for (const shape of [[5000, 40], [64, 40, 48], [40, 5000]]) {
      const x = randn(shape);
      // One column-kernel call per logsumexp, split over the pool from two threads on.
      for (const build of BUILDS) expectSameBytesForThreads(build, () => [logsumexp(x, 0)], 1);
    }
    // Many rows along the last dim: one batched call (logsumexpRows*), split by rows.
    const rows = randn([3000, 41]).mul(30);
    compare('[3000, 41] rows', rows, 1);
    for (const build of BUILDS) expectSameBytesForThreads(build, () => [logsumexp(rows, 1)], 1);
  });
});
