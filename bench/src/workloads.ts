/**
 * The workloads, described as plain JSON so that bench/python/bench_torch.py runs exactly the
 * same list, and their torchts implementations. Every workload is a `batch(inner)` function that
 * runs the op `inner` times; timing.ts times batches the same way on both sides.
 */
import * as torch from 'torchts';
import type { Tensor } from 'torchts';
import { isAutogradOp, prepareAutograd } from './autograd-workloads.js';
import type { AutogradOp } from './autograd-workloads.js';
import { elementwiseWorkloads, isElementwiseOp, prepareElementwise } from './elementwise-workloads.js';
import type { ElementwiseOp } from './elementwise-workloads.js';
import { isOptimOp, prepareOptim } from './optim-workloads.js';
import type { OptimOp } from './optim-workloads.js';
import { isNormOp, normWorkloads, prepareNorm } from './norm-workloads.js';
import type { NormOp } from './norm-workloads.js';

export type Unit = 'us/op' | 'ms' | 's' | 'GB/s' | 'GFLOP/s';

/** The part both sides read. `op` names an implementation here and in bench_torch.py. */
export interface WorkloadSpec {
  id: string;
  label: string;
  op: 'add1' | 'add' | 'add_' | 'matmul' | 'mul_add_relu' | 'sum' | 'softmax' | 'conv2d' | 'conv2d_fwdbwd' | AutogradOp | ElementwiseOp | OptimOp | NormOp;
  /** `sum` only: the dim reduced (every element when absent). */
  dim?: number;
  /** `add1` only: how each result is freed in torchts (PyTorch frees by refcount either way). */
  variant?: 'disposed' | 'tidy';
  shape: number[];
  unit: Unit;
  /** Bytes moved (GB/s) or floating-point operations (GFLOP/s) per iteration. */
  work?: number;
  /** chain_backward: (mul, add) pairs in the chain; two_layer_autograd: training iterations. */
  steps?: number;
  /** A fixed batch length instead of calibrating one (per-op overhead). */
  fixedInner?: number;
  /** conv2d workloads: weight shape [Cout, Cin, kh, kw], padding, bias, whether the input requires grad. */
  conv?: { weight: number[]; padding: number; bias: boolean; inputGrad: boolean };
  /** torchts functions the workload needs; missing ones mark it "not available" in torchts. */
  requires: string[];
}

const M = 1 << 20;

