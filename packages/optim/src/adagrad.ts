/** Adagrad with learning-rate decay and an initial accumulator (PyTorch 1.13's rule). */
import { Tensor, ValueError, fullLike, untracked } from '@torchts/core';
import { Optimizer, scalarState, type Params } from './optimizer.js';
import { checkNonNegative, gradFor, withGrad, withWeightDecay } from './util.js';

export interface AdagradOptions {
  lr?: number;
  lrDecay?: number;
  weightDecay?: number;
  initialAccumulatorValue?: number;
  eps?: number;
  maximize?: boolean;
}

export class Adagrad extends Optimizer<Required<AdagradOptions>> {
  constructor(params: Params, options: AdagradOptions = {}) {
    const o = { lr: 1e-2, lrDecay: 0, weightDecay: 0, initialAccumulatorValue: 0, eps: 1e-10, maximize: false, ...options };
    checkNonNegative(o.lr, 'Invalid learning rate');
    checkNonNegative(o.lrDecay, 'Invalid lr_decay value');
    checkNonNegative(o.weightDecay, 'Invalid weight_decay value');
    if (!(o.initialAccumulatorValue >= 0)) throw new ValueError(`Invalid initial_accumulator_value value: ${o.initialAccumulatorValue}`);
    checkNonNegative(o.eps, 'Invalid epsilon value');
    super(params, o);
    // PyTorch creates Adagrad's state eagerly, for every parameter.
    for (const g of this.paramGroups) {
      for (const p of g.params) {
        this.state.set(p, untracked(() => ({ step: scalarState(0), sum: fullLike(p, g.initialAccumulatorValue as number) })));
      }
    }
  }

  protected update(): void {
    for (const g of this.paramGroups) {
      const { lr, lrDecay, weightDecay, eps, maximize, initialAccumulatorValue } = g as unknown as Required<AdagradOptions>;
      for (const p of withGrad(g)) {
        const s = this.stateOf(p, () => ({ step: scalarState(0), sum: fullLike(p, initialAccumulatorValue) }));
        const stepT = s.step as Tensor;
        stepT.add_(1);
        const step = stepT.item();
        const grad = withWeightDecay(gradFor(p, maximize), p, weightDecay);
        const clr = lr / (1 + (step - 1) * lrDecay);
        const sum = s.sum as Tensor;
        sum.addcmul_(grad, grad, { value: 1 });
        p.addcdiv_(grad, sum.sqrt().add_(eps), { value: -clr });
      }
    }
  }
}
