/**
 * matmul with PyTorch 1.13's dispatch on ranks (so results and error messages follow the same
 * path): 1-D x 1-D -> dot, 2-D x 1-D -> mv, 1-D x 2-D -> mm of a row, 2-D x 2-D -> mm; a >= 3-D
 * operand against a 1-D/2-D one folds its batch into the rows of one mm/mv; everything else
 * broadcasts the batch dims and runs bmm. Composite: autograd follows from mm/mv/dot/bmm.
 * Also inner and outer (ger).
 */
import { RuntimeError } from '../../errors.js';
import { broadcastShapes, fmtShape, numelOf } from '../../shape.js';
import { Tensor } from '../../tensor.js';
import { contiguous } from '../copy.js';
import { mul } from '../elementwise/arithmetic.js';
import { expandOp, reshape, squeezeOp, t as transpose2d, transposeOp, unsqueezeOp, viewOp } from '../view.js';
import { requireTensor, withTemps } from './checks.js';
import { bmmOp, dotOp, mmOp, mvOp } from './products.js';
import { tensordot } from './tensordot.js';

/**
 * PyTorch's should_fold: a >= 3-D tensor times a 1-D/2-D one becomes one mm over its flattened
 * batch, except a 3-D tensor whose last two dims are transposed over a contiguous batch (folding
 * it would copy; bmm reads each transposed matrix in place).
 */
function shouldFold(t1: Tensor, dim2: number): boolean {
  const d1 = t1._shape.length;
  if (d1 < 3 || (dim2 !== 1 && dim2 !== 2)) return false;
  const s = t1._shape, st = t1._strides;
  return !(d1 === 3 && dim2 === 2 && st[2] !== 1 && st[0] === s[1]! * s[2]!);
}

export function matmul(input: Tensor, other: Tensor): Tensor {
  requireTensor('matmul', 'input', 1, input);
  requireTensor('matmul', 'other', 2, other);
  const d1 = input._shape.length;
  const d2 = other._shape.length;
  if (d1 === 0 || d2 === 0) {
    throw new RuntimeError(`both arguments to matmul need to be at least 1D, but they are ${d1}D and ${d2}D`);
  }
  if (d1 === 1 && d2 === 1) return dotOp.call(input, other);
  if (d1 === 2 && d2 === 1) return mvOp.call(input, other);
  if (d1 === 1 && d2 === 2) {
    return withTemps((tmp) => squeezeOp.call(tmp(mmOp.call(tmp(unsqueezeOp.call(input, 0)), other)), [0]));
  }
  if (d1 === 2 && d2 === 2) return mmOp.call(input, other);
  if (shouldFold(input, d2)) return folded(input, other, false);
  if (shouldFold(other, d1)) return folded(other, input, true);
  return batched(input, other);
}

/**
 * t1 (>= 3-D) against t2 (1-D/2-D) as one mm/mv over t1's rows. With `transpose` the caller
 * passed (tensor2, tensor1): the product is computed as (t2^T t1^T)^T, as PyTorch does.
 */
function folded(t1In: Tensor, t2In: Tensor, transpose: boolean): Tensor {
  return withTemps((tmp) => {
    const t1 = transpose ? tmp(transposeOp.call(t1In, -2, -1)) : t1In;
    const t2 = transpose && t2In._shape.length === 2 ? tmp(transpose2d(t2In)) : t2In;
    const sizes = t1._shape;
    const outShape = sizes.slice(0, -1);
    const rows = numelOf(outShape);
    const t2IsMatrix = t2._shape.length === 2;
    if (t2IsMatrix) outShape.push(t2._shape[1]!);
    const flat = tmp(reshape(t1, [rows, sizes[sizes.length - 1]!]));
    if (!t2IsMatrix) return viewOp.call(tmp(mvOp.call(flat, t2)), outShape);
    const out = tmp(viewOp.call(tmp(mmOp.call(flat, t2)), outShape));
    return transpose ? contiguous(tmp(transposeOp.call(out, -2, -1))) : out;
  });
}

