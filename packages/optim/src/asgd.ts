/** ASGD: averaged SGD (PyTorch 1.13's rule; eta and mu are float32 scalar tensors as in PyTorch). */
import { Tensor, zerosLike } from '@torchts/core';
import { Optimizer, scalarState, type Params } from './optimizer.js';
import { checkNonNegative, gradFor, withGrad, withWeightDecay } from './util.js';

export interface ASGDOptions {
  lr?: number;
  lambd?: number;
  alpha?: number;
  t0?: number;
  weightDecay?: number;
  maximize?: boolean;
}

export class ASGD extends Optimizer<Required<ASGDOptions>> {
  constructor(params: Params, options: ASGDOptions = {}) {
    const o = { lr: 1e-2, lambd: 1e-4, alpha: 0.75, t0: 1e6, weightDecay: 0, maximize: false, ...options };
    checkNonNegative(o.lr, 'Invalid learning rate');
    checkNonNegative(o.weightDecay, 'Invalid weight_decay value');
    super(params, o);
  }

  protected update(): void {
    for (const g of this.paramGroups) {
      const { lr, lambd, alpha, t0, weightDecay, maximize } = g as unknown as Required<ASGDOptions>;
      for (const p of withGrad(g)) {
        const s = this.stateOf(p, () => ({ step: scalarState(0), eta: scalarState(lr), mu: scalarState(1), ax: zerosLike(p) }));
        const stepT = s.step as Tensor;
        const etaT = s.eta as Tensor;
        const muT = s.mu as Tensor;
        stepT.add_(1);
        const step = stepT.item();
        const grad = withWeightDecay(gradFor(p, maximize), p, weightDecay);
        const eta = etaT.item();
        p.mul_(1 - lambd * eta);
        p.add_(grad, { alpha: -eta });
        const ax = s.ax as Tensor;
        const mu = muT.item();
        if (mu !== 1) ax.add_(p.sub(ax).mul(mu));
        else ax.copy_(p);
        etaT.fill_(lr / Math.pow(1 + lambd * lr * step, alpha));
        muT.fill_(1 / Math.max(1, step - t0));
      }
    }
  }
}
