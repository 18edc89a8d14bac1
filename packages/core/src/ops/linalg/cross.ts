/**
 * cross: the 3-vector cross product along one dim (PyTorch 1.13's torch.cross: without `dim`,
 * the first dim of size 3 of input), broadcasting the other dims. Composite of select, mul, sub.
 */
import { RuntimeError } from '../../errors.js';
import { broadcastShapes, wrapDim } from '../../shape.js';
import { Tensor, emptyTensor } from '../../tensor.js';
import { copyOp } from '../copy.js';
import { mul, sub } from '../elementwise/arithmetic.js';
import { selectOp } from '../view.js';
import { deviceOf } from '../elementwise/define.js';
import { expectSameType, rejectBool, requireTensor } from './checks.js';

/** `torch.cross(input, other, dim?)`; dim may also come as `{ dim }`. */
export function cross(input: Tensor, other: Tensor, dim?: number | null | { dim?: number | null }): Tensor {
  requireTensor('cross', 'input', 1, input);
  requireTensor('cross', 'other', 2, other);
  let d = dim !== null && typeof dim === 'object' ? dim.dim : dim;
  if (d === undefined || d === null) {
    d = input._shape.indexOf(3);
    if (d < 0) throw new RuntimeError('no dimension of size 3 in input');
  }
  if (input._shape.length !== other._shape.length) {
    throw new RuntimeError('linalg.cross: inputs must have the same number of dimensions.');
  }
  const w = wrapDim(d, input._shape.length);
  if (input._shape[w] !== 3 || other._shape[w] !== 3) {
    throw new RuntimeError(`linalg.cross: inputs dimension ${d} must have length 3. Got ${input._shape[w]} and ${other._shape[w]}`);
  }
  const shape = broadcastShapes(input._shape, other._shape);
  rejectBool('cross', input._dtype);
  expectSameType(input._dtype, other._dtype);
  const out = emptyTensor([...shape], input._dtype, deviceOf([input, other]));
  // out_i = a_j * b_k - a_k * b_j for (i, j, k) the cyclic permutations of (0, 1, 2).
  for (const [i, j, k] of [[0, 1, 2], [1, 2, 0], [2, 0, 1]] as const) {
    const temps: Tensor[] = [];
    const keep = (t: Tensor): Tensor => (temps.push(t), t);
    try {
      const a = (c: number) => keep(selectOp.call(input, w, c));
      const b = (c: number) => keep(selectOp.call(other, w, c));
      const value = keep(sub(keep(mul(a(j), b(k))), keep(mul(a(k), b(j)))));
      copyOp.call(keep(selectOp.call(out, w, i)), value);
    } finally {
      for (const t of temps) t.dispose();
    }
  }
  return out;
}

declare module '../../tensor.js' {
  interface Tensor {
    cross(other: Tensor, dim?: number | null | { dim?: number | null }): Tensor;
  }
}

(Tensor.prototype as unknown as Record<string, unknown>).cross = function (this: Tensor, other: Tensor, dim?: number | null | { dim?: number | null }) {
  return cross(this, other, dim);
};