/** Both batched: broadcast the batch dims, flatten them and run one bmm. */
function batched(t1: Tensor, t2: Tensor): Tensor {
  const d1 = t1._shape.length;
  const d2 = t2._shape.length;
  const s1 = t1._shape, s2 = t2._shape;
  const n = d1 > 1 ? s1[d1 - 2]! : 1;
  const m1 = s1[d1 - 1]!;
  const m2 = d2 > 1 ? s2[d2 - 2]! : s2[0]!;
  const p = d2 > 1 ? s2[d2 - 1]! : 1;
  const batch = broadcastShapes(s1.slice(0, Math.max(d1 - 2, 0)), s2.slice(0, Math.max(d2 - 2, 0)));
  const outShape = [...batch];
  const count = numelOf(batch);
  return withTemps((tmp) => {
    const a = tmp(reshape(tmp(expandOp.call(t1, [...batch, n, m1])), [count, n, m1]));
    const vectorRhs = d2 === 1;
    const b = vectorRhs
      ? tmp(unsqueezeOp.call(tmp(reshape(tmp(expandOp.call(t2, [...batch, m2])), [count, m2])), 2))
      : tmp(reshape(tmp(expandOp.call(t2, [...batch, m2, p])), [count, m2, p]));
    if (d1 > 1) outShape.push(n);
    if (d2 > 1) outShape.push(p);
    let r = tmp(bmmOp.call(a, b));
    if (vectorRhs) r = tmp(squeezeOp.call(r, [2]));
    return viewOp.call(r, outShape);
  });
}

/** Sum over the last dims: tensordot(a, b, [[-1], [-1]]); a 0-d operand just multiplies. */
export function inner(input: Tensor, other: Tensor): Tensor {
  requireTensor('inner', 'input', 1, input);
  requireTensor('inner', 'other', 2, other);
  if (input._shape.length === 0 || other._shape.length === 0) return mul(input, other);
  if (input._shape[input._shape.length - 1] !== other._shape[other._shape.length - 1]) {
    throw new RuntimeError(`inner() the last dimension must match on both input tensors but got shapes ${fmtShape(input._shape)} and ${fmtShape(other._shape)}`);
  }
  return tensordot(input, other, [[-1], [-1]]);
}

function check1d(t: Tensor, arg: string): void {
  if (t._shape.length !== 1) throw new RuntimeError(`outer: Expected 1-D argument ${arg}, but got ${t._shape.length}-D`);
}

/** Outer product as a broadcast multiply, so dtypes promote (PyTorch's definition). */
export function outer(input: Tensor, vec2: Tensor): Tensor {
  requireTensor('outer', 'input', 1, input);
  requireTensor('outer', 'vec2', 2, vec2);
  check1d(input, 'self');
  check1d(vec2, 'vec2');
  return withTemps((tmp) => mul(tmp(reshape(input, [input._shape[0]!, 1])), vec2));
}

/** Alias of outer. */
export function ger(input: Tensor, vec2: Tensor): Tensor {
  return outer(input, vec2);
}

declare module '../../tensor.js' {
  interface Tensor {
    matmul(other: Tensor): Tensor;
    inner(other: Tensor): Tensor;
    outer(vec2: Tensor): Tensor;
    ger(vec2: Tensor): Tensor;
  }
}

const proto = Tensor.prototype as unknown as Record<string, unknown>;
proto.matmul = function (this: Tensor, other: Tensor) {
  return matmul(this, other);
};
proto.inner = function (this: Tensor, other: Tensor) {
  return inner(this, other);
};
proto.outer = function (this: Tensor, vec2: Tensor) {
  return outer(this, vec2);
};
proto.ger = function (this: Tensor, vec2: Tensor) {
  return ger(this, vec2);
};
