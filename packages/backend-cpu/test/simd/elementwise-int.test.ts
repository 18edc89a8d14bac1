// The WebAssembly SIMD integer elementwise kernels (int8, uint8, int16, int32, int64; both builds)
// against the TS kernels. Accuracy contract: bit-identical wherever the TS kernels are exact, which
// is every int8/uint8/int16/int32 result (both wrap at the element width: the TS kernels through
// their typed-array stores) and int64 within +-2^53; past 2^53 the TS kernels compute int64 in
// doubles and round, while the wasm kernels are exact and wrap at 64 bits as PyTorch does, which
// is checked against BigInt arithmetic. Comparisons are signed, unsigned for uint8.
import { describe, it } from 'vitest';
import {
  abs, add, bitwiseAnd, bitwiseNot, bitwiseOr, bitwiseXor, clamp, clampMax, clampMin, empty, eq, fromTypedArray, ge, gt, le, lt,
  manualSeed, maximum, minimum, mul, ne, neg, randint, randn, sub, tensor, where,
} from '@torchts/core';
import type { DType, Tensor } from '@torchts/core';
import { BUILDS, expectSameAsTs, expectSameBytesForThreads, withKernels } from './helpers.js';

const DTYPES: DType[] = ['int8', 'uint8', 'int16', 'int32', 'int64'];

/** Values that wrap or sit at the dtype's limits, placed first in every random tensor. */
const EXTREMES: Record<string, number[]> = {
  int8: [127, -128, 0, -1, 1, 64, -65, 100],
  uint8: [255, 0, 1, 128, 127, 200, 17, 254],
  int16: [32767, -32768, 0, -1, 1, 256, -257, 182],
  int32: [2 ** 31 - 1, -(2 ** 31), 0, -1, 1, 65536, -65537, 46341],
  // Sums and bit patterns stay within 2^53, where the TS kernels are exact.
  int64: [2 ** 51, -(2 ** 51), 0, -1, 1, 2 ** 32, -(2 ** 32) - 1, 2 ** 31],
};
/** Random values over the full range (int64: +-2^51, where sums of two stay exact in TS). */
const RANGE: Record<string, [number, number]> = {
  int8: [-128, 128], uint8: [0, 256], int16: [-32768, 32768], int32: [-(2 ** 31), 2 ** 31], int64: [-(2 ** 51), 2 ** 51],
};

function ints(shape: number[], dtype: DType): Tensor {
  const [lo, hi] = RANGE[dtype]!;
  const x = randint(lo, hi, shape, { dtype });
  const n = Math.min(8, x.numel());
  x.flatten().narrow(0, 0, n).copy_(tensor(EXTREMES[dtype]!.slice(0, n), { dtype }));
  return x;
}

/** int64 operands of products: |x| < 2^26, so the TS kernel's products stay exact. */
function factors(t: Tensor): Tensor {
  return t.dtype === 'int64' ? t.remainder(2 ** 26) : t;
}

const ARITHMETIC = [['add', add], ['sub', sub], ['bitwiseAnd', bitwiseAnd], ['bitwiseOr', bitwiseOr], ['bitwiseXor', bitwiseXor],
  ['maximum', maximum], ['minimum', minimum], ['clampMin', clampMin], ['clampMax', clampMax]] as const;
const COMPARISONS = [['eq', eq], ['ne', ne], ['lt', lt], ['le', le], ['gt', gt], ['ge', ge]] as const;

