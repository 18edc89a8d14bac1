/**
 * Elementwise behaviour the PyTorch fixtures cannot express: float16 kernels PyTorch 1.13's CPU
 * lacks, JS numbers where PyTorch wants tensors, exact int64 bit patterns, special-function
 * accuracy against high-precision references, options given positionally, views and memory.
 */
import { describe, expect, it } from 'vitest';
import * as torch from '../src/index.js';
import type { Tensor } from '../src/index.js';

const ops = torch as unknown as Record<string, (...args: unknown[]) => Tensor>;

function expectClose(actual: Tensor, expected: Tensor, rtol: number, atol = 0): void {
  expect(actual.dtype).toBe(expected.dtype);
  expect([...actual.shape]).toEqual([...expected.shape]);
  const a = actual.reshape(-1).tolist() as number[];
  const b = expected.reshape(-1).tolist() as number[];
  a.forEach((x, i) => {
    const y = b[i]!;
    if (Number.isNaN(y)) expect(x, `element ${i}`).toBeNaN();
    else if (!Number.isFinite(y)) expect(x, `element ${i}`).toBe(y);
    else expect(Math.abs(x - y), `element ${i}: ${x} vs ${y}`).toBeLessThanOrEqual(atol + rtol * Math.abs(y));
  });
}

/** A seeded stream of doubles in [0, 1) (mulberry32). */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('float16 kernels PyTorch 1.13 lacks on the CPU', () => {
  // float16 results must be the float32 results rounded to half (within one half ulp or so).
  const x = torch.tensor([-2.5, -0.75, -0.1, 0.3, 0.9, 1.7, 2.2]);
  const unit = torch.tensor([-0.9, -0.5, -0.1, 0.2, 0.6, 0.95]);
  const unary: Array<[string, Tensor]> = [
    ['exp', x], ['expm1', x], ['log', x.abs()], ['log2', x.abs()], ['log10', x.abs()], ['log1p', x.abs()], ['sqrt', x.abs()],
    ['rsqrt', x.abs()], ['sin', x], ['cos', x], ['tan', unit], ['asin', unit], ['acos', unit], ['atan', x], ['sinh', x],
    ['cosh', x], ['tanh', x], ['asinh', x], ['acosh', x.abs().add(1)], ['atanh', unit], ['erf', x], ['erfc', x],
    ['erfinv', unit], ['sigmoid', x], ['floor', x], ['ceil', x], ['trunc', x], ['round', x], ['fix', x], ['relu', x],
    ['relu6', x], ['hardtanh', x], ['leakyRelu', x], ['gelu', x], ['silu', x], ['softplus', x], ['mish', x],
  ];
  for (const [name, input] of unary) {
    it(name, () =>
      torch.tidy(() => {
        const half = ops[name]!(input.half());
        expectClose(half.float(), ops[name]!(input).half().float(), 2e-3, 1e-4);
      }));
  }
  it('mish on bfloat16', () =>
    torch.tidy(() => expectClose(torch.mish(x.bfloat16()).float(), torch.mish(x).bfloat16().float(), 1e-2, 1e-3)));
  const binary = ['atan2', 'hypot', 'logaddexp', 'logaddexp2'];
  for (const name of binary) {
    it(name, () =>
      torch.tidy(() => {
        const y = x.mul(-0.5).add(0.25);
        expectClose(ops[name]!(x.half(), y.half()).float(), ops[name]!(x, y).half().float(), 2e-3, 1e-4);
      }));
  }
  it('lerp, addcmul, addcdiv, clamp', () =>
    torch.tidy(() => {
      const h = x.half();
      expectClose(torch.lerp(h, h.mul(2), 0.3).float(), torch.lerp(x, x.mul(2), 0.3).half().float(), 2e-3, 1e-4);
      expectClose(torch.addcmul(h, h, h, { value: 0.5 }).float(), torch.addcmul(x, x, x, { value: 0.5 }).half().float(), 2e-3, 1e-4);
      expectClose(torch.addcdiv(h, h, h.add(4), { value: 0.5 }).float(), torch.addcdiv(x, x, x.add(4), { value: 0.5 }).half().float(), 2e-3, 1e-4);
      expectClose(torch.clamp(h, -1, 1.5).float(), torch.clamp(x, -1, 1.5).half().float(), 0);
    }));
});

