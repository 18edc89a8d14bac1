/**
 * In-place composite activations on a non-leaf (e.g. Hardswish(inplace=True) after BatchNorm, as in
 * MobileNetV3) backpropagate like their out-of-place forms instead of failing the saved-tensor check.
 */
import { describe, expect, it } from 'vitest';
import '@torchts/backend-cpu';
import '@torchts/autograd';
import { manualSeed, randn } from '@torchts/core';
import type { Tensor } from '@torchts/core';
import * as F from '../src/functional/index.js';

const ACTIVATIONS: Record<string, (x: Tensor, inplace: boolean) => Tensor> = {
  hardswish: (x, inplace) => F.hardswish(x, { inplace }),
  hardsigmoid: (x, inplace) => F.hardsigmoid(x, { inplace }),
  elu: (x, inplace) => F.elu(x, 1, { inplace }),
  selu: (x, inplace) => F.selu(x, { inplace }),
  celu: (x, inplace) => F.celu(x, 0.5, { inplace }),
  threshold: (x, inplace) => F.threshold(x, 0.1, -1, { inplace }),
};

describe('in-place composite activations under autograd', () => {
  for (const [name, act] of Object.entries(ACTIVATIONS)) {
    it(name, () => {
      manualSeed(0);
      const w = randn([2, 7], { dtype: 'float64', requiresGrad: true });
      const grads = [false, true].map((inplace) => {
        const h = w.mul(3); // a non-leaf, as a BatchNorm output is
        const y = act(h, inplace);
        if (inplace) expect(y).toBe(h);
        y.pow(2).sum().backward();
        const g = w.grad!.tolist() as number[][];
        w.grad = null;
        return g;
      });
      expect(grads[1]).toEqual(grads[0]);
    });
  }
});
