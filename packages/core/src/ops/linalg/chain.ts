/**
 * Products of several matrices: linalg.multi_dot (as multiDot, with the cheapest
 * parenthesization), the deprecated chain_matmul, and matrix_power (repeated squaring).
 * Composites of mm/matmul, so they follow those ops' dtype rules and errors.
 */
import { NotImplementedError, RuntimeError } from '../../errors.js';
import { isFloatingPoint } from '../../dtype.js';
import { scalarTypeName } from '../../promotion.js';
import { fmtShape } from '../../shape.js';
import { Tensor, emptyTensor } from '../../tensor.js';
import { clone } from '../copy.js';
import { fillOp } from '../creation.js';
import { diagonalOp, unsqueezeOp, viewOp } from '../view.js';
import { cppTypeName, requireTensor, withTemps } from './checks.js';
import { matmul } from './matmul.js';
import { mmOp } from './products.js';

/** s[i][j]: where to split tensors i..j so that multiplying them costs the fewest flops. */
function chainOrder(dims: readonly number[]): number[][] {
  const n = dims.length - 1;
  const cost = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  const split = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  for (let len = 1; len < n; len++) {
    for (let i = 0; i + len < n; i++) {
      const j = i + len;
      cost[i]![j] = Infinity;
      for (let k = i; k < j; k++) {
        const q = cost[i]![k]! + cost[k + 1]![j]! + dims[i]! * dims[k + 1]! * dims[j + 1]!;
        if (q < cost[i]![j]!) {
          cost[i]![j] = q;
          split[i]![j] = k;
        }
      }
    }
  }
  return split;
}

/** `torch.linalg.multi_dot(tensors)`: the first and last tensors may be 1-D (row / column vectors). */
export function multiDot(tensors: readonly Tensor[]): Tensor {
  if (!Array.isArray(tensors)) throw new TypeError('multi_dot(): expected a list of tensors');
  tensors.forEach((t, i) => requireTensor('multi_dot', `tensors[${i}]`, 1, t));
  const n = tensors.length;
  if (n < 2) throw new RuntimeError(`multi_dot(): expected at least 2 tensors but got ${n}`);
  return withTemps((tmp) => {
    const mats = [...tensors];
    const outShape: number[] = [];
    const first = tensors[0]!;
    const last = tensors[n - 1]!;
    if (first._shape.length === 1) mats[0] = tmp(unsqueezeOp.call(first, 0));
    else if (first._shape.length === 2) outShape.push(first._shape[0]!);
    else throw new RuntimeError(`multi_dot(): the first tensor must be 1D or 2D but got ${first._shape.length}D`);
    if (last._shape.length === 1) mats[n - 1] = tmp(unsqueezeOp.call(last, -1));
    else if (last._shape.length === 2) outShape.push(last._shape[1]!);
    else throw new RuntimeError(`multi_dot(): the last tensor must be 1D or 2D but got ${last._shape.length}D`);
    for (let i = 1; i < n - 1; i++) {
      if (tensors[i]!._shape.length !== 2) throw new RuntimeError(`multi_dot(): tensor ${i} must be 2D but got ${tensors[i]!._shape.length}D`);
    }
    const dtype = mats[0]!._dtype;
    for (let i = 1; i < n; i++) {
      if (mats[i]!._dtype !== dtype) {
        throw new RuntimeError(`multi_dot(): all tensors must have be the same dtype but tensor 0 is ${cppTypeName(dtype)} and tensor ${i} ${cppTypeName(mats[i]!._dtype)}`);
      }
      if (mats[i - 1]!._shape[1] !== mats[i]!._shape[0]) {
        throw new RuntimeError(`multi_dot(): tensors ${i - 1} and ${i} with shapes ${fmtShape(tensors[i - 1]!._shape)} and ${fmtShape(tensors[i]!._shape)} cannot be multiplied`);
      }
    }
    const dims = [...mats.map((t) => t._shape[0]!), mats[n - 1]!._shape[1]!];
    let product: Tensor;
    if (n === 2) product = tmp(mmOp.call(mats[0]!, mats[1]!));
    else if (n === 3) {
      const [a, b, c, d] = dims as [number, number, number, number];
      // (AB)C costs a*c*(b+d) multiplications, A(BC) costs b*d*(a+c).
      product = a * c * (b + d) > b * d * (a + c)
        ? tmp(mmOp.call(mats[0]!, tmp(mmOp.call(mats[1]!, mats[2]!))))
        : tmp(mmOp.call(tmp(mmOp.call(mats[0]!, mats[1]!)), mats[2]!));
    } else {
      const split = chainOrder(dims);
      const multiply = (i: number, j: number): Tensor => {
        if (i === j) return mats[i]!;
        const k = split[i]![j]!;
        return tmp(mmOp.call(multiply(i, k), multiply(k + 1, j)));
      };
      product = multiply(0, n - 1);
    }
    return viewOp.call(product, outShape);
  });
}

