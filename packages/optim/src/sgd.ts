/** SGD with momentum, dampening, Nesterov momentum, weight decay and maximize (PyTorch 1.13's rule). */
import { Tensor, ValueError, clone, emptyLike, sgdStepOp, sgdStep_, untracked, type SgdStepOptions } from '@torchts/core';
import { checkFusedOptions, useFused, withImplOptions, type StepImplOptions } from './fused.js';
import { Optimizer, type Params } from './optimizer.js';
import { checkNonNegative, gradFor, withGrad, withWeightDecay } from './util.js';

/** core's sgd_step_ options (lr required; momentum, dampening, weightDecay, nesterov, maximize), without firstStep. */
export interface SGDOptions extends Omit<SgdStepOptions, 'firstStep'>, StepImplOptions {}

type SGDGroup = Required<Omit<SGDOptions, keyof StepImplOptions>> & StepImplOptions;

export class SGD extends Optimizer<SGDGroup> {
  constructor(params: Params, options: SGDOptions) {
    const o = { momentum: 0, dampening: 0, weightDecay: 0, nesterov: false, maximize: false, ...withImplOptions(options) };
    if (o.lr === undefined) throw new ValueError("SGD: the learning rate 'lr' is required");
    checkNonNegative(o.lr, 'Invalid learning rate');
    checkNonNegative(o.momentum, 'Invalid momentum value');
    checkNonNegative(o.weightDecay, 'Invalid weight_decay value');
    if (o.nesterov && (o.momentum <= 0 || o.dampening !== 0)) throw new ValueError('Nesterov momentum requires a momentum and zero dampening');
    super(params, o);
    for (const g of this.paramGroups) checkFusedOptions(g, g.params);
  }

  protected update(): void {
    for (const g of this.paramGroups) {
      const o = g as unknown as SGDGroup;
      for (const p of withGrad(g)) {
        const state = this.state.get(p) ?? {};
        const buf = (state.momentum_buffer as Tensor | null | undefined) ?? null;
        const fused = useFused(g, sgdStepOp, [p, p.grad, o.momentum !== 0 ? buf : null]);
        this.state.set(p, { ...state, momentum_buffer: fused ? fusedStep(p, buf, o) : compositeStep(p, buf, o) });
      }
    }
  }
}

/** One step through core's sgd_step_; returns the momentum buffer (created on the first step). */
function fusedStep(p: Tensor, buf: Tensor | null, o: SGDGroup): Tensor | null {
  const firstStep = o.momentum !== 0 && buf === null;
  const b = firstStep ? untracked(() => emptyLike(p)) : buf;
  sgdStep_(p, p.grad!, o.momentum !== 0 ? b : null, { ...o, firstStep });
  return b;
}

/** PyTorch 1.13's _single_tensor_sgd, one op per term; returns the momentum buffer. */
function compositeStep(p: Tensor, buf: Tensor | null, o: SGDGroup): Tensor | null {
  const { lr, momentum, dampening, weightDecay, nesterov, maximize } = o;
  let d = withWeightDecay(gradFor(p, maximize), p, weightDecay);
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
  return buf;
}
