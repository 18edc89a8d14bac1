/**
 * `convolution`: the one N-d (1-3 spatial dims) convolution primitive, PyTorch's aten::convolution:
 *   convolution(input, weight, bias, stride, padding, dilation, transposed, outputPadding, groups)
 * with every list already expanded to one entry per spatial dim. conv1d/2d/3d and the transposed
 * forms in @torchts/nn are thin wrappers; the derivative (autograd's nn-conv.ts) is written with
 * this op again (the input gradient is a transposed convolution), so double backward works.
 *
 * Kernel signature: (out, input, weight, bias | null, stride, padding, dilation, transposed, groups),
 * with input and weight of one floating dtype (weight contiguous), out contiguous and fully written.
 */
import { defineOp } from '../../dispatcher.js';
import { isFloatingPoint } from '../../dtype.js';
import { RuntimeError } from '../../errors.js';
import { Tensor, emptyTensor } from '../../tensor.js';
import { contiguous } from '../copy.js';

const fmt = (s: readonly number[]): string => `[${s.join(', ')}]`;

/** `v` must be a list of `n` ints (any length when `n` is undefined). */
function checkList(name: string, v: readonly number[], n: number | undefined): void {
  if (!Array.isArray(v) || (n !== undefined && v.length !== n) || !v.every((x) => Number.isInteger(x))) {
    throw new RuntimeError(`convolution: expected ${name} to be a list of ${n} ints, but got ${String(v)}`);
  }
}

/** PyTorch 1.13's check_shape_forward (same messages), then the output shape. */
export function convOutputShape(
  input: Tensor, weightShape: readonly number[], bias: Tensor | null, stride: readonly number[], padding: readonly number[],
  dilation: readonly number[], transposed: boolean, outputPadding: readonly number[], groups: number,
): number[] {
  const k = input._shape.length;
  const w = weightShape;
  const dim = w.length - 2;
  if (dim < 1 || dim > 3) throw new RuntimeError(`convolution: expected a 3-, 4- or 5-dimensional weight, but got weight of size ${fmt(w)}`);
  const lists = [['stride', stride], ['padding', padding], ['dilation', dilation], ['output_padding', outputPadding]] as const;
  for (const [name, v] of lists) checkList(name, v, v?.length);
  if (padding.some((p) => p < 0)) throw new RuntimeError('negative padding is not supported');
  if (outputPadding.some((p) => p < 0)) throw new RuntimeError('negative output_padding is not supported');
  if (stride.some((s) => s <= 0)) throw new RuntimeError('non-positive stride is not supported');
  if (dilation.some((d) => d <= 0)) throw new RuntimeError('dilation should be greater than zero');
  if (!Number.isInteger(groups) || groups <= 0) throw new RuntimeError('non-positive groups is not supported');
  if (w.length !== k) {
    throw new RuntimeError(`Expected ${w.length}-dimensional input for ${w.length}-dimensional weight ${fmt(w)}, but got ${k}-dimensional input of size ${fmt(input._shape)} instead`);
  }
  for (const [name, v] of lists) checkList(name, v, dim);
  if (w[0]! < groups) {
    throw new RuntimeError(`Given groups=${groups}, expected weight to be at least ${groups} at dimension 0, but got weight of size ${fmt(w)} instead`);
  }
  if (w[0]! % groups !== 0) {
    throw new RuntimeError(`Given groups=${groups}, expected weight to be divisible by ${groups} at dimension 0, but got weight of size [${fmt(w)}] instead`);
  }
  const spatial = input._shape.slice(2);
  if (!transposed) {
    if (input._shape[1] !== w[1]! * groups) {
      throw new RuntimeError(`Given groups=${groups}, weight of size ${fmt(w)}, expected input${fmt(input._shape)} to have ${w[1]! * groups} channels, but got ${input._shape[1]} channels instead`);
    }
    if (bias && (bias._shape.length !== 1 || bias._shape[0] !== w[0])) {
      throw new RuntimeError(`Given weight of size ${fmt(w)}, expected bias to be 1-dimensional with ${w[0]} elements, but got bias of size ${fmt(bias._shape)} instead`);
    }
    const padded = spatial.map((s, i) => s + 2 * padding[i]!);
    const kernel = w.slice(2).map((s, i) => dilation[i]! * (s - 1) + 1);
    if (padded.some((p, i) => p < kernel[i]!)) {
      throw new RuntimeError(`Calculated padded input size per channel: (${padded.join(' x ')}). Kernel size: (${kernel.join(' x ')}). Kernel size can't be greater than actual input size`);
    }
    return [input._shape[0]!, w[0]!, ...padded.map((p, i) => Math.floor((p - kernel[i]!) / stride[i]!) + 1)];
  }
  if (input._shape[1] !== w[0]) {
    throw new RuntimeError(`Given transposed=1, weight of size ${fmt(w)}, expected input${fmt(input._shape)} to have ${w[0]} channels, but got ${input._shape[1]} channels instead`);
  }
  if (bias && (bias._shape.length !== 1 || bias._shape[0] !== w[1]! * groups)) {
    throw new RuntimeError(`Given transposed=1, weight of size ${fmt(w)}, expected bias to be 1-dimensional with ${w[1]! * groups} elements, but got bias of size ${fmt(bias._shape)} instead`);
  }
  if (outputPadding.some((p, i) => p >= stride[i]! && p >= dilation[i]!)) {
    throw new RuntimeError(`output padding must be smaller than either stride or dilation, but got output_padding: ${fmt(outputPadding)} stride: ${fmt(stride)} dilation: ${fmt(dilation)}`);
  }
  const out = spatial.map((s, i) => (s - 1) * stride[i]! - 2 * padding[i]! + dilation[i]! * (w[i + 2]! - 1) + outputPadding[i]! + 1);
  if (out.some((s) => s <= 0)) {
    throw new RuntimeError(`convolution: the transposed convolution's output size ${fmt(out)} is too small (input of size ${fmt(input._shape)}, weight of size ${fmt(w)})`);
  }
  return [input._shape[0]!, w[1]! * groups, ...out];
}

