/**
 * float64 gradcheck and gradgradcheck of the fused normalisation and nll ops behind
 * layerNorm / batchNorm / instanceNorm / groupNorm / nllLoss / crossEntropy: first derivatives come
 * from the backward ops (native_*_backward, nll_loss_backward), second derivatives from the
 * composite formulas autograd switches to under createGraph.
 */
import { describe, expect, it } from 'vitest';
import '@torchts/backend-cpu';
import { gradcheck, gradgradcheck } from '@torchts/autograd';
import * as torch from '@torchts/core';
import type { Tensor } from '@torchts/core';
import * as nn from '../src/index.js';

const F = nn.functional;
const dtype = 'float64' as const;
const r = (...shape: number[]): Tensor => torch.randn(shape, { dtype }).requiresGrad_(true);

function both(fn: (...a: Tensor[]) => Tensor, inputs: Tensor[]): void {
  expect(gradcheck(fn, inputs), 'gradcheck').toBe(true);
  expect(gradgradcheck(fn, inputs), 'gradgradcheck').toBe(true);
}

describe('fused norm and nll ops: gradcheck and gradgradcheck (float64)', () => {
  it('layerNorm over one and two dims, with and without affine parameters', () => {
    torch.manualSeed(1);
    both((x, w, b) => F.layerNorm(x, [4], { weight: w, bias: b }), [r(3, 4), r(4), r(4)]);
    both((x, w) => F.layerNorm(x, [2, 3], { weight: w, eps: 0.1 }), [r(2, 2, 3), r(2, 3)]);
    both((x) => F.layerNorm(x, 5), [r(2, 5)]);
  });

  it('batchNorm in training (batch statistics) and evaluation (running statistics)', () => {
    torch.manualSeed(2);
    const rm = torch.randn([3], { dtype }), rv = torch.rand([3], { dtype }).add(0.5);
    both((x, w, b) => F.batchNorm(x, rm.clone(), rv.clone(), { weight: w, bias: b, training: true }), [r(4, 3, 2), r(3), r(3)]);
    both((x, w, b) => F.batchNorm(x, rm, rv, { weight: w, bias: b, training: false }), [r(2, 3, 2), r(3), r(3)]);
    both((x) => F.batchNorm(x, null, null, { training: true, eps: 0.3 }), [r(5, 3)]);
  });

  it('instanceNorm and groupNorm', () => {
    torch.manualSeed(3);
    both((x, w, b) => F.instanceNorm(x, { weight: w, bias: b }), [r(2, 2, 4), r(2), r(2)]);
    both((x, w, b) => F.groupNorm(x, 2, { weight: w, bias: b }), [r(2, 4, 3), r(4), r(4)]);
    both((x) => F.groupNorm(x, 3, { eps: 1e-2 }), [r(2, 3, 2, 2)]);
  });

  it('nllLoss and crossEntropy with weights, ignored targets and every reduction', () => {
    torch.manualSeed(4);
    const target = torch.tensor([2, 0, -100, 1], { dtype: 'int64' });
    const weight = torch.tensor([0.5, 2, 1], { dtype });
    for (const reduction of ['none', 'mean', 'sum'] as const) {
      both((x) => F.crossEntropy(x, target, { weight, reduction }), [r(4, 3)]);
      both((x) => F.nllLoss(x, target, { reduction }), [r(4, 3)]);
      both((x) => F.crossEntropy(x, torch.tensor([[1, 0], [2, 2]], { dtype: 'int64' }), { reduction }), [r(2, 3, 2)]);
    }
  });

  it('the fused ops are what runs: one graph node per normalisation', () => {
    const x = r(2, 3, 4);
    expect(F.layerNorm(x, [4]).gradFn?.name).toMatch(/LayerNorm/i);
    expect(F.batchNorm(x, null, null, { training: true }).gradFn?.name).toMatch(/BatchNorm/i);
    expect(F.groupNorm(x, 3).gradFn?.name).toMatch(/GroupNorm/i);
    expect(F.crossEntropy(r(2, 3), torch.tensor([0, 2], { dtype: 'int64' })).gradFn?.name).toMatch(/NllLoss/i);
  });
});
