/** Replays resampling fixtures (float64 inputs, PyTorch's output and gradients of sum(out * gradOut)). */
import { expect } from 'vitest';
import { grad } from '@torchts/autograd';
import { Tensor, tensor, tidy } from '@torchts/core';

export interface Enc { shape: number[]; data: number[] }
export interface Case { label: string; inputs: Enc[]; out: Enc; gradOut: Enc; grads: Enc[] }

export const decode = (e: Enc, dtype: 'float32' | 'float64' = 'float64'): Tensor => tensor(e.data, { dtype }).reshape(e.shape);

export function expectClose(actual: Tensor, expected: Enc, what: string, tol = 1e-10): void {
  expect(actual.shape, `${what} shape`).toEqual(expected.shape);
  const got = actual.reshape(-1).tolist() as number[];
  expected.data.forEach((want, i) => {
    expect(Math.abs(got[i]! - want), `${what}[${i}]: got ${got[i]}, want ${want}`).toBeLessThanOrEqual(tol * (1 + Math.abs(want)));
  });
}

/** Runs fn on leaves made from the case's inputs; checks the output and every gradient against PyTorch. */
export function replay(c: Case, fn: (...xs: Tensor[]) => Tensor, dtype: 'float32' | 'float64' = 'float64'): void {
  const tol = dtype === 'float64' ? 1e-10 : 1e-5;
  tidy(() => {
    const leaves = c.inputs.map((e) => decode(e, dtype).requiresGrad_(true));
    const out = fn(...leaves);
    expect(out.dtype).toBe(dtype);
    expectClose(out, c.out, `${c.label} output`, tol);
    const gs = grad([out], leaves, [decode(c.gradOut, dtype)], { allowUnused: true });
    gs.forEach((g, i) => expectClose(g ?? leaves[i]!.mul(0), c.grads[i]!, `${c.label} grad ${i}`, tol));
  });
}
