/** Helpers shared by derivative formulas. */
import { Tensor } from '@torchts/core';
import type { DType } from '@torchts/core';

/** Sums a broadcast gradient back to `shape` (leading dims, then dims that were 1). */
export function sumToShape(g: Tensor, shape: readonly number[]): Tensor {
  if (g.shape.length === shape.length && g.shape.every((s, i) => s === shape[i])) return g;
  const lead = g.shape.length - shape.length;
  const dims: number[] = [];
  for (let i = 0; i < g.shape.length; i++) {
    if (i < lead) dims.push(i);
    else if (shape[i - lead] === 1 && g.shape[i] !== 1) dims.push(i);
  }
  let r = dims.length ? g.sum(dims, { keepdim: true }) : g;
  if (r.shape.length !== shape.length || lead > 0) r = r.reshape([...shape]);
  return r;
}

/** What backward needs to know about an operand: its shape and dtype (null for a JS number). */
export interface OperandMeta {
  shape: readonly number[];
  dtype: DType;
}

export function operandMeta(x: unknown): OperandMeta | null {
  return x instanceof Tensor ? { shape: [...x.shape], dtype: x.dtype } : null;
}

/** Reduces a gradient to an operand's shape and casts it to the operand's dtype. */
export function reduceTo(m: OperandMeta | null | unknown, g: Tensor): Tensor | null {
  if (!m) return null;
  const meta = m instanceof Tensor ? { shape: m.shape, dtype: m.dtype } : (m as OperandMeta);
  const r = sumToShape(g, meta.shape);
  return r.dtype === meta.dtype ? r : r.to(meta.dtype);
}

/** Backward results for the tensor operands only (JS-number operands take no gradient slot). */
export function forTensors(...pairs: Array<[unknown, () => Tensor | null]>): Array<Tensor | null> {
  return pairs.filter(([x]) => x !== null && x !== undefined && typeof x === 'object').map(([, g]) => g());
}