export function allWorkloads(quick: boolean): WorkloadSpec[] {
  const calls = quick ? 20_000 : 100_000;
  const list: WorkloadSpec[] = [
    { id: 'add1.disposed', label: '1-element add, result disposed', op: 'add1', variant: 'disposed', shape: [1], unit: 'us/op', fixedInner: calls, requires: ['add'] },
    { id: 'add1.tidy', label: '1-element add, batch in tidy', op: 'add1', variant: 'tidy', shape: [1], unit: 'us/op', fixedInner: calls, requires: ['add', 'tidy'] },
    // 3 x 4 bytes per element: read a, read b, write the output (or a again, in place).
    { id: 'add1M.new', label: 'add 1M, new output', op: 'add', shape: [M], unit: 'GB/s', work: 12 * M, requires: ['add'] },
    { id: 'add1M.inplace', label: 'add 1M, in place (add_)', op: 'add_', shape: [M], unit: 'GB/s', work: 12 * M, requires: ['add'] },
    { id: 'add16M.new', label: 'add 16M, new output', op: 'add', shape: [16 * M], unit: 'GB/s', work: 12 * 16 * M, requires: ['add'] },
  ];
  for (const n of [128, 512, 1024]) {
    list.push({ id: `matmul${n}`, label: `matmul ${n}x${n}`, op: 'matmul', shape: [n, n], unit: 'GFLOP/s', work: 2 * n ** 3, requires: ['matmul'] });
  }
  list.push(
    { id: 'relu_fma1M', label: 'relu(a*b+c) 1M', op: 'mul_add_relu', shape: [M], unit: 'ms', requires: ['mul', 'add', 'relu'] },
    { id: 'relu_fma16M', label: 'relu(a*b+c) 16M', op: 'mul_add_relu', shape: [16 * M], unit: 'ms', requires: ['mul', 'add', 'relu'] },
    { id: 'sum1M', label: 'sum 1M', op: 'sum', shape: [M], unit: 'ms', requires: ['sum'] },
    { id: 'sum16M', label: 'sum 16M', op: 'sum', shape: [16 * M], unit: 'ms', requires: ['sum'] },
    { id: 'sumcols4096x256', label: 'sum(0) of [4096,256] (column sums)', op: 'sum', shape: [4096, 256], dim: 0, unit: 'ms', requires: ['sum'] },
    { id: 'softmax256x1000', label: 'softmax [256,1000] dim 1', op: 'softmax', shape: [256, 1000], unit: 'ms', requires: ['softmax'] },
  );
  list.push(...elementwiseWorkloads());
  list.push(...normWorkloads());
  // Convolutions (im2col + GEMM): LeNet's first layer and a ResNet block's 3x3 conv.
  const lenet = { weight: [6, 1, 5, 5], padding: 0, bias: true, inputGrad: false };
  const resnet = { weight: [64, 64, 3, 3], padding: 1, bias: false, inputGrad: true };
  list.push(
    { id: 'conv.lenet.fwd', label: 'conv2d [64,1,28,28] 6x5x5 forward', op: 'conv2d', shape: [64, 1, 28, 28], conv: lenet, unit: 'ms', requires: ['sum', 'tidy'] },
    { id: 'conv.lenet.fwdbwd', label: 'conv2d [64,1,28,28] 6x5x5 forward+backward', op: 'conv2d_fwdbwd', shape: [64, 1, 28, 28], conv: lenet, unit: 'ms', requires: ['sum', 'tidy'] },
    { id: 'conv.resnet.fwd', label: 'conv2d [32,64,32,32] 64x3x3 forward', op: 'conv2d', shape: [32, 64, 32, 32], conv: resnet, unit: 'ms', requires: ['sum', 'tidy'] },
    { id: 'conv.resnet.fwdbwd', label: 'conv2d [32,64,32,32] 64x3x3 forward+backward', op: 'conv2d_fwdbwd', shape: [32, 64, 32, 32], conv: resnet, unit: 'ms', requires: ['sum', 'tidy'] },
  );
  // Autograd (autograd-workloads.ts): recording, the backward engine, training.
  const netIterations = quick ? 100 : 500;
  list.push(
    { id: 'add1.grad', label: '1-element add, recording for autograd', op: 'add1_grad', shape: [1], unit: 'us/op', fixedInner: calls, requires: ['add'] },
    { id: 'chain1k.backward', label: '1k × (mul, add) on 1 element + backward', op: 'chain_backward', shape: [1], steps: 1000, unit: 'ms', requires: ['mul', 'add'] },
    // shape = [N, D_in, H, D_out]
    { id: 'twolayer.autograd', label: `two-layer net, autograd, ${netIterations} iterations`, op: 'two_layer_autograd', shape: [64, 1000, 100, 10], steps: netIterations, unit: 's', fixedInner: 1, requires: ['mm', 'clamp', 'pow', 'sum', 'randn', 'manualSeed'] },
  );
  // Optimizer steps and embedding (optim-workloads.ts). steps: embedding indices per iteration.
  list.push(
    { id: 'optim.adam1000x1000', label: 'Adam step, one [1000,1000] parameter', op: 'adam_step', shape: [1000, 1000], unit: 'ms', requires: ['tidy'] },
    { id: 'optim.rmsprop1000x1000', label: 'RMSprop step, one [1000,1000] parameter', op: 'rmsprop_step', shape: [1000, 1000], unit: 'ms', requires: ['tidy'] },
    { id: 'optim.sgd.lenet', label: 'SGD momentum step, LeNet-5 parameters', op: 'sgd_momentum_step', shape: [61706], unit: 'ms', requires: ['tidy'] },
    { id: 'embedding.fwdbwd', label: 'embedding [10000,128], 4096 indices, forward+backward', op: 'embedding_fwdbwd', shape: [10000, 128], steps: 4096, unit: 'ms', requires: ['tidy'] },
    { id: 'mlp.fwdbwd', label: 'MLP 784-128-10 (Sequential, Linear+ReLU fused), batch 64, fwd+bwd', op: 'mlp_fwdbwd', shape: [64, 784, 128, 10], unit: 'ms', requires: ['tidy'] },
  );
  return list;
}

/** Higher is better for throughputs, lower for times. */
export function higherIsBetter(unit: Unit): boolean {
  return unit === 'GB/s' || unit === 'GFLOP/s';
}

/** Converts seconds per iteration to the workload's unit. */
export function toUnit(spec: WorkloadSpec, secondsPerIter: number): number {
  switch (spec.unit) {
    case 'us/op': return secondsPerIter * 1e6;
    case 'ms': return secondsPerIter * 1e3;
    case 's': return secondsPerIter;
    case 'GB/s':
    case 'GFLOP/s': return (spec.work ?? 0) / secondsPerIter / 1e9;
  }
}

// ---- torchts implementations ------------------------------------------------------------------

type OpFn = (...args: unknown[]) => Tensor;
const api = torch as unknown as Record<string, unknown>;

/** A torchts function looked up at run time, so the bench builds before every op exists. */
export function torchtsFunction(name: string): OpFn | undefined {
  const f = api[name];
  return typeof f === 'function' ? (f as OpFn) : undefined;
}