describe('wasm SIMD integer elementwise vs TS (bit-identical)', () => {
  it('binary ops and comparisons: tensors, scalars (wrapped to the dtype), 0-d tensors, alpha, in place, vector tails', () => {
    manualSeed(41);
    for (const dtype of DTYPES) {
      for (const n of [256, 263, 300, 1031]) {
        const a = ints([n], dtype), b = ints([n], dtype).flip(0).contiguous();
        b.narrow(0, 50, 20).copy_(a.narrow(0, 50, 20)); // some equal pairs
        const s = dtype === 'uint8' ? 200 : -7;
        for (const [name, f] of [...ARITHMETIC, ...COMPARISONS]) {
          expectSameAsTs(`${name} ${dtype} [${n}]`, () => f(a, b));
          expectSameAsTs(`${name} ${dtype} scalar [${n}]`, () => f(a, s));
          expectSameAsTs(`${name} ${dtype} 0-d [${n}]`, () => f(a, tensor(s, { dtype })));
        }
        for (const [name, f] of [['add', add], ['sub', sub], ['mul', mul], ...COMPARISONS] as const) {
          expectSameAsTs(`${name} scalar-first ${dtype} [${n}]`, () => f(100 as unknown as Tensor, b));
        }
        const fa = factors(a), fb = factors(b);
        expectSameAsTs(`mul ${dtype} [${n}]`, () => [mul(fa, fb), mul(fa, 3), mul(fa, tensor(-5, { dtype }))]);
        expectSameAsTs(`add/sub alpha ${dtype} [${n}]`, () => [add(a, fb, { alpha: 3 }), sub(a, fb, { alpha: -2 }), add(a, 7, { alpha: 5 })]);
        expectSameAsTs(`add_/mul_ in place ${dtype} [${n}]`, () => [a.clone().add_(b), fa.clone().mul_(fb), a.clone().bitwiseXor_(b)]);
        expectSameAsTs(`eq/lt scalar wrapped to the dtype ${dtype} [${n}]`, () => [a.eq(506), a.lt(300)]);
        // clamp with both bounds: max then min, in place; lo > hi gives hi; tensor and 0-d bounds.
        const [lo, hi] = dtype === 'uint8' ? [20, 200] : [-30, 40];
        expectSameAsTs(`clamp ${dtype} [${n}]`, () => [clamp(a, lo, hi), clamp(a, hi, lo), clamp(a, tensor(lo, { dtype }), hi)]);
        expectSameAsTs(`clamp tensor bounds ${dtype} [${n}]`, () => [clamp(a, b, a.max()), clamp(a, a.min(), b)]);
        expectSameAsTs(`clamp_ in place ${dtype} [${n}]`, () => [a.clone().clamp_(lo, hi)]);
      }
    }
  });

  it('broadcast rows and columns, sliced rows, permuted views (outer loops), transposed views (TS path)', () => {
    manualSeed(42);
    for (const dtype of DTYPES) {
      const m = ints([37, 29], dtype), row = ints([29], dtype), col = ints([37, 1], dtype);
      expectSameAsTs(`mul row ${dtype}`, () => mul(factors(m), factors(row)));
      expectSameAsTs(`sub row first ${dtype}`, () => sub(row, m));
      expectSameAsTs(`maximum column ${dtype}`, () => maximum(m, col));
      expectSameAsTs(`lt column first ${dtype}`, () => lt(col, m));
      expectSameAsTs(`ge row ${dtype}`, () => ge(m, row));
      const batched = ints([3, 37, 29], dtype);
      expectSameAsTs(`add batched matrix ${dtype}`, () => add(batched, m));
      expectSameAsTs(`eq batched row ${dtype}`, () => eq(batched, row));
      const wide = ints([40, 50], dtype);
      expectSameAsTs(`bitwiseAnd sliced rows ${dtype}`, () => bitwiseAnd(wide.narrow(1, 3, 40), wide.narrow(1, 0, 40)));
      expectSameAsTs(`ne sliced rows ${dtype}`, () => ne(wide.narrow(1, 3, 40), wide.narrow(1, 0, 40)));
      expectSameAsTs(`add transposed ${dtype}`, () => add(wide.t(), wide.t().contiguous()));
      const p = ints([4, 5, 16], dtype).permute([1, 0, 2]), q = ints([5, 4, 16], dtype);
      expectSameAsTs(`add permuted ${dtype}`, () => add(p, q));
      expectSameAsTs(`gt permuted ${dtype}`, () => gt(p, q));
      expectSameAsTs(`minimum_ into a sliced view ${dtype}`, () => {
        const z = wide.clone();
        z.narrow(1, 2, 45).copy_(minimum(z.narrow(1, 2, 45), wide.narrow(1, 0, 45)));
        z.narrow(1, 1, 40).sub_(wide.narrow(1, 0, 40));
        return z;
      });
    }
  });

  it('neg, abs, bitwiseNot (wrapping: abs(-128) stays -128 in int8; uint8 abs is the identity), contiguous and strided', () => {
    manualSeed(43);
    for (const dtype of DTYPES) {
      for (const n of [256, 263, 1031]) {
        const a = ints([n], dtype);
        expectSameAsTs(`neg/abs/bitwiseNot ${dtype} [${n}]`, () => [neg(a), abs(a), bitwiseNot(a)]);
        expectSameAsTs(`neg_ in place ${dtype} [${n}]`, () => a.clone().neg_());
      }
      const m = ints([30, 40], dtype);
      expectSameAsTs(`abs sliced ${dtype}`, () => abs(m.narrow(1, 5, 33)));
      expectSameAsTs(`neg transposed (TS path) ${dtype}`, () => neg(m.t()));
    }
  });

  it('where with integer branches: tensors, scalars, 0-d tensors, row masks, uint8 masks', () => {
    manualSeed(44);
    for (const dtype of DTYPES) {
      for (const n of [256, 263, 1031]) {
        const x = ints([n], dtype), y = ints([n], dtype).flip(0).contiguous(), mask = randn([n]).gt(0);
        expectSameAsTs(`where ${dtype} [${n}]`, () => where(mask, x, y));
        expectSameAsTs(`where scalar branches ${dtype} [${n}]`, () => [where(mask, x, 3), where(mask, 0, y)]);
        expectSameAsTs(`where 0-d branch ${dtype} [${n}]`, () => where(mask, tensor(-1, { dtype }), y));
        expectSameAsTs(`where uint8 mask ${dtype} [${n}]`, () => where(mask.to('uint8').mul(7), x, y));
      }
      const m = ints([37, 29], dtype), rowMask = randn([29]).gt(0), colMask = randn([37, 1]).gt(0);
      expectSameAsTs(`where row mask ${dtype}`, () => where(rowMask, m, m.flip(1)));
      expectSameAsTs(`where column mask (TS path) ${dtype}`, () => where(colMask, m, 0));
    }
  });

  it('small, 0-d and empty operands and mixed integer dtypes take the TS path with the same results', () => {
    manualSeed(45);
    for (const dtype of DTYPES) {
      const a = ints([255], dtype), b = ints([255], dtype), z = tensor(5, { dtype }), e = empty([0, 7], { dtype });
      expectSameAsTs(`add/lt below the threshold ${dtype}`, () => [add(a, b), lt(a, b), neg(a), where(a.gt(0), a, b)]);
      expectSameAsTs(`0-d ${dtype}`, () => [add(z, z), ge(z, 3), abs(z)]);
      expectSameAsTs(`empty ${dtype}`, () => [mul(e, e), eq(e, 1), bitwiseNot(e)]);
    }
    const i8 = ints([300], 'int8'), i16 = ints([300], 'int16'), u8 = ints([300], 'uint8');
    expectSameAsTs('int8 + int16 (promoted)', () => [add(i8, i16), lt(i8, u8), add(u8, i8)]);
  });

  it('int64 past 2^53: exact, wrapping at 64 bits as PyTorch (checked against BigInt)', () => {
    // Seeded 64-bit patterns, with the extremes first.
    let s = 0x9e3779b97f4a7c15n;
    const next = (): bigint => (s = BigInt.asIntN(64, s * 6364136223846793005n + 1442695040888963407n));
    const n = 301;
    const values = (): bigint[] => [2n ** 63n - 1n, -(2n ** 63n), 2n ** 53n + 1n, -(2n ** 53n) - 3n, 0n, -1n, ...Array.from({ length: n - 6 }, next)];
    const xs = values(), ys = values().reverse();
    ys[10] = xs[10]!; // an equal pair
    const x = fromTypedArray(BigInt64Array.from(xs)), y = fromTypedArray(BigInt64Array.from(ys));
    const big = fromTypedArray(BigInt64Array.of(2n ** 62n + 12345n)).reshape([]);
    const w = (v: bigint): bigint => BigInt.asIntN(64, v);
    const max = (a: bigint, b: bigint): bigint => (a > b ? a : b);
    const min = (a: bigint, b: bigint): bigint => (a < b ? a : b);
    const mask = Array.from({ length: n }, (_, i) => (i * 7) % 3 === 0);
    const cases: [string, () => Tensor, (a: bigint, b: bigint, i: number) => bigint][] = [
      ['add', () => add(x, y), (a, b) => w(a + b)],
      ['sub alpha 3', () => sub(x, y, { alpha: 3 }), (a, b) => w(a - 3n * b)],
      ['mul', () => mul(x, y), (a, b) => w(a * b)],
      ['mul 0-d past 2^53', () => mul(x, big), (a) => w(a * (2n ** 62n + 12345n))],
      ['bitwiseAnd', () => bitwiseAnd(x, y), (a, b) => a & b],
      ['bitwiseOr', () => bitwiseOr(x, y), (a, b) => a | b],
      ['bitwiseXor', () => bitwiseXor(x, y), (a, b) => a ^ b],
      ['maximum', () => maximum(x, y), max],
      ['minimum', () => minimum(x, y), min],
      ['neg', () => neg(x), (a) => w(-a)],
      ['abs', () => abs(x), (a) => w(a < 0n ? -a : a)],
      ['bitwiseNot', () => bitwiseNot(x), (a) => ~a],
      ['where', () => where(tensor(mask.map(Number), { dtype: 'bool' }), x, y), (a, b, i) => (mask[i] ? a : b)],
      ['eq', () => eq(x, y), (a, b) => (a === b ? 1n : 0n)],
      ['ne', () => ne(x, y), (a, b) => (a !== b ? 1n : 0n)],
      ['lt', () => lt(x, y), (a, b) => (a < b ? 1n : 0n)],
      ['le', () => le(x, y), (a, b) => (a <= b ? 1n : 0n)],
      ['gt', () => gt(x, y), (a, b) => (a > b ? 1n : 0n)],
      ['ge', () => ge(x, y), (a, b) => (a >= b ? 1n : 0n)],
      ['ge 0-d past 2^53', () => ge(x, big), (a) => (a >= 2n ** 62n + 12345n ? 1n : 0n)],
    ];
    for (const build of BUILDS) {
      for (const [name, run, want] of cases) {
        const got = withKernels(build, run).toTypedArray();
        const values = Array.from(got as ArrayLike<number | bigint>, (v) => BigInt(v));
        values.forEach((v, i) => {
          if (v !== want(xs[i]!, ys[i]!, i)) throw new Error(`${name} (${build}) element ${i}: got ${v}, want ${want(xs[i]!, ys[i]!, i)}`);
        });
      }
    }
  });

  it('identical bytes for 1, 2 and 3 threads (flat blocks and row splits), every dtype', () => {
    manualSeed(46);
    for (const dtype of DTYPES) {
      const a = ints([400_001], dtype), b = ints([400_001], dtype), rows = ints([300, 1400], dtype), bias = ints([1400], dtype);
      const runs = (): Tensor[] => [add(a, b), mul(factors(rows), factors(bias)), lt(a, b), eq(rows, bias), neg(a), where(a.gt(b), a, b)];
      // With threads every call goes through the pool (the where's mask too).
      for (const build of BUILDS) expectSameBytesForThreads(build, runs, 7, dtype);
    }
  });
});
