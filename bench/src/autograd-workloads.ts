/**
 * Autograd workloads, the torchts side (bench_torch.py's `prepare_autograd` is the PyTorch side):
 * the cost of recording a graph (a 1-element add whose inputs require grad), of the backward
 * engine (a long chain of 1-element ops), and of training (the two-layer net of PyTorch's
 * original slides, autograd style).
 */
import * as torch from 'torchts';
import type { Tensor } from 'torchts';
import { patternTensor } from './workloads.js';
import type { Prepared, WorkloadSpec } from './workloads.js';

export const AUTOGRAD_OPS = ['add1_grad', 'chain_backward', 'two_layer_autograd'] as const;
export type AutogradOp = (typeof AUTOGRAD_OPS)[number];

export function isAutogradOp(op: string): op is AutogradOp {
  return (AUTOGRAD_OPS as readonly string[]).includes(op);
}

/** `a.add(b)` recorded for autograd (a node per call), result disposed: the per-op recording cost. */
function add1Grad(): Prepared {
  const a = patternTensor([1], 1).requiresGrad_();
  const b = patternTensor([1], 2).requiresGrad_();
  return {
    batch: (inner) => {
      for (let i = 0; i < inner; i++) a.add(b).dispose();
    },
    teardown: () => torch.dispose([a, b]),
  };
}

/** Forward `steps` × (mul, add) on one element, then backward through all 2·steps nodes. */
function chainBackward(steps: number): Prepared {
  const x = patternTensor([1], 1).requiresGrad_();
  return {
    batch: (inner) => {
      for (let i = 0; i < inner; i++) {
        torch.tidy(() => {
          let y = x;
          for (let k = 0; k < steps; k++) y = y.mul(1.0001).add(0.001);
          y.backward();
        });
      }
    },
    teardown: () => x.dispose(), // and x.grad with it
  };
}

/**
 * The slides' two-layer net, autograd style: `iterations` steps of forward, `loss.backward()` and
 * an SGD update under noGrad, from the initial weights each time (so every run does the same
 * work). Data and weights: `torch.manualSeed(0)` then randn, as bench_torch.py does.
 */
function twoLayerAutograd([n, dIn, h, dOut]: number[], iterations: number): Prepared {
  const lr = 1e-6;
  torch.manualSeed(0);
  const x = torch.randn(n!, dIn!);
  const y = torch.randn(n!, dOut!);
  const w1Init = torch.randn(dIn!, h!);
  const w2Init = torch.randn(h!, dOut!);
  const step = (w1: Tensor, w2: Tensor): void => {
    torch.tidy(() => {
      const loss = x.mm(w1).clamp({ min: 0 }).mm(w2).sub(y).pow(2).sum();
      loss.backward();
      torch.noGrad(() => {
        w1.sub_(w1.grad!.mul(lr));
        w2.sub_(w2.grad!.mul(lr));
        w1.grad!.zero_();
        w2.grad!.zero_();
      });
    });
  };
  return {
    batch: (inner) => {
      for (let r = 0; r < inner; r++) {
        const w1 = w1Init.clone().requiresGrad_();
        const w2 = w2Init.clone().requiresGrad_();
        for (let t = 0; t < iterations; t++) step(w1, w2);
        torch.dispose([w1, w2]);
      }
    },
    teardown: () => torch.dispose([x, y, w1Init, w2Init]),
  };
}

export function prepareAutograd(spec: WorkloadSpec & { op: AutogradOp }): Prepared {
  switch (spec.op) {
    case 'add1_grad':
      return add1Grad();
    case 'chain_backward':
      return chainBackward(spec.steps!);
    case 'two_layer_autograd':
      return twoLayerAutograd(spec.shape, spec.steps!);
  }
}