export function missingFunctions(spec: WorkloadSpec): string[] {
  return spec.requires.filter((name) => !torchtsFunction(name));
}

/**
 * Deterministic inputs, the same pattern as bench_torch.py's `pattern`: values in [-1, 1) from
 * ((i + seed) * 7919) mod 1000, so no NaN, denormal or sign bias can favour either side.
 */
export function patternTensor(shape: number[], seed: number): Tensor {
  const n = shape.reduce((p, s) => p * s, 1);
  const data = new Float32Array(n);
  for (let i = 0; i < n; i++) data[i] = (((i + seed) * 7919) % 1000) / 500 - 1;
  return torch.fromTypedArray(data, shape);
}

export interface Prepared {
  batch(inner: number): void;
  /** Frees the inputs; memory after teardown must equal memory before setup. */
  teardown(): void;
}

function fn(name: string): OpFn {
  const f = torchtsFunction(name);
  if (!f) throw new Error(`torchts has no torch.${name}`);
  return f;
}

/**
 * conv2d forward, or forward + backward of its sum (weight and bias require grad, and the input
 * where `inputGrad`); gradients are freed after each iteration.
 */
function prepareConv(spec: WorkloadSpec): Prepared {
  const { weight, padding, bias, inputGrad } = spec.conv!;
  const backward = spec.op === 'conv2d_fwdbwd';
  const x = patternTensor(spec.shape, 1);
  const w = patternTensor(weight, 2).mul_(0.1);
  const b = bias ? patternTensor([weight[0]!], 3) : null;
  if (backward) {
    w.requiresGrad_();
    b?.requiresGrad_();
    if (inputGrad) x.requiresGrad_();
  }
  const params = [x, w, ...(b ? [b] : [])];
  return {
    batch: (inner) => {
      for (let i = 0; i < inner; i++) {
        torch.tidy(() => {
          const out = torch.nn.functional.conv2d(x, w, b, 1, padding);
          if (backward) out.sum().backward();
        });
        if (backward) {
          for (const p of params) {
            p.grad?.dispose();
            p.grad = null;
          }
        }
      }
    },
    teardown: () => torch.dispose(params),
  };
}

export function prepareTorchts(spec: WorkloadSpec): Prepared {
  if (isAutogradOp(spec.op)) return prepareAutograd(spec as WorkloadSpec & { op: AutogradOp });
  if (isElementwiseOp(spec.op)) return prepareElementwise(spec as WorkloadSpec & { op: ElementwiseOp });
  if (isOptimOp(spec.op)) return prepareOptim(spec as WorkloadSpec & { op: OptimOp });
  if (isNormOp(spec.op)) return prepareNorm(spec as WorkloadSpec & { op: NormOp });
  if (spec.op === 'conv2d' || spec.op === 'conv2d_fwdbwd') return prepareConv(spec);
  const a = patternTensor(spec.shape, 1);
  const b = patternTensor(spec.shape, 2);
  const c = patternTensor(spec.shape, 3);
  const teardown = (): void => torch.dispose([a, b, c]);
  switch (spec.op) {
    case 'add1':
      if (spec.variant === 'tidy') {
        return {
          batch: (inner) => torch.tidy(() => {
            for (let i = 0; i < inner; i++) a.add(b);
          }),
          teardown,
        };
      }
      return {
        batch: (inner) => {
          for (let i = 0; i < inner; i++) a.add(b).dispose();
        },
        teardown,
      };
    case 'add':
      return {
        batch: (inner) => {
          for (let i = 0; i < inner; i++) a.add(b).dispose();
        },
        teardown,
      };
    case 'add_':
      return {
        batch: (inner) => {
          for (let i = 0; i < inner; i++) a.add_(b);
        },
        teardown,
      };
    case 'matmul': {
      const matmul = fn('matmul');
      return {
        batch: (inner) => {
          for (let i = 0; i < inner; i++) matmul(a, b).dispose();
        },
        teardown,
      };
    }
    case 'mul_add_relu': {
      const relu = fn('relu');
      return {
        batch: (inner) => {
          for (let i = 0; i < inner; i++) {
            const ab = a.mul(b);
            const abc = ab.add(c);
            ab.dispose();
            relu(abc).dispose();
            abc.dispose();
          }
        },
        teardown,
      };
    }
    case 'sum': {
      const sum = fn('sum');
      return {
        batch: (inner) => {
          for (let i = 0; i < inner; i++) (spec.dim === undefined ? sum(a) : sum(a, spec.dim)).dispose();
        },
        teardown,
      };
    }
    case 'softmax': {
      const softmax = fn('softmax');
      return {
        batch: (inner) => {
          for (let i = 0; i < inner; i++) softmax(a, 1).dispose();
        },
        teardown,
      };
    }
  }
}
