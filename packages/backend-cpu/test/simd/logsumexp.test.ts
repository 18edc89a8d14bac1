// logsumexp through the wasm row kernel (assembly/logsumexp.ts) against the TS loop: float64 all
// the way (vector exp/log within ~2 ulp, the sum in another order), so float32 results are the TS
// ones or one float32 ulp away, float64 within 2^-48 relative (+2^-52 absolute near 0); infinities
// and NaN exactly.
import { describe, expect, it } from 'vitest';
import { logsumexp, manualSeed, randn, tensor } from '@torchts/core';
import type { DType, Tensor } from '@torchts/core';
import { BUILDS, expectWithin, withKernels } from './helpers.js';

function compare(what: string, x: Tensor, dim: number): void {
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
