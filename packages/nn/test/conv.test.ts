import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import '@torchts/backend-cpu';
import { grad, gradcheck, gradgradcheck, noGrad } from '@torchts/autograd';
import { RuntimeError, Tensor, convolution, memory, randn, tensor, tidy } from '@torchts/core';
import type { DType } from '@torchts/core';
import * as nn from '../src/index.js';

const F = nn.functional as unknown as Record<string, (...args: unknown[]) => Tensor>;
const layers = nn as unknown as Record<string, new (...args: unknown[]) => nn.Module & { weight: Tensor; bias: Tensor | null }>;

interface EncTensor { tensor: { dtype: DType; shape: number[]; data: number[]; views?: Array<[string, number, number]> } }
interface Case {
  label: string;
  fn: string;
  args: Array<EncTensor | null>;
  kwargs: Record<string, unknown>;
  out?: EncTensor;
  error?: { type: string; message: string; exact: boolean };
  gradOut?: EncTensor;
  grads?: EncTensor[];
  tol?: number;
}
interface ModuleCase {
  label: string;
  cls: string;
  ctor: unknown[];
  options: Record<string, unknown>;
  outputSize: number[] | null;
  repr: string;
  weight: EncTensor;
  bias: EncTensor | null;
  input: EncTensor;
  out: EncTensor;
  gradOut: EncTensor;
  grads: EncTensor[];
}

interface FoldCase {
  label: string;
  fn: 'unfold' | 'fold';
  input: EncTensor;
  positional: unknown[];
  kwargs: Record<string, unknown>;
  out?: EncTensor;
  error?: { type: string; message: string; exact: boolean };
  gradOut?: EncTensor;
  grad?: EncTensor;
}

const fixture = JSON.parse(readFileSync(new URL('./fixtures/nn_conv.json', import.meta.url), 'utf8')) as {
  cases: Case[];
  modules: ModuleCase[];
  folds: FoldCase[];
};

/** A fixture tensor (rebuilt through its views when stored non-contiguous), a leaf when asked. */
function decode(e: EncTensor, requiresGrad = false): Tensor {
  const { dtype, shape, data, views } = e.tensor;
  let t = tensor(data, { dtype }).reshape(shape);
  for (const [kind, a, b] of views ?? []) {
    if (kind !== 'transpose') throw new Error(`unknown view ${kind}`);
    t = t.transpose(a, b);
  }
  if (views) expect(t.isContiguous()).toBe(false);
  if (requiresGrad) t.requiresGrad_(true);
  return t;
}

function expectClose(actual: Tensor, expected: EncTensor, tol: number, what: string): void {
  expect(actual.shape, `${what} shape`).toEqual(expected.tensor.shape);
  expect(actual.dtype, `${what} dtype`).toBe(expected.tensor.dtype);
  const got = actual.reshape(-1).tolist() as number[];
  const want = expected.tensor.data;
  for (let i = 0; i < want.length; i++) {
    expect(Math.abs(got[i]! - want[i]!), `${what}[${i}]: got ${got[i]}, want ${want[i]}`).toBeLessThanOrEqual(tol * (1 + Math.abs(want[i]!)));
  }
}

describe('nn.functional conv vs PyTorch', () => {
  for (const c of fixture.cases) {
    it(c.label, () => {
      tidy(() => {
        const args = c.args.map((a) => (a ? decode(a, !c.error) : null));
        const call = (): Tensor => F[c.fn]!(args[0], args[1], { ...c.kwargs, bias: args[2] });
        if (c.error) {
          let thrown: unknown = null;
          try {
            call();
          } catch (e) {
            thrown = e;
          }
          expect(thrown, `${c.label} should throw`).toBeInstanceOf(Error);
          expect((thrown as Error).constructor.name).toBe(c.error.type);
          if (c.error.exact) expect((thrown as Error).message).toBe(c.error.message);
          return;
        }
        const out = call();
        const tol = c.tol ?? 1e-10;
        expectClose(out, c.out!, tol, 'output');
        const leaves = args.filter((a): a is Tensor => a !== null);
        const gs = grad([out], leaves, [decode(c.gradOut!)]);
        gs.forEach((g, i) => expectClose(g!, c.grads![i]!, tol, ['grad input', 'grad weight', 'grad bias'][i]!));
      });
    });
  }
});

