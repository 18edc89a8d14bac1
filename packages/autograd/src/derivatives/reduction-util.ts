/**
 * Helpers shared by the reduction derivatives: putting reduced dims back into a gradient,
 * scattering a gradient to selected indices, splitting it evenly among ties. They leave their
 * temporaries to the caller's `tidy` (every backward with temporaries runs inside one).
 */
import { zeros } from '@torchts/core';
import type { DType, Tensor } from '@torchts/core';

/** What a backward needs to know of an input whose values it does not use. */
export interface InputMeta {
  shape: number[];
  dtype: DType;
  device: string;
}

export function inputMeta(t: unknown): InputMeta {
  const x = t as Tensor;
  return { shape: [...x.shape], dtype: x.dtype, device: x.device };
}

/** The input's shape with the reduced dims kept as size 1. */
export function keptShape(shape: readonly number[], dims: readonly number[]): number[] {
  return shape.map((s, d) => (dims.includes(d) ? 1 : s));
}

/**
 * A reduction's output (or its gradient) with the reduced dims back as size 1, so it broadcasts
 * against the input. A 0-d input's output is 0-d already.
 */
export function restoreDims(t: Tensor, shape: readonly number[], dims: readonly number[], keepdim: boolean): Tensor {
  return keepdim || shape.length === 0 ? t : t.reshape(keptShape(shape, dims));
}

/** The gradient of a sum-like reduction: the output gradient repeated over the reduced dims. */
export function expandBack(g: Tensor, shape: readonly number[], dims: readonly number[], keepdim: boolean): Tensor {
  return restoreDims(g, shape, dims, keepdim).expand([...shape]);
}

/** How many input elements each output element reduces. */
export function reducedCount(shape: readonly number[], dims: readonly number[]): number {
  return dims.reduce((n, d) => n * shape[d]!, 1);
}

/** `g` in `dtype` (the input's), as PyTorch's engine casts gradients to their input's dtype. */
export function castTo(g: Tensor, dtype: DType): Tensor {
  return g.dtype === dtype ? g : g.to(dtype);
}

/**
 * PyTorch's value_selecting_reduction_backward: zeros of the input's shape with `g` written at
 * `indices` along `dim` (max/min with dim, sort, topk, kthvalue, median, mode).
 */
export function scatterBack(g: Tensor, indices: Tensor, m: InputMeta, dim: number, keepdim: boolean): Tensor {
  if (m.shape.length === 0) return g;
  const gi = keepdim ? g : g.unsqueeze(dim);
  const idx = keepdim ? indices : indices.unsqueeze(dim);
  return zeros(m.shape, { dtype: g.dtype, device: m.device }).scatter_(dim, idx, gi);
}

/**
 * PyTorch's scale_grad_by_count (amax/amin): the gradient split evenly among the elements equal
 * to the reduced value. A NaN value matches nothing, so its slice's gradient is NaN, as in PyTorch.
 */
export function splitAmongTies(g: Tensor, x: Tensor, value: Tensor, dims: readonly number[], keepdim: boolean): Tensor {
  const gk = restoreDims(g, x.shape, dims, keepdim);
  const mask = x.eq(restoreDims(value, x.shape, dims, keepdim));
  return gk.div(mask.sum([...dims], { keepdim: true })).mul(mask);
}

/**
 * PyTorch's evenly_distribute_backward (max/min/median over every element): the gradient split
 * among the elements equal to the result, or among the NaNs when the result is NaN.
 */
export function evenlyDistribute(g: Tensor, x: Tensor, value: Tensor): Tensor {
  const nanValue = value.isnan().item<boolean>();
  const mask = nanValue ? x.isnan() : x.eq(value);
  return g.div(mask.sum()).mul(mask);
}
