/** Adam and AdamW (decoupled weight decay), with amsgrad and maximize (PyTorch 1.13's rules). */
import { Tensor, adamStepOp, type AdamStepOptions, adamStep_, maximum, untracked, zerosLike } from '@torchts/core';
import { checkFusedOptions, useFused, withImplOptions, type StepImplOptions } from './fused.js';
import { Optimizer, scalarState, type Params } from './optimizer.js';
import { checkBetas, checkNonNegative, gradFor, withGrad, withWeightDecay } from './util.js';

export interface AdamOptions extends StepImplOptions {
  lr?: number;
  betas?: [number, number];
  eps?: number;
  weightDecay?: number;
  amsgrad?: boolean;
  maximize?: boolean;
}

type AdamGroup = Required<Omit<AdamOptions, keyof StepImplOptions>> & StepImplOptions;

function adamDefaults(options: AdamOptions, weightDecay: number): AdamGroup {
  const o = { lr: 1e-3, betas: [0.9, 0.999] as [number, number], eps: 1e-8, weightDecay, amsgrad: false, maximize: false, ...withImplOptions(options) };
  checkNonNegative(o.lr, 'Invalid learning rate');
  checkNonNegative(o.eps, 'Invalid epsilon value');
  checkBetas(o.betas);
  checkNonNegative(o.weightDecay, 'Invalid weight_decay value');
  return o;
}

abstract class AdamBase extends Optimizer<AdamGroup> {
  protected abstract readonly decoupled: boolean;

  protected update(): void {
    for (const g of this.paramGroups) {
      const { lr, betas, eps, weightDecay, amsgrad, maximize } = g as unknown as AdamGroup;
      const [beta1, beta2] = betas;
      for (const p of withGrad(g)) {
        const s = this.stateOf(p, () => ({
          step: scalarState(0),
          exp_avg: zerosLike(p),
          exp_avg_sq: zerosLike(p),
          ...(amsgrad ? { max_exp_avg_sq: zerosLike(p) } : {}),
        }));
        const stepT = s.step as Tensor;
        stepT.add_(1);
        if (amsgrad && !s.max_exp_avg_sq) s.max_exp_avg_sq = untracked(() => zerosLike(p));
        const [expAvg, expAvgSq] = [s.exp_avg as Tensor, s.exp_avg_sq as Tensor];
        const maxSq = amsgrad ? (s.max_exp_avg_sq as Tensor) : null;
        const step = stepT.item();
        const o = { step, lr, beta1, beta2, eps, weightDecay, amsgrad, maximize, decoupled: this.decoupled };
        if (useFused(g, adamStepOp, [p, p.grad, expAvg, expAvgSq, maxSq])) adamStep_(p, p.grad!, expAvg, expAvgSq, maxSq, o);
        else compositeStep(p, expAvg, expAvgSq, maxSq, o);
      }
    }
  }
}

/** PyTorch 1.13's _single_tensor_adam (AdamW's with `decoupled`), one op per term. */
function compositeStep(p: Tensor, expAvg: Tensor, expAvgSq: Tensor, maxSq: Tensor | null, o: Required<AdamStepOptions>): void {
  const { step, lr, beta1, beta2, eps, weightDecay, maximize, decoupled } = o;
  let grad = gradFor(p, maximize);
  if (decoupled) p.mul_(1 - lr * weightDecay);
  else grad = withWeightDecay(grad, p, weightDecay);
  expAvg.mul_(beta1).add_(grad, { alpha: 1 - beta1 });
  expAvgSq.mul_(beta2).addcmul_(grad, grad, { value: 1 - beta2 });
  const stepSize = lr / (1 - beta1 ** step);
  const bc2Sqrt = Math.sqrt(1 - beta2 ** step);
  let second = expAvgSq;
  if (maxSq) {
    maxSq.copy_(maximum(maxSq, expAvgSq));
    second = maxSq;
  }
  const denom = second.sqrt().div_(bc2Sqrt).add_(eps);
  p.addcdiv_(expAvg, denom, { value: -stepSize });
}

export class Adam extends AdamBase {
  protected readonly decoupled = false;
  constructor(params: Params, options: AdamOptions = {}) {
    super(params, adamDefaults(options, 0));
    for (const g of this.paramGroups) checkFusedOptions(g, g.params);
  }
}

export class AdamW extends AdamBase {
  protected readonly decoupled = true;
  constructor(params: Params, options: AdamOptions = {}) {
    super(params, adamDefaults(options, 1e-2));
    for (const g of this.paramGroups) checkFusedOptions(g, g.params);
  }
}
