// The WebAssembly fused SGD and Adam/AdamW steps (both builds) against the TS kernels: identical
// bits over random sizes (vector tails, thread splits), every option, float32 and float64, and
// special values (NaN, inf, -0) in every operand; results do not depend on the thread count.
// Also core's argument checks of sgd_step_ / adam_step_.
import { afterAll, describe, expect, it } from 'vitest';
import { adamStep_, full, manualSeed, randn, sgdStep_, tensor, zeros } from '@torchts/core';
import type { AdamStepOptions, DType, SgdStepOptions, Tensor } from '@torchts/core';
import { getNumThreads, setNumThreads } from '../../src/index.js';
import { expectIdentical, expectSameAsTs, lcg } from './helpers.js';

const initialThreads = getNumThreads();
afterAll(() => setNumThreads(initialThreads));

/** Random values with NaN, +-inf, -0 and tiny/huge magnitudes sprinkled in. */
function operand(n: number, dtype: DType, rnd: (n: number) => number, positive = false): Tensor {
  const t = randn([n], { dtype });
  const special = [NaN, Infinity, -Infinity, -0, 0, 1e-30, 3e30];
  const vals = t.tolist() as number[];
  for (let i = 0; i < n; i++) {
    if (rnd(9) === 0) vals[i] = special[rnd(special.length)]!;
    if (positive) vals[i] = Math.abs(vals[i]!);
  }
  return tensor(vals, { dtype });
}

const SIZES = [1, 2, 3, 7, 8, 33, 1000, 40_001];

describe('wasm fused optimizer steps vs TS', () => {
  it('SGD: every option, sizes, dtypes, special values', () => {
    manualSeed(11);
    const rnd = lcg(5);
    for (const [trial, n] of SIZES.entries()) {
      for (const dtype of ['float32', 'float64'] as const) {
        const p = operand(n, dtype, rnd), g = operand(n, dtype, rnd), b = operand(n, dtype, rnd);
        const configs: SgdStepOptions[] = [
          { lr: 0.1 },
          { lr: 0.03, weightDecay: 0.1, maximize: true },
          { lr: 0.1, momentum: 0.9, firstStep: true, weightDecay: 0.01 },
          { lr: 0.1, momentum: 0.9, dampening: 0.3 },
          { lr: 0.07, momentum: 0.8, nesterov: true, weightDecay: 0.2, maximize: trial % 2 === 0 },
        ];
        for (const o of configs) {
          expectSameAsTs(`sgd n=${n} ${dtype} ${JSON.stringify(o)}`, () => {
            const [pc, bc] = [p.clone(), b.clone()];
            sgdStep_(pc, g, o.momentum ? bc : null, o);
            return [pc, bc];
          });
        }
      }
    }
  });

  it('Adam/AdamW: every option, sizes, dtypes, special values', () => {
    manualSeed(12);
    const rnd = lcg(6);
    for (const [trial, n] of SIZES.entries()) {
      for (const dtype of ['float32', 'float64'] as const) {
        const p = operand(n, dtype, rnd), g = operand(n, dtype, rnd), m = operand(n, dtype, rnd);
        const v = operand(n, dtype, rnd, true), x = operand(n, dtype, rnd, true);
        const configs: AdamStepOptions[] = [
          { step: 1 },
          { step: 3, lr: 0.01, weightDecay: 0.1, maximize: true },
          { step: 7, lr: 0.02, beta1: 0.5, beta2: 0.7, eps: 1e-6, amsgrad: true },
          { step: 2, lr: 0.01, weightDecay: 0.3, decoupled: true, amsgrad: trial % 2 === 0 },
          { step: 100, decoupled: true, maximize: true },
        ];
        for (const o of configs) {
          expectSameAsTs(`adam n=${n} ${dtype} ${JSON.stringify(o)}`, () => {
            const [pc, mc, vc, xc] = [p.clone(), m.clone(), v.clone(), x.clone()];
            adamStep_(pc, g, mc, vc, o.amsgrad ? xc : null, o);
            return [pc, mc, vc, xc];
          });
        }
      }
    }
  });

  it('the same bits for every thread count', () => {
    manualSeed(13);
    const n = 200_001; // above 3 x the 65536 elements per thread from which a step is split
    const p = randn([n]), g = randn([n]), m = randn([n]), v = randn([n]).abs();
    const run = (threads: number): Tensor => {
      setNumThreads(threads);
      const [pc, mc, vc] = [p.clone(), m.clone(), v.clone()];
      adamStep_(pc, g, mc, vc, null, { step: 5, weightDecay: 0.01 });
      const b = m.clone();
      sgdStep_(pc, g, b, { lr: 0.1, momentum: 0.9, nesterov: true });
      return pc.add(b);
    };
    const one = run(1);
    for (const threads of [2, 3]) expectIdentical(run(threads), one, `${threads} threads`);
  });

  it('non-contiguous tensors run the TS kernel with the same results', () => {
    manualSeed(14);
    const p = randn([40, 30]), g = randn([30, 40]).t(), b = randn([40, 30]);
    expectSameAsTs('sgd transposed grad', () => {
      const [pc, bc] = [p.clone(), b.clone()];
      sgdStep_(pc, g, bc, { lr: 0.1, momentum: 0.9 });
      return [pc, bc];
    });
  });
});