describe('nn conv modules vs PyTorch', () => {
  for (const m of fixture.modules) {
    it(m.label, () => {
      tidy(() => {
        const dtype = m.out.tensor.dtype;
        const layer = new layers[m.cls]!(...m.ctor, { ...m.options, dtype });
        expect(layer.toString()).toBe(m.repr);
        noGrad(() => {
          layer.weight.copy_(decode(m.weight));
          if (m.bias) layer.bias!.copy_(decode(m.bias));
        });
        expect(layer.bias === null).toBe(m.bias === null);
        const x = decode(m.input, true);
        const out = m.outputSize ? (layer as unknown as { forward(x: Tensor, s: number[]): Tensor }).forward(x, m.outputSize) : layer.call(x) as Tensor;
        const tol = dtype === 'float32' ? 1e-4 : 1e-10;
        expectClose(out, m.out, tol, 'output');
        const params = [x, layer.weight, ...(layer.bias ? [layer.bias] : [])];
        const gs = grad([out], params, [decode(m.gradOut)]);
        gs.forEach((g, i) => expectClose(g!, m.grads[i]!, tol, `grad ${i}`));
      });
    });
  }
});

describe('nn.functional unfold/fold vs PyTorch', () => {
  for (const c of fixture.folds) {
    it(c.label, () => {
      tidy(() => {
        const x = decode(c.input, !c.error);
        const call = (): Tensor => F[c.fn]!(x, ...c.positional, c.kwargs);
        if (c.error) {
          expect(call).toThrow(c.error.message);
          expect(() => call()).toThrow(RuntimeError);
          return;
        }
        const out = call();
        expectClose(out, c.out!, 1e-12, 'output');
        const [g] = grad([out], [x], [decode(c.gradOut!)]);
        expectClose(g!, c.grad!, 1e-12, 'grad input');
      });
    });
  }
  it('gradcheck and gradgradcheck', () => {
    tidy(() => {
      const x = randn([1, 2, 4, 3], { dtype: 'float64' }).requiresGrad_(true);
      const opts = { padding: 1, stride: [2, 1], dilation: [1, 2] };
      expect(gradcheck((a) => F.unfold!(a, 2, opts), [x])).toBe(true);
      expect(gradgradcheck((a) => F.unfold!(a, 2, opts), [x])).toBe(true);
      const cols = randn([1, 8, 9], { dtype: 'float64' }).requiresGrad_(true);
      expect(gradcheck((a) => F.fold!(a, [4, 3], 2, opts), [cols])).toBe(true);
    });
  });
});

describe('convolution gradcheck (float64)', () => {
  const r = (...shape: number[]): Tensor => randn(shape, { dtype: 'float64' }).requiresGrad_(true);
  const cases: Array<[string, () => Tensor[], (x: Tensor, w: Tensor, b?: Tensor) => Tensor]> = [
    ['conv1d stride dilation', () => [r(2, 2, 7), r(3, 2, 2), r(3)], (x, w, b) => F.conv1d!(x, w, b, 2, 1, 2)],
    ['conv2d groups padding', () => [r(1, 4, 4, 4), r(4, 2, 2, 2), r(4)], (x, w, b) => F.conv2d!(x, w, { bias: b, padding: 1, groups: 2 })],
    ['conv2d same', () => [r(1, 1, 4, 3), r(2, 1, 2, 3)], (x, w) => F.conv2d!(x, w, { padding: 'same' })],
    ['conv3d stride', () => [r(1, 1, 3, 3, 3), r(2, 1, 2, 2, 2), r(2)], (x, w, b) => F.conv3d!(x, w, b, 2)],
    ['convTranspose1d groups', () => [r(1, 2, 3), r(2, 2, 2), r(4)], (x, w, b) => F.convTranspose1d!(x, w, { bias: b, stride: 2, groups: 2, outputPadding: 1 })],
    ['convTranspose2d dilation', () => [r(1, 2, 3, 2), r(2, 1, 2, 2)], (x, w) => F.convTranspose2d!(x, w, { stride: [2, 1], dilation: 2, padding: 1 })],
    ['convTranspose3d', () => [r(1, 1, 2, 2, 2), r(1, 2, 2, 1, 2), r(2)], (x, w, b) => F.convTranspose3d!(x, w, b, 2)],
  ];
  for (const [label, make, fn] of cases) {
    it(`${label}: gradcheck and gradgradcheck`, () => {
      tidy(() => {
        const inputs = make();
        const f = (...a: Tensor[]): Tensor => fn(a[0]!, a[1]!, a[2]);
        expect(gradcheck(f, inputs)).toBe(true);
        expect(gradgradcheck(f, inputs)).toBe(true);
      });
    });
  }
  it('non-contiguous input', () => {
    tidy(() => {
      const base = randn([1, 2, 4, 5], { dtype: 'float64' });
      const x = base.transpose(2, 3).requiresGrad_(true);
      const w = r(2, 2, 3, 2);
      expect(gradcheck((a, b) => F.conv2d!(a, b, { stride: 2, padding: 1 }), [x, w])).toBe(true);
    });
  });
});

