/**
 * Normalisation functions of `nn.functional`. batch_norm, instance_norm, layer_norm and group_norm
 * run the fused core ops (nativeBatchNorm / nativeLayerNorm / nativeGroupNorm: one kernel forward,
 * one backward op); rms_norm and local_response_norm are composites of core ops. Running
 * statistics are updated in place (no grad), like PyTorch's: running = (1 - momentum) * running +
 * momentum * batch, with the unbiased batch variance.
 */
import { RuntimeError, Tensor, ValueError, avgPoolNd, nativeBatchNorm, nativeGroupNorm, nativeLayerNorm, pad, tidy } from '@torchts/core';
import type { DType } from '@torchts/core';
import { noGrad } from '@torchts/autograd';

export interface BatchNormOptions {
  weight?: Tensor | null;
  bias?: Tensor | null;
  training?: boolean;
  momentum?: number;
  eps?: number;
}

function checkChannelVector(name: string, what: string, t: Tensor | null | undefined, c: number): void {
  if (t && (t.ndim !== 1 || t.shape[0] !== c)) {
    throw new RuntimeError(`${name}: expected ${what} to have ${c} elements, but got a tensor of shape [${t.shape.join(', ')}]`);
  }
}

/** The first output of a fused norm op; its statistics outputs are freed (autograd keeps its own aliases). */
function firstOf(outputs: Tensor[]): Tensor {
  outputs.slice(1).forEach((t) => t.dispose());
  return outputs[0]!;
}

export function batchNorm(input: Tensor, runningMean: Tensor | null, runningVar: Tensor | null, opts: BatchNormOptions = {}): Tensor {
  const { weight, bias } = opts;
  const training = opts.training ?? false;
  const momentum = opts.momentum ?? 0.1;
  const eps = opts.eps ?? 1e-5;
  if (input.ndim < 2) throw new ValueError(`batch_norm: expected 2D or higher input (got ${input.ndim}D input)`);
  const c = input.shape[1]!;
  for (const [what, t] of [['running_mean', runningMean], ['running_var', runningVar], ['weight', weight], ['bias', bias]] as const) {
    checkChannelVector('batch_norm', what, t, c);
  }
  if (training) {
    const count = input.numel() / c;
    if (count <= 1) throw new ValueError(`Expected more than 1 value per channel when training, got input size [${input.shape.join(', ')}]`);
  } else if (!runningMean || !runningVar) {
    throw new RuntimeError('batch_norm: running_mean and running_var must be defined in evaluation mode');
  }
  return firstOf(nativeBatchNorm(input, weight, bias, runningMean, runningVar, training, momentum, eps));
}

export interface InstanceNormOptions {
  runningMean?: Tensor | null;
  runningVar?: Tensor | null;
  weight?: Tensor | null;
  bias?: Tensor | null;
  useInputStats?: boolean;
  momentum?: number;
  eps?: number;
}

/**
 * instance_norm: each (sample, channel) is normalised over its own spatial dims. With running
 * buffers and input statistics, the buffers take the batch average of the per-instance updates
 * (PyTorch runs batch_norm on a (1, N*C, *) view and averages the N copies of the buffers).
 */
export function instanceNorm(input: Tensor, opts: InstanceNormOptions = {}): Tensor {
  const { runningMean, runningVar, weight, bias } = opts;
  const useInputStats = opts.useInputStats ?? true;
  const momentum = opts.momentum ?? 0.1;
  const eps = opts.eps ?? 1e-5;
  if (input.ndim < 3) throw new ValueError(`instance_norm: expected 3D or higher input (got ${input.ndim}D input)`);
  const c = input.shape[1]!;
  for (const [what, t] of [['running_mean', runningMean], ['running_var', runningVar], ['weight', weight], ['bias', bias]] as const) {
    checkChannelVector('instance_norm', what, t, c);
  }
  if (useInputStats) {
    const count = input.shape.slice(2).reduce((a, b) => a * b, 1);
    if (count <= 1) throw new ValueError(`Expected more than 1 spatial element when training, got input size [${input.shape.join(', ')}]`);
  } else if (!runningMean || !runningVar) {
    throw new RuntimeError('instance_norm: Expected running_mean and running_var to be defined when use_input_stats is false');
  }
  // PyTorch's way: batch norm of the (1, N*C, *) view with weight, bias and buffers repeated N
  // times; the N updated copies of each buffer are then averaged into it.
  const n = input.shape[0]!;
  return tidy(() => {
    const rep = (t: Tensor | null | undefined): Tensor | null => (t ? t.repeat([n]) : null);
    const rm = rep(runningMean), rv = rep(runningVar);
    const x = input.reshape([1, n * c, ...input.shape.slice(2)]);
    const out = firstOf(nativeBatchNorm(x, rep(weight), rep(bias), rm, rv, useInputStats, momentum, eps)).reshape([...input.shape]);
    noGrad(() => {
      if (runningMean && rm) runningMean.copy_(rm.reshape([n, c]).mean(0));
      if (runningVar && rv) runningVar.copy_(rv.reshape([n, c]).mean(0));
    });
    return out;
  });
}

