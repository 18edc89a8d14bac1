/**
 * Pooling functions of `nn.functional`: max/avg pooling (1-3d), adaptive max/avg pooling,
 * LP pooling (a composite over avg pooling) and max unpooling (a scatter by the max indices).
 * The pooling itself is core's pool ops (one N-d kernel with its derivatives).
 */
import { RuntimeError, Tensor, adaptiveAvgPoolNd, adaptiveMaxPoolNd, avgPoolNd, maxPoolNd, poolTuple, tidy, zeros } from '@torchts/core';
import type { AvgPoolOptions, MaxPoolOptions } from '@torchts/core';

export type { AvgPoolOptions, MaxPoolOptions };
export interface MaxPoolFnOptions extends MaxPoolOptions {
  returnIndices?: boolean;
}
type OutputSize = number | null | Array<number | null>;
export type ValuesIndices = Tensor[] & { values: Tensor; indices: Tensor };

function maxPool(nd: number, input: Tensor, kernelSize: number | number[], opts: MaxPoolFnOptions = {}): Tensor | ValuesIndices {
  const r = maxPoolNd(input, nd, kernelSize, opts) as ValuesIndices;
  if (opts.returnIndices) return r;
  if (!r[0]!.requiresGrad) r[1]!.dispose(); // kept when autograd saved it for backward
  return r[0]!;
}

export function maxPool1d(input: Tensor, kernelSize: number | number[], opts: MaxPoolFnOptions & { returnIndices: true }): ValuesIndices;
export function maxPool1d(input: Tensor, kernelSize: number | number[], opts?: MaxPoolFnOptions): Tensor;
export function maxPool1d(input: Tensor, kernelSize: number | number[], opts?: MaxPoolFnOptions): Tensor | ValuesIndices {
  return maxPool(1, input, kernelSize, opts);
}
export function maxPool2d(input: Tensor, kernelSize: number | number[], opts: MaxPoolFnOptions & { returnIndices: true }): ValuesIndices;
export function maxPool2d(input: Tensor, kernelSize: number | number[], opts?: MaxPoolFnOptions): Tensor;
export function maxPool2d(input: Tensor, kernelSize: number | number[], opts?: MaxPoolFnOptions): Tensor | ValuesIndices {
  return maxPool(2, input, kernelSize, opts);
}
export function maxPool3d(input: Tensor, kernelSize: number | number[], opts: MaxPoolFnOptions & { returnIndices: true }): ValuesIndices;
export function maxPool3d(input: Tensor, kernelSize: number | number[], opts?: MaxPoolFnOptions): Tensor;
export function maxPool3d(input: Tensor, kernelSize: number | number[], opts?: MaxPoolFnOptions): Tensor | ValuesIndices {
  return maxPool(3, input, kernelSize, opts);
}

export const maxPool1dWithIndices = (input: Tensor, kernelSize: number | number[], opts?: MaxPoolOptions): ValuesIndices => maxPoolNd(input, 1, kernelSize, opts) as ValuesIndices;
export const maxPool2dWithIndices = (input: Tensor, kernelSize: number | number[], opts?: MaxPoolOptions): ValuesIndices => maxPoolNd(input, 2, kernelSize, opts) as ValuesIndices;
export const maxPool3dWithIndices = (input: Tensor, kernelSize: number | number[], opts?: MaxPoolOptions): ValuesIndices => maxPoolNd(input, 3, kernelSize, opts) as ValuesIndices;

export function avgPool1d(input: Tensor, kernelSize: number | number[], opts?: AvgPoolOptions): Tensor {
  if (opts?.divisorOverride !== undefined && opts.divisorOverride !== null) {
    throw new TypeError("avg_pool1d(): got an unexpected keyword argument 'divisorOverride'");
  }
  return avgPoolNd(input, 1, kernelSize, opts);
}
export const avgPool2d = (input: Tensor, kernelSize: number | number[], opts?: AvgPoolOptions): Tensor => avgPoolNd(input, 2, kernelSize, opts);
export const avgPool3d = (input: Tensor, kernelSize: number | number[], opts?: AvgPoolOptions): Tensor => avgPoolNd(input, 3, kernelSize, opts);

export const adaptiveAvgPool1d = (input: Tensor, outputSize: OutputSize): Tensor => adaptiveAvgPoolNd(input, 1, outputSize);
export const adaptiveAvgPool2d = (input: Tensor, outputSize: OutputSize): Tensor => adaptiveAvgPoolNd(input, 2, outputSize);
export const adaptiveAvgPool3d = (input: Tensor, outputSize: OutputSize): Tensor => adaptiveAvgPoolNd(input, 3, outputSize);

function adaptiveMax(nd: number, input: Tensor, outputSize: OutputSize, returnIndices: boolean): Tensor | ValuesIndices {
  const r = adaptiveMaxPoolNd(input, nd, outputSize) as ValuesIndices;
  if (returnIndices) return r;
  if (!r[0]!.requiresGrad) r[1]!.dispose();
  return r[0]!;
}
export function adaptiveMaxPool1d(input: Tensor, outputSize: OutputSize, opts: { returnIndices: true }): ValuesIndices;
export function adaptiveMaxPool1d(input: Tensor, outputSize: OutputSize, opts?: { returnIndices?: boolean }): Tensor;
export function adaptiveMaxPool1d(input: Tensor, outputSize: OutputSize, opts: { returnIndices?: boolean } = {}): Tensor | ValuesIndices {
  return adaptiveMax(1, input, outputSize, opts.returnIndices ?? false);
}
export function adaptiveMaxPool2d(input: Tensor, outputSize: OutputSize, opts: { returnIndices: true }): ValuesIndices;
export function adaptiveMaxPool2d(input: Tensor, outputSize: OutputSize, opts?: { returnIndices?: boolean }): Tensor;
export function adaptiveMaxPool2d(input: Tensor, outputSize: OutputSize, opts: { returnIndices?: boolean } = {}): Tensor | ValuesIndices {
  return adaptiveMax(2, input, outputSize, opts.returnIndices ?? false);
}