describe('JS numbers where PyTorch wants a tensor', () => {
  const x = torch.tensor([-2.5, 0, 1.5, NaN]);
  for (const name of ['atan2', 'hypot', 'minimum', 'maximum', 'fmin', 'fmax', 'logaddexp', 'logaddexp2', 'logicalAnd', 'logicalOr', 'logicalXor']) {
    it(name, () =>
      torch.tidy(() => {
        expectClose(ops[name]!(x, 1.25), ops[name]!(x, torch.tensor(1.25)), 0);
        expectClose(ops[name]!(1.25, x), ops[name]!(torch.tensor(1.25), x), 0);
      }));
  }
  it('comparisons with the number first', () =>
    torch.tidy(() => {
      expect(torch.lt(1, x).tolist()).toEqual([false, false, true, false]);
      expect(torch.eq(0, x).tolist()).toEqual([false, true, false, false]);
    }));
  it('where with a number in the method form, lerp with a number end', () =>
    torch.tidy(() => {
      expect(x.where(torch.tensor([true, false, true, false]), 7.5).tolist()).toEqual([-2.5, 7.5, 1.5, 7.5]);
      expect(torch.lerp(torch.tensor([0, 1]), 3, 0.5).tolist()).toEqual([1.5, 2]);
    }));
});

/** An int64 tensor's values as bigints, read from its storage's two 32-bit words. */
function int64Words(t: Tensor): bigint[] {
  const c = t.contiguous();
  const words = c._storage.host('int64') as Int32Array;
  const out: bigint[] = [];
  for (let i = 0; i < c.numel(); i++) {
    const j = 2 * (c._offset + i);
    out.push(BigInt.asIntN(64, (BigInt(words[j + 1]!) << 32n) | BigInt(words[j]! >>> 0)));
  }
  return out;
}

describe('int64 bitwise ops are exact on 64-bit patterns', () => {
  const next = rng(7);
  const big = (): number => {
    const v = Math.floor((next() * 2 - 1) * 2 ** 53);
    return next() < 0.2 ? Math.floor(v / 2 ** 30) : v;
  };
  const a = Array.from({ length: 300 }, big);
  const b = Array.from({ length: 300 }, big);
  const ta = torch.tensor(a, { dtype: 'int64' });
  const tb = torch.tensor(b, { dtype: 'int64' });
  const cases: Array<[string, (x: bigint, y: bigint) => bigint]> = [
    ['bitwiseAnd', (x, y) => x & y],
    ['bitwiseOr', (x, y) => x | y],
    ['bitwiseXor', (x, y) => x ^ y],
  ];
  for (const [name, ref] of cases) {
    it(name, () =>
      torch.tidy(() => {
        const got = int64Words(ops[name]!(ta, tb));
        got.forEach((g, i) => expect(g, `${a[i]} ${name} ${b[i]}`).toBe(ref(BigInt(a[i]!), BigInt(b[i]!))));
      }));
  }
  it('bitwiseNot', () =>
    torch.tidy(() => int64Words(torch.bitwiseNot(ta)).forEach((g, i) => expect(g).toBe(~BigInt(a[i]!)))));
  it('shifts wrap at 64 bits, counts modulo 64', () =>
    torch.tidy(() => {
      const counts = Array.from({ length: 300 }, () => Math.floor(next() * 140) - 70);
      const tc = torch.tensor(counts, { dtype: 'int64' });
      const left = int64Words(torch.bitwiseLeftShift(ta, tc));
      const right = int64Words(torch.bitwiseRightShift(ta, tc));
      counts.forEach((c, i) => {
        const k = BigInt(((c % 64) + 64) % 64);
        expect(left[i], `${a[i]} << ${c}`).toBe(BigInt.asIntN(64, BigInt(a[i]!) << k));
        expect(right[i], `${a[i]} >> ${c}`).toBe(BigInt(a[i]!) >> k);
      });
    }));
  it('pow wraps int64 results like PyTorch (to the nearest double past 2^53)', () =>
    torch.tidy(() => {
      const r = torch.pow(torch.tensor([3, 7, -5], { dtype: 'int64' }), 40);
      // PyTorch: -6289078614652622815, -6212923193149656639, -4369436395329424031.
      expect(r.tolist()).toEqual([-6289078614652622815, -6212923193149656639, -4369436395329424031]);
    }));
});