export const convolutionOp = defineOp('convolution', (
  input: Tensor, weight: Tensor, bias: Tensor | null, stride: number[], padding: number[], dilation: number[],
  transposed: boolean, outputPadding: number[], groups: number,
): Tensor => {
  if (!(input instanceof Tensor) || !(weight instanceof Tensor)) throw new TypeError('convolution(): input and weight must be tensors');
  if (bias !== null && bias !== undefined && !(bias instanceof Tensor)) throw new TypeError('convolution(): bias must be a tensor or null');
  const b = bias ?? null;
  const shape = convOutputShape(input, weight._shape, b, stride, padding, dilation, transposed, outputPadding, groups);
  if (input._dtype !== weight._dtype || (b && b._dtype !== input._dtype)) {
    throw new RuntimeError(`convolution: expected input, weight and bias of one dtype, but got ${input._dtype}, ${weight._dtype}${b ? ` and ${b._dtype}` : ''}`);
  }
  if (!isFloatingPoint(input._dtype)) {
    throw new RuntimeError(`convolution: not implemented for dtype ${input._dtype} (floating-point dtypes only)`);
  }
  if (input.device !== weight.device || (b && b.device !== input.device)) {
    throw new RuntimeError(`convolution: expected all tensors on one device, but got ${input.device} and ${weight.device}`);
  }
  const out = emptyTensor(shape, input._dtype, input.device);
  if (out.numel() === 0) return out;
  const w = contiguous(weight);
  // The transposed kernel multiplies the input in place: it needs flat spatial dims.
  const x = transposed ? contiguous(input) : input;
  convolutionOp.kernel(input.device)(out, x, w, b, stride, padding, dilation, transposed, groups);
  if (w !== weight) w.dispose();
  if (x !== input) x.dispose();
  return out;
});

/** Functional form: `torch.convolution(input, weight, bias, stride, padding, dilation, transposed, outputPadding, groups)`. */
export function convolution(
  input: Tensor, weight: Tensor, bias: Tensor | null, stride: number[], padding: number[], dilation: number[],
  transposed: boolean, outputPadding: number[], groups: number,
): Tensor {
  return convolutionOp.call(input, weight, bias, stride, padding, dilation, transposed, outputPadding, groups);
}
