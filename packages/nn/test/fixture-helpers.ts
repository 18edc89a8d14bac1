/** Small helpers for tests replaying JSON fixtures from PyTorch. */
import { expect } from 'vitest';
import * as torch from '@torchts/core';
import type { Tensor } from '@torchts/core';

export const f64 = (v: unknown): Tensor => torch.tensor(v as number[], { dtype: 'float64' });
export const i64 = (v: unknown): Tensor => torch.tensor(v as number[], { dtype: 'int64' });
/** linspace(-1, 1) shaped like y: the fixtures' gradient of the output. */
export const ramp = (y: Tensor): Tensor => torch.linspace(-1, 1, y.numel(), { dtype: 'float64' }).reshape([...y.shape]);

/** Element-wise |a - expected| <= tol * (1 + |expected|), nested lists flattened. */
export function close(a: Tensor, expected: unknown, tol = 1e-10): void {
  const got = [a.tolist()].flat(6) as number[];
  const want = [expected].flat(6) as number[];
  expect(got.length).toBe(want.length);
  got.forEach((g, i) => expect(Math.abs(g - want[i]!), `[${i}] ${g} vs ${want[i]}`).toBeLessThanOrEqual(tol * (1 + Math.abs(want[i]!))));
}
