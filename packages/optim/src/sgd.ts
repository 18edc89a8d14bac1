/** SGD with momentum, dampening, Nesterov momentum, weight decay and maximize (PyTorch 1.13's rule). */
import { Tensor, ValueError, clone, untracked } from '@torchts/core';
import { Optimizer, type Params } from './optimizer.js';
import { checkNonNegative, gradFor, withGrad, withWeightDecay } from './util.js';

export interface SGDOptions {
  lr: number;
  momentum?: number;
  dampening?: number;
  weightDecay?: number;
  nesterov?: boolean;
  maximize?: boolean;
}

export class SGD extends Optimizer<Required<SGDOptions>> {
  constructor(params: Params, options: SGDOptions) {
    const o = { momentum: 0, dampening: 0, weightDecay: 0, nesterov: false, maximize: false, ...options };
    if (o.lr === undefined) throw new ValueError("SGD: the learning rate 'lr' is required");
    checkNonNegative(o.lr, 'Invalid learning rate');
    checkNonNegative(o.momentum, 'Invalid momentum value');
    checkNonNegative(o.weightDecay, 'Invalid weight_decay value');
    if (o.nesterov && (o.momentum <= 0 || o.dampening !== 0)) throw new ValueError('Nesterov momentum requires a momentum and zero dampening');
    super(params, o);
  }

  protected update(): void {
    for (const g of this.paramGroups) {
      const { lr, momentum, dampening, weightDecay, nesterov, maximize } = g as unknown as Required<SGDOptions>;
      for (const p of withGrad(g)) {
        let d = withWeightDecay(gradFor(p, maximize), p, weightDecay);
        const state = this.state.get(p) ?? {};
        let buf = (state.momentum_buffer as Tensor | null | undefined) ?? null;
        if (momentum !== 0) {
          if (buf === null) {
            const src = d;
            buf = untracked(() => clone(src));
          } else {
            buf.mul_(momentum).add_(d, { alpha: 1 - dampening });
          }
          d = nesterov ? d.add(buf, { alpha: momentum }) : buf;
        }
        p.add_(d, { alpha: -lr });
        this.state.set(p, { ...state, momentum_buffer: buf });
      }
    }
  }
}