/**
 * lp_pool{1,2}d as PyTorch writes it: (sign(a) * relu(|a|)) ** (1/p) * kw*kh where a is the
 * average pooling of x**p (so the sum of x**p over each window).
 */
function lpPool(nd: number, input: Tensor, normType: number, kernelSize: number | number[], opts: { stride?: number | number[] | null; ceilMode?: boolean }): Tensor {
  const k = poolTuple(`lp_pool${nd}d`, 'kernel_size', kernelSize, nd, null);
  const count = k.reduce((a, b) => a * b, 1);
  return tidy(() => {
    const powered = input.pow(normType);
    const avg = avgPoolNd(powered, nd, k, { stride: opts.stride ?? null, padding: 0, ceilMode: opts.ceilMode ?? false });
    return avg.sign().mul(avg.abs().relu()).mul(count).pow(1 / normType);
  });
}
export const lpPool1d = (input: Tensor, normType: number, kernelSize: number | number[], opts: { stride?: number | number[] | null; ceilMode?: boolean } = {}): Tensor => lpPool(1, input, normType, kernelSize, opts);
export const lpPool2d = (input: Tensor, normType: number, kernelSize: number | number[], opts: { stride?: number | number[] | null; ceilMode?: boolean } = {}): Tensor => lpPool(2, input, normType, kernelSize, opts);

export interface MaxUnpoolOptions {
  stride?: number | number[] | null;
  padding?: number | number[];
  outputSize?: number[] | null;
}

/** Default output size of max_unpool: (in - 1) * stride - 2 * padding + kernel, or a given size. */
function unpoolSize(name: string, input: Tensor, nd: number, k: number[], s: number[], p: number[], outputSize: number[] | null | undefined): number[] {
  const inSize = input.shape.slice(-nd);
  const dflt = inSize.map((n, i) => (n - 1) * s[i]! - 2 * p[i]! + k[i]!);
  if (!outputSize) return dflt;
  const given = outputSize.length === nd + 2 || outputSize.length === input.ndim ? outputSize.slice(-nd) : outputSize;
  if (given.length !== nd) throw new RuntimeError(`${name}: output_size must have ${nd} or ${nd + 2} elements (got ${outputSize.length})`);
  for (let i = 0; i < nd; i++) {
    const lo = dflt[i]! - s[i]!, hi = dflt[i]! + s[i]!;
    if (given[i]! <= lo || given[i]! >= hi) {
      throw new RuntimeError(`${name}: invalid output_size "[${given.join(', ')}]" (dim ${i} must be between ${lo} and ${hi})`);
    }
  }
  return [...given];
}

/** max_unpool{nd}d: scatters each value to its flat index in a zero tensor of the unpooled size. */
function maxUnpool(nd: number, input: Tensor, indices: Tensor, kernelSize: number | number[], opts: MaxUnpoolOptions): Tensor {
  const name = `max_unpool${nd}d`;
  const k = poolTuple(name, 'kernel_size', kernelSize, nd, null);
  const s = poolTuple(name, 'stride', opts.stride, nd, k);
  const p = poolTuple(name, 'padding', opts.padding ?? 0, nd, null);
  if (indices.dtype !== 'int64') throw new RuntimeError(`elements in indices should be type int64 but got: ${indices.dtype}`);
  if (input.shape.join() !== indices.shape.join()) {
    throw new RuntimeError(`Expected shape of indices to be same as that of the input tensor ([${input.shape.join(', ')}]) but got indices tensor with shape: [${indices.shape.join(', ')}]`);
  }
  if (input.ndim !== nd + 1 && input.ndim !== nd + 2) throw new RuntimeError(`${name}: Input to max_unpooling${nd}d should be a ${nd + 1}d or ${nd + 2}d Tensor, but got a tensor with ${input.ndim} dimensions.`);
  const out = unpoolSize(name, input, nd, k, s, p, opts.outputSize);
  const lead = input.shape.slice(0, input.ndim - nd);
  const plane = out.reduce((a, b) => a * b, 1);
  const maxIdx = indices.numel() ? indices.max().item() : 0;
  if (indices.numel() && (maxIdx >= plane || indices.min().item() < 0)) {
    throw new RuntimeError(`Found an invalid max index: ${maxIdx >= plane ? maxIdx : indices.min().item()} (output volumes are of size ${out.join('x')}`);
  }
  return tidy(() => {
    const flat = zeros([...lead, plane], { dtype: input.dtype, device: input.device });
    return flat.scatter(lead.length, indices.reshape([...lead, -1]), input.reshape([...lead, -1])).reshape([...lead, ...out]);
  });
}
export const maxUnpool1d = (input: Tensor, indices: Tensor, kernelSize: number | number[], opts: MaxUnpoolOptions = {}): Tensor => maxUnpool(1, input, indices, kernelSize, opts);
export const maxUnpool2d = (input: Tensor, indices: Tensor, kernelSize: number | number[], opts: MaxUnpoolOptions = {}): Tensor => maxUnpool(2, input, indices, kernelSize, opts);
export const maxUnpool3d = (input: Tensor, indices: Tensor, kernelSize: number | number[], opts: MaxUnpoolOptions = {}): Tensor => maxUnpool(3, input, indices, kernelSize, opts);
