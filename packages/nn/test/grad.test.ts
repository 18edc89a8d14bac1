import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { setCpuKernels } from '@torchts/backend-cpu';
import { grad, gradcheck, gradgradcheck } from '@torchts/autograd';
import { RuntimeError, Tensor, convolutionBackwardWeight, randn, tensor, tidy } from '@torchts/core';
import type { DType } from '@torchts/core';
import * as nn from '../src/index.js';

interface Enc { dtype: DType; shape: number[]; data: number[] }
interface Case {
  label: string;
  fn: string;
  input?: Enc;
  transposeInput?: boolean;
  weightSize?: number[];
  inputSize?: number[];
  weight?: Enc;
  gradOutput: Enc;
  opts: Record<string, number | number[]>;
  out: Enc;
  r?: Enc;
  gradInput?: Enc;
  gradWeight?: Enc;
  gradGradOutput: Enc;
}
const fixture = JSON.parse(readFileSync(new URL('./fixtures/nn_grad.json', import.meta.url), 'utf8')) as {
  cases: Case[];
  errors: Array<{ label: string; message: string }>;
};
const dec = (e: Enc): Tensor => tensor(e.data, { dtype: e.dtype }).reshape(e.shape);
const G = nn.grad as unknown as Record<string, (...a: unknown[]) => Tensor>;

function expectClose(got: Tensor, want: Enc): void {
  expect(got.shape).toEqual(want.shape);
  const tol = want.dtype === 'float32' ? 1e-5 : 1e-12;
  const g = got.reshape(-1).tolist() as number[];
  g.forEach((v, i) => expect(Math.abs(v - want.data[i]!), `[${i}] ${v} vs ${want.data[i]}`).toBeLessThanOrEqual(tol * (1 + Math.abs(want.data[i]!))));
}

describe('nn.grad vs PyTorch (torch.nn.grad)', () => {
  for (const kernels of ['auto', 'ts'] as const) {
    for (const c of fixture.cases) {
      it(`${c.label} (${kernels} kernels)`, () => {
        setCpuKernels(kernels);
        try {
          tidy(() => {
            const gy = dec(c.gradOutput).requiresGrad_(true);
            if (c.fn.endsWith('Weight')) {
              const base = dec(c.input!);
              const x = (c.transposeInput ? base.transpose(-1, -2).contiguous().transpose(-1, -2) : base).requiresGrad_(true);
              if (c.transposeInput) expect(x.isContiguous()).toBe(false);
              const out = G[c.fn]!(x, c.weightSize, gy, c.opts);
              expectClose(out, c.out);
              if (c.r) {
                const [gx, ggy] = grad([out.mul(dec(c.r)).sum()], [x, gy]);
                expectClose(gx!, c.gradInput!);
                expectClose(ggy!, c.gradGradOutput);
              }
            } else {
              const w = dec(c.weight!).requiresGrad_(true);
              const out = G[c.fn]!(c.inputSize, w, gy, c.opts);
              expectClose(out, c.out);
              const [gw, ggy] = grad([out.mul(dec(c.r!)).sum()], [w, gy]);
              expectClose(gw!, c.gradWeight!);
              expectClose(ggy!, c.gradGradOutput);
            }
          });
        } finally {
          setCpuKernels('auto');
        }
      });
    }
  }

  it('errors: PyTorch messages for a gradient of the wrong size', () => {
    const [inputErr, weightErr] = fixture.errors;
    tidy(() => {
      expect(() => nn.grad.conv2dInput([1, 2, 9, 9], randn([3, 2, 3, 3]), randn([1, 3, 3, 3]), { stride: 2 })).toThrow(inputErr!.message);
      expect(() => nn.grad.conv2dWeight(randn([1, 2, 9, 9]), [3, 2, 3, 3], randn([1, 3, 3, 3]), { stride: 2 })).toThrow(weightErr!.message);
    });
  });

  it('convolutionBackwardWeight: checks shapes, dtypes and sizes', () => {
    tidy(() => {
      const x = randn([2, 4, 6, 6]);
      expect(() => convolutionBackwardWeight(x, randn([2, 3, 4, 4]), [6, 4, 3, 3], [1, 1], [0, 0], [1, 1], 1))
        .toThrow('convolutionBackwardWeight: expected gradOutput of size [2, 6, 4, 4]');
      expect(() => convolutionBackwardWeight(x, randn([2, 6, 4, 4], { dtype: 'float64' }), [6, 4, 3, 3], [1, 1], [0, 0], [1, 1], 1))
        .toThrow('expected input and gradOutput of one dtype, but got float32 and float64');
      expect(() => convolutionBackwardWeight(x, randn([2, 6, 4, 4]), [6, 3, 3, 3], [1, 1], [0, 0], [1, 1], 1)).toThrow(RuntimeError);
      expect(() => convolutionBackwardWeight(x, randn([2, 6, 4, 4]), [6, 4, 3, 3], [1, 1], [0, 0], [1, 1], 3)).toThrow('Given groups=3');
      // An empty batch gives a zero gradient.
      expect(convolutionBackwardWeight(randn([0, 4, 6, 6]), randn([0, 6, 4, 4]), [6, 4, 3, 3], [1, 1], [0, 0], [1, 1], 1).abs().sum().item()).toBe(0);
    });
  });

  it('convolutionBackwardWeight: float64 gradcheck and gradgradcheck (groups, stride, dilation; a cropped gradient)', () => {
    tidy(() => {
      const x = randn([2, 4, 7, 6], { dtype: 'float64' }).requiresGrad_(true);
      const gy = randn([2, 6, 4, 2], { dtype: 'float64' }).requiresGrad_(true);
      const f = (a: Tensor, b: Tensor): Tensor => convolutionBackwardWeight(a, b, [6, 2, 3, 2], [2, 2], [1, 0], [1, 2], 2);
      expect(gradcheck(f, [x, gy])).toBe(true);
      expect(gradgradcheck(f, [x, gy])).toBe(true);
      // Dilation 3, stride 1: the nominal output is [3, 4]; leaving out 2 < max(stride, dilation) rows is allowed.
      const x2 = randn([1, 2, 9, 6], { dtype: 'float64' }).requiresGrad_(true);
      const gy2 = randn([1, 3, 1, 4], { dtype: 'float64' }).requiresGrad_(true);
      const f2 = (a: Tensor, b: Tensor): Tensor => convolutionBackwardWeight(a, b, [3, 2, 3, 3], [1, 1], [0, 0], [3, 1], 1);
      expect(gradcheck(f2, [x2, gy2])).toBe(true);
      expect(gradgradcheck(f2, [x2, gy2])).toBe(true);
      expect(() => convolutionBackwardWeight(x2, randn([1, 3, 1, 3], { dtype: 'float64' }), [3, 2, 3, 3], [1, 1], [0, 0], [3, 1], 1))
        .toThrow('covers too little of the output [1, 3, 3, 4]');
    });
  });
});