describe('special functions against 40-digit references (mpmath)', () => {
  const cases: Array<[string, number, number]> = [
    ['erf', 0.5, 0.5204998778130465],
    ['erf', 1e-10, 1.1283791670955126e-10],
    ['erf', 1.1, 0.8802050695740817],
    ['erf', 2.5, 0.999593047982555],
    ['erf', -4.2, -0.9999999971445058],
    ['erfc', 0.3, 0.6713732405408726],
    ['erfc', 1.0, 0.15729920705028513],
    ['erfc', 2.0, 0.004677734981047266],
    ['erfc', 5.5, 7.357847917974398e-15],
    ['erfc', 10.0, 2.088487583762545e-45],
    ['erfc', 26.0, 5.663192408856143e-296],
    ['erfc', -1.5, 1.9661051464753108],
    ['erfinv', 0.5, 0.4769362762044699],
    ['erfinv', -0.999, -2.3267537655135246],
    ['erfinv', 1 - 2 ** -53, 5.8635847487551676],
    ['erfinv', 1e-300, 8.86226925452758e-301],
  ];
  for (const [name, x, want] of cases) {
    it(`${name}(${x})`, () =>
      torch.tidy(() => {
        const got = ops[name]!(torch.tensor([x], { dtype: 'float64' })).item<number>();
        expect(Math.abs(got - want)).toBeLessThanOrEqual(4e-16 * Math.abs(want));
      }));
  }
  it('erf(erfinv(y)) = y across (-1, 1)', () =>
    torch.tidy(() => {
      const y = torch.tensor(Array.from({ length: 2001 }, (_, i) => -0.9999 + (i * 1.9998) / 2000), { dtype: 'float64' });
      const back = torch.erf(torch.erfinv(y));
      expectClose(back, y, 4e-16, 4e-16);
    }));
});

describe('options given positionally or as an object', () => {
  const x = torch.tensor([-3, -0.5, 0.2, 0.7, 1, 12, NaN, Infinity]);
  const same = (a: Tensor, b: Tensor): void => expectClose(a, b, 0);
  it('logit, softplus, hardtanh, leakyRelu, nanToNum, round', () =>
    torch.tidy(() => {
      same(torch.logit(x, 0.1), torch.logit(x, { eps: 0.1 }));
      same(x.logit(0.1), torch.logit(x, { eps: 0.1 }));
      same(torch.softplus(x, 2, 10), torch.softplus(x, { beta: 2, threshold: 10 }));
      same(torch.hardtanh(x, -0.25, 0.5), torch.hardtanh(x, { minVal: -0.25, maxVal: 0.5 }));
      same(torch.leakyRelu(x, 0.3), torch.leakyRelu(x, { negativeSlope: 0.3 }));
      same(torch.nanToNum(x, 1, 2, 3), torch.nanToNum(x, { nan: 1, posinf: 2, neginf: 3 }));
      same(x.nanToNum(null, 5), torch.nanToNum(x, { posinf: 5 }));
      same(torch.round(x, 1), torch.round(x, { decimals: 1 }));
      same(torch.relu6(x), torch.hardtanh(x, 0, 6));
    }));
  it('clamp: positional, null, options object, tensors; clip is clamp', () =>
    torch.tidy(() => {
      same(torch.clamp(x, null, 1), torch.clamp(x, { max: 1 }));
      same(x.clamp(undefined, 1), torch.clampMax(x, 1));
      same(torch.clip(x, { min: 0 }), torch.clampMin(x, 0));
      same(torch.clamp(x, torch.tensor(0), torch.tensor(1)), torch.clamp(x, 0, 1));
      expect(() => torch.clamp(x)).toThrow("torch.clamp: At least one of 'min' or 'max' must not be None");
      expect(torch.clip).toBe(torch.clamp);
    }));
  it('where(condition) alone points at nonzero', () => {
    expect(() => (torch.where as (c: Tensor) => Tensor)(torch.tensor([true]))).toThrow(TypeError);
  });
});

