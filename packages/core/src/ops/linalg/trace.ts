/** trace: the sum of a matrix's main diagonal, in int64 for integer inputs (as torch.sum). */
import { RuntimeError } from '../../errors.js';
import { scalarTypeName } from '../../promotion.js';
import { Tensor } from '../../tensor.js';
import { diagonalOp } from '../view.js';
import { requireTensor, withTemps } from './checks.js';
import { sumDims } from './contract-sum.js';

export function trace(input: Tensor): Tensor {
  requireTensor('trace', 'input', 1, input);
  // PyTorch 1.13's CPU kernel covers neither bool nor the 16-bit floats, and says so first.
  if (input._dtype === 'bool' || input._dtype === 'float16' || input._dtype === 'bfloat16') {
    throw new RuntimeError(`"trace" not implemented for '${scalarTypeName(input._dtype)}'`);
  }
  if (input._shape.length !== 2) throw new RuntimeError(`trace: expected a matrix, but got tensor with dim ${input._shape.length}`);
  return withTemps((tmp) => sumDims(tmp(diagonalOp.call(input, 0, 0, 1)), [0], false));
}

declare module '../../tensor.js' {
  interface Tensor {
    trace(): Tensor;
  }
}

(Tensor.prototype as unknown as Record<string, unknown>).trace = function (this: Tensor) {
  return trace(this);
};