/** Deprecated in PyTorch in favour of multiDot; every argument must be a matrix. */
export function chainMatmul(...matrices: Tensor[]): Tensor {
  matrices.forEach((t, i) => requireTensor('chain_matmul', `matrices[${i}]`, 1, t));
  for (const t of matrices) {
    if (t._shape.length !== 2) throw new RuntimeError(`Tensor dimension is ${t._shape.length}, expected 2 instead.`);
  }
  if (matrices.length === 0) throw new RuntimeError('chain_matmul(): Expected one or more matrices');
  if (matrices.length === 1) return clone(matrices[0]!);
  return multiDot(matrices);
}

/** A (a batch of square matrices) to the integer power n, by repeated squaring. */
export function matrixPower(input: Tensor, n: number): Tensor {
  requireTensor('matrix_power', 'input', 1, input);
  if (!Number.isInteger(n)) throw new TypeError(`matrix_power(): argument 'n' must be int, not ${n}`);
  const nd = input._shape.length;
  if (nd < 2) throw new RuntimeError('linalg.matrix_power: The input tensor A must have at least 2 dimensions.');
  const rows = input._shape[nd - 2]!;
  const cols = input._shape[nd - 1]!;
  if (rows !== cols) {
    throw new RuntimeError(`linalg.matrix_power: A must be batches of square matrices, but they are ${rows} by ${cols} matrices`);
  }
  if (n === 0) {
    const eye = fillOp.call(emptyTensor([...input._shape], input._dtype, input.device), 0);
    const diag = diagonalOp.call(eye, 0, -2, -1);
    fillOp.call(diag, 1);
    diag.dispose();
    return eye;
  }
  if (n === 1) return clone(input);
  if (n < 0) {
    if (!isFloatingPoint(input._dtype)) {
      throw new RuntimeError(`linalg.inv: Expected a floating point or complex tensor as input. Got ${scalarTypeName(input._dtype)}`);
    }
    throw new NotImplementedError(`matrixPower with a negative exponent needs a matrix inverse (linalg.inv), which torchts does not implement yet (dtype ${input._dtype}, device ${input.device})`);
  }
  return withTemps((tmp) => {
    if (n === 2) return matmul(input, input);
    if (n === 3) return matmul(tmp(matmul(input, input)), input);
    // Binary decomposition of n from the lowest bit: z runs through A, A^2, A^4, ...
    let z: Tensor | null = null;
    let result: Tensor | null = null;
    for (let e = n; e > 0; e = Math.floor(e / 2)) {
      z = z ? tmp(matmul(z, z)) : input;
      if (e % 2 === 1) result = result ? tmp(matmul(result, z)) : z;
    }
    return result!;
  });
}

declare module '../../tensor.js' {
  interface Tensor {
    matrixPower(n: number): Tensor;
  }
}

(Tensor.prototype as unknown as Record<string, unknown>).matrixPower = function (this: Tensor, n: number) {
  return matrixPower(this, n);
};
