/** Adamax: Adam with the infinity norm (PyTorch 1.13's rule). */
import { Tensor, maximum, zerosLike } from '@torchts/core';
import { Optimizer, scalarState, type Params } from './optimizer.js';
import { checkBetas, checkNonNegative, gradFor, withGrad, withWeightDecay } from './util.js';

export interface AdamaxOptions {
  lr?: number;
  betas?: [number, number];
  eps?: number;
  weightDecay?: number;
  maximize?: boolean;
}

export class Adamax extends Optimizer<Required<AdamaxOptions>> {
  constructor(params: Params, options: AdamaxOptions = {}) {
    const o = { lr: 2e-3, betas: [0.9, 0.999] as [number, number], eps: 1e-8, weightDecay: 0, maximize: false, ...options };
    checkNonNegative(o.lr, 'Invalid learning rate');
    checkNonNegative(o.eps, 'Invalid epsilon value');
    checkBetas(o.betas);
    checkNonNegative(o.weightDecay, 'Invalid weight_decay value');
    super(params, o);
  }

  protected update(): void {
    for (const g of this.paramGroups) {
      const { lr, betas, eps, weightDecay, maximize } = g as unknown as Required<AdamaxOptions>;
      const [beta1, beta2] = betas;
      for (const p of withGrad(g)) {
        const s = this.stateOf(p, () => ({ step: scalarState(0), exp_avg: zerosLike(p), exp_inf: zerosLike(p) }));
        const stepT = s.step as Tensor;
        stepT.add_(1);
        const step = stepT.item();
        const grad = withWeightDecay(gradFor(p, maximize), p, weightDecay);
        const expAvg = s.exp_avg as Tensor;
        const expInf = s.exp_inf as Tensor;
        expAvg.mul_(beta1).add_(grad, { alpha: 1 - beta1 });
        // amax over [exp_inf * beta2, |grad| + eps] is their elementwise maximum.
        expInf.copy_(maximum(expInf.mul_(beta2), grad.abs().add_(eps)));
        p.addcdiv_(expAvg, expInf, { value: -lr / (1 - beta1 ** step) });
      }
    }
  }
}
