/**
 * Runs a dim-reduction kernel. Kernel signature for every plain reduction:
 *   (out, input, dims, ...params)
 * `dims` is sorted and names the reduced dims of `input` ([] for a 0-d input, whose one element
 * is reduced); `out` is a fresh contiguous tensor holding the kept dims in their order (the same
 * memory whether or not `keepdim` adds size-1 dims). Two-output kernels get (out0, out1, input, ...).
 */
import type { DType } from '../../dtype.js';
import type { Op } from '../../dispatcher.js';
import { Tensor, emptyTensor } from '../../tensor.js';
import { toCopyOp } from '../copy.js';
import { reducedShape, sortedDims } from './parse.js';

/** `input` converted to `dtype` (a new tensor to dispose), or `input` itself. */
export function castInput(input: Tensor, dtype: DType | null): Tensor {
  return dtype && dtype !== input._dtype ? toCopyOp.call(input, dtype, input.device) : input;
}

export function reduceInto(op: Op, input: Tensor, dims: readonly number[], keepdim: boolean, outDtype: DType, castTo: DType | null, ...params: unknown[]): Tensor {
  const sorted = sortedDims(dims);
  const out = emptyTensor(reducedShape(input._shape, sorted, keepdim), outDtype, input.device);
  if (out.numel() > 0) {
    const src = castInput(input, castTo);
    op.kernel(input.device)(out, src, sorted, ...params);
    if (src !== input) src.dispose();
  }
  return out;
}

/** Two outputs of the same shape (varMean, aminmax, max with dim...). */
export function reduceInto2(op: Op, input: Tensor, dims: readonly number[], keepdim: boolean, dtypes: readonly [DType, DType], ...params: unknown[]): [Tensor, Tensor] {
  const sorted = sortedDims(dims);
  const shape = reducedShape(input._shape, sorted, keepdim);
  const a = emptyTensor(shape, dtypes[0], input.device);
  const b = emptyTensor([...shape], dtypes[1], input.device);
  if (a.numel() > 0) op.kernel(input.device)(a, b, input, sorted, ...params);
  return [a, b];
}
