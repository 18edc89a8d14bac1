/** Shared helpers of the vision tests: fixture tensors and comparisons. */
import { expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { Tensor, tensor } from '@torchts/core';
import type { DType } from '@torchts/core';

export interface Enc { dtype: string; shape: number[]; data: Array<number | string> }

export const fixture = <T>(name: string): T => JSON.parse(readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8')) as T;

export const decodeTensor = (e: Enc): Tensor =>
  tensor(e.data.map(Number), { dtype: e.dtype as DType }).reshape(e.shape);

/** Compares `got` with `want`: same dtype and shape; integer dtypes within `intTol`, floats within atol + rtol. */
export function expectTensor(got: Tensor, want: Enc, what: string, tol: { atol?: number; rtol?: number; u8?: number } = {}): void {
  expect(got.dtype, `${what} dtype`).toBe(want.dtype);
  expect(got.shape, `${what} shape`).toEqual(want.shape);
  const flat = got.reshape(-1);
  const g = flat.tolist() as number[];
  flat.dispose();
  const isInt = !want.dtype.startsWith('float');
  const atol = isInt ? (tol.u8 ?? 0) : (tol.atol ?? (want.dtype === 'float64' ? 1e-12 : 1e-6));
  const rtol = isInt ? 0 : (tol.rtol ?? (want.dtype === 'float64' ? 1e-10 : 1e-5));
  let bad = -1;
  for (let i = 0; i < g.length; i++) {
    const w = Number(want.data[i]);
    if (!(Math.abs(g[i]! - w) <= atol + rtol * Math.abs(w))) { bad = i; break; }
  }
  expect(bad, bad < 0 ? '' : `${what}: element ${bad} is ${g[bad]}, torchvision gives ${want.data[bad]}`).toBe(-1);
}
