/** Rprop: sign-based steps with per-element adaptive step sizes (PyTorch 1.13's rule). */
import { Tensor, ValueError, fullLike, zerosLike } from '@torchts/core';
import { Optimizer, type Params } from './optimizer.js';
import { checkNonNegative, gradFor, withGrad } from './util.js';

export interface RpropOptions {
  lr?: number;
  etas?: [number, number];
  stepSizes?: [number, number];
  maximize?: boolean;
}

export class Rprop extends Optimizer<Required<RpropOptions>> {
  constructor(params: Params, options: RpropOptions = {}) {
    const o = { lr: 1e-2, etas: [0.5, 1.2] as [number, number], stepSizes: [1e-6, 50] as [number, number], maximize: false, ...options };
    checkNonNegative(o.lr, 'Invalid learning rate');
    const [em, ep] = o.etas;
    if (!(em > 0 && em < 1 && ep > 1)) throw new ValueError(`Invalid eta values: ${em}, ${ep}`);
    super(params, o);
  }

  protected update(): void {
    for (const g of this.paramGroups) {
      const { lr, etas, stepSizes, maximize } = g as unknown as Required<RpropOptions>;
      const [etaminus, etaplus] = etas;
      const [stepSizeMin, stepSizeMax] = stepSizes;
      for (const p of withGrad(g)) {
        const s = this.stateOf(p, () => ({ step: 0, prev: zerosLike(p), step_size: fullLike(p.grad!, lr) }));
        s.step = (s.step as number) + 1;
        const grad = gradFor(p, maximize);
        const prev = s.prev as Tensor;
        const stepSize = s.step_size as Tensor;
        const sign = grad.mul(prev).sign();
        const positive = sign.gt(0);
        const negative = sign.lt(0);
        const factor = fullLike(sign, 1).maskedFill_(positive, etaplus).maskedFill_(negative, etaminus);
        stepSize.mul_(factor).clamp_(stepSizeMin, stepSizeMax);
        // Where the gradient changed sign, the step is skipped and that gradient forgotten.
        const g2 = grad.clone().maskedFill_(negative, 0);
        p.addcmul_(g2.sign(), stepSize, { value: -1 });
        prev.copy_(g2);
      }
    }
  }
}
