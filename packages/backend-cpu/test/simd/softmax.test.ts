// The WebAssembly softmax / log_softmax (both builds) against the TS kernel, which computes in
// float64 and rounds once. float32: softmax within 4 ulp (vector exp ~2 ulp, the x - m rounding
// error folded back in, 1 / sum rounded to float32), log_softmax within 4 ulp plus 2^-22
// absolute; float64: 2^-42 relative (exp and log within ~1-2 ulp; the sum of up to 1000 terms in
// another order). NaN where TS has NaN.
import { afterAll, describe, expect, it } from 'vitest';
import { logSoftmax, manualSeed, randn, softmax, tensor } from '@torchts/core';
import type { DType, Tensor } from '@torchts/core';
import { getNumThreads, setNumThreads } from '../../src/index.js';
import { BUILDS, expectIdentical, flat, lcg, withKernels } from './helpers.js';

const initialThreads = getNumThreads();
afterAll(() => setNumThreads(initialThreads));

const REL: Record<string, number> = { float32: 2 ** -21, float64: 2 ** -42 };
const ABS: Record<string, { sm: number; lsm: number }> = { float32: { sm: 2 ** -148, lsm: 2 ** -22 }, float64: { sm: 2 ** -1070, lsm: 2 ** -50 } };

function expectClose(got: Tensor, want: Tensor, rel: number, abs: number, what: string): void {
  expect(got.shape).toEqual(want.shape);
  expect(got.dtype).toBe(want.dtype);
  const g = flat(got), w = flat(want);
  for (let i = 0; i < g.length; i++) {
    const ok = Number.isNaN(w[i]!) ? Number.isNaN(g[i]!) : g[i] === w[i] || Math.abs(g[i]! - w[i]!) <= rel * Math.abs(w[i]!) + abs;
    if (!ok) throw new Error(`${what}: element ${i}: got ${g[i]}, want ${w[i]}`);
  }
}

function compare(what: string, x: Tensor, dim: number): void {
  const dtype = x.dtype as DType;
  const sm = withKernels('ts', () => softmax(x, dim));
  const lsm = withKernels('ts', () => logSoftmax(x, dim));
  for (const build of BUILDS) {
    expectClose(withKernels(build, () => softmax(x, dim)), sm, REL[dtype]!, ABS[dtype]!.sm, `softmax ${what} ${dtype} (${build})`);
    expectClose(withKernels(build, () => logSoftmax(x, dim)), lsm, REL[dtype]!, ABS[dtype]!.lsm, `logSoftmax ${what} ${dtype} (${build})`);
  }
}

describe('wasm SIMD softmax vs TS', () => {
  it('rows of every length around the vector width, small and wide value ranges', () => {
    manualSeed(11);
    for (const dtype of ['float32', 'float64'] as DType[]) {
      for (const len of [1, 3, 4, 7, 17, 100, 1000]) {
        compare(`[6, ${len}]`, randn([6, len], { dtype }), 1);
        compare(`[6, ${len}] x30 (subnormal and zero results)`, randn([6, len], { dtype }).mul(30), -1);
      }
      compare('3-d, last dim', randn([2, 3, 33], { dtype }).mul(5), 2);
      compare('x300 (float64 subnormal results)', randn([3, 50], { dtype }).mul(300), 1);
      compare('not contiguous (TS path)', randn([9, 5], { dtype }).t(), 1);
    }
  });

  it('other dims (inner stride > 1), random shapes', () => {
    manualSeed(15);
    const rand = lcg(7);
    for (let trial = 0; trial < 30; trial++) {
      const dtype: DType = trial % 2 ? 'float64' : 'float32';
      const nd = 1 + rand(4);
      const shape = Array.from({ length: nd }, () => 1 + rand(9));
      const dim = rand(nd) - (rand(2) ? nd : 0);
      compare(`[${shape}] dim ${dim}`, randn(shape, { dtype }).mul(1 + rand(40)), dim);
    }
    compare('dim 0 of [300, 4 + 4 + 3]', randn([300, 11]).mul(20), 0);
    // More columns than one panel holds (512), with a tail of single columns.
    compare('dim 1 of [2, 9, 1103]', randn([2, 9, 1103]).mul(20), 1);
    compare('dim 0 of [5, 1031] float64', randn([5, 1031], { dtype: 'float64' }).mul(20), 0);
  });

  it('NaN, infinities and all -inf rows give what the TS kernel gives, along any dim', () => {
    const rows = [
      [1, 2, Number.NaN, 4, 5, 6],
      [1, Infinity, 3, 4, 5, 6],
      [-Infinity, -Infinity, -Infinity, -Infinity, -Infinity, -Infinity],
      [-Infinity, 0, 1, -Infinity, 2, 88],
      [-200, -100, 0, 50, 100, 104],
      [Number.NaN, Infinity, -Infinity, 1, 2, 3],
    ];
    for (const dtype of ['float32', 'float64'] as DType[]) {
      const x = tensor(rows, { dtype });
      compare('special values', x, 1);
      compare('special values, dim 0', x.t().contiguous(), 0);
    }
  });

  it('identical bytes for 1, 2 and 3 threads (row and inner splits)', () => {
    manualSeed(16);
    for (const dtype of ['float32', 'float64'] as DType[]) {
      const rows = randn([64, 300], { dtype }), cols = randn([300, 133], { dtype }), blocks = randn([5, 40, 50], { dtype });
      const wide = randn([30, 1203], { dtype }); // inner positions split over threads across panels
      const run = (): Tensor[] => [softmax(rows, 1), logSoftmax(rows, 1), softmax(cols, 0), logSoftmax(cols, 0), softmax(blocks, 1), softmax(wide, 0), logSoftmax(wide, 0)];
      for (const build of BUILDS) {
        const results = [1, 2, 3].map((t) => {
          setNumThreads(t);
          return withKernels(build, run);
        });
        for (const r of results.slice(1)) r.forEach((t, i) => expectIdentical(t, results[0]![i]!, `${build} ${dtype} output ${i}`));
      }
    }
  });
});
