/** Adadelta (PyTorch 1.13's rule). */
import { Tensor, ValueError, zerosLike } from '@torchts/core';
import { Optimizer, type Params } from './optimizer.js';
import { checkNonNegative, gradFor, withGrad, withWeightDecay } from './util.js';

export interface AdadeltaOptions {
  lr?: number;
  rho?: number;
  eps?: number;
  weightDecay?: number;
  maximize?: boolean;
}

export class Adadelta extends Optimizer<Required<AdadeltaOptions>> {
  constructor(params: Params, options: AdadeltaOptions = {}) {
    const o = { lr: 1.0, rho: 0.9, eps: 1e-6, weightDecay: 0, maximize: false, ...options };
    checkNonNegative(o.lr, 'Invalid learning rate');
    if (!(o.rho >= 0 && o.rho <= 1)) throw new ValueError(`Invalid rho value: ${o.rho}`);
    checkNonNegative(o.eps, 'Invalid epsilon value');
    checkNonNegative(o.weightDecay, 'Invalid weight_decay value');
    super(params, o);
  }

  protected update(): void {
    for (const g of this.paramGroups) {
      const { lr, rho, eps, weightDecay, maximize } = g as unknown as Required<AdadeltaOptions>;
      for (const p of withGrad(g)) {
        const s = this.stateOf(p, () => ({ step: 0, square_avg: zerosLike(p), acc_delta: zerosLike(p) }));
        s.step = (s.step as number) + 1;
        const grad = withWeightDecay(gradFor(p, maximize), p, weightDecay);
        const squareAvg = s.square_avg as Tensor;
        const accDelta = s.acc_delta as Tensor;
        squareAvg.mul_(rho).addcmul_(grad, grad, { value: 1 - rho });
        const std = squareAvg.add(eps).sqrt_();
        const delta = accDelta.add(eps).sqrt_().div_(std).mul_(grad);
        accDelta.mul_(rho).addcmul_(delta, delta, { value: 1 - rho });
        p.add_(delta, { alpha: -lr });
      }
    }
  }
}
