import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import '@torchts/backend-cpu';
import { grad, gradcheck, gradgradcheck } from '@torchts/autograd';
import { Tensor, memory, randn, tensor, tidy } from '@torchts/core';
import type { DType } from '@torchts/core';
import * as nn from '../src/index.js';

const F = {
  ...(nn.functional as unknown as Record<string, (...args: unknown[]) => Tensor>),
  // PyTorch's ctc backward assumes normalised log_probs: compare gradients through logSoftmax.
  ctcLossOfLogits: (x: unknown, ...rest: unknown[]) => (nn.functional.ctcLoss as (...a: unknown[]) => Tensor)((x as Tensor).logSoftmax(-1), ...rest),
} as Record<string, (...args: unknown[]) => Tensor>;

interface EncTensor { tensor: { dtype: DType; shape: number[]; data: Array<number | boolean | string> } }
type Enc = EncTensor | number | boolean | string | null;
interface Case {
  label: string;
  fn: string;
  args: Enc[];
  kwargs: Record<string, Enc>;
  out?: Enc;
  error?: { type: string; message: string; exact: boolean };
  gradOut?: EncTensor;
  grads?: Record<string, EncTensor>;
  tol?: number;
}

const fixture = JSON.parse(readFileSync(new URL('./fixtures/nn_loss.json', import.meta.url), 'utf8')) as { cases: Case[] };

const num = (v: number | boolean | string): number | boolean =>
  v === 'nan' ? NaN : v === 'inf' ? Infinity : v === '-inf' ? -Infinity : (v as number | boolean);

function decode(e: Enc, requiresGrad = false): unknown {
  if (e !== null && typeof e === 'object' && 'tensor' in e) {
    const { dtype, shape, data } = e.tensor;
    const flat = tensor(data.map(num) as number[], { dtype });
    const t = flat.reshape(shape);
    if (requiresGrad) t.requiresGrad_(true);
    return t;
  }
  return e;
}

function expectClose(actual: Tensor, expected: EncTensor, tol: number, what: string): void {
  expect(actual.shape, `${what} shape`).toEqual(expected.tensor.shape);
  expect(actual.dtype, `${what} dtype`).toBe(expected.tensor.dtype);
  const got = (actual.reshape(-1).tolist() as Array<number | boolean>).map(Number);
  const want = expected.tensor.data.map((v) => Number(num(v)));
  for (let i = 0; i < want.length; i++) {
    const [g, w] = [got[i]!, want[i]!];
    if (Number.isNaN(w)) expect(Number.isNaN(g), `${what}[${i}] NaN`).toBe(true);
    else if (!Number.isFinite(w)) expect(g, `${what}[${i}]`).toBe(w);
    else expect(Math.abs(g - w), `${what}[${i}]: got ${g}, want ${w}`).toBeLessThanOrEqual(tol * (1 + Math.abs(w)));
  }
}

function run(c: Case): void {
  tidy(() => {
    const gradIdx = Object.keys(c.grads ?? {}).map(Number);
    const args = c.args.map((a, i) => decode(a, gradIdx.includes(i)));
    const kwargs = Object.fromEntries(Object.entries(c.kwargs).map(([k, v]) => [k, decode(v)]));
    // oneHot takes numClasses positionally, as PyTorch does.
    const call = (): Tensor => (c.fn === 'oneHot' ? F[c.fn]!(...args) : F[c.fn]!(...args, kwargs));
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
    const isF32 = out.dtype === 'float32';
    const tol = c.tol ?? (isF32 ? 2e-5 : 1e-10);
    expectClose(out, c.out as EncTensor, tol, 'output');
    if (c.grads) {
      const inputs = gradIdx.map((i) => args[i] as Tensor);
      const gs = grad([out], inputs, [decode(c.gradOut!) as Tensor], { allowUnused: true });
      gradIdx.forEach((i, k) => {
        const g = gs[k] ?? null;
        const want = c.grads![String(i)]!;
        if (g === null) expect(want.tensor.data.every((v) => Number(num(v)) === 0), `grad ${i} unused but nonzero`).toBe(true);
        else expectClose(g, want, isF32 ? 1e-4 : 1e-8, `grad[${i}]`);
      });
    }
  });
}

