/**
 * Derivative of `convolution` (direct and transposed), written with `convolution` itself so
 * double backward works:
 * - direct: dInput is the transposed convolution of the gradient (outputPadding recovers input
 *   sizes the stride dropped); dWeight is a convolution of the input by the gradient with stride
 *   and dilation swapped, batch and channels exchanged (groups stay groups);
 * - transposed: dInput is the direct convolution of the gradient; dWeight is the direct form's
 *   weight gradient with the roles of input and output exchanged;
 * - dBias sums the gradient over every dim but the channels.
 */
import { convolution } from '@torchts/core';
import type { Tensor } from '@torchts/core';
import { defineDerivative } from '../registry.js';
import { forTensors, operandMeta } from './util.js';

/** Narrows every spatial dim (2..) of `t` to `sizes` (a view; `t` itself when nothing changes). */
function narrowSpatial(t: Tensor, sizes: readonly number[]): Tensor {
  let r = t;
  sizes.forEach((s, i) => {
    if (r.shape[i + 2]! > s) r = r.narrow(i + 2, 0, s);
  });
  return r;
}

/**
 * d(conv(x, W))/dW for the direct convolution: x [N, C, ...], gy [N, O, ...] -> [O, C/groups, kernel...].
 * Computed as one grouped convolution of x (channels as batch, batch as channels) by gy.
 */
function weightGrad(
  x: Tensor, gy: Tensor, kernel: readonly number[], stride: number[], padding: number[], dilation: number[], groups: number,
): Tensor {
  const [N, C] = x.shape as [number, number];
  const O = gy.shape[1]!;
  const Cg = C / groups, Og = O / groups;
  const sp = x.shape.slice(2), spOut = gy.shape.slice(2);
  const rest = sp.map((_, i) => i + 3);
  const xt = x.reshape([N, groups, Cg, ...sp]).permute([2, 1, 0, ...rest]).reshape([Cg, groups * N, ...sp]);
  const wt = gy.reshape([N, groups, Og, ...spOut]).permute([1, 2, 0, ...rest]).reshape([O, N, ...spOut]);
  const r = convolution(xt, wt, null, dilation, padding, stride, false, sp.map(() => 0), groups);
  xt.dispose();
  wt.dispose();
  const narrowed = narrowSpatial(r, kernel);
  const out = narrowed.transpose(0, 1).contiguous();
  if (out !== r) r.dispose();
  return out;
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
    const kernel = s.weightShape.slice(2);
    const gradInput = (): Tensor | null => {
      if (!needsInputGrad[0]) return null;
      if (!s.transposed) {
        const produced = gy.shape.slice(2).map((o, i) => (o - 1) * s.stride[i]! - 2 * s.padding[i]! + s.dilation[i]! * (kernel[i]! - 1) + 1);
        const outPad = spatialIn.map((n, i) => n - produced[i]!);
        return convolution(gy, s.weight!, null, s.stride, s.padding, s.dilation, true, outPad, s.groups);
      }
      const r = convolution(gy, s.weight!, null, s.stride, s.padding, s.dilation, false, spatialIn.map(() => 0), s.groups);
      const n = narrowSpatial(r, spatialIn);
      if (n === r) return r;
      const c = n.contiguous();
      r.dispose();
      return c;
    };
    const gradWeight = (): Tensor | null => {
      if (!needsInputGrad[1]) return null;
      return s.transposed
        ? weightGrad(gy, s.input!, kernel, s.stride, s.padding, s.dilation, s.groups)
        : weightGrad(s.input!, gy, kernel, s.stride, s.padding, s.dilation, s.groups);
    };
    const gradBias = (): Tensor | null => {
      if (!needsInputGrad[2]) return null;
      return gy.sum([0, ...spatialIn.map((_, i) => i + 2)]);
    };
    return forTensors([{}, gradInput], [{}, gradWeight], [s.hasBias ? {} : null, gradBias]);
  },
});
