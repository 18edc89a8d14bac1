/**
 * diag (a vector onto a matrix's diagonal, or a matrix's diagonal as a vector) and diagEmbed
 * (the last dim onto the diagonals of a new pair of dims). Both write into zeros through a
 * diagonal view, as PyTorch does; diag of a matrix is a copy, not a view.
 */
import { RuntimeError } from '../../errors.js';
import { wrapDim } from '../../shape.js';
import { Tensor, emptyTensor } from '../../tensor.js';
import { clone, copyOp } from '../copy.js';
import { fillOp } from '../creation.js';
import { diagonalOp } from '../view.js';
import { requireTensor, withTemps } from './checks.js';

function zeros(shape: number[], like: Tensor): Tensor {
  return fillOp.call(emptyTensor(shape, like._dtype, like.device), 0);
}

function intArg(op: string, name: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isInteger(v)) throw new TypeError(`${op}(): argument '${name}' must be int, not ${typeof v}`);
  return v;
}

/** `torch.diag(input, diagonal = 0)`; the offset may also come as `{ diagonal }`. */
export function diag(input: Tensor, diagonal: number | { diagonal?: number } = 0): Tensor {
  requireTensor('diag', 'input', 1, input);
  const d = intArg('diag', 'diagonal', typeof diagonal === 'object' ? diagonal.diagonal ?? 0 : diagonal);
  if (input._shape.length === 1) {
    const n = input._shape[0]! + Math.abs(d);
    const out = zeros([n, n], input);
    const view = diagonalOp.call(out, d, 0, 1);
    copyOp.call(view, input);
    view.dispose();
    return out;
  }
  if (input._shape.length === 2) return withTemps((tmp) => clone(tmp(diagonalOp.call(input, d, 0, 1))));
  throw new RuntimeError('matrix or a vector expected');
}

export interface DiagEmbedOptions {
  offset?: number;
  dim1?: number;
  dim2?: number;
}

/** `torch.diag_embed(input, offset = 0, dim1 = -2, dim2 = -1)`, positionally or as options. */
export function diagEmbed(input: Tensor, offset: number | DiagEmbedOptions = 0, dim1 = -2, dim2 = -1): Tensor {
  requireTensor('diag_embed', 'input', 1, input);
  const o = typeof offset === 'object' ? offset : { offset, dim1, dim2 };
  const off = intArg('diag_embed', 'offset', o.offset ?? 0);
  const raw1 = intArg('diag_embed', 'dim1', o.dim1 ?? -2);
  const raw2 = intArg('diag_embed', 'dim2', o.dim2 ?? -1);
  const nd = input._shape.length + 1;
  const d1 = wrapDim(raw1, nd);
  const d2 = wrapDim(raw2, nd);
  if (d1 === d2) throw new RuntimeError(`diagonal dimensions cannot be identical ${raw1}, ${raw2}`);
  const len = Math.abs(off) + input._shape[wrapDim(-1, input._shape.length, false)]!;
  const shape = input._shape.slice(0, -1);
  shape.splice(Math.min(d1, d2), 0, len);
  shape.splice(Math.max(d1, d2), 0, len);
  const out = zeros(shape, input);
  const view = diagonalOp.call(out, off, d1, d2);
  copyOp.call(view, input);
  view.dispose();
  return out;
}

declare module '../../tensor.js' {
  interface Tensor {
    diag(diagonal?: number | { diagonal?: number }): Tensor;
    diagEmbed(offset?: number | DiagEmbedOptions, dim1?: number, dim2?: number): Tensor;
  }
}

const proto = Tensor.prototype as unknown as Record<string, unknown>;
proto.diag = function (this: Tensor, diagonal?: number | { diagonal?: number }) {
  return diag(this, diagonal);
};
proto.diagEmbed = function (this: Tensor, offset?: number | DiagEmbedOptions, dim1?: number, dim2?: number) {
  return diagEmbed(this, offset, dim1, dim2);
};
