// The WebAssembly float32 softmax / log_softmax (both builds) against the TS kernel, which computes
// in float64 and rounds once: softmax within 4 ulp (the vector exp is ~1.5 ulp), log_softmax
// within 4 ulp plus 2^-22 absolute (log of a float32-accurate row sum); NaN where TS has NaN.
import { describe, expect, it } from 'vitest';
import { logSoftmax, manualSeed, randn, softmax, tensor } from '@torchts/core';
import type { Tensor } from '@torchts/core';
import { BUILDS, flat, withKernels } from './helpers.js';

function expectClose(got: Tensor, want: Tensor, abs: number, what: string): void {
  expect(got.shape).toEqual(want.shape);
  const g = flat(got), w = flat(want);
  for (let i = 0; i < g.length; i++) {
    const ok = Number.isNaN(w[i]!) ? Number.isNaN(g[i]!) : g[i] === w[i] || Math.abs(g[i]! - w[i]!) <= 2 ** -21 * Math.abs(w[i]!) + abs;
    if (!ok) throw new Error(`${what}: element ${i}: got ${g[i]}, want ${w[i]}`);
  }
}

function compare(what: string, x: Tensor, dim: number): void {
  const sm = withKernels('ts', () => softmax(x, dim));
  const lsm = withKernels('ts', () => logSoftmax(x, dim));
  for (const build of BUILDS) {
    expectClose(withKernels(build, () => softmax(x, dim)), sm, 2 ** -148, `softmax ${what} (${build})`);
    expectClose(withKernels(build, () => logSoftmax(x, dim)), lsm, 2 ** -22, `logSoftmax ${what} (${build})`);
  }
}

describe('wasm SIMD softmax vs TS', () => {
  it('rows of every length around the vector width, small and wide value ranges', () => {
    manualSeed(11);
    for (const len of [1, 3, 4, 7, 100, 1000]) {
      compare(`[6, ${len}]`, randn([6, len]), 1);
      compare(`[6, ${len}] x30 (subnormal and zero results)`, randn([6, len]).mul(30), -1);
    }
    compare('3-d, last dim', randn([2, 3, 33]).mul(5), 2);
    compare('other dim (TS path)', randn([5, 9]), 0);
  });

  it('NaN, infinities and all -inf rows give what the TS kernel gives', () => {
    const x = tensor([
      [1, 2, Number.NaN, 4, 5, 6],
      [1, Infinity, 3, 4, 5, 6],
      [-Infinity, -Infinity, -Infinity, -Infinity, -Infinity, -Infinity],
      [-Infinity, 0, 1, -Infinity, 2, 88],
      [-200, -100, 0, 50, 100, 104],
    ]);
    compare('special values', x, 1);
  });
});
