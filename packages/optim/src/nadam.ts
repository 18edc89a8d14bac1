/** NAdam: Adam with Nesterov momentum and momentum decay (PyTorch 1.13's rule). */
import { Tensor, zerosLike } from '@torchts/core';
import { Optimizer, scalarState, type Params } from './optimizer.js';
import { checkBetas, checkNonNegative, withGrad, withWeightDecay } from './util.js';

export interface NAdamOptions {
  lr?: number;
  betas?: [number, number];
  eps?: number;
  weightDecay?: number;
  momentumDecay?: number;
}

const f32 = Math.fround;

export class NAdam extends Optimizer<Required<NAdamOptions>> {
  constructor(params: Params, options: NAdamOptions = {}) {
    const o = { lr: 2e-3, betas: [0.9, 0.999] as [number, number], eps: 1e-8, weightDecay: 0, momentumDecay: 4e-3, ...options };
    checkNonNegative(o.lr, 'Invalid learning rate');
    checkNonNegative(o.eps, 'Invalid epsilon value');
    checkBetas(o.betas);
    checkNonNegative(o.weightDecay, 'Invalid weight_decay value');
    checkNonNegative(o.momentumDecay, 'Invalid momentum_decay value');
    super(params, o);
  }

  protected update(): void {
    for (const g of this.paramGroups) {
      const { lr, betas, eps, weightDecay, momentumDecay } = g as unknown as Required<NAdamOptions>;
      const [beta1, beta2] = betas;
      for (const p of withGrad(g)) {
        const s = this.stateOf(p, () => ({ step: scalarState(0), mu_product: scalarState(1), exp_avg: zerosLike(p), exp_avg_sq: zerosLike(p) }));
        const stepT = s.step as Tensor;
        stepT.add_(1);
        const step = stepT.item();
        const bc2 = 1 - beta2 ** step;
        const grad = withWeightDecay(p.grad!, p, weightDecay);
        const mu = beta1 * (1 - 0.5 * 0.96 ** (step * momentumDecay));
        const muNext = beta1 * (1 - 0.5 * 0.96 ** ((step + 1) * momentumDecay));
        // mu_product is a float32 tensor in PyTorch: its products round to float32.
        const muProductT = s.mu_product as Tensor;
        const muProduct = f32(muProductT.item() * f32(mu));
        muProductT.fill_(muProduct);
        const muProductNext = f32(f32(muProduct * f32(mu)) * f32(muNext));
        const expAvg = s.exp_avg as Tensor;
        const expAvgSq = s.exp_avg_sq as Tensor;
        expAvg.mul_(beta1).add_(grad, { alpha: 1 - beta1 });
        expAvgSq.mul_(beta2).addcmul_(grad, grad, { value: 1 - beta2 });
        const denom = expAvgSq.div(bc2).sqrt_().add_(eps);
        p.addcdiv_(grad, denom, { value: (-lr * (1 - mu)) / (1 - muProduct) });
        p.addcdiv_(expAvg, denom, { value: (-lr * muNext) / (1 - muProductNext) });
      }
    }
  }
}
