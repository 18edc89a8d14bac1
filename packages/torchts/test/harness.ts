/**
 * Replays PyTorch fixtures (written by tooling/fixtures/gen.py) against torchts: rebuilds the
 * inputs (including non-contiguous views), calls the op as a function (`torch.op(...args, kwargs)`)
 * or a method (`args[0].op(...rest, kwargs)`) and compares with PyTorch's result or error.
 */
import { expect } from 'vitest';
import * as torch from '../src/index.js';
import type { DType, Tensor } from '../src/index.js';

export interface EncTensor {
  dtype: DType;
  shape: number[];
  data: Array<number | boolean | string>;
  views?: Array<[string, ...unknown[]]>;
}
type Enc = { tensor: EncTensor } | { list: Enc[] } | { dtype: DType } | { value: unknown } | unknown;

export interface Case {
  label: string;
  op: string;
  method: boolean;
  args: Enc[];
  kwargs: Record<string, Enc>;
  expected: Enc | { error: string; message: string; exact?: boolean };
  tol?: { rtol?: number; atol?: number };
}

function decodeNumber(v: number | boolean | string): number {
  if (v === 'nan') return NaN;
  if (v === 'inf') return Infinity;
  if (v === '-inf') return -Infinity;
  return typeof v === 'boolean' ? (v ? 1 : 0) : (v as number);
}

export function buildTensor(e: EncTensor): Tensor {
  const values = e.data.map(decodeNumber);
  let t = torch.tensor(values, { dtype: e.dtype }).reshape(e.shape);
  for (const [kind, ...p] of e.views ?? []) {
    if (kind === 'transpose') t = t.transpose(p[0] as number, p[1] as number);
    else if (kind === 'step') t = t.slice(p[0] as number, null, null, p[1] as number);
    else if (kind === 'expand') t = t.expand(p[0] as number[]);
    else if (kind === 'permute') t = t.permute(p[0] as number[]);
    else throw new Error(`unknown view ${kind}`);
  }
  return t;
}

export function decode(e: Enc): unknown {
  if (e === null || typeof e !== 'object') return typeof e === 'string' ? decodeString(e) : e;
  if (Array.isArray(e)) return e.map(decode);
  const o = e as Record<string, unknown>;
  if ('tensor' in o) return buildTensor(o.tensor as EncTensor);
  if ('list' in o) return (o.list as Enc[]).map(decode);
  if ('dtype' in o && Object.keys(o).length === 1) return o.dtype;
  if ('value' in o) return decode(o.value);
  return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, decode(v)]));
}

function decodeString(s: string): unknown {
  return s === 'nan' || s === 'inf' || s === '-inf' ? decodeNumber(s) : s;
}

const TOL: Partial<Record<DType, { rtol: number; atol: number }>> = {
  float64: { rtol: 1e-7, atol: 1e-7 },
  float32: { rtol: 1.3e-6, atol: 1e-5 },
  float16: { rtol: 1e-3, atol: 1e-5 },
  bfloat16: { rtol: 1.6e-2, atol: 1e-5 },
};

function closeEnough(a: number, b: number, rtol: number, atol: number): boolean {
  if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) && Number.isNaN(b);
  if (!Number.isFinite(a) || !Number.isFinite(b)) return a === b;
  return Math.abs(a - b) <= atol + rtol * Math.abs(b);
}

export function expectMatches(actual: unknown, expected: Enc, label: string, tol?: Case['tol']): void {
  const e = expected as Record<string, unknown>;
  if ('tensor' in e) {
    const want = e.tensor as EncTensor;
    expect(actual, `${label}: expected a Tensor`).toBeInstanceOf(torch.Tensor);
    const t = actual as Tensor;
    expect(t.dtype, `${label}: dtype`).toBe(want.dtype);
    expect([...t.shape], `${label}: shape`).toEqual(want.shape);
    const got = (t.reshape(-1).tolist() as Array<number | boolean>).map((v) => (typeof v === 'boolean' ? (v ? 1 : 0) : v));
    const { rtol, atol } = { ...(TOL[want.dtype] ?? { rtol: 0, atol: 0 }), ...tol };
    want.data.forEach((w, i) => {
      const x = decodeNumber(w);
      if (!closeEnough(got[i]!, x, rtol, atol)) {
        throw new Error(`${label}: element ${i} is ${got[i]}, PyTorch gives ${x} (rtol ${rtol}, atol ${atol})\n got: ${got.slice(0, 20).join(', ')}\nwant: ${want.data.slice(0, 20).join(', ')}`);
      }
    });
    return;
  }
  if ('list' in e) {
    const list = e.list as Enc[];
    expect(Array.isArray(actual) || (actual !== null && typeof actual === 'object'), `${label}: expected a sequence`).toBe(true);
    const arr = Array.from(actual as ArrayLike<unknown>);
    expect(arr.length, `${label}: length`).toBe(list.length);
    list.forEach((x, i) => expectMatches(arr[i], x, `${label}[${i}]`, tol));
    return;
  }
  if ('dtype' in e) {
    expect(actual, label).toBe(e.dtype);
    return;
  }
  const want = decode(e.value as Enc);
  if (typeof want === 'number' && typeof actual === 'number') {
    expect(closeEnough(actual, want, tol?.rtol ?? 1e-6, tol?.atol ?? 1e-6), `${label}: ${actual} vs ${want}`).toBe(true);
  } else expect(actual, label).toEqual(want);
}

export function runCase(c: Case): void {
  const args = c.args.map(decode);
  // Per key: a kwarg named `value` (addcmul) must not read as an encoded `{ value }` result.
  const kwargs = Object.fromEntries(Object.entries(c.kwargs).map(([k, v]) => [k, decode(v)])) as Record<string, unknown>;
  const hasKw = Object.keys(kwargs).length > 0;
  const call = (): unknown => {
    if (c.method) {
      const self = args[0] as Record<string, unknown>;
      const fn = self[c.op];
      if (typeof fn !== 'function') throw new Error(`${c.label}: Tensor has no method '${c.op}'`);
      return (fn as (...a: unknown[]) => unknown).apply(self, hasKw ? [...args.slice(1), kwargs] : args.slice(1));
    }
    const fn = (torch as unknown as Record<string, unknown>)[c.op];
    if (typeof fn !== 'function') throw new Error(`${c.label}: torch has no function '${c.op}'`);
    return (fn as (...a: unknown[]) => unknown)(...(hasKw ? [...args, kwargs] : args));
  };
  const exp = c.expected as Record<string, unknown>;
  if ('error' in exp) {
    let err: unknown = null;
    try {
      call();
    } catch (e) {
      err = e;
    }
    expect(err, `${c.label}: PyTorch raises ${exp.error}: ${exp.message}`).toBeInstanceOf(Error);
    const name = (err as Error).name;
    // Python's TypeError/ValueError/IndexError/RuntimeError map to the same-named classes.
    expect(name, `${c.label}: error class (message: ${(err as Error).message})`).toBe(exp.error);
    if (exp.exact) expect((err as Error).message, c.label).toBe(exp.message);
    return;
  }
  let result: unknown;
  try {
    result = call();
  } catch (e) {
    throw new Error(`${c.label}: torchts threw ${(e as Error).name}: ${(e as Error).message}`);
  }
  expectMatches(result, c.expected as Enc, c.label, c.tol);
}
