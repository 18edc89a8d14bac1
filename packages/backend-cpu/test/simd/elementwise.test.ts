// The WebAssembly SIMD elementwise kernels (both builds) against the TS kernels: bit-identical
// results, including NaN, infinities, -0 and subnormals, for every layout the wasm path takes and
// the ones it must leave to TS (partial overlap, casts, small tensors).
import { describe, it } from 'vitest';
import { abs, add, cat, div, eq, ge, gt, le, lt, manualSeed, mul, ne, neg, randn, relu, sub, where } from '@torchts/core';
import type { DType, Tensor } from '@torchts/core';
import { BUILDS, expectIdentical, expectSameAsTs, specialValues, withKernels } from './helpers.js';

const DTYPES: DType[] = ['float32', 'float64'];

const compare = expectSameAsTs;


describe('wasm SIMD elementwise vs TS (bit-identical)', () => {
  it('binary add/sub/mul/div: same shape, scalars, row/column/batched broadcasts, sliced rows', () => {
    manualSeed(5);
    for (const dtype of DTYPES) {
      for (const n of [256, 263, 1031]) {
        const a = specialValues([n], dtype), b = specialValues([n], dtype);
        for (const [name, f] of [['add', add], ['sub', sub], ['mul', mul], ['div', div]] as const) {
          compare(`${name} [${n}] ${dtype}`, () => f(a, b));
          compare(`${name} tensor-scalar ${dtype}`, () => f(a, 0.1));
          compare(`${name} scalar-tensor ${dtype}`, () => f(0.1 as unknown as Tensor, b));
        }
      }
      const m = specialValues([37, 29], dtype), row = specialValues([29], dtype), col = specialValues([37, 1], dtype);
      compare(`add row ${dtype}`, () => add(m, row));
      compare(`sub row first ${dtype}`, () => sub(row, m));
      compare(`div column ${dtype}`, () => div(m, col));
      compare(`div column first ${dtype}`, () => div(col, m));
      const batched = specialValues([3, 37, 29], dtype);
      compare(`mul batched row ${dtype}`, () => mul(batched, row));
      compare(`add batched matrix ${dtype}`, () => add(batched, m));
      const wide = specialValues([40, 50], dtype);
      compare(`add sliced rows ${dtype}`, () => add(wide.narrow(1, 3, 40), wide.narrow(1, 0, 40)));
      compare(`sub transposed (TS path) ${dtype}`, () => sub(wide.t(), wide.t().contiguous()));
    }
  });

  it('comparisons into bool: same shape, scalars, row broadcast, NaN/-0/infinities, both dtypes', () => {
    manualSeed(13);
    for (const dtype of DTYPES) {
      for (const n of [256, 263, 1031]) {
        const a = specialValues([n], dtype);
        const b = a.clone();
        b.narrow(0, 100, n - 100).copy_(specialValues([n - 100], dtype)); // equal on the first 100 (NaN, -0 vs 0 among them)
        for (const [name, f] of [['eq', eq], ['ne', ne], ['lt', lt], ['le', le], ['gt', gt], ['ge', ge]] as const) {
          compare(`${name} [${n}] ${dtype}`, () => f(a, b));
          compare(`${name} tensor-scalar ${dtype}`, () => f(a, 0.25));
        }
      }
      const m = specialValues([37, 29], dtype), row = specialValues([29], dtype);
      compare(`lt row ${dtype}`, () => lt(m, row));
      compare(`ge row first ${dtype}`, () => ge(row, m));
    }
  });

  it('where: tensor and scalar branches, broadcast and uint8 conditions, both dtypes', () => {
    manualSeed(14);
    for (const dtype of DTYPES) {
      for (const n of [256, 263, 1031]) {
        const x = specialValues([n], dtype), y = specialValues([n], dtype).flip(0).contiguous();
        const mask = randn([n]).gt(0);
        compare(`where [${n}] ${dtype}`, () => where(mask, x, y));
        compare(`where(mask, 0, g) [${n}] ${dtype}`, () => where(mask, 0, y));
        compare(`where(mask, x, 2.5) [${n}] ${dtype}`, () => where(mask, x, 2.5));
        compare(`where(mask, 1, -1) [${n}] ${dtype}`, () => where(mask, 1, -1));
        compare(`where uint8 mask [${n}] ${dtype}`, () => where(mask.to('uint8').mul(7), x, y));
      }
      const m = specialValues([37, 29], dtype), rowMask = randn([29]).gt(0), colMask = randn([37, 1]).gt(0);
      compare(`where row mask ${dtype}`, () => where(rowMask, m, 0));
      compare(`where column mask (TS path) ${dtype}`, () => where(colMask, m, 0));
      const tMask = randn([29, 37]).gt(0).t();
      compare(`where transposed mask (TS path) ${dtype}`, () => where(tMask, m, m.neg()));
    }
  });

  it('alpha, rounding modes and mixed dtypes fall back to TS with the same results', () => {
    manualSeed(6);
    const a = randn([300]), b = randn([300]), d = randn([300], { dtype: 'float64' });
    compare('add alpha', () => add(a, b, { alpha: 0.3 }));
    compare('div floor', () => div(a, b, { roundingMode: 'floor' }));
    compare('mul float32 * float64', () => mul(a, d));
    compare('small add', () => add(a.narrow(0, 0, 10), b.narrow(0, 0, 10)));
  });

  it('in place: same elements go to wasm, partially overlapping ones stay correct', () => {
    for (const build of ['ts', ...BUILDS] as const) {
      const results = withKernels(build, () => {
        manualSeed(7);
        const x = randn([600]), y = randn([600]);
        x.add_(y).mul_(2).relu_();
        const z = randn([600]);
        z.narrow(0, 1, 599).add_(z.narrow(0, 0, 599));
        return cat([x, z]);
      });
      if (build === 'ts') (globalThis as { __want?: Tensor }).__want = results;
      else expectIdentical(results, (globalThis as { __want?: Tensor }).__want!, `in place (${build})`);
    }
  });

  it('unary relu/neg/abs: contiguous and row-sliced, special values', () => {
    manualSeed(8);
    for (const dtype of DTYPES) {
      const x = specialValues([19, 41], dtype);
      for (const [name, f] of [['relu', relu], ['neg', neg], ['abs', abs]] as const) {
        compare(`${name} ${dtype}`, () => f(x));
        compare(`${name} sliced ${dtype}`, () => f(x.narrow(1, 2, 30)));
        compare(`${name} transposed ${dtype}`, () => f(x.t()));
      }
    }
  });
});
