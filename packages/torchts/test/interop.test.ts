/** Typed-array interop: toTypedArray (copies), asTypedArray (zero-copy views), dataSync, data. */
import { describe, expect, it } from 'vitest';
import * as torch from '../src/index.js';
import type { DType } from '../src/index.js';

const ARRAY_TYPES: Record<DType, new (...a: never[]) => unknown> = {
  float32: Float32Array, float64: Float64Array, int32: Int32Array, int64: BigInt64Array, int16: Int16Array,
  int8: Int8Array, uint8: Uint8Array, bool: Uint8Array, float16: Float32Array, bfloat16: Float32Array,
};

describe('toTypedArray', () => {
  for (const [dtype, Ctor] of Object.entries(ARRAY_TYPES) as Array<[DType, new () => unknown]>) {
    it(`${dtype} gives a ${Ctor.name} with the values`, () =>
      torch.tidy(() => {
        const t = torch.tensor([0, 1, 2, 3], { dtype: 'float64' }).to(dtype);
        const a = t.toTypedArray();
        expect(a).toBeInstanceOf(Ctor);
        const want = dtype === 'bool' ? [0, 1, 1, 1] : [0, 1, 2, 3];
        expect(Array.from(a as ArrayLike<number | bigint>, Number)).toEqual(want);
      }));
  }

  it('copies: the array and the tensor are independent', () =>
    torch.tidy(() => {
      const t = torch.tensor([1, 2, 3]);
      const a = t.toTypedArray() as Float32Array;
      a[0] = 100;
      expect(t.tolist()).toEqual([1, 2, 3]);
      expect(a.buffer).not.toBeInstanceOf(SharedArrayBuffer);
    }));

  it('reads any layout in row-major order', () =>
    torch.tidy(() => {
      const t = torch.arange(12, { dtype: 'float64' }).reshape([3, 4]);
      expect(Array.from(t.t().toTypedArray() as Float64Array)).toEqual([0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11]);
      expect(Array.from(t.slice(1, 1, null, 2).toTypedArray() as Float64Array)).toEqual([1, 3, 5, 7, 9, 11]);
      expect(Array.from(t.select(0, 2).toTypedArray() as Float64Array)).toEqual([8, 9, 10, 11]);
      expect(Array.from(torch.tensor([7]).expand([3]).toTypedArray() as Float32Array)).toEqual([7, 7, 7]);
      expect((torch.zeros(0, 3).toTypedArray() as Float32Array).length).toBe(0);
      expect(Array.from(torch.tensor(2.5).toTypedArray() as Float32Array)).toEqual([2.5]);
    }));

  it('decodes float16/bfloat16 and keeps int64 exact', () =>
    torch.tidy(() => {
      expect(Array.from(torch.tensor([0.1, 65504], { dtype: 'float16' }).toTypedArray() as Float32Array)).toEqual([
        Math.fround(0.0999755859375), 65504,
      ]);
      expect(Array.from(torch.tensor([1.5, -3], { dtype: 'bfloat16' }).toTypedArray() as Float32Array)).toEqual([1.5, -3]);
      const big = torch.zeros(1, { dtype: 'int64' });
      (big.asTypedArray() as BigInt64Array)[0] = 2n ** 63n - 1n;
      expect((big.toTypedArray() as BigInt64Array)[0]).toBe(2n ** 63n - 1n);
    }));

  it('dataSync and data() give the same copy', async () => {
    const t = torch.tensor([[1, 2], [3, 4]]);
    expect(Array.from(t.dataSync() as Float32Array)).toEqual([1, 2, 3, 4]);
    const p = t.data();
    expect(p).toBeInstanceOf(Promise);
    expect(Array.from((await p) as Float32Array)).toEqual([1, 2, 3, 4]);
    t.dispose();
  });

  it('throws on a disposed tensor', () => {
    const t = torch.zeros(2);
    t.dispose();
    expect(() => t.toTypedArray()).toThrow('disposed');
  });
});

describe('asTypedArray', () => {
  it('aliases the tensor memory both ways', () =>
    torch.tidy(() => {
      const t = torch.zeros(4);
      const view = t.asTypedArray() as Float32Array;
      expect(view).toBeInstanceOf(Float32Array);
      view[2] = 5;
      expect(t.tolist()).toEqual([0, 0, 5, 0]);
      t.fill_(7);
      expect(Array.from(view)).toEqual([7, 7, 7, 7]);
    }));

  it('starts at the view offset of a contiguous slice', () =>
    torch.tidy(() => {
      const t = torch.arange(10, { dtype: 'int32' });
      const part = t.narrow(0, 3, 4);
      expect(Array.from(part.asTypedArray() as Int32Array)).toEqual([3, 4, 5, 6]);
      (part.asTypedArray() as Int32Array)[0] = -1;
      expect((t.tolist() as number[])[3]).toBe(-1);
    }));

  it('int64 as BigInt64Array, bool as Uint8Array, every native dtype', () =>
    torch.tidy(() => {
      expect(torch.arange(3).asTypedArray()).toBeInstanceOf(BigInt64Array);
      expect(Array.from(torch.arange(3).asTypedArray() as BigInt64Array)).toEqual([0n, 1n, 2n]);
      expect(torch.tensor([true, false]).asTypedArray()).toBeInstanceOf(Uint8Array);
      for (const d of ['float64', 'int16', 'int8', 'uint8'] as DType[]) {
        expect(torch.zeros(2, { dtype: d }).asTypedArray()).toBeInstanceOf(ARRAY_TYPES[d]);
      }
    }));

  it('refuses non-contiguous, half-precision and disposed tensors', () => {
    const t = torch.zeros(2, 3);
    expect(() => t.t().asTypedArray()).toThrow('not contiguous');
    expect(() => torch.zeros(2, { dtype: 'float16' }).asTypedArray()).toThrow('float16 has no JS typed array');
    expect(() => torch.zeros(2, { dtype: 'bfloat16' }).asTypedArray()).toThrow('bfloat16 has no JS typed array');
    t.dispose();
    expect(() => t.asTypedArray()).toThrow('disposed');
  });
});
