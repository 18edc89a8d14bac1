/** RAdam: Adam with a rectified adaptive learning rate (PyTorch 1.13's rule). */
import { Tensor, zerosLike } from '@torchts/core';
import { Optimizer, scalarState, type Params } from './optimizer.js';
import { checkBetas, checkNonNegative, withGrad, withWeightDecay } from './util.js';

export interface RAdamOptions {
  lr?: number;
  betas?: [number, number];
  eps?: number;
  weightDecay?: number;
}

export class RAdam extends Optimizer<Required<RAdamOptions>> {
  constructor(params: Params, options: RAdamOptions = {}) {
    const o = { lr: 1e-3, betas: [0.9, 0.999] as [number, number], eps: 1e-8, weightDecay: 0, ...options };
    checkNonNegative(o.lr, 'Invalid learning rate');
    checkNonNegative(o.eps, 'Invalid epsilon value');
    checkBetas(o.betas);
    checkNonNegative(o.weightDecay, 'Invalid weight_decay value');
    super(params, o);
  }

  protected update(): void {
    for (const g of this.paramGroups) {
      const { lr, betas, eps, weightDecay } = g as unknown as Required<RAdamOptions>;
      const [beta1, beta2] = betas;
      for (const p of withGrad(g)) {
        const s = this.stateOf(p, () => ({ step: scalarState(0), exp_avg: zerosLike(p), exp_avg_sq: zerosLike(p) }));
        const stepT = s.step as Tensor;
        stepT.add_(1);
        const step = stepT.item();
        const bc1 = 1 - beta1 ** step;
        const bc2 = 1 - beta2 ** step;
        const grad = withWeightDecay(p.grad!, p, weightDecay);
        const expAvg = s.exp_avg as Tensor;
        const expAvgSq = s.exp_avg_sq as Tensor;
        expAvg.mul_(beta1).add_(grad, { alpha: 1 - beta1 });
        expAvgSq.mul_(beta2).addcmul_(grad, grad, { value: 1 - beta2 });
        const corrected = expAvg.div(bc1);
        const rhoInf = 2 / (1 - beta2) - 1;
        const rhoT = rhoInf - (2 * step * beta2 ** step) / bc2;
        if (rhoT > 5) {
          const rect = Math.sqrt(((rhoT - 4) * (rhoT - 2) * rhoInf) / ((rhoInf - 4) * (rhoInf - 2) * rhoT));
          // Python's `scalar / tensor` is reciprocal() * scalar.
          const adaptiveLr = expAvgSq.sqrt().add_(eps).reciprocal_().mul_(Math.sqrt(bc2));
          p.add_(corrected.mul_(lr).mul_(adaptiveLr).mul_(rect), { alpha: -1 });
        } else {
          p.add_(corrected.mul_(lr), { alpha: -1 });
        }
      }
    }
  }
}