function checkNormalizedShape(name: string, input: Tensor, normalizedShape: number[]): number[] {
  const k = normalizedShape.length;
  const tail = input.shape.slice(input.ndim - k);
  if (k === 0 || input.ndim < k || tail.join() !== normalizedShape.join()) {
    throw new RuntimeError(`Given normalized_shape=[${normalizedShape.join(', ')}], expected input with shape [*, ${normalizedShape.join(', ')}], but got input of size[${input.shape.join(', ')}]`);
  }
  return Array.from({ length: k }, (_, i) => input.ndim - k + i);
}

function checkAffine(name: string, what: string, t: Tensor | null | undefined, normalizedShape: number[]): void {
  if (t && t.shape.join() !== normalizedShape.join()) {
    throw new RuntimeError(`Expected ${what} to be of same shape as normalized_shape, but got ${what} of shape [${t.shape.join(', ')}] and normalized_shape = [${normalizedShape.join(', ')}]`);
  }
  void name;
}

const asShape = (s: number | number[]): number[] => (typeof s === 'number' ? [s] : [...s]);

export function layerNorm(input: Tensor, normalizedShape: number | number[], opts: { weight?: Tensor | null; bias?: Tensor | null; eps?: number } = {}): Tensor {
  const ns = asShape(normalizedShape);
  checkNormalizedShape('layer_norm', input, ns);
  checkAffine('layer_norm', 'weight', opts.weight, ns);
  checkAffine('layer_norm', 'bias', opts.bias, ns);
  return firstOf(nativeLayerNorm(input, ns, opts.weight, opts.bias, opts.eps ?? 1e-5));
}

export function groupNorm(input: Tensor, numGroups: number, opts: { weight?: Tensor | null; bias?: Tensor | null; eps?: number } = {}): Tensor {
  if (input.ndim < 2) throw new RuntimeError(`Expected at least 2 dimensions for input tensor but received ${input.ndim}`);
  const [n, c] = input.shape as [number, number];
  if (c % numGroups !== 0) {
    throw new RuntimeError(`Expected number of channels in input to be divisible by num_groups, but got input of shape [${input.shape.join(', ')}] and num_groups=${numGroups}`);
  }
  checkChannelVector('group_norm', 'weight', opts.weight, c);
  checkChannelVector('group_norm', 'bias', opts.bias, c);
  const hw = input.shape.slice(2).reduce((a, b) => a * b, 1);
  return firstOf(nativeGroupNorm(input, opts.weight, opts.bias, n, c, hw, numGroups, opts.eps ?? 1e-5));
}

const EPS: Partial<Record<DType, number>> = { float64: 2.220446049250313e-16, float32: 1.1920928955078125e-7, float16: 0.0009765625, bfloat16: 0.0078125 };

/** rms_norm: x / sqrt(mean(x^2) + eps) * weight; eps null means the dtype's machine epsilon. */
export function rmsNorm(input: Tensor, normalizedShape: number | number[], opts: { weight?: Tensor | null; eps?: number | null } = {}): Tensor {
  const ns = asShape(normalizedShape);
  const dims = checkNormalizedShape('rms_norm', input, ns);
  checkAffine('rms_norm', 'weight', opts.weight, ns);
  const eps = opts.eps ?? EPS[input.dtype];
  if (eps === undefined) throw new RuntimeError(`rms_norm: expected a floating point input, got ${input.dtype}`);
  return tidy(() => {
    const out = input.mul(input.pow(2).mean(dims, { keepdim: true }).add(eps).rsqrt());
    return opts.weight ? out.mul(opts.weight) : out;
  });
}

/** local_response_norm, written as PyTorch writes it (average of squares across channels). */
export function localResponseNorm(input: Tensor, size: number, opts: { alpha?: number; beta?: number; k?: number } = {}): Tensor {
  const alpha = opts.alpha ?? 1e-4, beta = opts.beta ?? 0.75, k = opts.k ?? 1;
  const dim = input.ndim;
  if (dim < 3) throw new ValueError(`Expected 3D or higher dimensionality input (got ${dim} dimensions)`);
  if (input.numel() === 0) return input.clone();
  return tidy(() => {
    let div = input.mul(input).unsqueeze(1);
    if (dim === 3) {
      div = pad(div, [0, 0, Math.floor(size / 2), Math.floor((size - 1) / 2)]);
      div = avgPoolNd(div, 2, [size, 1], { stride: 1 }).squeeze(1);
    } else {
      const sizes = input.shape;
      div = div.reshape([sizes[0]!, 1, sizes[1]!, sizes[2]!, -1]);
      div = pad(div, [0, 0, 0, 0, Math.floor(size / 2), Math.floor((size - 1) / 2)]);
      div = avgPoolNd(div, 3, [size, 1, 1], { stride: 1 }).squeeze(1).reshape([...sizes]);
    }
    return input.div(div.mul(alpha).add(k).pow(beta));
  });
}
