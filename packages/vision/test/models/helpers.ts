/** Shared steps of the model tests: fixtures, the seeded perturbation PyTorch applied, comparisons. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { manualSeed, rand, tidy } from '@torchts/core';
import type { Tensor } from '@torchts/core';
import { noGrad } from '@torchts/autograd';
import { BatchNorm2d } from '@torchts/nn';
import type { Module } from '@torchts/nn';

export const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'models');

export interface Stat {
  sum: number;
  first: number[];
}

export interface CaseSpec {
  seed: number;
  inputSeed: number;
  perturbSeed: number | null;
  heads: string[];
  inputShape: number[];
  train: boolean;
  init: Record<string, Stat>;
  output: { shape: number[]; data: number[] };
  runningMeanAfter?: Record<string, number[]>;
  grads?: Record<string, Stat>;
}

export function readFixture<T>(name: string): T {
  return JSON.parse(readFileSync(join(FIXTURES, name), 'utf8')) as T;
}

/** float64 sum, sum of magnitudes and the first `n` values, computed with tensor ops (tensors can be large). */
function summary(t: Tensor, n: number): { sum: number; abs: number; meanAbs: number; first: number[] } {
  return noGrad(() =>
    tidy(() => {
      const d = t.detach().to({ dtype: 'float64' }).reshape([-1]);
      const abs = d.abs().sum().item<number>();
      return { sum: d.sum().item<number>(), abs, meanAbs: abs / Math.max(1, d.shape[0]!), first: d.narrow(0, 0, Math.min(n, d.shape[0]!)).tolist() as number[] };
    }),
  );
}

/**
 * Per-tensor checks of seeded initial weights: same keys; float64 sums and first values within
 * float32 rounding. float32 normal_ of >= 16 elements differs from PyTorch's AVX2 math in the last
 * bits (Box-Muller's cos near zero turns that into a small absolute error), hence the term scaled by
 * the tensor's mean magnitude.
 */
export function expectInitStats(model: Module, expected: Record<string, Stat>): void {
  const sd = model.stateDict();
  const floating = [...sd].filter(([, t]) => t.isFloatingPoint());
  expect(floating.map(([k]) => k)).toEqual(Object.keys(expected));
  for (const [k, t] of floating) expectSummary(t, expected[k]!, k, 1e-5, 3e-6);
  for (const t of sd.values()) t.dispose();
}

function expectSummary(t: Tensor, want: Stat, what: string, rtol: number, magnitudeTol: number): void {
  const s = summary(t, want.first.length);
  expect(Math.abs(s.sum - want.sum), `${what} sum ${s.sum} vs ${want.sum}`).toBeLessThanOrEqual(rtol * s.abs + 1e-9);
  want.first.forEach((w, i) => {
    expect(Math.abs(s.first[i]! - w), `${what}[${i}] ${s.first[i]} vs ${w}`).toBeLessThanOrEqual(rtol * Math.abs(w) + magnitudeTol * s.meanAbs + 1e-12);
  });
}

/** The seeded BatchNorm statistics/affine values and head values the fixture script set (same draws, same order). */
export function perturb(model: Module, seed: number, heads: string[]): void {
  manualSeed(seed);
  noGrad(() => {
    for (const m of model.modules()) {
      if (!(m instanceof BatchNorm2d)) continue;
      (m as unknown as { running_mean: Tensor }).running_mean.uniform_(-0.5, 0.5);
      (m as unknown as { running_var: Tensor }).running_var.uniform_(0.5, 1.5);
      m.weight!.uniform_(0.5, 1.5);
      m.bias!.uniform_(-0.5, 0.5);
    }
    const params = new Map(model.namedParameters());
    for (const h of heads) params.get(h)!.uniform_(-0.1, 0.1);
  });
}

export function seededInput(spec: CaseSpec): Tensor {
  manualSeed(spec.inputSeed);
  return rand(spec.inputShape);
}

/** Elementwise |a - b| <= atol + rtol |b|, atol scaled by the output's magnitude. */
export function expectClose(actual: Tensor, expected: { shape: number[]; data: number[] }, rtol = 1e-4, atolFactor = 1e-4): void {
  expect(actual.shape).toEqual(expected.shape);
  const v = actual.to({ dtype: 'float64' }).reshape([-1]).tolist() as number[];
  const maxAbs = Math.max(...expected.data.map(Math.abs), 1e-12);
  let worst = 0;
  let at = -1;
  v.forEach((x, i) => {
    const excess = Math.abs(x - expected.data[i]!) - (atolFactor * maxAbs + rtol * Math.abs(expected.data[i]!));
    if (excess > worst) [worst, at] = [excess, i];
  });
  expect(at, at >= 0 ? `element ${at}: ${v[at]} vs ${expected.data[at]}` : '').toBe(-1);
}

/** Gradients: sums and first values within float32 accumulation error. */
export function expectStat(t: Tensor, want: Stat, what: string): void {
  expectSummary(t, want, what, 1e-4, 1e-4);
}
