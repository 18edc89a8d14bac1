/**
 * Ranges beyond the PyTorch fixtures (fixtures/creation.json): dtype inference from JS numbers,
 * options, sizes at scale and argument errors.
 */
import { describe, expect, it } from 'vitest';
import * as torch from '../src/index.js';

describe('arange', () => {
  it('infers int64 from integral JS numbers and the default dtype otherwise', () =>
    torch.tidy(() => {
      expect(torch.arange(5).dtype).toBe('int64');
      expect(torch.arange(1, 4, 1).dtype).toBe('int64');
      // 2.0 is an integral JS number: unlike Python's 2.0, it counts as an int (docs: differences).
      expect(torch.arange(0, 2.0).dtype).toBe('int64');
      expect(torch.arange(0, 2.5).dtype).toBe('float32');
      torch.setDefaultDtype('float64');
      try {
        expect(torch.arange(0, 1, 0.5).dtype).toBe('float64');
      } finally {
        torch.setDefaultDtype('float32');
      }
    }));

  it('options: dtype, device, requiresGrad', () =>
    torch.tidy(() => {
      const t = torch.arange(3, { dtype: 'float64', device: 'cpu', requiresGrad: true });
      expect(t.requiresGrad).toBe(true);
      expect(t.tolist()).toEqual([0, 1, 2]);
      expect(() => torch.arange(3, { requiresGrad: true })).toThrow('only Tensors of floating point');
    }));

  it('length follows ceil((end - start) / step) in double', () =>
    torch.tidy(() => {
      expect(torch.arange(0, 1, 0.1).numel()).toBe(10);
      expect(torch.arange(1, 2.5, 0.5).numel()).toBe(3);
      expect(torch.arange(-1, -10, -2).tolist()).toEqual([-1, -3, -5, -7, -9]);
      const big = torch.arange(1_000_000);
      expect(big.numel()).toBe(1_000_000);
      expect((big.toTypedArray() as BigInt64Array)[999_999]).toBe(999_999n);
    }));

  it('argument errors', () => {
    expect(() => torch.arange()).toThrow(TypeError);
    expect(() => torch.arange(1, 2, 3, 4)).toThrow(TypeError);
    expect(() => torch.arange('5' as unknown as number)).toThrow(TypeError);
    expect(() => torch.arange(0, 5, 0)).toThrow('step must be nonzero');
    expect(() => torch.arange(0, 5, -1)).toThrow('upper bound and larger bound inconsistent with step sign');
  });
});

describe('linspace / logspace', () => {
  it('hit both ends exactly', () =>
    torch.tidy(() => {
      const t = torch.linspace(-1.3, 7.9, 1001).toTypedArray() as Float32Array;
      expect(t[0]).toBe(Math.fround(-1.3));
      expect(t[1000]).toBe(Math.fround(7.9));
      const d = torch.linspace(0, 1, 7, { dtype: 'float64' }).tolist() as number[];
      expect(d[0]).toBe(0);
      expect(d[6]).toBe(1);
      expect(torch.logspace(0, 2, 3, 10, { dtype: 'float64' }).tolist()).toEqual([1, 10, 100]);
      expect(torch.logspace(0, 2, 3, { base: 3, dtype: 'float64' }).tolist()).toEqual([1, 3, 9]);
    }));

  it('steps are required and checked', () => {
    expect(() => (torch.linspace as (a: number, b: number) => unknown)(0, 1)).toThrow(TypeError);
    expect(() => torch.linspace(0, 1, 2.5)).toThrow(TypeError);
    expect(() => torch.logspace(0, 1, -1)).toThrow('number of steps must be non-negative');
  });

  it('requiresGrad', () =>
    torch.tidy(() => {
      expect(torch.linspace(0, 1, 3, { requiresGrad: true }).requiresGrad).toBe(true);
    }));
});

describe('eye', () => {
  it('square, rectangular and typed', () =>
    torch.tidy(() => {
      expect(torch.eye(2).tolist()).toEqual([[1, 0], [0, 1]]);
      expect(torch.eye(2, 3, { dtype: 'int32' }).tolist()).toEqual([[1, 0, 0], [0, 1, 0]]);
      expect(torch.eye(3, { dtype: 'bool' }).dtype).toBe('bool');
      expect(torch.eye(3, { requiresGrad: true }).requiresGrad).toBe(true);
    }));

  it('a large eye only writes its diagonal', () =>
    torch.tidy(() => {
      const t = torch.eye(3000);
      const a = t.asTypedArray() as Float32Array;
      expect(a[0]).toBe(1);
      expect(a[3001]).toBe(1);
      expect(a[3000 * 3000 - 1]).toBe(1);
      expect(a[1]).toBe(0);
    }));

  it('argument errors', () => {
    expect(() => torch.eye(-2)).toThrow('n must be greater or equal to 0, got -2');
    expect(() => torch.eye(2.5)).toThrow(TypeError);
  });
});
