/**
 * `_addmm_activation` (PyTorch's `torch._addmm_activation`, a Linear layer and its activation in
 * one op): relu — or exact gelu with `useGelu` — of addmm(input, mat1, mat2, { beta, alpha }). The
 * bias seeds the output, the GEMM adds onto it (beta 1) and the activation rewrites it in place
 * while it is still in cache: one output, no intermediate tensor, one autograd node. The values are
 * those of relu/gelu(addmm(...)) exactly, as in PyTorch's CPU kernel. PyTorch 1.13 has no
 * derivative for it; torchts has one (autograd), so nn.Sequential fuses Linear + ReLU/GELU in
 * training too.
 */
import { defineOp, getOp } from '../../dispatcher.js';
import type { Tensor } from '../../tensor.js';
import '../elementwise/activation.js';
import { addmmOp } from './addmm.js';
import type { ScaleOptions } from './checks.js';

export interface AddmmActivationOptions extends ScaleOptions {
  /** gelu (exact, erf form) instead of relu. */
  useGelu?: boolean;
}

const reluInplace = getOp('relu_').call as (self: Tensor) => Tensor;
const geluInplace = getOp('gelu_').call as (self: Tensor) => Tensor;

export const addmmActivationOp = defineOp('_addmm_activation', (input: Tensor, mat1: Tensor, mat2: Tensor, options?: AddmmActivationOptions): Tensor => {
  const useGelu = options?.useGelu ?? false;
  if (typeof useGelu !== 'boolean') throw new TypeError(`_addmm_activation(): argument 'use_gelu' must be bool, not ${typeof useGelu}`);
  const out = addmmOp.call(input, mat1, mat2, options);
  try {
    (useGelu ? geluInplace : reluInplace)(out);
  } catch (e) {
    out.dispose(); // gelu of an integer dtype: PyTorch's error, after addmm's own checks
    throw e;
  }
  return out;
});

/** relu (or gelu) of beta * input + alpha * mat1 @ mat2, in one output (see the file comment). */
export function _addmmActivation(input: Tensor, mat1: Tensor, mat2: Tensor, options?: AddmmActivationOptions): Tensor {
  return addmmActivationOp.call(input, mat1, mat2, options);
}