describe('sgd_step_ / adam_step_ argument checks', () => {
  const p = zeros([4]), g = full([4], 1.5);
  it('refuses mismatched, overlapping or missing tensors with a message naming them', () => {
    expect(() => sgdStep_(p, zeros([5]), null, { lr: 0.1 })).toThrow('sgd_step_(): expected grad to have the param\'s shape [4], but got [5]');
    expect(() => sgdStep_(p, g.double(), null, { lr: 0.1 })).toThrow('expected grad to have dtype Float (the param\'s), but got Double');
    expect(() => sgdStep_(p, g, null, { lr: 0.1, momentum: 0.9 })).toThrow('a momentum buffer is required');
    expect(() => sgdStep_(p, p, null, { lr: 0.1 })).toThrow('sgd_step_(): param and grad share memory');
    const flat = zeros([8]);
    expect(() => sgdStep_(flat.narrow(0, 0, 4), flat.narrow(0, 2, 4), null, { lr: 0.1 })).toThrow('share memory');
    const half = full([4], 1.5, { dtype: 'float16' });
    expect(() => sgdStep_(half, half.clone(), null, { lr: 0.1 })).toThrow('"sgd_step_" not implemented for \'Half\'');
    expect(() => sgdStep_(p, g, zeros([4]), { lr: 0.1, momentum: 0.9, nesterov: true, dampening: 0.1 })).toThrow('Nesterov momentum requires a momentum and zero dampening');
    expect(() => sgdStep_(p, g, null, { lr: -1 })).toThrow('invalid learning rate value: -1');
    expect(() => adamStep_(p, g, zeros([4]), zeros([4]), null, { step: 0 })).toThrow("the option 'step'");
    expect(() => adamStep_(p, g, zeros([4]), zeros([4]), null, { step: 1, amsgrad: true })).toThrow('amsgrad requires the max_exp_avg_sq tensor');
    expect(() => adamStep_(p, g, zeros([4]), zeros([4]), null, { step: 1, beta2: 1 })).toThrow('invalid beta parameter at index 1: 1');
    expect(() => adamStep_(p, g, zeros([4]), zeros([3]), null, { step: 1 })).toThrow('expected exp_avg_sq to have the param\'s shape [4], but got [3]');
    expect(p.tolist()).toEqual([0, 0, 0, 0]);
  });

  it('flat parameter buffers: disjoint views of one storage are fine', () => {
    const buf = zeros([8]);
    sgdStep_(buf.narrow(0, 0, 4), buf.narrow(0, 4, 4).fill_(1), null, { lr: 0.5 });
    expect(buf.tolist()).toEqual([-0.5, -0.5, -0.5, -0.5, 1, 1, 1, 1]);
  });
});
