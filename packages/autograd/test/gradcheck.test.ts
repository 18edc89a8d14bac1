import { describe, expect, it } from 'vitest';
import '@torchts/backend-cpu';
import { tensor, RuntimeError } from '@torchts/core';
import { gradcheck, gradgradcheck } from '../src/index.js';

describe('gradcheck', () => {
  const x = () => tensor([[0.3, -1.2, 2.0], [0.7, 0.1, -0.4]], { dtype: 'float64', requiresGrad: true });
  const y = () => tensor([1.5, -0.5, 0.25], { dtype: 'float64', requiresGrad: true });
  it('passes for correct derivatives, with broadcasting and non-contiguous inputs', () => {
    expect(gradcheck((a, b) => a.mul(b).sub(a.div(b)).add(b), [x(), y()])).toBe(true);
    const t = tensor([[1, 2], [3, 4]], { dtype: 'float64' }).t().requiresGrad_(true);
    expect(t.isContiguous()).toBe(false);
    expect(gradcheck((a) => a.mul(a).abs(), [t])).toBe(true);
  });
  it('passes gradgradcheck', () => {
    expect(gradgradcheck((a, b) => a.mul(b).mul(a).div(b.add(3)), [x(), y()])).toBe(true);
  });
  it('reports a wrong derivative', () => {
    // A hook doubles the gradient: the analytical Jacobian is now wrong.
    const wrong = (a: ReturnType<typeof x>) => {
      const y = a.mul(a);
      if (y.requiresGrad) y.registerHook((g) => g.mul(2)); // finite differences run under noGrad
      return y;
    };
    const a = tensor([1, 2], { dtype: 'float64', requiresGrad: true });
    expect(() => gradcheck(wrong, [a])).toThrow(RuntimeError);
    expect(() => gradcheck(wrong, [a])).toThrow(/Jacobian mismatch for output 0 with respect to input 0/);
    expect(gradcheck(wrong, [a], { raiseException: false })).toBe(false);
  });
});