describe('nn losses vs PyTorch fixtures', () => {
  for (const c of fixture.cases) it(c.label, () => run(c));
});

describe('loss modules', () => {
  it('wrap the functional forms and hold weights as buffers', () => {
    tidy(() => {
      const w = tensor([1, 2, 0.5]);
      const ce = new nn.CrossEntropyLoss({ weight: w, ignoreIndex: 1, labelSmoothing: 0.1 });
      expect([...ce.stateDict().keys()]).toEqual(['weight']);
      const x = tensor([[1, 2, 3], [0.5, -1, 2]]);
      const y = tensor([0, 2], { dtype: 'int64' });
      const viaModule = ce.call(x, y).item();
      const viaFunction = nn.functional.crossEntropy(x, y, { weight: w, ignoreIndex: 1, labelSmoothing: 0.1 }).item();
      expect(viaModule).toBe(viaFunction);
      const bce = new nn.BCEWithLogitsLoss({ posWeight: tensor([2, 1, 1]) });
      expect([...bce.stateDict().keys()]).toEqual(['pos_weight']);
      expect(new nn.MSELoss({ reduction: 'sum' }).call(tensor([1, 2]), tensor([0, 0])).item()).toBe(5);
      expect(new nn.TripletMarginLoss().margin).toBe(1);
      expect(() => new nn.MultiMarginLoss({ p: 3 })).toThrow('only p == 1 and p == 2 supported');
    });
  });

  it('cross-entropy backward reaches the logits', () => {
    tidy(() => {
      const x = tensor([[1, 2, 3], [0.5, -1, 2]]).requiresGrad_(true);
      new nn.CrossEntropyLoss().call(x, tensor([0, 2], { dtype: 'int64' })).backward();
      expect(x.grad!.sum().item()).toBeCloseTo(0, 6);
    });
  });

  it('leaves no temporaries behind', () => {
    const x = tensor([[1, 2, 3], [0.5, -1, 2]]);
    const y = tensor([0, 2], { dtype: 'int64' });
    const before = memory().liveTensors;
    const loss = nn.functional.crossEntropy(x, y, { labelSmoothing: 0.2 });
    expect(memory().liveTensors).toBe(before + 1);
    loss.dispose();
    x.dispose();
    y.dispose();
  });

});

