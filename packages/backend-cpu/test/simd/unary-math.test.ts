// The wasm SIMD math kernels (exp, expm1, log, log1p, tanh, sigmoid, silu, softplus, erf, gelu, sqrt, rsqrt, reciprocal) against the
// TS kernels (Math.*): within a few ulp of the dtype (polynomial approximations), exactly for
// sqrt/rsqrt/reciprocal, with the same NaN, infinity, signed-zero and subnormal results.
import { describe, expect, it } from 'vitest';
import { cat, gelu, manualSeed, rand, randn, softplus, tensor } from '@torchts/core';
import type { DType, Tensor } from '@torchts/core';
import { BUILDS, expectSameAsTs, flat, withKernels } from './helpers.js';

const DTYPES: DType[] = ['float32', 'float64'];

/** Max distance in units in the last place of `want` (in the dtype): polynomial ops. */
const APPROX: Record<string, number> = { exp: 2, expm1: 2, log: 2, log1p: 2, tanh: 3, sigmoid: 3, silu: 4, softplus: 3, erf: 2 };
const EXACT = ['sqrt', 'rsqrt', 'reciprocal'];

const SPECIAL = [
  Number.NaN, Infinity, -Infinity, 0, -0, 1e-45, -1e-45, 1e-40, -1e-310, 5e-324, 1e-300, 1, -1, 0.5, 3,
  0.625, -0.625, 0.6249, 20, -20, 88.7, 89, -87.5, -103, -104, -108, -110, -121, 709.7, 710, -708, -745, -746, 1e30, -1e30,
  // log1p's pole, expm1's and erf's interval ends (and gelu's: times sqrt 2), tiny arguments.
  -1, -0.999, 0.84375, -0.84375, 1.25, -1.25, 2.857142857142857, 5.99, 6, -6, 8.5, -8.5, 28, 42.1, -60, -61, 693, 709.78, 1e-10, -1e-10,
];

/** Special values, then random ones at several scales (large ones overflow, tiny ones underflow). */
function inputs(dtype: DType, n: number): Tensor {
  const parts = [tensor(SPECIAL, { dtype }), randn([n], { dtype }).mul(0.5), randn([n], { dtype }).mul(40),
    rand([n], { dtype }).mul(1e6), randn([n], { dtype }).mul(400)];
  return cat(parts);
}

function ulpOf(v: number, dtype: DType): number {
  const [eps, tiny] = dtype === 'float32' ? [2 ** -23, 2 ** -149] : [2 ** -52, 2 ** -1074];
  const a = Math.abs(v);
  return Math.max(tiny, a === 0 ? 0 : 2 ** Math.floor(Math.log2(a)) * eps);
}

/**
 * Same NaN positions, infinities and zeros (with sign) exactly, other values within `ulps` (plus
 * `slack[i]`, an absolute allowance per element).
 */
function expectUlps(got: Tensor, want: Tensor, ulps: number, what: string, slack?: number[]): void {
  expect(got.dtype, what).toBe(want.dtype);
  expect(got.shape, what).toEqual(want.shape);
  const g = flat(got), w = flat(want);
  for (let i = 0; i < g.length; i++) {
    const gi = g[i]!, wi = w[i]!;
    const exact = Number.isNaN(wi) || !Number.isFinite(wi) || wi === 0;
    const ok = exact ? Object.is(gi, wi) : Math.abs(gi - wi) <= ulps * ulpOf(wi, want.dtype) + (slack?.[i] ?? 0);
    if (!ok) throw new Error(`${what}: element ${i}: got ${gi}, want ${wi}`);
  }
}

function run(op: string, x: Tensor): Tensor {
  return (x as unknown as Record<string, () => Tensor>)[op]!.call(x);
}

function compareOp(op: string, what: string, fn: () => Tensor): void {
  if (EXACT.includes(op)) return expectSameAsTs(what, fn);
  const want = withKernels('ts', fn);
  for (const build of BUILDS) expectUlps(withKernels(build, fn), want, APPROX[op]!, `${what} (${build})`);
}

describe('wasm SIMD unary math vs TS', () => {
  it('exp/log/tanh/sigmoid/silu within a few ulp, sqrt/rsqrt/reciprocal identical; special values', () => {
    manualSeed(21);
    for (const dtype of DTYPES) {
      const x = inputs(dtype, 1031); // 4159 elements: every lane position of the tails
      for (const op of [...Object.keys(APPROX), ...EXACT]) {
        compareOp(op, `${op} ${dtype}`, () => run(op, x));
        compareOp(op, `${op} tail ${dtype}`, () => run(op, x.narrow(0, 3, 261)));
      }
    }
  });

  it('row-sliced inputs and in-place forms take the same kernels', () => {
    manualSeed(22);
    for (const dtype of DTYPES) {
      const m = inputs(dtype, 0).narrow(0, 0, 30).reshape([5, 6]).repeat([20, 9]); // [100, 54]
      for (const op of [...Object.keys(APPROX), ...EXACT]) {
        compareOp(op, `${op} sliced ${dtype}`, () => run(op, m.narrow(1, 1, 50)));
        compareOp(op, `${op}_ ${dtype}`, () => {
          const y = m.clone();
          (y as unknown as Record<string, () => Tensor>)[`${op}_`]!.call(y);
          return y;
        });
      }
    }
  });

  it('softplus: thresholds in wasm, other betas and thresholds past exp overflow in TS', () => {
    manualSeed(23);
    for (const dtype of DTYPES) {
      const x = inputs(dtype, 300);
      compareOp('softplus', `softplus threshold 5 ${dtype}`, () => softplus(x, 1, 5));
      compareOp('softplus', `softplus threshold 100 ${dtype}`, () => softplus(x, 1, 100));
      compareOp('softplus', `softplus threshold 0.1 ${dtype}`, () => softplus(x, 1, 0.1));
      expectSameAsTs(`softplus beta 2 (TS) ${dtype}`, () => softplus(x, 2));
    }
  });

  it('gelu (erf and tanh forms) within 2 ulp plus the float64 cancellation in 1 + erf, 1 + tanh', () => {
    manualSeed(24);
    for (const dtype of DTYPES) {
      const x = inputs(dtype, 1031);
      // 1 + erf(x / sqrt 2) (or 1 + tanh) carries an absolute error of about 2^-53 in float64 in
      // both kernels (erf and tanh differ by an ulp or two near -1): up to 2^-52 |x| apart.
      const slack = flat(x).map((v) => 2 ** -52 * Math.abs(v));
      for (const approximate of ['none', 'tanh'] as const) {
        for (const [part, n] of [[x, x.numel()], [x.narrow(0, 3, 261), 261]] as const) {
          const fn = () => gelu(part, { approximate });
          const want = withKernels('ts', fn);
          const s = part === x ? slack : slack.slice(3, 3 + n);
          for (const build of BUILDS) expectUlps(withKernels(build, fn), want, 2, `gelu ${approximate} ${dtype} n=${n} (${build})`, s);
        }
      }
    }
  });

  it('integer inputs compute in float32 through the TS kernels', () => {
    const i = tensor([1, 2, 3, 4], { dtype: 'int32' }).repeat([100]);
    for (const op of ['exp', 'sqrt', 'sigmoid']) expectSameAsTs(`${op} int32`, () => run(op, i));
  });
});
