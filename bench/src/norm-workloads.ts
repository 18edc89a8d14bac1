/**
 * Normalisation and cross-entropy workloads, the torchts side (bench_torch.py's `prepare_norm` is
 * the PyTorch side): layer norm [64, 512] and batch norm (training) [32, 64, 32, 32], forward then
 * backward of sum(out * pattern) into the input and the affine parameters, and cross-entropy of
 * [64, 10] logits (LeNet's loss) forward + backward.
 */
import * as torch from 'torchts';
import type { Tensor } from 'torchts';
import { patternTensor } from './workloads.js';
import type { Prepared, WorkloadSpec } from './workloads.js';

export const NORM_OPS = ['layer_norm_fwdbwd', 'batch_norm_fwdbwd', 'cross_entropy_fwdbwd'] as const;
export type NormOp = (typeof NORM_OPS)[number];

export function isNormOp(op: string): op is NormOp {
  return (NORM_OPS as readonly string[]).includes(op);
}

export function normWorkloads(): WorkloadSpec[] {
  return [
    { id: 'norm.layer64x512', label: 'layer norm [64,512] fwd+bwd', op: 'layer_norm_fwdbwd', shape: [64, 512], unit: 'ms', requires: ['tidy'] },
    { id: 'norm.batch32x64x32x32', label: 'batch norm train [32,64,32,32] fwd+bwd', op: 'batch_norm_fwdbwd', shape: [32, 64, 32, 32], unit: 'ms', requires: ['tidy'] },
    { id: 'loss.crossEntropy64x10', label: 'cross-entropy [64,10] fwd+bwd', op: 'cross_entropy_fwdbwd', shape: [64, 10], unit: 'us/op', requires: ['tidy'] },
  ];
}

export function prepareNorm(spec: WorkloadSpec & { op: NormOp }): Prepared {
  const F = torch.nn.functional;
  const shape = spec.shape;
  const x = patternTensor(shape, 1).requiresGrad_();
  const g = patternTensor(shape, 2);
  const C = spec.op === 'layer_norm_fwdbwd' ? shape[shape.length - 1]! : shape[1]!;
  const w = patternTensor([C], 3).requiresGrad_(), b = patternTensor([C], 4).requiresGrad_();
  const rm = torch.zeros([C]), rv = torch.ones([C]);
  const target = torch.tensor(Array.from({ length: shape[0]! }, (_, i) => (i * 7919) % C), { dtype: 'int64' });
  const step: () => void = {
    layer_norm_fwdbwd: () => F.layerNorm(x, [C], { weight: w, bias: b }).mul(g).sum().backward(),
    batch_norm_fwdbwd: () => F.batchNorm(x, rm, rv, { weight: w, bias: b, training: true }).mul(g).sum().backward(),
    cross_entropy_fwdbwd: () => F.crossEntropy(x, target).backward(),
  }[spec.op];
  const params: Tensor[] = [x, w, b];
  return {
    batch: (inner) => {
      for (let i = 0; i < inner; i++) {
        torch.tidy(step);
        params.forEach((p) => {
          p.grad?.dispose();
          p.grad = null;
        });
      }
    },
    teardown: () => torch.dispose([x, g, w, b, rm, rv, target]),
  };
}
