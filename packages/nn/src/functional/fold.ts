/**
 * `unfold` (im2col) and `fold` (col2im) of `nn.functional`, for 4-D (or unbatched 3-D / 2-D)
 * input as in PyTorch 1.13. Both are one grouped `convolution` with one-hot kernels: unfold
 * convolves every channel with the kernel-size identity, fold is the transposed convolution
 * (overlapping blocks add up). They get their derivatives, of every order, from the op's.
 */
import { RuntimeError, Tensor, convolution, eye } from '@torchts/core';
import type { DType } from '@torchts/core';
import { expandParam } from './conv.js';
import type { IntOrList } from './conv.js';

export interface FoldOptions {
  dilation?: IntOrList;
  padding?: IntOrList;
  stride?: IntOrList;
}

const pair = (v: readonly number[]): string => `(${v.join(', ')})`;

/** [channels * K, 1, kh, kw]: channel c's K one-hot kernels, for a convolution with groups = channels. */
function oneHotKernels(channels: number, kernel: number[], dtype: DType, device: string): Tensor {
  const K = kernel[0]! * kernel[1]!;
  const id = eye(K, { dtype, device });
  const w = id.reshape([K, 1, kernel[0]!, kernel[1]!]);
  const out = channels === 1 ? w.contiguous() : w.repeat([channels, 1, 1, 1]);
  if (out !== id && out !== w) id.dispose();
  return out;
}

function params(kernelSize: IntOrList, o: FoldOptions, op: string) {
  return {
    kernel: expandParam('kernel_size', kernelSize, 2, op),
    dilation: expandParam('dilation', o.dilation ?? 1, 2, op),
    padding: expandParam('padding', o.padding ?? 0, 2, op),
    stride: expandParam('stride', o.stride ?? 1, 2, op),
  };
}

/** unfold(input [N, C, H, W], kernelSize, { dilation, padding, stride }) -> [N, C * kh * kw, L]. */
export function unfold(input: Tensor, kernelSize: IntOrList, options: FoldOptions = {}): Tensor {
  if (!(input instanceof Tensor)) throw new TypeError(`unfold(): argument 'input' must be Tensor, not ${typeof input}`);
  const { kernel, dilation, padding, stride } = params(kernelSize, options, 'unfold');
  const batched = input.dim() === 4;
  if (!batched && input.dim() !== 3) {
    throw new RuntimeError(`Expected 3D or 4D (batch mode) tensor with optional 0 size batch dimension for input, but got: [${input.shape.join(', ')}]`);
  }
  const x = batched ? input : input.unsqueeze(0);
  const [N, C, H, W] = x.shape as [number, number, number, number];
  const blocks = [H, W].map((s, i) => Math.trunc((s + 2 * padding[i]! - dilation[i]! * (kernel[i]! - 1) - 1) / stride[i]!) + 1);
  if (blocks.some((b) => b < 1)) {
    throw new RuntimeError(`Given input with spatial size ${pair([H, W])}, kernel_size=${pair(kernel)}, dilation=${pair(dilation)}, padding=${pair(padding)}, calculated shape of the array of sliding blocks as ${pair(blocks)}, but its components must be at least one.`);
  }
  const w = oneHotKernels(C, kernel, x.dtype, x.device);
  const conv = convolution(x, w, null, stride, padding, dilation, false, [0, 0], C);
  const out = conv.reshape(batched ? [N, C * kernel[0]! * kernel[1]!, -1] : [C * kernel[0]! * kernel[1]!, -1]);
  w.dispose();
  if (out !== conv) conv.dispose();
  if (x !== input) x.dispose();
  return out;
}

/** fold(input [N, C * kh * kw, L], outputSize, kernelSize, { dilation, padding, stride }) -> [N, C, H, W]. */
export function fold(input: Tensor, outputSize: IntOrList, kernelSize: IntOrList, options: FoldOptions = {}): Tensor {
  if (!(input instanceof Tensor)) throw new TypeError(`fold(): argument 'input' must be Tensor, not ${typeof input}`);
  const size = expandParam('output_size', outputSize, 2, 'fold');
  const { kernel, dilation, padding, stride } = params(kernelSize, options, 'fold');
  const batched = input.dim() === 3;
  if (!batched && input.dim() !== 2) {
    throw new RuntimeError(`Expected 2D or 3D (batch mode) tensor with optional 0 size batch dimension for input, but got: [${input.shape.join(', ')}]`);
  }
  const x = batched ? input : input.unsqueeze(0);
  const [N, CK, L] = x.shape as [number, number, number];
  const K = kernel[0]! * kernel[1]!;
  if (CK % K !== 0) {
    throw new RuntimeError(`Expected size of input's dimension 1 to be divisible by the product of kernel_size, but got input.size(1)=${CK} and kernel_size=${pair(kernel)}.`);
  }
  const blocks = size.map((s, i) => Math.trunc((s + 2 * padding[i]! - dilation[i]! * (kernel[i]! - 1) - 1) / stride[i]!) + 1);
  const desc = `Given output_size=${pair(size)}, kernel_size=${pair(kernel)}, dilation=${pair(dilation)}, padding=${pair(padding)}, stride=${pair(stride)}`;
  if (blocks.some((b) => b < 1)) {
    throw new RuntimeError(`${desc}, calculated shape of the array of sliding blocks as ${pair(blocks)}, but its components must be at least one.`);
  }
  if (L !== blocks[0]! * blocks[1]!) {
    throw new RuntimeError(`${desc}, expected size of input's dimension 2 to match the calculated number of sliding blocks ${blocks[0]} * ${blocks[1]} = ${blocks[0]! * blocks[1]!}, but got input.size(2)=${L}.`);
  }
  const C = CK / K;
  const w = oneHotKernels(C, kernel, x.dtype, x.device);
  const cols = x.reshape([N, CK, blocks[0]!, blocks[1]!]);
  // The rows and columns the blocks do not reach come back as output padding.
  const outPad = size.map((s, i) => s - ((blocks[i]! - 1) * stride[i]! - 2 * padding[i]! + dilation[i]! * (kernel[i]! - 1) + 1));
  const conv = convolution(cols, w, null, stride, padding, dilation, true, outPad, C);
  w.dispose();
  if (cols !== x) cols.dispose();
  if (x !== input) x.dispose();
  if (batched) return conv;
  const out = conv.squeeze(0);
  conv.dispose();
  return out;
}
