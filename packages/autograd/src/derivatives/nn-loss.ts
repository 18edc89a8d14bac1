/**
 * Derivative of nll_loss_forward(self, target, weight, reduction, ignoreIndex) -> [output,
 * totalWeight] (only output carries a gradient; target and weight get none, as in PyTorch).
 * Plain backward is one nll_loss_backward call. The gradient is linear in the incoming gradient
 * and does not depend on self, so with createGraph it is written as a constant matrix (the
 * backward op applied to ones, computed without recording) times the incoming gradient.
 */
import { nllLossBackward, onesLike, tidy } from '@torchts/core';
import type { NllReduction, Tensor } from '@torchts/core';
import { isGradEnabled, noGrad } from '../grad-mode.js';
import { defineDerivative } from '../registry.js';
import { forTensors } from './util.js';

defineDerivative('nll_loss_forward', {
  differentiableOutputs: [0],
  save: (args, result) => ({
    self: args[0], target: args[1], weight: args[2], reduction: args[3], ignoreIndex: args[4], total: (result as Tensor[])[1],
  }),
  backward: ([g], { saved }) => {
    const self = saved.self as Tensor, target = saved.target as Tensor, weight = saved.weight as Tensor | null;
    const reduction = saved.reduction as NllReduction, ignoreIndex = saved.ignoreIndex as number, total = saved.total as Tensor;
    const gradSelf = (): Tensor => {
      if (!isGradEnabled()) return nllLossBackward(g!, self, target, weight, reduction, ignoreIndex, total);
      return tidy(() => {
        const basis = noGrad(() => nllLossBackward(onesLike(g!), self, target, weight, reduction, ignoreIndex, total));
        return basis.mul(reduction === 'none' && self.ndim === 2 ? g!.unsqueeze(1) : g!);
      });
    };
    return forTensors([self, gradSelf], [target, () => null], [weight, () => null]);
  },
});
