/**
 * torch.matrix_exp / torch.linalg.matrix_exp: scaling and squaring around a degree-18 Taylor
 * polynomial (Horner form) of A / 2^s with ||A / 2^s||_1 <= 1/2, where the truncation error is far
 * below float64 rounding. A composite of matmuls, so autograd (the derivative of the polynomial,
 * equally accurate) and every backend follow.
 */
import { RuntimeError } from '../../errors.js';
import { isFloatingPoint } from '../../dtype.js';
import { scalarTypeName } from '../../promotion.js';
import { Tensor } from '../../tensor.js';
import { eye } from '../range.js';
import { requireTensor, withTemps } from './checks.js';
import { matmul } from './matmul.js';

const DEGREE = 18;

export function matrixExp(input: Tensor): Tensor {
  requireTensor('matrix_exp', 'input', 1, input);
  const nd = input.shape.length;
  if (nd < 2) throw new RuntimeError('linalg.matrix_exp: The input tensor A must have at least 2 dimensions.');
  const [rows, cols] = input.shape.slice(-2) as [number, number];
  if (rows !== cols) throw new RuntimeError(`linalg.matrix_exp: A must be batches of square matrices, but they are ${rows} by ${cols} matrices`);
  if (!isFloatingPoint(input.dtype)) {
    throw new RuntimeError(`linalg.matrix_exp: Expected a floating point or complex tensor as input. Got ${scalarTypeName(input.dtype)}`);
  }
  return withTemps((t) => {
    const id = t(eye(rows, { dtype: input.dtype, device: input.device }));
    if (input.numel() === 0) return input.clone();
    // The largest 1-norm (max column sum) over the batch picks one scaling for all matrices.
    const norm = t(t(t(t(input.detach()).abs()).sum(-2)).amax()).item<number>();
    if (!Number.isFinite(norm)) return t(input.mul(Number.NaN)).add(0);
    const squarings = norm > 0.5 ? Math.ceil(Math.log2(norm / 0.5)) : 0;
    const x = t(input.div(2 ** squarings));
    let r: Tensor = t(t(x.div(DEGREE)).add(id));
    for (let k = DEGREE - 1; k >= 1; k--) r = t(t(t(matmul(x, r)).div(k)).add(id));
    for (let s = 0; s < squarings; s++) r = t(matmul(r, r));
    return r;
  });
}
