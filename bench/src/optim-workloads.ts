/**
 * Optimizer-step and embedding workloads, the torchts side (bench_torch.py's `prepare_optim` is
 * the PyTorch side): an Adam step over one large parameter (memory bound), an SGD-momentum step
 * over LeNet-5's ten parameters (per-parameter overhead), and embedding forward + backward.
 */
import * as torch from 'torchts';
import type { Tensor } from 'torchts';
import { patternTensor } from './workloads.js';
import type { Prepared, WorkloadSpec } from './workloads.js';

export const OPTIM_OPS = ['adam_step', 'sgd_momentum_step', 'embedding_fwdbwd'] as const;
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

export function prepareOptim(spec: WorkloadSpec & { op: OptimOp }): Prepared {
  switch (spec.op) {
    case 'adam_step':
      return optimizerSteps([spec.shape], (params) => new torch.optim.Adam(params, { lr: 1e-3 }));
    case 'sgd_momentum_step':
      return optimizerSteps(LENET_PARAMS, (params) => new torch.optim.SGD(params, { lr: 0.01, momentum: 0.9 }));
    case 'embedding_fwdbwd':
      return embeddingFwdBwd(spec.shape, spec.steps!);
  }
}
