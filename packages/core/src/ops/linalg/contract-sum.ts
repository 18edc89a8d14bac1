/**
 * `sum(dims, keepdim)` for the contractions in einsum, tensordot and trace, written as a
 * matrix-vector product with a vector of ones so this family needs no kernel beyond `_gemm`
 * (accumulation in doubles; autograd follows from mv). Same dtype rule as torch.sum: bool and
 * integer inputs sum in int64, floating ones keep their dtype.
 */
import { isIntegral } from '../../dtype.js';
import { numelOf, wrapDims } from '../../shape.js';
import { Tensor, emptyTensor } from '../../tensor.js';
import { toCopyOp } from '../copy.js';
import { fillOp } from '../creation.js';
import { permuteOp, reshape, viewOp } from '../view.js';
import { withTemps } from './checks.js';
import { mvOp } from './products.js';

export function sumDims(input: Tensor, dims: readonly number[], keepdim: boolean): Tensor {
  const nd = input._shape.length;
  const summed = wrapDims(dims, nd);
  const kept = [...Array(nd).keys()].filter((d) => !summed.includes(d));
  const keptShape = kept.map((d) => input._shape[d]!);
  const outShape = keepdim ? input._shape.map((s, d) => (summed.includes(d) ? 1 : s)) : keptShape;
  return withTemps((tmp) => {
    const t = isIntegral(input._dtype, true) && input._dtype !== 'int64'
      ? tmp(toCopyOp.call(input, 'int64', input.device))
      : input;
    const rows = numelOf(keptShape);
    const cols = numelOf(summed.map((d) => input._shape[d]!));
    const mat = tmp(reshape(tmp(permuteOp.call(t, [...kept, ...summed])), [rows, cols]));
    const ones = tmp(fillOp.call(emptyTensor([cols], t._dtype, t.device), 1));
    return viewOp.call(tmp(mvOp.call(mat, ones)), outShape);
  });
}