describe('convolution op and layers', () => {
  it('core op reports shape errors as PyTorch does', () => {
    tidy(() => {
      expect(() => convolution(randn([1, 28, 28]), randn([6, 1, 5, 5]), null, [1, 1], [0, 0], [1, 1], false, [0, 0], 1)).toThrow(
        new RuntimeError('Expected 4-dimensional input for 4-dimensional weight [6, 1, 5, 5], but got 3-dimensional input of size [1, 28, 28] instead'),
      );
      expect(() => F.conv2d!(randn([1, 1, 4, 4], { dtype: 'float64' }), randn([1, 1, 2, 2]))).toThrow(/one dtype/);
      expect(() => F.conv1d!(tensor([[[1, 2, 3]]], { dtype: 'int64' }), tensor([[[1]]], { dtype: 'int64' }))).toThrow(/floating-point/);
    });
  });

  it('default init: weight and bias in U(-1/sqrt(fan_in), 1/sqrt(fan_in))', () => {
    tidy(() => {
      const conv = new nn.Conv2d(3, 16, 5);
      const bound = 1 / Math.sqrt(3 * 25);
      expect(conv.weight.shape).toEqual([16, 3, 5, 5]);
      expect(conv.weight.abs().max().item()).toBeLessThanOrEqual(bound);
      expect(conv.weight.abs().max().item()).toBeGreaterThan(bound * 0.9);
      expect(conv.bias!.abs().max().item()).toBeLessThanOrEqual(bound);
      expect([...conv.parameters()].length).toBe(2);
      const t = new nn.ConvTranspose2d(4, 6, 3, { groups: 2, bias: false });
      expect(t.weight.shape).toEqual([4, 3, 3, 3]);
      expect(t.bias).toBe(null);
      expect(t.weight.abs().max().item()).toBeLessThanOrEqual(1 / Math.sqrt(27));
    });
  });

  it('layer argument errors', () => {
    expect(() => new nn.Conv2d(3, 4, 3, { groups: 2 })).toThrow('in_channels must be divisible by groups');
    expect(() => new nn.Conv2d(4, 3, 3, { groups: 2 })).toThrow('out_channels must be divisible by groups');
    expect(() => new nn.Conv2d(4, 4, 3, { padding: 'same', stride: 2 })).toThrow("padding='same' is not supported for strided convolutions");
    expect(() => new nn.Conv2d(4, 4, 3, { paddingMode: 'mirror' as 'zeros' })).toThrow(/padding_mode must be one of/);
    expect(() => new nn.ConvTranspose2d(4, 4, 3, { paddingMode: 'reflect' as 'zeros' })).toThrow('Only "zeros" padding mode is supported for ConvTranspose2d');
  });

  it('frees its temporaries', () => {
    const x = randn([2, 3, 8, 8]);
    const w = randn([4, 3, 3, 3]).requiresGrad_(true);
    const before = memory().liveTensors;
    tidy(() => {
      const y = F.conv2d!(x, w, { padding: 'same', dilation: 2 });
      y.sum().backward();
      F.convTranspose2d!(x, w.transpose(0, 1), { stride: 2, outputPadding: 1 }).sum().backward();
      F.fold!(F.unfold!(x, 3, { padding: 1 }), 8, 3, { padding: 1 }).sum();
      F.conv1d!(x.select(0, 0).reshape([3, 64]), w.select(0, 0).reshape([1, 3, 9]), { padding: 4 }).sum().backward();
    });
    w.grad!.dispose();
    w.grad = null;
    expect(memory().liveTensors).toBe(before);
  });

});
