/**
 * Optimizer-step and embedding workloads, the torchts side (bench_torch.py's `prepare_optim` is
 * the PyTorch side): Adam and RMSprop steps over one large parameter (memory bound; RMSprop through
 * addcmul_/addcdiv_), an SGD-momentum step over LeNet-5's ten parameters (per-parameter overhead),
 * embedding forward + backward, and an MLP's forward + backward (nn.Sequential: Linear, ReLU, Linear).
 */
import * as torch from 'torchts';
import type { Tensor } from 'torchts';
import { patternTensor } from './workloads.js';
import type { Prepared, WorkloadSpec } from './workloads.js';

export const OPTIM_OPS = ['adam_step', 'rmsprop_step', 'sgd_momentum_step', 'embedding_fwdbwd', 'mlp_fwdbwd'] as const;
export type OptimOp = (typeof OPTIM_OPS)[number];

export function isOptimOp(op: string): op is OptimOp {
  return (OPTIM_OPS as readonly string[]).includes(op);
}

/** LeNet-5's parameter shapes (vision.models.lenet5), for the SGD workload. */
export const LENET_PARAMS = [[6, 1, 5, 5], [6], [16, 6, 5, 5], [16], [120, 400], [120], [84, 120], [84], [10, 84], [10]];

/** `inner` optimizer steps over parameters with fixed pattern gradients. */
function optimizerSteps(shapes: number[][], make: (params: Tensor[]) => torch.optim.Optimizer): Prepared {
  const params = shapes.map((s, i) => patternTensor(s, 2 * i + 1).requiresGrad_());
  params.forEach((p, i) => (p.grad = patternTensor(p.shape as number[], 2 * i + 2).mul_(0.01)));
  const opt = make(params);
  return {
    batch: (inner) => {
      for (let i = 0; i < inner; i++) opt.step();
    },
    teardown: () => {
      opt.dispose();
      torch.dispose(params);
    },
  };
}

/** Indices ((i * 7919) mod rows), the same on both sides. */
function patternIndices(count: number, rows: number): Tensor {
  return torch.tensor(Array.from({ length: count }, (_, i) => (i * 7919) % rows), { dtype: 'int64' });
}

/** F.embedding of `count` indices into a [rows, dim] weight, then backward of the sum. */
function embeddingFwdBwd([rows, dim]: number[], count: number): Prepared {
  const weight = patternTensor([rows!, dim!], 1).requiresGrad_();
  const indices = patternIndices(count, rows!);
  return {
    batch: (inner) => {
      for (let i = 0; i < inner; i++) {
        torch.tidy(() => torch.nn.functional.embedding(indices, weight).sum().backward());
        weight.grad?.dispose();
        weight.grad = null;
      }
    },
    teardown: () => torch.dispose([weight, indices]),
  };
}

/** nn.Sequential(Linear(in, hidden), ReLU, Linear(hidden, out)) with pattern weights on a pattern batch: sum of squares, backward. */
function mlpFwdBwd([batch, inF, hidden, outF]: number[]): Prepared {
  const { nn } = torch;
  const model = new nn.Sequential(new nn.Linear(inF!, hidden!), new nn.ReLU(), new nn.Linear(hidden!, outF!));
  const params = [...model.parameters()];
  torch.noGrad(() => params.forEach((p, i) => torch.tidy(() => void p.copy_(patternTensor(p.shape as number[], i + 3).mul_(0.05)))));
  const x = patternTensor([batch!, inF!], 1);
  return {
    batch: (inner) => {
      for (let i = 0; i < inner; i++) {
        torch.tidy(() => (model.call(x) as Tensor).square().sum().backward());
        for (const p of params) {
          p.grad?.dispose();
          p.grad = null;
        }
      }
    },
    teardown: () => torch.dispose([...params, x]),
  };
}

export function prepareOptim(spec: WorkloadSpec & { op: OptimOp }): Prepared {
  switch (spec.op) {
    case 'adam_step':
      return optimizerSteps([spec.shape], (params) => new torch.optim.Adam(params, { lr: 1e-3 }));
    case 'rmsprop_step':
      return optimizerSteps([spec.shape], (params) => new torch.optim.RMSprop(params, { lr: 1e-3 }));
    case 'sgd_momentum_step':
      return optimizerSteps(LENET_PARAMS, (params) => new torch.optim.SGD(params, { lr: 0.01, momentum: 0.9 }));
    case 'embedding_fwdbwd':
      return embeddingFwdBwd(spec.shape, spec.steps!);
    case 'mlp_fwdbwd':
      return mlpFwdBwd(spec.shape);
  }
}
