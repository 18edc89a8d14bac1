/**
 * Derivative of `convolution` (direct and transposed), written with `convolution` itself so
 * double backward works:
 * - direct: dInput is the transposed convolution of the gradient (outputPadding recovers input
 *   sizes the stride dropped); dWeight is `convolutionBackwardWeight(input, gradient)`;
 * - transposed: dInput is the direct convolution of the gradient; dWeight is the direct form's
 *   weight gradient with the roles of input and output exchanged;
 * - dBias sums the gradient over every dim but the channels.
 * `convolutionBackwardWeight` is bilinear in (input, gradient); its own derivative is written with
 * `convolution` too: for an incoming ggW, d/dgradient = convolution(input, ggW) and d/dinput = the
 * transposed convolution of the gradient by ggW (the direct form's input gradient).
 */
import { convolution, convolutionBackwardWeight } from '@torchts/core';
import type { Tensor } from '@torchts/core';
import { defineDerivative } from '../registry.js';
import { forTensors, operandMeta } from './util.js';

/** `t` with every spatial dim (2..) cut to `sizes`, contiguous (`t` itself when nothing changes; else `t` is disposed). */
function cropSpatial(t: Tensor, sizes: readonly number[]): Tensor {
  let r = t;
  sizes.forEach((s, i) => {
    if (r.shape[i + 2]! > s) r = r.narrow(i + 2, 0, s);
  });
  if (r === t) return t;
  const c = r.contiguous();
  t.dispose();
  return c;
}

/**
 * The direct convolution's input gradient: the transposed convolution of gy by the weight, with
 * the output padding that recovers the input sizes the stride dropped.
 */
function directInputGrad(
  gy: Tensor, weight: Tensor, spatialIn: readonly number[], stride: number[], padding: number[], dilation: number[], groups: number,
): Tensor {
  const kernel = weight.shape.slice(2);
  const produced = gy.shape.slice(2).map((o, i) => (o - 1) * stride[i]! - 2 * padding[i]! + dilation[i]! * (kernel[i]! - 1) + 1);
  const outPad = spatialIn.map((n, i) => n - produced[i]!);
  return convolution(gy, weight, null, stride, padding, dilation, true, outPad, groups);
}

interface ConvSaved {
  input: Tensor | null;
  weight: Tensor | null;
  inputShape: number[];
  weightShape: number[];
  hasBias: boolean;
  bias: unknown;
  stride: number[];
  padding: number[];
  dilation: number[];
  transposed: boolean;
  outputPadding: number[];
  groups: number;
}

defineDerivative('convolution', {
  save: (args) => {
    const [input, weight, bias, stride, padding, dilation, transposed, outputPadding, groups] = args as [
      Tensor, Tensor, Tensor | null, number[], number[], number[], boolean, number[], number[] | number,
    ];
    return {
      // Each operand's value is needed only for the other's gradient.
      input: weight.requiresGrad ? input : null,
      weight: input.requiresGrad ? weight : null,
      inputShape: [...input.shape],
      weightShape: [...weight.shape],
      bias: operandMeta(bias),
      hasBias: bias instanceof Object,
      stride: [...stride], padding: [...padding], dilation: [...dilation],
      transposed: Boolean(transposed), outputPadding: [...outputPadding], groups: groups as number,
    };
  },
  backward: ([g], { saved, needsInputGrad }) => {
    const s = saved as unknown as ConvSaved;
    const gy = g!;
    const spatialIn = s.inputShape.slice(2);
    const gradInput = (): Tensor | null => {
      if (!needsInputGrad[0]) return null;
      if (!s.transposed) return directInputGrad(gy, s.weight!, spatialIn, s.stride, s.padding, s.dilation, s.groups);
      const r = convolution(gy, s.weight!, null, s.stride, s.padding, s.dilation, false, spatialIn.map(() => 0), s.groups);
      return cropSpatial(r, spatialIn);
    };
    const gradWeight = (): Tensor | null => {
      if (!needsInputGrad[1]) return null;
      return s.transposed
        ? convolutionBackwardWeight(gy, s.input!, s.weightShape, s.stride, s.padding, s.dilation, s.groups)
        : convolutionBackwardWeight(s.input!, gy, s.weightShape, s.stride, s.padding, s.dilation, s.groups);
    };
    const gradBias = (): Tensor | null => {
      if (!needsInputGrad[2]) return null;
      return gy.sum([0, ...spatialIn.map((_, i) => i + 2)]);
    };
    return forTensors([{}, gradInput], [{}, gradWeight], [s.hasBias ? {} : null, gradBias]);
  },
});

interface WeightGradSaved {
  input: Tensor | null;
  gradOutput: Tensor | null;
  inputSpatial: number[];
  gradSpatial: number[];
  stride: number[];
  padding: number[];
  dilation: number[];
  groups: number;
}

defineDerivative('convolutionBackwardWeight', {
  save: (args) => {
    const [input, gradOutput, , stride, padding, dilation, groups] = args as [Tensor, Tensor, number[], number[], number[], number[], number];
    return {
      input: gradOutput.requiresGrad ? input : null,
      gradOutput: input.requiresGrad ? gradOutput : null,
      inputSpatial: input.shape.slice(2),
      gradSpatial: gradOutput.shape.slice(2),
      stride: [...stride], padding: [...padding], dilation: [...dilation], groups,
    };
  },
  backward: ([ggW], { saved, needsInputGrad }) => {
    const s = saved as unknown as WeightGradSaved;
    const gradInput = needsInputGrad[0]
      ? directInputGrad(s.gradOutput!, ggW!, s.inputSpatial, s.stride, s.padding, s.dilation, s.groups)
      : null;
    const gradGradOutput = (): Tensor | null => {
      if (!needsInputGrad[1]) return null;
      const r = convolution(s.input!, ggW!, null, s.stride, s.padding, s.dilation, false, s.stride.map(() => 0), s.groups);
      return cropSpatial(r, s.gradSpatial);
    };
    return [gradInput, gradGradOutput()];
  },
});
