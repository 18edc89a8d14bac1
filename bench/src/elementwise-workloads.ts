/**
 * Elementwise workloads beyond add/mul/relu, the torchts side (bench_torch.py's
 * `prepare_elementwise` is the PyTorch side): transcendental activations (compute bound), a bool
 * mask times a float tensor (mixed dtypes) and clamp with scalar bounds, each on 1M float32
 * elements with a new output per call.
 */
import * as torch from 'torchts';
import type { Tensor } from 'torchts';
import { patternTensor } from './workloads.js';
import type { Prepared, WorkloadSpec } from './workloads.js';

export const ELEMENTWISE_OPS = ['exp', 'sigmoid', 'tanh', 'mask_mul', 'clamp'] as const;
export type ElementwiseOp = (typeof ELEMENTWISE_OPS)[number];

export function isElementwiseOp(op: string): op is ElementwiseOp {
  return (ELEMENTWISE_OPS as readonly string[]).includes(op);
}

const M = 1 << 20;

export function elementwiseWorkloads(): WorkloadSpec[] {
  return [
    { id: 'exp1M', label: 'exp 1M', op: 'exp', shape: [M], unit: 'ms', requires: ['exp'] },
    { id: 'sigmoid1M', label: 'sigmoid 1M', op: 'sigmoid', shape: [M], unit: 'ms', requires: ['sigmoid'] },
    { id: 'tanh1M', label: 'tanh 1M', op: 'tanh', shape: [M], unit: 'ms', requires: ['tanh'] },
    { id: 'mask_mul1M', label: 'bool mask * x 1M', op: 'mask_mul', shape: [M], unit: 'ms', requires: ['mul', 'gt'] },
    { id: 'clamp1M', label: 'clamp(x, -0.5, 0.5) 1M', op: 'clamp', shape: [M], unit: 'ms', requires: ['clamp'] },
  ];
}

export function prepareElementwise(spec: WorkloadSpec & { op: ElementwiseOp }): Prepared {
  const a = patternTensor(spec.shape, 1);
  const mask = torch.tidy(() => patternTensor(spec.shape, 2).gt(0));
  const run: Record<ElementwiseOp, () => Tensor> = {
    exp: () => a.exp(),
    sigmoid: () => a.sigmoid(),
    tanh: () => a.tanh(),
    mask_mul: () => mask.mul(a),
    clamp: () => torch.clamp(a, -0.5, 0.5),
  };
  const op = run[spec.op];
  return {
    batch: (inner) => {
      for (let i = 0; i < inner; i++) op().dispose();
    },
    teardown: () => torch.dispose([a, mask]),
  };
}
