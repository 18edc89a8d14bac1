import { describe, expect, it } from 'vitest';
import '@torchts/backend-cpu';
import { adaptiveAvgPoolNd, adaptiveMaxPoolNd, avgPoolNd, maxPoolNd, tensor, tidy } from '@torchts/core';
import type { Tensor } from '@torchts/core';
import { gradcheck, gradgradcheck } from '../src/index.js';

/** Distinct values: no ties, so max pooling is differentiable at the sample point. */
function distinct(shape: number[]): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  return tensor(Array.from({ length: n }, (_, i) => ((i * 31) % n) / n + 0.001 * i), { dtype: 'float64' }).reshape(shape).requiresGrad_(true);
}

describe('pool_max_nd / pool_avg_nd / pool_avg_nd_backward derivatives', () => {
  it('max pooling: gradient goes to the argmax (overlapping windows accumulate)', () => {
    tidy(() => {
      const x = distinct([2, 5, 6]);
      expect(gradcheck((t) => maxPoolNd(t, 1, 3, { stride: 1, padding: 1 })[0]!, [x])).toBe(true);
      expect(gradcheck((t) => maxPoolNd(t.transpose(1, 2), 2, 2, { stride: 1, dilation: [1, 2] })[0]!, [x])).toBe(true);
      expect(gradgradcheck((t) => maxPoolNd(t, 1, 2)[0]!, [x])).toBe(true);
      expect(gradcheck((t) => adaptiveMaxPoolNd(t, 2, [2, 4])[0]!, [x])).toBe(true);
    });
  });
  it('average pooling and its backward are differentiable (twice)', () => {
    tidy(() => {
      const x = distinct([1, 2, 4, 5]);
      expect(gradcheck((t) => avgPoolNd(t, 2, 3, { stride: 2, padding: 1, ceilMode: true, countIncludePad: false }), [x])).toBe(true);
      expect(gradgradcheck((t) => avgPoolNd(t, 2, 2, { stride: 1, divisorOverride: 3 }), [x])).toBe(true);
      expect(gradgradcheck((t) => adaptiveAvgPoolNd(t, 2, [3, 2]), [x])).toBe(true);
      expect(gradcheck((t) => avgPoolNd(t.reshape([1, 2, 2, 2, 5]), 3, [1, 2, 3], { padding: [0, 1, 1] }), [x])).toBe(true);
    });
  });
});
