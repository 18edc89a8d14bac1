// More elementwise ops on the wasm SIMD path, bit-identical to the TS kernels under every build:
// alpha, maximum/minimum, clamp forms, leakyRelu, pow with scalar exponents, bool/uint8 operands,
// 0-d tensor operands, views with more than two dims after coalescing, and thread counts. Integer
// dtypes: elementwise-int.test.ts.
import { describe, it } from 'vitest';
import {
  add, clamp, clampMax, clampMin, div, gelu, gt, hardtanh, leakyRelu, lt, manualSeed, maximum, minimum, mul, pow, randn, relu6, sub, tensor,
  thresholdBackward, where,
} from '@torchts/core';
import type { DType, Tensor } from '@torchts/core';
import { BUILDS, expectSameAsTs, expectSameBytesForThreads, specialValues } from './helpers.js';

const DTYPES: DType[] = ['float32', 'float64'];

describe('wasm SIMD elementwise ops vs TS (bit-identical)', () => {
  it('add/sub with alpha, maximum/minimum, clampMin/clampMax: tensors, scalars, broadcasts, tails', () => {
    manualSeed(31);
    for (const dtype of DTYPES) {
      for (const n of [256, 263, 1031]) {
        const a = specialValues([n], dtype), b = specialValues([n], dtype).flip(0).contiguous();
        expectSameAsTs(`add alpha 0.3 [${n}] ${dtype}`, () => add(a, b, { alpha: 0.3 }));
        expectSameAsTs(`sub alpha -1.7 [${n}] ${dtype}`, () => sub(a, b, { alpha: -1.7 }));
        expectSameAsTs(`add alpha scalar ${dtype}`, () => add(a, 0.1, { alpha: 3 }));
        expectSameAsTs(`sub alpha scalar first ${dtype}`, () => sub(0.1 as unknown as Tensor, b, { alpha: 1e-3 }));
        expectSameAsTs(`maximum [${n}] ${dtype}`, () => maximum(a, b));
        expectSameAsTs(`minimum [${n}] ${dtype}`, () => minimum(a, b));
        expectSameAsTs(`clampMin ${dtype}`, () => clampMin(a, -0.25));
        expectSameAsTs(`clampMax ${dtype}`, () => clampMax(a, 0));
        expectSameAsTs(`clampMax -0 ${dtype}`, () => clampMax(a, -0));
      }
      const m = specialValues([37, 29], dtype), row = specialValues([29], dtype), col = specialValues([37, 1], dtype);
      expectSameAsTs(`add alpha row ${dtype}`, () => add(m, row, { alpha: 0.7 }));
      expectSameAsTs(`maximum column ${dtype}`, () => maximum(col, m));
      expectSameAsTs(`minimum row ${dtype}`, () => minimum(m, row));
    }
  });

  it('thresholdBackward (relu\'s gradient): specials, -0, thresholds that round in float32, broadcasts, tails', () => {
    for (const dtype of DTYPES) {
      for (const n of [256, 263, 1031]) {
        const g = specialValues([n], dtype), y = specialValues([n], dtype).flip(0).contiguous();
        for (const t of [0, -0, 0.1, -1e-40, Infinity, NaN]) expectSameAsTs(`threshold ${t} [${n}] ${dtype}`, () => thresholdBackward(g, y, t));
      }
      const m = specialValues([37, 29], dtype), row = specialValues([29], dtype), col = specialValues([37, 1], dtype);
      expectSameAsTs(`threshold row ${dtype}`, () => thresholdBackward(m, row, 0));
      expectSameAsTs(`threshold column grad ${dtype}`, () => thresholdBackward(col, m, 0.5));
      expectSameAsTs(`threshold transposed ${dtype}`, () => thresholdBackward(m.t(), m.t().neg(), 0));
    }
  });

  it('clamp with scalar bounds, hardtanh, relu6, leakyRelu, pow with exponents 2/0.5/-0.5/-1 (and 3 in TS)', () => {
    manualSeed(32);
    for (const dtype of DTYPES) {
      const x = specialValues([41, 19], dtype).mul(4);
      const lo0d = tensor(-0.3, { dtype: 'float64' });
      expectSameAsTs(`clamp ${dtype}`, () => clamp(x, -0.5, 0.75));
      expectSameAsTs(`clamp 0.1 (rounded to the dtype) ${dtype}`, () => clamp(x, 0.1, 2.2));
      expectSameAsTs(`clamp min > max ${dtype}`, () => clamp(x, 1, -1));
      expectSameAsTs(`clamp NaN bound ${dtype}`, () => clamp(x, Number.NaN, 1));
      expectSameAsTs(`clamp 0-d bound ${dtype}`, () => clamp(x, lo0d, 2));
      expectSameAsTs(`clamp_ sliced ${dtype}`, () => {
        const y = x.clone();
        y.narrow(1, 2, 15).clamp_(-1, 1);
        return y;
      });
      expectSameAsTs(`hardtanh ${dtype}`, () => hardtanh(x));
      expectSameAsTs(`hardtanh 0.1..2.7 ${dtype}`, () => hardtanh(x, 0.1, 2.7));
      expectSameAsTs(`hardtanh tiny bound ${dtype}`, () => hardtanh(x, 1e-300, 2));
      // A 0-d operand inside the output: the TS kernel sees its new value after writing it (TS path).
      expectSameAsTs(`add_ its own element ${dtype}`, () => {
        const y = x.clone();
        y.add_(y.flatten().select(0, 300));
        return y;
      });
      expectSameAsTs(`clamp -0 bound ${dtype}`, () => clamp(x, -0, 1));
      expectSameAsTs(`clamp infinite bounds ${dtype}`, () => clamp(x, -Infinity, Infinity));
      expectSameAsTs(`clampMin 0 / clampMax -0 / clampMax 0-d ${dtype}`, () => [clampMin(x, 0), clampMax(x, -0), clampMax(x, lo0d)]);
      expectSameAsTs(`relu6 ${dtype}`, () => relu6(x));
      expectSameAsTs(`leakyRelu ${dtype}`, () => leakyRelu(x));
      expectSameAsTs(`leakyRelu 0.3 ${dtype}`, () => leakyRelu(x, 0.3));
      expectSameAsTs(`leakyRelu -2 ${dtype}`, () => leakyRelu(x, -2));
      for (const e of [2, 0.5, -0.5, -1, 3]) expectSameAsTs(`pow ${e} ${dtype}`, () => pow(x, e));
      expectSameAsTs(`square sliced ${dtype}`, () => x.narrow(1, 1, 17).square());
    }
  });

  it('bool/uint8 operands with float tensors, 0-d tensors of other dtypes, where with promoted branches', () => {
    manualSeed(33);
    for (const dtype of DTYPES) {
      for (const n of [256, 263, 1031]) {
        const x = specialValues([n], dtype), mask = randn([n]).gt(0), bytes = mask.to('uint8').mul(3);
        expectSameAsTs(`mask * x [${n}] ${dtype}`, () => mul(mask, x));
        expectSameAsTs(`x * mask [${n}] ${dtype}`, () => mul(x, mask));
        expectSameAsTs(`x / uint8 [${n}] ${dtype}`, () => div(x, bytes));
        expectSameAsTs(`uint8 - x alpha [${n}] ${dtype}`, () => sub(bytes, x, { alpha: 0.5 }));
        expectSameAsTs(`x + 0-d float64 [${n}] ${dtype}`, () => add(x, tensor(0.1, { dtype: 'float64' })));
        expectSameAsTs(`x * 0-d int32 [${n}] ${dtype}`, () => mul(x, tensor(7, { dtype: 'int32' })));
        expectSameAsTs(`x > 0-d float64 [${n}] ${dtype}`, () => x.gt(tensor(0.1, { dtype: 'float64' })));
        expectSameAsTs(`where 0-d branches [${n}] ${dtype}`, () => where(mask, x, tensor(0.1, { dtype: 'float64' })));
        expectSameAsTs(`where 0-d int branch [${n}] ${dtype}`, () => where(mask, tensor(2, { dtype: 'int32' }), x));
      }
      const m = specialValues([37, 29], dtype), rowMask = randn([29]).gt(0), colMask = randn([37, 1]).gt(0).to('uint8');
      expectSameAsTs(`row mask * m ${dtype}`, () => mul(rowMask, m));
      expectSameAsTs(`m * column mask ${dtype}`, () => mul(m, colMask));
      expectSameAsTs(`bool * bool stays in TS ${dtype}`, () => mul(rowMask, colMask));
      expectSameAsTs(`int32 * float stays in TS ${dtype}`, () => mul(m, tensor([2], { dtype: 'int32' }).expand([29])));
    }
  });

  it('views with more than two dims after coalescing: outer dims looped around the kernel', () => {
    manualSeed(34);
    for (const dtype of DTYPES) {
      const x = specialValues([4, 5, 6, 16], dtype), y = specialValues([5, 4, 6, 16], dtype);
      const px = x.permute([1, 0, 2, 3]); // [5, 4, 6, 16], inner dim contiguous
      expectSameAsTs(`add permuted ${dtype}`, () => add(px, y));
      expectSameAsTs(`mul permuted both ${dtype}`, () => mul(px, y.permute([0, 1, 2, 3])));
      expectSameAsTs(`sqrt sliced 4-d ${dtype}`, () => x.narrow(1, 1, 3).narrow(3, 2, 13).sqrt());
      expectSameAsTs(`relu permuted ${dtype}`, () => px.relu());
      expectSameAsTs(`where permuted ${dtype}`, () => where(px.gt(0), px, y));
      expectSameAsTs(`lt sliced ${dtype}`, () => x.narrow(2, 1, 4).lt(0.5));
      expectSameAsTs(`in place into a sliced 4-d view ${dtype}`, () => {
        const z = x.clone();
        z.narrow(1, 1, 3).narrow(3, 2, 13).mul_(y.narrow(0, 0, 4).narrow(1, 0, 3).narrow(3, 0, 13).permute([0, 1, 2, 3]));
        return z;
      });
    }
  });

  it('identical bytes for 1, 2 and 3 threads (row splits and flat blocks)', () => {
    manualSeed(35);
    // Past the split thresholds: 2^17 elements per thread for plain ops, 2^14 for exp/tanh/gelu/log1p.
    const flat = specialValues([300_001], 'float32'), other = specialValues([300_001], 'float32');
    const rows = specialValues([300, 1001], 'float64'), bias = specialValues([1001], 'float64');
    const runs = (): Tensor[] => [add(flat, other), flat.exp(), mul(rows, bias), rows.tanh(), flat.gt(other), where(flat.gt(0), flat, other),
      clamp(rows, -0.5, 0.5), add(flat, other, { alpha: 0.3 }), gelu(flat), rows.log1p()];
    // With threads, every one of these calls (and the where mask: one more) goes through the pool.
    for (const build of BUILDS) expectSameBytesForThreads(build, runs, 11);
  });
});
