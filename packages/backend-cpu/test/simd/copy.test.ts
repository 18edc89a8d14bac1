// copy_ through the wasm row kernels (assembly/copy.ts): strided bit copies of 4- and 8-byte
// dtypes and the uint8/bool -> float32, float32 <-> float64 conversions, identical to the TS loop.
import { describe, it } from 'vitest';
import { arange, manualSeed, randn, tensor } from '@torchts/core';
import type { DType, Tensor } from '@torchts/core';
import { expectSameAsTs } from './helpers.js';

function specials(dtype: DType, n: number): Tensor {
  const v = [NaN, Infinity, -Infinity, -0, 0, 1e-40, 3.4028235677973366e38, 1 + 2 ** -30, -2.5, 1e300];
  return tensor(Array.from({ length: n }, (_, i) => v[i % v.length]! * (i % 3 === 0 ? 1 : -1)), { dtype });
}

describe('copy_ row kernels', () => {
  it('strided same-dtype copies (transposes, slices, broadcasts) of float32/float64/int32/int64', () => {
    manualSeed(5);
    for (const dtype of ['float32', 'float64', 'int32', 'int64'] as DType[]) {
      const base = dtype.startsWith('float') ? randn([37, 29], { dtype }) : arange(37 * 29, { dtype }).sub(500).reshape([37, 29]);
      expectSameAsTs(`${dtype} transpose`, () => base.t().contiguous());
      expectSameAsTs(`${dtype} sliced rows and columns`, () => base.narrow(1, 3, 20).slice(0, 1, 37, 3).t().contiguous());
      expectSameAsTs(`${dtype} broadcast column`, () => base.narrow(1, 0, 1).expand([37, 40]).contiguous());
      // One element broadcast over everything: one stride-0 row, stored as a fill.
      expectSameAsTs(`${dtype} broadcast scalar`, () => base.narrow(0, 3, 1).narrow(1, 5, 1).expand([37, 41]).contiguous());
      expectSameAsTs(`${dtype} copy_ into a transposed view`, () => {
        const dst = randn([29, 37]).to(dtype);
        dst.t().copy_(base);
        return dst;
      });
    }
  });

  it('conversions uint8/bool -> float32 and float32 <-> float64, strided, with special values', () => {
    const u8 = arange(0, 256 * 3, { dtype: 'int32' }).remainder(256).to('uint8').reshape([24, 32]);
    expectSameAsTs('uint8 -> float32', () => u8.to('float32'));
    expectSameAsTs('uint8 -> float32, transposed', () => u8.t().to('float32'));
    expectSameAsTs('bool -> float32', () => u8.gt(100).t().to('float32'));
    for (const [from, to] of [['float32', 'float64'], ['float64', 'float32']] as [DType, DType][]) {
      const x = specials(from, 200).reshape([20, 10]);
      expectSameAsTs(`${from} -> ${to}`, () => x.to(to));
      expectSameAsTs(`${from} -> ${to}, transposed`, () => x.t().to(to));
      expectSameAsTs(`${from} broadcast special values`, () => x.narrow(0, 0, 1).t().expand([10, 33]).contiguous());
      // Rounding to float32: halfway and near-halfway doubles.
      const d = tensor(Array.from({ length: 64 }, (_, i) => 1 + (i + 0.5) * 2 ** -24), { dtype: from });
      expectSameAsTs(`${from} -> ${to}, rounding`, () => d.reshape([8, 8]).t().to(to));
    }
  });

  it('an overlapping copy_ still reads through a temporary', () => {
    expectSameAsTs('x.copy_(x.flip)', () => {
      const x = arange(64, { dtype: 'float32' }).reshape([8, 8]);
      x.copy_(x.t());
      return x;
    });
  });

  it('fill_ and contiguous copies through the bulk-memory kernels: every dtype, value and length', () => {
    const values = [0, -0, 1.1, -2.5, NaN, Infinity, -Infinity, 300, -1, 1e-40, 2 ** 31 + 5];
    for (const dtype of ['float32', 'float64', 'int32', 'uint8', 'int8', 'int16', 'int64', 'bool'] as DType[]) {
      for (const n of [1, 63, 64, 65, 257, 1000]) {
        for (const v of values) {
          if (dtype === 'int64' && !Number.isFinite(v)) continue;
          // A slice: the fill starts one element into its storage.
          expectSameAsTs(`fill_ ${dtype} x ${n} with ${v}`, () => {
            const t = arange(n + 2, { dtype: 'float32' }).to(dtype);
            t.narrow(0, 1, n).fill_(dtype === 'bool' ? Number(Boolean(v)) : v);
            return t;
          });
        }
      }
      expectSameAsTs(`${dtype} contiguous copy_ and clone`, () => {
        const x = arange(1000, { dtype: 'float32' }).sub(400).to(dtype);
        const y = arange(1000, { dtype: 'float32' }).to(dtype);
        y.narrow(0, 0, 999).copy_(x.narrow(0, 1, 999));
        return [y, x.clone()];
      });
    }
  });
});
