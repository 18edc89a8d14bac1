import { describe, expect, it } from 'vitest';
import '@torchts/backend-cpu';
import { convolution, randn, tidy } from '@torchts/core';
import type { Tensor } from '@torchts/core';
import { gradcheck, gradgradcheck } from '../src/index.js';

const r = (...shape: number[]): Tensor => randn(shape, { dtype: 'float64' }).requiresGrad_(true);

describe('convolution derivative', () => {
  // [label, input, weight, bias?, stride, padding, dilation, transposed, outputPadding, groups]
  const cases: Array<[string, () => Array<Tensor | null>, number[], number[], number[], boolean, number[], number]> = [
    ['1d direct, stride and dilation', () => [r(2, 2, 7), r(3, 2, 2), r(3)], [2], [1], [2], false, [0], 1],
    ['2d direct, groups', () => [r(1, 4, 4, 3), r(2, 2, 2, 2), null], [1, 2], [1, 0], [1, 1], false, [0, 0], 2],
    ['3d direct, stride drops input columns', () => [r(1, 1, 4, 3, 3), r(1, 1, 2, 1, 2), r(1)], [2, 2, 2], [0, 0, 1], [1, 1, 1], false, [0, 0, 0], 1],
    ['1d transposed, groups and output padding', () => [r(1, 2, 3), r(2, 2, 2), r(4)], [2], [0], [1], true, [1], 2],
    ['2d transposed, output padding below dilation', () => [r(1, 1, 3, 2), r(1, 2, 2, 2), null], [1, 1], [0, 1], [3, 2], true, [2, 1], 1],
  ];
  for (const [label, make, stride, padding, dilation, transposed, outputPadding, groups] of cases) {
    it(`${label}: gradcheck and gradgradcheck`, () => {
      tidy(() => {
        const args = make();
        const inputs = args.filter((t): t is Tensor => t !== null);
        const f = (...t: Tensor[]): Tensor =>
          convolution(t[0]!, t[1]!, args[2] ? t[2]! : null, stride, padding, dilation, transposed, outputPadding, groups);
        expect(gradcheck(f, inputs)).toBe(true);
        expect(gradgradcheck(f, inputs)).toBe(true);
      });
    });
  }

  it('non-contiguous input and weight', () => {
    tidy(() => {
      const x = randn([1, 2, 5, 4], { dtype: 'float64' }).transpose(2, 3).requiresGrad_(true);
      const w = randn([2, 3, 2, 2], { dtype: 'float64' }).transpose(0, 1).requiresGrad_(true);
      expect(gradcheck((a, b) => convolution(a, b, null, [2, 1], [1, 1], [1, 1], false, [0, 0], 1), [x, w])).toBe(true);
      expect(gradcheck((a, b) => convolution(a, b.transpose(0, 1), null, [2, 1], [1, 0], [1, 1], true, [1, 0], 1), [x, w])).toBe(true);
    });
  });
});
