/**
 * nn.utils.fusion: folds an eval-mode BatchNorm into the preceding convolution or linear layer
 * (torch.nn.utils.fusion). The fused layer is a copy of the conv/linear with new weight and bias.
 */
import * as core from '@torchts/core';
import { RuntimeError, Tensor } from '@torchts/core';
import { noGrad } from '@torchts/autograd';
import { Module } from './module.js';
import { Parameter, isParameter } from './parameter.js';
import { withTemps } from './functional/temps.js';

/** The BatchNorm fields fusion reads. */
export interface BatchNormLike extends Module {
  eps: number;
  weight: Tensor | null;
  bias: Tensor | null;
}
/** A conv or linear layer: a `weight` and an optional `bias`. */
export interface WeightBiasModule extends Module {
  weight: Tensor;
  bias: Tensor | null;
}

function runningStats(bn: BatchNormLike): [Tensor, Tensor] {
  const f = bn as unknown as { running_mean: Tensor | null; running_var: Tensor | null };
  if (!f.running_mean || !f.running_var) throw new RuntimeError('fusion: the batch norm layer must track running statistics (trackRunningStats: true)');
  return [f.running_mean, f.running_var];
}

/** torch.nn.utils.fusion.fuse_conv_bn_weights: the fused (weight, bias) Parameters. */
export function fuseConvBnWeights(
  convW: Tensor, convB: Tensor | null, bnRm: Tensor, bnRv: Tensor, bnEps: number, bnW: Tensor | null, bnB: Tensor | null, transpose = false,
): [Tensor, Tensor] {
  const [w, b] = noGrad(() => withTemps((t) => {
    const cb = convB ?? t(core.zerosLike(bnRm));
    const bw = bnW ?? t(core.onesLike(bnRm));
    const bb = bnB ?? t(core.zerosLike(bnRm));
    const rsqrt = t(t(bnRv.add(bnEps)).rsqrt());
    const shape = transpose ? [1, -1, ...Array<number>(convW.ndim - 2).fill(1)] : [-1, 1, ...Array<number>(convW.ndim - 2).fill(1)];
    const fusedW = convW.mul(t(t(bw.mul(rsqrt)).reshape(shape)));
    const fusedB = t(t(t(cb.sub(bnRm)).mul(rsqrt)).mul(bw)).add(bb);
    return [fusedW, fusedB] as const;
  }));
  return [Parameter(w), Parameter(b)];
}

/** torch.nn.utils.fusion.fuse_linear_bn_weights: the fused (weight, bias) Parameters. */
export function fuseLinearBnWeights(
  linearW: Tensor, linearB: Tensor | null, bnRm: Tensor, bnRv: Tensor, bnEps: number, bnW: Tensor, bnB: Tensor,
): [Tensor, Tensor] {
  const [w, b] = noGrad(() => withTemps((t) => {
    const lb = linearB ?? t(core.zerosLike(bnRm));
    const scale = t(bnW.mul(t(t(bnRv.add(bnEps)).rsqrt())));
    const fusedW = linearW.mul(t(scale.unsqueeze(-1)));
    const fusedB = t(t(lb.sub(bnRm)).mul(scale)).add(bnB);
    return [fusedW, fusedB] as const;
  }));
  return [Parameter(w), Parameter(b)];
}

/**
 * A copy of `m` (same class and settings) whose parameters and buffers are fresh clones, without
 * hooks: enough for conv and linear layers, whose other fields are plain settings.
 */
function copyLayer<M extends Module>(m: M): M {
  const copy = Object.create(Object.getPrototypeOf(m)) as M;
  const src = m as unknown as Record<string, unknown>;
  const dst = copy as unknown as Record<string, unknown>;
  for (const key of Object.keys(src)) {
    const v = src[key];
    if (v instanceof Map) dst[key] = key === '_buffers' ? new Map() : key.endsWith('Hooks') ? new Map() : new Map(v);
    else if (v instanceof Set) dst[key] = new Set(v);
    else if (v instanceof Module) throw new RuntimeError(`fusion: cannot copy ${m.constructor.name}: it has submodule '${key}'`);
    else if (isParameter(v)) dst[key] = Parameter(noGrad(() => v.detach().clone()), v.requiresGrad);
    else if (v instanceof Tensor) throw new RuntimeError(`fusion: cannot copy ${m.constructor.name}: field '${key}' is a computed tensor (remove weight/spectral norm first)`);
    else dst[key] = Array.isArray(v) ? [...v] : v;
  }
  const buffers = (m as unknown as { _buffers: Map<string, Tensor | null>; _nonPersistent: Set<string> });
  for (const [k, b] of buffers._buffers) copy.registerBuffer(k, b ? noGrad(() => b.clone()) : null, !buffers._nonPersistent.has(k));
  return copy;
}

function requireEval(a: Module, b: Module): void {
  if (a.training || b.training) throw new RuntimeError('Fusion only for eval!');
}

/** torch.nn.utils.fusion.fuse_conv_bn_eval(conv, bn, transpose): a conv computing conv then bn (both in eval mode). */
export function fuseConvBnEval<M extends WeightBiasModule>(conv: M, bn: BatchNormLike, transpose = false): M {
  requireEval(conv, bn);
  const [rm, rv] = runningStats(bn);
  const fused = copyLayer(conv);
  const [w, b] = fuseConvBnWeights(fused.weight, fused.bias, rm, rv, bn.eps, bn.weight, bn.bias, transpose);
  fused.weight.dispose();
  fused.bias?.dispose();
  fused.weight = w;
  fused.bias = b;
  return fused;
}

/** torch.nn.utils.fusion.fuse_linear_bn_eval(linear, bn): a linear layer computing linear then bn (both in eval mode). */
export function fuseLinearBnEval<M extends WeightBiasModule>(linear: M, bn: BatchNormLike): M {
  requireEval(linear, bn);
  const [rm, rv] = runningStats(bn);
  if (!bn.weight || !bn.bias) throw new RuntimeError('fuse_linear_bn_eval: the batch norm layer must be affine');
  const fused = copyLayer(linear);
  const [w, b] = fuseLinearBnWeights(fused.weight, fused.bias, rm, rv, bn.eps, bn.weight, bn.bias);
  fused.weight.dispose();
  fused.bias?.dispose();
  fused.weight = w;
  fused.bias = b;
  return fused;
}
