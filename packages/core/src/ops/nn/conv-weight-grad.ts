/**
 * `convolutionBackwardWeight`: the gradient of a direct convolution with respect to its weight,
 * PyTorch's `torch.nn.grad.conv{1,2,3}d_weight` (the weight part of aten::convolution_backward):
 *   convolutionBackwardWeight(input, gradOutput, weightSize, stride, padding, dilation, groups)
 *     = d<gradOutput, convolution(input, W, ...)>/dW, of shape weightSize [O, C/groups, k...].
 * The transposed convolution's weight gradient is the same op with input and gradOutput exchanged
 * (gradOutput's spatial sizes may then be smaller than the direct convolution's output: only the
 * positions it covers contribute).
 *
 * Its own op (rather than a convolution of the input by the gradient) so a backend can compute it
 * as PyTorch's CPU kernels do: per batch element, dW[group] += gradOutput[n, group] @ im2col(x)^T.
 * The derivative (autograd's nn-conv.ts) is written with `convolution`, so double backward works.
 *
 * Kernel signature: (out, input, gradOutput, stride, padding, dilation, groups), with out
 * contiguous [O, C/groups, k...] and fully written, gradOutput contiguous.
 */
import { defineOp } from '../../dispatcher.js';
import { isFloatingPoint } from '../../dtype.js';
import { RuntimeError } from '../../errors.js';
import { Tensor, emptyTensor } from '../../tensor.js';
import { contiguous } from '../copy.js';
import { convOutputShape } from './conv.js';

const fmt = (s: readonly number[]): string => `[${s.join(', ')}]`;

export const convolutionBackwardWeightOp = defineOp('convolutionBackwardWeight', (
  input: Tensor, gradOutput: Tensor, weightSize: number[], stride: number[], padding: number[], dilation: number[], groups: number,
): Tensor => {
  if (!(input instanceof Tensor) || !(gradOutput instanceof Tensor)) {
    throw new TypeError('convolutionBackwardWeight(): input and gradOutput must be tensors');
  }
  if (!Array.isArray(weightSize) || !weightSize.every((s) => Number.isInteger(s) && s >= 0)) {
    throw new RuntimeError(`convolutionBackwardWeight: expected weightSize to be a list of non-negative ints, but got ${String(weightSize)}`);
  }
  // The forward's own checks and output size. gradOutput may cover only the leading part of the
  // output's spatial extent (a transposed convolution's output padding makes its input larger than
  // a direct convolution of the output would need): the positions past it do not contribute.
  const shape = convOutputShape(input, weightSize, null, stride, padding, dilation, false, stride.map(() => 0), groups);
  if (gradOutput._shape.length !== shape.length || gradOutput._shape.some((s, i) => (i < 2 ? s !== shape[i] : s > shape[i]!))) {
    throw new RuntimeError(
      `convolutionBackwardWeight: expected gradOutput of size ${fmt(shape)} (the output of a convolution of input ${fmt(input._shape)} ` +
        `by a weight of size ${fmt(weightSize)}), but got ${fmt(gradOutput._shape)}`,
    );
  }
  // ... but no shorter than a transposed convolution's output padding (< max(stride, dilation))
  // allows, so that the input gradient stays a transposed convolution.
  const kernel = weightSize.slice(2);
  input._shape.slice(2).forEach((n, i) => {
    const produced = (gradOutput._shape[i + 2]! - 1) * stride[i]! - 2 * padding[i]! + dilation[i]! * (kernel[i]! - 1) + 1;
    if (n - produced >= Math.max(stride[i]!, dilation[i]!)) {
      throw new RuntimeError(`convolutionBackwardWeight: gradOutput of size ${fmt(gradOutput._shape)} covers too little of the output ${fmt(shape)} (at most max(stride, dilation) - 1 trailing positions may be left out)`);
    }
  });
  if (input._dtype !== gradOutput._dtype) {
    throw new RuntimeError(`convolutionBackwardWeight: expected input and gradOutput of one dtype, but got ${input._dtype} and ${gradOutput._dtype}`);
  }
  if (!isFloatingPoint(input._dtype)) {
    throw new RuntimeError(`convolutionBackwardWeight: not implemented for dtype ${input._dtype} (floating-point dtypes only)`);
  }
  if (input.device !== gradOutput.device) {
    throw new RuntimeError(`convolutionBackwardWeight: expected all tensors on one device, but got ${input.device} and ${gradOutput.device}`);
  }
  const out = emptyTensor(weightSize, input._dtype, input.device);
  if (out.numel() === 0) return out;
  if (gradOutput.numel() === 0) return out.zero_();
  const gy = contiguous(gradOutput);
  convolutionBackwardWeightOp.kernel(input.device)(out, input, gy, stride, padding, dilation, groups);
  if (gy !== gradOutput) gy.dispose();
  return out;
});

/** Functional form (torch.nn.grad.conv*d_weight with every list expanded per spatial dim). */
export function convolutionBackwardWeight(
  input: Tensor, gradOutput: Tensor, weightSize: number[], stride: number[], padding: number[], dilation: number[], groups: number,
): Tensor {
  return convolutionBackwardWeightOp.call(input, gradOutput, weightSize, stride, padding, dilation, groups);
}
