/**
 * The fused step kernels (core's sgd_step_ / adam_step_, the default) against the composite update
 * (`fused: false`): the same bits over many steps, for every option that changes the formula,
 * float32 and float64, under the TS kernels and every wasm build.
 */
import { describe, expect, it } from 'vitest';
import { adamStepOp, full, randn, sgdStepOp, manualSeed, Tensor, tidy, keep } from '@torchts/core';
import type { DType } from '@torchts/core';
import { setCpuKernels, cpuKernels } from '@torchts/backend-cpu';
import '@torchts/autograd';
import { noGradHelper } from './helpers.js';
import * as optim from '../src/index.js';

type Ctor = new (params: optim.Params, options: Record<string, unknown>) => optim.Optimizer;
const KERNELS = (['ts', 'simd', 'relaxed'] as const).filter((k) => {
  const before = cpuKernels();
  try {
    setCpuKernels(k);
    return true;
  } catch {
    return false;
  } finally {
    setCpuKernels(before);
  }
});

const CASES: [string, Record<string, unknown>][] = [
  ['SGD', { lr: 0.05 }],
  ['SGD', { lr: 0.05, weightDecay: 0.1, maximize: true }],
  ['SGD', { lr: 0.05, momentum: 0.9 }],
  ['SGD', { lr: 0.05, momentum: 0.8, dampening: 0.3, weightDecay: 0.01 }],
  ['SGD', { lr: 0.05, momentum: 0.9, nesterov: true, weightDecay: 0.02, maximize: true }],
  ['Adam', { lr: 0.01 }],
  ['Adam', { lr: 0.01, betas: [0.8, 0.95], eps: 1e-6, weightDecay: 0.1 }],
  ['Adam', { lr: 0.01, amsgrad: true, maximize: true, weightDecay: 0.05 }],
  ['AdamW', { lr: 0.01 }],
  ['AdamW', { lr: 0.02, amsgrad: true, weightDecay: 0.3, betas: [0.5, 0.7] }],
];
// Sizes with vector tails (test/simd/optim.test.ts in the backend covers thread splits).
const SHAPES = [[3, 5], [7], [40, 50]];

function values(t: Tensor): number[] {
  return t.double().flatten().tolist() as number[];
}

function expectSame(got: Tensor, want: Tensor, what: string): void {
  const g = values(got), w = values(want);
  for (let i = 0; i < g.length; i++) if (!Object.is(g[i], w[i])) throw new Error(`${what}: element ${i}: fused ${g[i]}, composite ${w[i]}`);
}

/** Counts calls of an op's CPU kernel while `fn` runs. */
function countCalls(op: { kernels: Map<string, (...a: never[]) => unknown> }, fn: () => void): number {
  const kernel = op.kernels.get('cpu')!;
  let calls = 0;
  op.kernels.set('cpu', (...a: never[]) => {
    calls++;
    return kernel(...a);
  });
  try {
    fn();
  } finally {
    op.kernels.set('cpu', kernel);
  }
  return calls;
}

/** Runs `steps` steps of two copies of the same parameters: fused (default) and composite. */
function compare(name: string, options: Record<string, unknown>, dtype: DType, steps: number): void {
  tidy(() => {
    manualSeed(7);
    const init = SHAPES.map((s) => randn(s, { dtype }));
    const fusedParams = init.map((t) => t.clone().requiresGrad_());
    const plainParams = init.map((t) => t.clone().requiresGrad_());
    const Cls = (optim as unknown as Record<string, Ctor>)[name]!;
    const fused = new Cls(fusedParams, options);
    const plain = new Cls(plainParams, { ...options, fused: false });
    const op = name === 'SGD' ? sgdStepOp : adamStepOp;
    for (let k = 0; k < steps; k++) {
      tidy(() => {
        const grads = SHAPES.map((s) => randn(s, { dtype }).mul(k % 3 === 2 ? 1e-3 : 1));
        noGradHelper(() => {
          fusedParams.forEach((p, i) => (p.grad = keep(grads[i]!.clone())));
          plainParams.forEach((p, i) => (p.grad = keep(grads[i]!.clone())));
        });
      });
      const calls = countCalls(op as never, () => fused.step());
      expect(calls, 'the fused kernel ran').toBe(SHAPES.length);
      expect(countCalls(op as never, () => plain.step()), 'fused: false keeps the composite').toBe(0);
    }
    fusedParams.forEach((p, i) => expectSame(p, plainParams[i]!, `${name} ${JSON.stringify(options)} ${dtype} param ${i}`));
    fusedParams.forEach((p, i) => {
      const a = fused.state.get(p)!, b = plain.state.get(plainParams[i]!)!;
      expect(Object.keys(a).sort()).toEqual(Object.keys(b).sort());
      for (const [key, v] of Object.entries(a)) {
        if (v instanceof Tensor) expectSame(v, b[key] as Tensor, `${name} state ${key} ${i}`);
        else expect(v).toEqual(b[key]);
      }
    });
    fused.dispose();
    plain.dispose();
  });
}

