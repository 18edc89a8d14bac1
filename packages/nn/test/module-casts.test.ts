import { describe, expect, it } from 'vitest';
import '@torchts/backend-cpu';
import * as torch from '@torchts/core';
import * as nn from '../src/index.js';

describe('Module dtype casts', () => {
  it('double/float/half/bfloat16 cast floating parameters and buffers only, keeping the Parameter objects', () =>
    torch.tidy(() => {
      const model = new nn.Sequential(new nn.Linear(3, 4), new nn.BatchNorm1d(4));
      const params = [...model.parameters()];
      const w = (model.get(0) as nn.Linear).weight.clone();
      const dtypes = (): string[] => [...model.stateDict().values()].map((t) => t.dtype);
      const cases: Array<[keyof Pick<nn.Module, 'double' | 'float' | 'half' | 'bfloat16'>, string]> = [
        ['double', 'float64'], ['half', 'float16'], ['bfloat16', 'bfloat16'], ['float', 'float32'],
      ];
      for (const [method, dtype] of cases) {
        expect(model[method]()).toBe(model);
        expect(dtypes()).toEqual([dtype, dtype, dtype, dtype, dtype, dtype, 'int64']);
        expect([...model.parameters()]).toEqual(params);
        expect(params.every((p) => p.requiresGrad)).toBe(true);
      }
      // float32 -> bfloat16 -> float32 loses bits; the values stay within bfloat16's precision.
      expect((model.get(0) as nn.Linear).weight.sub(w).abs().max().item()).toBeLessThan(0.01);
      expect(model.cpu()).toBe(model);
    }));

  it('type(dtype) casts every tensor, integer buffers included (PyTorch Module.type)', () =>
    torch.tidy(() => {
      const bn = new nn.BatchNorm1d(2);
      bn.type('float64');
      expect([...bn.stateDict().values()].map((t) => t.dtype)).toEqual(Array(5).fill('float64'));
    }));
});
