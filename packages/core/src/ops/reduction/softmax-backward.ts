/**
 * The gradients of softmax and logSoftmax computed from their outputs, PyTorch's
 * _softmax_backward_data and _log_softmax_backward_data:
 *
 *   softmaxBackwardData(gradOutput, output, dim, inputDtype)    = y * (g - sum(g * y, dim))
 *   logSoftmaxBackwardData(gradOutput, output, dim, inputDtype) = g - exp(y) * sum(g, dim)
 *
 * in the outputs' dtype (`inputDtype`, the dtype softmax's input had, is accepted and ignored, as by
 * PyTorch 1.13's CPU kernels; autograd casts the gradient back). One pass per line instead of the four ops and temporaries of
 * the composite; autograd uses them when no graph of the backward is recorded. Kernel signature:
 * (gradInput, gradOutput, output, dim), all contiguous, one floating dtype.
 */
import type { DType } from '../../dtype.js';
import { isFloatingPoint } from '../../dtype.js';
import { defineOp } from '../../dispatcher.js';
import { RuntimeError } from '../../errors.js';
import { Tensor, emptyTensor } from '../../tensor.js';
import { contig } from '../nn/contig.js';
import { dimArg } from './parse.js';
import { scalarTypeName } from '../../promotion.js';

const fmt = (s: readonly number[]): string => `[${s.join(', ')}]`;

function backwardLike(name: '_softmax_backward_data' | '_log_softmax_backward_data') {
  const base = name === '_softmax_backward_data' ? 'softmax_backward' : 'log_softmax_backward';
  const op = defineOp(name, (gradOutput: Tensor, output: Tensor, dim: number, inputDtype: DType): Tensor => {
    void inputDtype; // PyTorch 1.13's CPU kernels compute and return the gradient in grad_output's dtype
    if (!(gradOutput instanceof Tensor) || !(output instanceof Tensor)) throw new TypeError(`${name}(): grad_output and output must be tensors`);
    if (gradOutput._shape.join() !== output._shape.join()) {
      throw new RuntimeError(`Expected tensor for argument #1 'grad' to have same size as tensor for argument #2 'output'; but ${fmt(gradOutput._shape)} does not equal ${fmt(output._shape)} (while checking arguments for ${base})`);
    }
    if (gradOutput._dtype !== output._dtype) {
      throw new RuntimeError(`expected scalar type ${scalarTypeName(gradOutput._dtype)} but found ${scalarTypeName(output._dtype)}`);
    }
    const d = dimArg(name, dim, output.ndim);
    if (!isFloatingPoint(output._dtype)) {
      const kernel = output.ndim === 0 || d === output.ndim - 1 ? `${base}_lastdim_kernel_impl` : `${base}_kernel_impl`;
      throw new RuntimeError(`"${kernel}" not implemented for '${scalarTypeName(output._dtype)}'`);
    }
    const gradInput = emptyTensor([...output._shape], output._dtype, output.device);
    if (gradInput.numel() > 0) {
      const keep: Tensor[] = [];
      op.kernel(output.device)(gradInput, contig(gradOutput, keep), contig(output, keep), d);
      keep.forEach((t) => t.dispose());
    }
    return gradInput;
  });
  return op;
}

export const softmaxBackwardDataOp = backwardLike('_softmax_backward_data');
export const logSoftmaxBackwardDataOp = backwardLike('_log_softmax_backward_data');

export function softmaxBackwardData(gradOutput: Tensor, output: Tensor, dim: number, inputDtype: DType): Tensor {
  return softmaxBackwardDataOp.call(gradOutput, output, dim, inputDtype);
}

export function logSoftmaxBackwardData(gradOutput: Tensor, output: Tensor, dim: number, inputDtype: DType): Tensor {
  return logSoftmaxBackwardDataOp.call(gradOutput, output, dim, inputDtype);
}