describe('fused optimizer steps equal the composite update', () => {
  for (const kernels of KERNELS) {
    for (const [name, options] of CASES) {
      for (const dtype of ['float32', 'float64'] as const) {
        it(`${name} ${JSON.stringify(options)} ${dtype} (${kernels} kernels)`, () => {
          const before = cpuKernels();
          setCpuKernels(kernels);
          try {
            compare(name, options, dtype, 8);
          } finally {
            setCpuKernels(before);
          }
        });
      }
    }
  }

  it('fused: true also runs on non-contiguous parameters (the TS kernel), with the same bits', () => {
    const transposed = (t: Tensor): Tensor => (t.ndim === 2 ? t.t().contiguous().t() : t);
    tidy(() => {
      manualSeed(3);
      const p1 = transposed(randn([20, 30])).requiresGrad_();
      const p2 = transposed(p1.detach().clone().t().contiguous().t()).requiresGrad_();
      expect(p1.isContiguous()).toBe(false);
      const a = new optim.Adam([p1], { lr: 0.01, amsgrad: true, fused: true });
      const b = new optim.Adam([p2], { lr: 0.01, amsgrad: true, fused: false });
      const auto = new optim.Adam([transposed(p1.detach().clone()).requiresGrad_()], { lr: 0.01 });
      for (let k = 0; k < 5; k++) {
        tidy(() => {
          const g = randn([20, 30]);
          noGradHelper(() => {
            p1.grad = keep(g.clone());
            p2.grad = keep(g.clone());
            auto.paramGroups[0]!.params[0]!.grad = keep(transposed(g.clone()));
          });
        });
        expect(countCalls(adamStepOp as never, () => a.step())).toBe(1);
        b.step();
        expect(countCalls(adamStepOp as never, () => auto.step()), 'the default keeps non-contiguous tensors on the composite').toBe(0);
      }
      expectSame(p1, p2, 'non-contiguous Adam');
    });
  });

  it('checks the fused/foreach options as PyTorch does; other dtypes keep the composite', () => {
    const p = full([4], 1.5).requiresGrad_();
    expect(() => new optim.Adam([p], { fused: true, foreach: true })).toThrow('`fused` and `foreach` cannot be `True` together.');
    const half = full([4], 1.5, { dtype: 'float16' }).requiresGrad_();
    expect(() => new optim.SGD([half], { lr: 0.1, fused: true })).toThrow('`fused=True` requires all the params to be float32 or float64 Tensors');
    const sgd = new optim.SGD([half], { lr: 0.5, momentum: 0.9 });
    noGradHelper(() => (half.grad = full([4], 2, { dtype: 'float16' })));
    expect(countCalls(sgdStepOp as never, () => sgd.step())).toBe(0);
    expect(values(half)).toEqual([0.5, 0.5, 0.5, 0.5]);
    const foreach = new optim.SGD([p], { lr: 0.5, foreach: true });
    noGradHelper(() => (p.grad = full([4], 2.5)));
    expect(countCalls(sgdStepOp as never, () => foreach.step())).toBe(0);
    expect(foreach.stateDict().param_groups[0]).toMatchObject({ foreach: true });
    // PyTorch's None: null or undefined leave the choice to the optimizer.
    const unset = new optim.Adam([p], { lr: 0.1, fused: undefined, foreach: null });
    expect(countCalls(adamStepOp as never, () => unset.step())).toBe(1);
    const asOptimizer: optim.Optimizer = unset; // optimizers stay assignable to the base class
    expect(asOptimizer.stateDict().param_groups[0]).not.toHaveProperty('fused');
  });
});