describe('in-place forms', () => {
  it('write through views and bump the version', () =>
    torch.tidy(() => {
      const base = torch.tensor([[1, 2, 3], [4, 5, 6]]);
      const v = base.t();
      const before = base._version;
      const r = v.sqrt_();
      expect(r).toBe(v);
      expect(base._version).toBe(before + 1);
      expectClose(base, torch.tensor([[1, 2, 3], [4, 5, 6]]).sqrt(), 1e-7);
      base.clamp_(1.5, 2).lt_(2);
      expect(base.tolist()).toEqual([[1, 1, 1], [0, 0, 0]]);
    }));
  it('comparison and logical `_` forms keep self dtype', () =>
    torch.tidy(() => {
      const i = torch.tensor([1, 2, 3], { dtype: 'int32' });
      expect(i.ge_(2).dtype).toBe('int32');
      expect(i.tolist()).toEqual([0, 1, 1]);
      expect(torch.tensor([0.5, 0]).logicalNot_().tolist()).toEqual([0, 1]);
    }));
});

describe('allclose and equal return JS booleans', () => {
  it('allclose', () => {
    expect(torch.allclose(torch.tensor([1, 2]), torch.tensor([1 + 1e-7, 2]))).toBe(true);
    expect(torch.tensor([1, NaN]).allclose(torch.tensor([1, NaN]), { equalNan: true })).toBe(true);
    expect(torch.allclose(torch.tensor([1, 2]), torch.tensor([1.1, 2]))).toBe(false);
  });
  it('equal', () => {
    expect(torch.equal(torch.tensor([1, 2]), torch.tensor([1, 2]))).toBe(true);
    expect(torch.tensor([1, 2]).equal(torch.tensor([[1, 2]]))).toBe(false);
  });
});

describe('memory', () => {
  it('composite ops free their temporaries', () => {
    const a = torch.tensor([1, 2, NaN, 4]);
    const b = torch.tensor([1, 2.5, NaN, 4]);
    const i = torch.tensor([1, 2], { dtype: 'int64' });
    const t = torch.tensor([true, false]);
    const live = torch.memory().liveTensors;
    torch.isclose(a, b, { equalNan: true }).dispose();
    torch.isclose(t, t.logicalNot()).dispose();
    torch.allclose(a, b);
    torch.equal(a, b);
    torch.floatPower(i, 2).dispose();
    torch.square(i).dispose();
    torch.clamp(a, 0, 1).dispose();
    torch.relu6(a).dispose();
    expect(torch.memory().liveTensors).toBe(live + 1); // t.logicalNot()
    [a, b, i, t].forEach((x) => x.dispose());
  });
  it('failed ops leak nothing', () => {
    const i = torch.tensor([1, 2], { dtype: 'int64' });
    const f = i.float();
    const live = torch.memory().liveTensors;
    expect(() => torch.pow(i, -1)).toThrow('Integers to negative integer powers are not allowed.');
    expect(() => torch.remainder(i, 0)).toThrow('ZeroDivisionError');
    expect(() => torch.fmod(i, torch.tensor([1, 0], { dtype: 'int64' }))).toThrow('ZeroDivisionError');
    expect(() => torch.isclose(i, f)).toThrow('Long did not match Float');
    expect(torch.memory().liveTensors).toBe(live + 1); // the divisor tensor
    i.dispose();
    f.dispose();
  });
});
