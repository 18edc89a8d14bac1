// Helpers for the tests that compare the WebAssembly SIMD kernels with the TS kernels (the oracle).
import { expect } from 'vitest';
import { cpuKernels, getNumThreads, setCpuKernels, setNumThreads } from '../../src/index.js';
import type { CpuKernels } from '../../src/index.js';
import { pool } from '../../src/wasm/simd.js';
import { randn, tensor } from '@torchts/core';
import type { DType, Tensor } from '@torchts/core';

/** The wasm builds that load here: both on Node 20 once the package is built (vitest's setup builds it). */
export const BUILDS: Exclude<CpuKernels, 'ts'>[] = (['simd', 'relaxed'] as const).filter((kind) => {
  const before = cpuKernels();
  try {
    setCpuKernels(kind);
    return true;
  } catch {
    return false;
  } finally {
    setCpuKernels(before);
  }
});

/** Runs `fn` with the given kernels active, restoring the previous choice. */
export function withKernels<T>(kind: CpuKernels, fn: () => T): T {
  const before = cpuKernels();
  setCpuKernels(kind);
  try {
    return fn();
  } finally {
    setCpuKernels(before);
  }
}

/** Tiny deterministic generator for shapes (values come from torch's seeded randn). */
export function lcg(seed: number): (n: number) => number {
  let s = seed >>> 0;
  return (n) => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s % n;
  };
}

export function flat(t: Tensor): number[] {
  return (t.double().flatten().tolist() as number[]);
}

/**
 * Asserts |got - want| <= tol * scale + 1e-300 elementwise (scale: a tensor of magnitudes, e.g.
 * |A| @ |B| for products, whose rounding error is bounded by k * eps times that magnitude), with
 * identical shapes and NaN positions.
 */
export function expectWithin(got: Tensor, want: Tensor, scale: Tensor | number, tol: number, what: string): void {
  if (got._shape.join() !== want._shape.join()) throw new Error(`${what}: shape [${got._shape}] vs [${want._shape}]`);
  const g = flat(got), w = flat(want);
  const s = typeof scale === 'number' ? null : flat(scale);
  for (let i = 0; i < g.length; i++) {
    const bound = tol * (s ? Math.abs(s[i]!) : (scale as number)) + 1e-300;
    const ok = Number.isNaN(w[i]!) ? Number.isNaN(g[i]!) : g[i] === w[i] || Math.abs(g[i]! - w[i]!) <= bound;
    if (!ok) throw new Error(`${what}: element ${i}: got ${g[i]}, want ${w[i]} (bound ${bound})`);
  }
}

/** Same dtype, shape and values (Object.is: NaN equals NaN, -0 differs from 0). */
export function expectIdentical(got: Tensor, want: Tensor, what: string): void {
  expect(got.dtype, what).toBe(want.dtype);
  expect(got.shape, what).toEqual(want.shape);
  const g = flat(got), w = flat(want);
  for (let i = 0; i < g.length; i++) {
    if (!Object.is(g[i], w[i])) throw new Error(`${what}: element ${i}: got ${g[i]}, want ${w[i]}`);
  }
}

/** Runs `run` under the TS kernels and under every wasm build; the results must be identical. */
export function expectSameAsTs(what: string, run: () => Tensor | Tensor[]): void {
  const list = (r: Tensor | Tensor[]): Tensor[] => (Array.isArray(r) ? r : [r]);
  const want = list(withKernels('ts', run));
  for (const build of BUILDS) {
    const got = list(withKernels(build, run));
    expect(got.length, what).toBe(want.length);
    got.forEach((t, i) => expectIdentical(t, want[i]!, `${what}${want.length > 1 ? ` output ${i}` : ''} (${build})`));
  }
}

/** Random values with NaN, infinities, signed zeros and subnormals in the first eight places. */
export function specialValues(shape: number[], dtype: DType): Tensor {
  const x = randn(shape, { dtype });
  const special = tensor([Number.NaN, Infinity, -Infinity, -0, 0, 1e-40, -1e-310, 3], { dtype });
  const flatX = x.flatten();
  const n = Math.min(8, flatX.numel());
  flatX.narrow(0, 0, n).copy_(special.narrow(0, 0, n));
  return x;
}

/** The bytes of a tensor's elements in row-major order. */
export function tensorBytes(t: Tensor): Buffer {
  const v = t.toTypedArray();
  return Buffer.from(v.buffer, v.byteOffset, v.byteLength);
}

/**
 * Runs `runs` under `build` with 1, 2 and 3 threads: every output must have the same bytes for
 * each count, and with threads the calls must hand `jobs` batches to the worker pool (one per
 * split kernel call: proof that they ran split). Restores the thread count; returns the
 * one-thread outputs. `what` labels the failures.
 */
export function expectSameBytesForThreads(build: Exclude<CpuKernels, 'ts'>, runs: () => Tensor[], jobs: number, what = ''): Tensor[] {
  const before = getNumThreads();
  try {
    const results = [1, 2, 3].map((t) => {
      setNumThreads(t);
      return withKernels(build, () => {
        const p = pool(), run = p?.run;
        let count = 0;
        if (p) p.run = (...a: Parameters<NonNullable<typeof run>>) => { count++; return run!.apply(p, a); };
        try {
          return runs();
        } finally {
          if (p) p.run = run!;
          expect(count, `${what} ${build} ${t} threads`).toBe(t > 1 ? jobs : 0);
        }
      });
    });
    const want = results[0]!.map(tensorBytes);
    for (const r of results.slice(1)) r.forEach((t, i) => expect(tensorBytes(t).equals(want[i]!), `${what} ${build} output ${i}`).toBe(true));
    return results[0]!;
  } finally {
    setNumThreads(before);
  }
}
