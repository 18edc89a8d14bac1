/**
 * The fused ops themselves against PyTorch 1.13's aten ops (fixtures/nn_native_norm.json, from
 * tooling/fixtures/cases/nn_native_norm.py): every output of native_layer_norm / native_batch_norm
 * / native_group_norm / nll_loss_forward and their backward ops — saved statistics, total_weight —
 * and the running buffers after a training step, under the TS kernels and the wasm kernels.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { setCpuKernels, cpuKernels } from '@torchts/backend-cpu';
import * as torch from '@torchts/core';
import type { DType, Tensor } from '@torchts/core';

interface Enc { dtype: DType; shape: number[]; data: Array<number | string> }
interface Case { label: string; op: string; args: unknown[]; outputs: Array<Enc | null>; after: Enc[] | null }

const fixture = JSON.parse(readFileSync(new URL('./fixtures/nn_native_norm.json', import.meta.url), 'utf8')) as { cases: Case[] };
const num = (v: number | string): number => (v === 'nan' ? NaN : v === 'inf' ? Infinity : v === '-inf' ? -Infinity : (v as number));
const isEnc = (a: unknown): a is Enc => a !== null && typeof a === 'object' && 'dtype' in (a as object);
const decode = (a: unknown): unknown => (isEnc(a) ? torch.tensor(a.data.map(num), { dtype: a.dtype }).reshape(a.shape) : a);

function expectClose(got: Tensor | null, want: Enc | null, what: string): void {
  if (!want) return expect(got, what).toBeNull();
  expect(got!.shape, what).toEqual(want.shape);
  expect(got!.dtype, what).toBe(want.dtype);
  const tol = want.dtype === 'float32' ? 2e-5 : 1e-10;
  const g = (got!.reshape(-1).tolist() as number[]).map(Number);
  want.data.map(num).forEach((w, i) => {
    if (Number.isNaN(w)) expect(Number.isNaN(g[i]!), `${what}[${i}]`).toBe(true);
    else expect(Math.abs(g[i]! - w), `${what}[${i}]: got ${g[i]}, want ${w}`).toBeLessThanOrEqual(tol * (1 + Math.abs(w)));
  });
}

const ops = torch as unknown as Record<string, (...a: unknown[]) => Tensor | Array<Tensor | null>>;

describe.each(['ts', 'auto'] as const)('fused ops vs PyTorch aten (%s kernels)', (kernels) => {
  it.each(fixture.cases.map((c) => [c.label, c] as const))('%s', (_label, c) => {
    const before = cpuKernels();
    setCpuKernels(kernels);
    try {
      const args = c.args.map(decode);
      const result = ops[c.op]!(...args);
      const outs = Array.isArray(result) ? result : [result];
      expect(outs.length).toBe(c.outputs.length);
      outs.forEach((o, i) => expectClose(o, c.outputs[i]!, `${c.label} output ${i}`));
      // Running buffers (args 3 and 4 of nativeBatchNorm) after the step.
      c.after?.forEach((want, i) => expectClose(args[3 + i] as Tensor, want, `${c.label} running buffer ${i}`));
    } finally {
      setCpuKernels(before);
    }
  });
});

describe('fused ops: argument checks and empty inputs', () => {
  it('refuse bad shapes, dtypes and targets with messages naming them; empty batches give empty results', () => {
    expect(() => torch.nllLossForward(torch.randn([3]), torch.tensor([0, 1, 2], { dtype: 'int64' }), null, 'none', -100)).toThrow(/size mismatch/);
    expect(() => torch.nllLossForward(torch.randn([0]), torch.tensor([], { dtype: 'int64' }), null, 'none', -100)).toThrow(/size mismatch/);
    expect(torch.nllLossForward(torch.randn([3]), torch.tensor([1], { dtype: 'int64' }), null, 'none', -100)[0]!.shape).toEqual([]);
    expect(() => torch.nllLossForward(torch.randn([2, 3]), torch.tensor([0, 3], { dtype: 'int64' }), null, 'mean', -100)).toThrow('Target 3 is out of bounds.');
    expect(() => torch.nativeLayerNorm(torch.randn([2, 3]), [], null, null, 1e-5)).toThrow(/at least 1-dimensional/);
    expect(() => torch.nativeLayerNorm(torch.randn([2, 3]), [3], torch.randn([3], { dtype: 'float64' }), null, 1e-5)).toThrow(/scalar type Float/);
    expect(() => torch.nativeGroupNorm(torch.randn([2, 3, 2]), null, null, 2, 3, 2, 2, 1e-5)).toThrow(/divisible/);
    expect(() => torch.nativeGroupNorm(torch.randn([2, 4, 2]), null, null, 2, 4, 3, 2, 1e-5)).toThrow(/does not match/);
    expect(() => torch.nativeBatchNorm(torch.randn([2, 3]), null, null, null, null, false, 0.1, 1e-5)).toThrow(/evaluation mode/);
    expect(() => torch.nativeLayerNormBackward(torch.randn([2, 4]), torch.randn([2, 3]), [3], torch.randn([2, 1]), torch.randn([2, 1]), null, null, [true, true, true])).toThrow(/grad_out/);
    expect(() => torch.nativeBatchNormBackward(torch.randn([2, 3]), torch.randn([2, 3]), null, null, null, null, null, true, 1e-5, [true, false, false])).toThrow(/save_mean/);
    const [o] = torch.nativeGroupNorm(torch.randn([0, 4, 2]), null, null, 0, 4, 2, 2, 1e-5);
    expect(o!.shape).toEqual([0, 4, 2]);
    const [l, tw] = torch.nllLossForward(torch.randn([0, 3]), torch.tensor([], { dtype: 'int64' }), null, 'mean', -100);
    expect(Number.isNaN(l!.item())).toBe(true);
    expect(tw!.item()).toBe(0);
  });
});
