import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import '@torchts/backend-cpu';
import { grad } from '@torchts/autograd';
import { Tensor, tensor, tidy } from '@torchts/core';
import type { DType } from '@torchts/core';
import * as nn from '../src/index.js';

const F = nn.functional as unknown as Record<string, (...args: unknown[]) => Tensor | Tensor[]>;

interface EncTensor { tensor: { dtype: DType; shape: number[]; data: Array<number | string> } }
type Enc = EncTensor | number | string | null | Array<number | null>;
interface FnCase {
  label: string;
  kind: 'fn';
  fn: string;
  args: Enc[];
  kwargs: Record<string, Enc>;
  out?: EncTensor;
  indices?: EncTensor;
  error?: { type: string; message: string };
  gradOut?: EncTensor;
  grads?: Record<string, EncTensor>;
  after?: Record<string, EncTensor>;
}
interface Step { train: boolean; input: EncTensor; out: EncTensor; gradOut: EncTensor; gradIn: EncTensor }
interface ModuleCase {
  label: string;
  kind: 'module';
  module: string;
  ctorArgs: unknown[];
  ctorKwargs: Record<string, unknown>;
  steps: Step[];
  paramGrads: Record<string, EncTensor>;
  state: Record<string, EncTensor>;
}

const fixture = JSON.parse(readFileSync(new URL('./fixtures/nn_pool_norm.json', import.meta.url), 'utf8')) as { cases: Array<FnCase | ModuleCase> };

const num = (v: number | string): number => (v === 'nan' ? NaN : v === 'inf' ? Infinity : v === '-inf' ? -Infinity : (v as number));
const isEnc = (e: unknown): e is EncTensor => e !== null && typeof e === 'object' && 'tensor' in (e as object);

function decode(e: Enc, requiresGrad = false): unknown {
  if (!isEnc(e)) return e;
  const { dtype, shape, data } = e.tensor;
  const t = tensor(data.map(num), { dtype }).reshape(shape);
  if (requiresGrad) t.requiresGrad_(true);
  return t;
}

function expectClose(actual: Tensor, expected: EncTensor, what: string): void {
  expect(actual.shape, `${what} shape`).toEqual(expected.tensor.shape);
  expect(actual.dtype, `${what} dtype`).toBe(expected.tensor.dtype);
  const tol = expected.tensor.dtype === 'float32' ? 1e-5 : 1e-10;
  const got = (actual.reshape(-1).tolist() as number[]).map(Number);
  const want = expected.tensor.data.map(num);
  for (let i = 0; i < want.length; i++) {
    const [g, w] = [got[i]!, want[i]!];
    if (Number.isNaN(w)) expect(Number.isNaN(g), `${what}[${i}] NaN`).toBe(true);
    else expect(Math.abs(g - w), `${what}[${i}]: got ${g}, want ${w}`).toBeLessThanOrEqual(tol * (1 + Math.abs(w)));
  }
}

/** Errors whose PyTorch message torchts reproduces word for word. */
const EXACT_MESSAGES = new Set(['max_pool2d pad too big', 'max_pool2d output too small', 'layer_norm bad shape', 'group_norm bad groups']);

function runFn(c: FnCase): void {
  tidy(() => {
    const wanted = new Set(Object.keys(c.grads ?? {}));
    const args = c.args.map((a, i) => decode(a, wanted.has(`a${i}`)));
    const kwargs = Object.fromEntries(Object.entries(c.kwargs).map(([k, v]) => [k, decode(v, wanted.has(k))]));
    const call = () => F[c.fn]!(...args, kwargs);
    if (c.error) {
      expect(call, c.label).toThrow();
      try {
        call();
      } catch (e) {
        expect((e as Error).constructor.name, `${c.label}: ${(e as Error).message}`).toBe(c.error.type);
        if (EXACT_MESSAGES.has(c.label)) expect((e as Error).message).toBe(c.error.message);
      }
      return;
    }
    const res = call();
    const out = Array.isArray(res) ? res[0]! : res;
    expectClose(out, c.out!, `${c.label} out`);
    if (c.indices) expectClose((res as Tensor[])[1]!, c.indices, `${c.label} indices`);
    if (c.grads) {
      const keys = Object.keys(c.grads);
      const inputs = keys.map((k) => (k.startsWith('a') && /^a\d+$/.test(k) ? args[Number(k.slice(1))] : kwargs[k]) as Tensor);
      const gs = grad([out], inputs, [decode(c.gradOut!) as Tensor], { allowUnused: true });
      keys.forEach((k, i) => expectClose(gs[i] ?? (inputs[i]!.mul(0)), c.grads![k]!, `${c.label} grad ${k}`));
    }
    for (const [k, v] of Object.entries(c.after ?? {})) {
      const t = (/^a\d+$/.test(k) ? args[Number(k.slice(1))] : kwargs[k]) as Tensor;
      expectClose(t, v, `${c.label} ${k} after`);
    }
  });
}

function runModule(c: ModuleCase): void {
  tidy(() => {
    const Cls = (nn as unknown as Record<string, new (...a: unknown[]) => nn.Module>)[c.module]!;
    const m = Cls.length > 1 || c.ctorArgs.length > 1 ? new Cls(...c.ctorArgs, { ...c.ctorKwargs, dtype: 'float64' }) : new Cls(...c.ctorArgs, { ...c.ctorKwargs, dtype: 'float64' });
    const params = [...m.namedParameters()];
    c.steps.forEach((s, i) => {
      m.train(s.train);
      const x = decode(s.input, true) as Tensor;
      const y = (m.call as (x: Tensor) => Tensor)(x);
      expectClose(y, s.out, `${c.label} step ${i} out`);
      y.backward(decode(s.gradOut) as Tensor);
      expectClose(x.grad!, s.gradIn, `${c.label} step ${i} grad input`);
    });
    for (const [k, p] of params) expectClose(p.grad!, c.paramGrads[k]!, `${c.label} grad ${k}`);
    const sd = m.stateDict();
    expect([...sd.keys()].sort()).toEqual(Object.keys(c.state).sort());
    for (const [k, v] of Object.entries(c.state)) expectClose(sd.get(k)!, v, `${c.label} state ${k}`);
  });
}

describe('nn pooling and normalisation vs PyTorch fixtures', () => {
  for (const c of fixture.cases) {
    it(c.label, () => (c.kind === 'fn' ? runFn(c) : runModule(c)));
  }
});
