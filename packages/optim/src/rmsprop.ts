/** RMSprop, optionally centered and with momentum (PyTorch 1.13's rule). */
import { Tensor, zerosLike } from '@torchts/core';
import { Optimizer, type Params } from './optimizer.js';
import { checkNonNegative, gradFor, withGrad, withWeightDecay } from './util.js';

export interface RMSpropOptions {
  lr?: number;
  alpha?: number;
  eps?: number;
  weightDecay?: number;
  momentum?: number;
  centered?: boolean;
  maximize?: boolean;
}

export class RMSprop extends Optimizer<Required<RMSpropOptions>> {
  constructor(params: Params, options: RMSpropOptions = {}) {
    const o = { lr: 1e-2, alpha: 0.99, eps: 1e-8, weightDecay: 0, momentum: 0, centered: false, maximize: false, ...options };
    checkNonNegative(o.lr, 'Invalid learning rate');
    checkNonNegative(o.eps, 'Invalid epsilon value');
    checkNonNegative(o.momentum, 'Invalid momentum value');
    checkNonNegative(o.weightDecay, 'Invalid weight_decay value');
    checkNonNegative(o.alpha, 'Invalid alpha value');
    super(params, o);
  }

  protected update(): void {
    for (const g of this.paramGroups) {
      const { lr, alpha, eps, weightDecay, momentum, centered, maximize } = g as unknown as Required<RMSpropOptions>;
      for (const p of withGrad(g)) {
        const s = this.stateOf(p, () => ({
          step: 0,
          square_avg: zerosLike(p),
          ...(momentum > 0 ? { momentum_buffer: zerosLike(p) } : {}),
          ...(centered ? { grad_avg: zerosLike(p) } : {}),
        }));
        s.step = (s.step as number) + 1;
        const grad = withWeightDecay(gradFor(p, maximize), p, weightDecay);
        const squareAvg = s.square_avg as Tensor;
        squareAvg.mul_(alpha).addcmul_(grad, grad, { value: 1 - alpha });
        let avg: Tensor;
        if (centered) {
          const gradAvg = s.grad_avg as Tensor;
          gradAvg.mul_(alpha).add_(grad, { alpha: 1 - alpha });
          avg = squareAvg.addcmul(gradAvg, gradAvg, { value: -1 }).sqrt_();
        } else {
          avg = squareAvg.sqrt();
        }
        avg.add_(eps);
        if (momentum > 0) {
          const buf = s.momentum_buffer as Tensor;
          buf.mul_(momentum).addcdiv_(grad, avg);
          p.add_(buf, { alpha: -lr });
        } else {
          p.addcdiv_(grad, avg, { value: -lr });
        }
      }
    }
  }
}