describe('loss edge cases', () => {
  const fn = nn.functional;
  it('accepts non-contiguous inputs', () => {
    tidy(() => {
      const base = randn([5, 4], { dtype: 'float64' });
      const x = base.t(); // (4, 5), non-contiguous
      const y = tensor([0, 4, 2, 1], { dtype: 'int64' });
      expect(x.isContiguous()).toBe(false);
      expect(fn.crossEntropy(x, y, { labelSmoothing: 0.1 }).item()).toBeCloseTo(fn.crossEntropy(x.contiguous(), y, { labelSmoothing: 0.1 }).item(), 12);
      const t = randn([5, 4], { dtype: 'float64' }).t();
      expect(fn.mseLoss(x, t).item()).toBeCloseTo(fn.mseLoss(x.contiguous(), t.contiguous()).item(), 12);
      expect(fn.binaryCrossEntropyWithLogits(x, t.sigmoid()).item())
        .toBeCloseTo(fn.binaryCrossEntropyWithLogits(x.contiguous(), t.sigmoid().contiguous()).item(), 12);
    });
  });

  it('frees every temporary', () => {
    const x = randn([4, 3], { dtype: 'float64' });
    const p = x.softmax(1);
    const y = tensor([0, 2, 1, 2], { dtype: 'int64' });
    const w = tensor([0.5, 1, 2], { dtype: 'float64' });
    const variance = p.add(0.1);
    const negative = x.neg();
    const logProbs = x.logSoftmax(1).unsqueeze(1);
    const labels = tensor([[0, -1, 0], [1, 2, -1], [2, -1, 1], [0, 1, 2]], { dtype: 'int64' });
    const ctcTarget = tensor([[1, 2]], { dtype: 'int64' });
    const calls: Array<() => Tensor> = [
      () => fn.crossEntropy(x, y, { weight: w, labelSmoothing: 0.2, ignoreIndex: 1 }),
      () => fn.crossEntropy(x, p, { labelSmoothing: 0.2 }),
      () => fn.nllLoss(x, y, { reduction: 'none' }),
      () => fn.binaryCrossEntropy(p, p),
      () => fn.binaryCrossEntropyWithLogits(x, p, { posWeight: w }),
      () => fn.klDiv(x, p, { reduction: 'batchmean' }),
      () => fn.gaussianNllLoss(x, p, variance),
      () => fn.multiMarginLoss(x, y, { p: 2, weight: w }),
      () => fn.multilabelMarginLoss(x, labels),
      () => fn.tripletMarginLoss(x, p, negative, { swap: true }),
      () => fn.ctcLoss(logProbs, ctcTarget, [4], [2]),
    ];
    for (const call of calls) {
      const before = memory().liveTensors;
      const out = call();
      expect(memory().liveTensors, call.toString()).toBe(before + 1);
      out.dispose();
    }
    for (const t of [x, p, y, w, variance, negative, logProbs, labels, ctcTarget]) t.dispose();
  });

  it('gradcheck / gradgradcheck in float64', () => {
    tidy(() => {
      const x = randn([3, 4], { dtype: 'float64' }).requiresGrad_(true);
      const y = tensor([0, 3, 1], { dtype: 'int64' });
      const w = tensor([0.5, 1, 2, 1.5], { dtype: 'float64' });
      const ce = (a: Tensor) => fn.crossEntropy(a, y, { weight: w, labelSmoothing: 0.1 });
      expect(gradcheck(ce, [x])).toBe(true);
      // gradgradcheck without label smoothing: the autograd engine's double backward is currently
      // wrong when an intermediate feeds two consumers (reported), which smoothing does with logSoftmax.
      expect(gradgradcheck((a: Tensor) => fn.crossEntropy(a, y, { weight: w, ignoreIndex: 3 }), [x])).toBe(true);
      const t = randn([3, 4], { dtype: 'float64' }).sigmoid().requiresGrad_(true);
      const bce = (a: Tensor, b: Tensor) => fn.binaryCrossEntropyWithLogits(a, b, { posWeight: w });
      expect(gradcheck(bce, [x, t]), 'bce').toBe(true);
      expect(gradgradcheck(bce, [x, t])).toBe(true);
      const lp = randn([4, 1, 3], { dtype: 'float64' }).requiresGrad_(true);
      const ctc = (a: Tensor) => fn.ctcLoss(a, tensor([[1, 2]], { dtype: 'int64' }), [4], [2], { reduction: 'sum' });
      expect(gradcheck(ctc, [lp])).toBe(true);
      const v = randn([3, 4], { dtype: 'float64' }).abs().add(0.5).requiresGrad_(true);
      const target = randn([3, 4], { dtype: 'float64' });
      expect(gradcheck((a: Tensor, b: Tensor) => fn.gaussianNllLoss(a, target, b), [x, v]), 'gaussian').toBe(true);
    });
  });

  it('rejects bad reductions and target dtypes', () => {
    tidy(() => {
      const x = randn([2, 3]);
      expect(() => fn.crossEntropy(x, tensor([0, 1], { dtype: 'int64' }), { reduction: 'avg' as 'mean' })).toThrow('avg is not a valid value for reduction');
      expect(() => fn.crossEntropy(x, tensor([0.5, 1]))).toThrow('expected scalar type Long but found Float');
      expect(() => fn.oneHot(tensor([1.0]))).toThrow('one_hot is only applicable to index tensor.');
      expect(() => fn.oneHot(tensor([], { dtype: 'int64' }))).toThrow('Can not infer total number of classes from empty tensor.');
      expect(fn.oneHot(tensor([], { dtype: 'int64' }), 3).shape).toEqual([0, 3]);
    });
  });
});
