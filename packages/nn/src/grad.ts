/**
 * `nn.grad` (torch.nn.grad): the gradients of a convolution with respect to its input and its
 * weight, computed directly rather than through autograd — conv{1,2,3}dInput(inputSize, weight,
 * gradOutput, opts) and conv{1,2,3}dWeight(input, weightSize, gradOutput, opts). Both are
 * differentiable (core's `convolution` and `convolutionBackwardWeight`).
 */
import { RuntimeError, Tensor, convolution, convolutionBackwardWeight } from '@torchts/core';
import { expandParam } from './functional/conv.js';
import type { IntOrList } from './functional/conv.js';

export interface ConvGradOptions {
  stride?: IntOrList;
  padding?: IntOrList;
  dilation?: IntOrList;
  groups?: number;
}

interface Params {
  stride: number[];
  padding: number[];
  dilation: number[];
  groups: number;
}

function params(nd: number, op: string, opts: ConvGradOptions): Params {
  return {
    stride: expandParam('stride', opts.stride ?? 1, nd, op),
    padding: expandParam('padding', opts.padding ?? 0, nd, op),
    dilation: expandParam('dilation', opts.dilation ?? 1, nd, op),
    groups: opts.groups ?? 1,
  };
}

function checkTensor(op: string, name: string, t: unknown, nd: number): void {
  if (!(t instanceof Tensor)) throw new TypeError(`${op}(): argument '${name}' must be a Tensor`);
  if (t.ndim !== nd + 2) throw new RuntimeError(`${op}: expected ${name} to be ${nd + 2}-dimensional, but got a tensor of size [${t.shape.join(', ')}]`);
}

/**
 * PyTorch's check that gradOutput has the size of the convolution's output for an input of spatial
 * size `inSpatial` (its message, with its dim numbering).
 */
function checkGradOutput(gradOutput: Tensor, inSpatial: readonly number[], kernel: readonly number[], p: Params): void {
  const nd = inSpatial.length;
  inSpatial.forEach((n, i) => {
    const expected = Math.floor((n + 2 * p.padding[i]! - p.dilation[i]! * (kernel[i]! - 1) - 1) / p.stride[i]!) + 1;
    const got = gradOutput.shape[i + 2]!;
    if (got !== expected) {
      throw new RuntimeError(`Expected a tensor of dimension ${nd + 2} and tensor.size[${i + 2}] == ${expected} but got: dimension ${nd + 2} and tensor.size[${i + 2}] = ${got}`);
    }
  });
}

function convInput(nd: number, op: string, inputSize: readonly number[], weight: Tensor, gradOutput: Tensor, opts: ConvGradOptions): Tensor {
  checkTensor(op, 'weight', weight, nd);
  checkTensor(op, 'grad_output', gradOutput, nd);
  const p = params(nd, op, opts);
  if (!Array.isArray(inputSize) || inputSize.length !== nd + 2) {
    throw new RuntimeError(`Expected ${nd + 2}-dimensional input for ${nd + 2}-dimensional weight [${weight.shape.join(', ')}], but got ${String(inputSize?.length)}-dimensional input_size`);
  }
  const spatial = inputSize.slice(2);
  const kernel = weight.shape.slice(2);
  checkGradOutput(gradOutput, spatial, kernel, p);
  // The transposed convolution produces `min` positions; the output padding adds the ones the stride dropped.
  const outputPadding = spatial.map((n, i) => n - ((gradOutput.shape[i + 2]! - 1) * p.stride[i]! - 2 * p.padding[i]! + p.dilation[i]! * (kernel[i]! - 1) + 1));
  return convolution(gradOutput, weight, null, p.stride, p.padding, p.dilation, true, outputPadding, p.groups);
}

function convWeight(nd: number, op: string, input: Tensor, weightSize: readonly number[], gradOutput: Tensor, opts: ConvGradOptions): Tensor {
  checkTensor(op, 'input', input, nd);
  checkTensor(op, 'grad_output', gradOutput, nd);
  const p = params(nd, op, opts);
  if (weightSize.length === nd + 2) checkGradOutput(gradOutput, input.shape.slice(2), weightSize.slice(2), p);
  return convolutionBackwardWeight(input, gradOutput, [...weightSize], p.stride, p.padding, p.dilation, p.groups);
}

export const conv1dInput = (inputSize: readonly number[], weight: Tensor, gradOutput: Tensor, opts: ConvGradOptions = {}): Tensor =>
  convInput(1, 'conv1d_input', inputSize, weight, gradOutput, opts);
export const conv2dInput = (inputSize: readonly number[], weight: Tensor, gradOutput: Tensor, opts: ConvGradOptions = {}): Tensor =>
  convInput(2, 'conv2d_input', inputSize, weight, gradOutput, opts);
export const conv3dInput = (inputSize: readonly number[], weight: Tensor, gradOutput: Tensor, opts: ConvGradOptions = {}): Tensor =>
  convInput(3, 'conv3d_input', inputSize, weight, gradOutput, opts);
export const conv1dWeight = (input: Tensor, weightSize: readonly number[], gradOutput: Tensor, opts: ConvGradOptions = {}): Tensor =>
  convWeight(1, 'conv1d_weight', input, weightSize, gradOutput, opts);
export const conv2dWeight = (input: Tensor, weightSize: readonly number[], gradOutput: Tensor, opts: ConvGradOptions = {}): Tensor =>
  convWeight(2, 'conv2d_weight', input, weightSize, gradOutput, opts);
export const conv3dWeight = (input: Tensor, weightSize: readonly number[], gradOutput: Tensor, opts: ConvGradOptions = {}): Tensor =>
  convWeight(3, 'conv3d_weight', input, weightSize, gradOutput, opts);
