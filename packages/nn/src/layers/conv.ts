/**
 * Convolution layers: Conv1d/2d/3d and ConvTranspose1d/2d/3d, over nn.functional's conv forms.
 * Defaults as in PyTorch: weight ~ kaiming_uniform_(a = sqrt(5)) = U(-1/sqrt(fan_in), 1/sqrt(fan_in)),
 * bias ~ U(-1/sqrt(fan_in), 1/sqrt(fan_in)), fan_in = weight.size(1) * kernel elements.
 * Non-'zeros' padding modes pad the input with core's pad first, then convolve without padding.
 */
import { ValueError, empty, pad } from '@torchts/core';
import type { Tensor } from '@torchts/core';
import { noGrad } from '@torchts/autograd';
import { Module } from '../module.js';
import { Parameter } from '../parameter.js';
import { conv1d, conv2d, conv3d, convTranspose1d, convTranspose2d, convTranspose3d, expandParam } from '../functional/conv.js';
import type { ConvPadding, IntOrList } from '../functional/conv.js';

export type PaddingMode = 'zeros' | 'reflect' | 'replicate' | 'circular';
const PADDING_MODES: readonly PaddingMode[] = ['zeros', 'reflect', 'replicate', 'circular'];

export interface ConvLayerOptions {
  stride?: IntOrList;
  padding?: ConvPadding;
  dilation?: IntOrList;
  groups?: number;
  bias?: boolean;
  paddingMode?: PaddingMode;
  dtype?: Tensor['dtype'];
  device?: string;
}

export interface ConvTransposeLayerOptions {
  stride?: IntOrList;
  padding?: IntOrList;
  outputPadding?: IntOrList;
  groups?: number;
  bias?: boolean;
  dilation?: IntOrList;
  paddingMode?: 'zeros';
  dtype?: Tensor['dtype'];
  device?: string;
}

const tuple = (v: readonly number[]): string => `(${v.join(', ')}${v.length === 1 ? ',' : ''})`;

/** The shared part of the direct and transposed layers (PyTorch's _ConvNd). */
abstract class ConvNd extends Module {
  weight: Tensor;
  bias: Tensor | null;
  declare readonly inChannels: number;
  declare readonly outChannels: number;
  declare readonly kernelSize: number[];
  declare readonly stride: number[];
  declare readonly padding: number[] | 'same' | 'valid';
  declare readonly dilation: number[];
  declare readonly transposed: boolean;
  declare readonly outputPadding: number[];
  declare readonly groups: number;
  declare readonly paddingMode: PaddingMode;

  constructor(
    nd: number, name: string, inChannels: number, outChannels: number, kernelSize: IntOrList,
    o: { stride?: IntOrList; padding?: ConvPadding; dilation?: IntOrList; groups?: number; bias?: boolean; paddingMode?: PaddingMode; outputPadding?: IntOrList; dtype?: Tensor['dtype']; device?: string },
    transposed: boolean,
  ) {
    super();
    const groups = o.groups ?? 1;
    if (!Number.isInteger(groups) || groups <= 0) throw new ValueError('groups must be a positive integer');
    if (inChannels % groups !== 0) throw new ValueError('in_channels must be divisible by groups');
    if (outChannels % groups !== 0) throw new ValueError('out_channels must be divisible by groups');
    const mode = o.paddingMode ?? 'zeros';
    if (!PADDING_MODES.includes(mode)) {
      throw new ValueError(`padding_mode must be one of ['zeros', 'reflect', 'replicate', 'circular'], but got padding_mode='${String(mode)}'`);
    }
    const kernel = expandParam('kernel_size', kernelSize, nd, name);
    const stride = expandParam('stride', o.stride ?? 1, nd, name);
    const dilation = expandParam('dilation', o.dilation ?? 1, nd, name);
    const p = o.padding ?? 0;
    let padding: number[] | 'same' | 'valid';
    if (typeof p === 'string') {
      if (p !== 'same' && p !== 'valid') throw new ValueError(`Invalid padding string '${p}', should be one of ['valid', 'same']`);
      if (p === 'same' && stride.some((s) => s !== 1)) throw new ValueError("padding='same' is not supported for strided convolutions");
      padding = p;
    } else padding = expandParam('padding', p, nd, name);
    Object.assign(this, {
      inChannels, outChannels, kernelSize: kernel, stride, padding, dilation, transposed,
      outputPadding: expandParam('output_padding', o.outputPadding ?? 0, nd, name), groups, paddingMode: mode,
    });
    const wShape = transposed ? [inChannels, outChannels / groups, ...kernel] : [outChannels, inChannels / groups, ...kernel];
    const opts = { dtype: o.dtype, device: o.device };
    this.weight = Parameter(empty(wShape, opts));
    this.bias = o.bias ?? true ? Parameter(empty([outChannels], opts)) : null;
    this.resetParameters();
  }

  /** PyTorch's reset_parameters: both bounds are 1/sqrt(fan_in) (kaiming_uniform_ with a = sqrt(5)). */
  resetParameters(): void {
    const fanIn = this.weight.shape[1]! * this.kernelSize.reduce((a, b) => a * b, 1);
    const bound = fanIn > 0 ? 1 / Math.sqrt(fanIn) : 0;
    noGrad(() => {
      this.weight.uniform_(-bound, bound);
      this.bias?.uniform_(-bound, bound);
    });
  }

  override extraRepr(): string {
    let s = `${this.inChannels}, ${this.outChannels}, kernel_size=${tuple(this.kernelSize)}, stride=${tuple(this.stride)}`;
    const p = this.padding;
    if (typeof p === 'string') s += `, padding=${p}`;
    else if (p.some((x) => x !== 0)) s += `, padding=${tuple(p)}`;
    if (this.dilation.some((d) => d !== 1)) s += `, dilation=${tuple(this.dilation)}`;
    if (this.outputPadding.some((d) => d !== 0)) s += `, output_padding=${tuple(this.outputPadding)}`;
    if (this.groups !== 1) s += `, groups=${this.groups}`;
    if (this.bias === null) s += ', bias=False';
    if (this.paddingMode !== 'zeros') s += `, padding_mode=${this.paddingMode}`;
    return s;
  }
}

type ConvFn = typeof conv2d;

abstract class ConvDirect extends ConvNd {
  protected abstract readonly fn: ConvFn;

  override forward(input: Tensor): Tensor {
    if (this.paddingMode === 'zeros') {
      return this.fn(input, this.weight, { bias: this.bias, stride: this.stride, padding: this.padding, dilation: this.dilation, groups: this.groups });
    }
    // PyTorch's _reversed_padding_repeated_twice: [left, right] per dim, last dim first.
    const amounts: number[] = [];
    for (let i = this.kernelSize.length - 1; i >= 0; i--) {
      if (this.padding === 'valid') amounts.push(0, 0);
      else if (this.padding === 'same') {
        const total = this.dilation[i]! * (this.kernelSize[i]! - 1);
        const left = Math.floor(total / 2);
        amounts.push(left, total - left);
      } else amounts.push(this.padding[i]!, this.padding[i]!);
    }
    const padded = pad(input, amounts, this.paddingMode);
    const out = this.fn(padded, this.weight, { bias: this.bias, stride: this.stride, padding: 0, dilation: this.dilation, groups: this.groups });
    padded.dispose();
    return out;
  }
}

export class Conv1d extends ConvDirect {
  protected get fn(): ConvFn {
    return conv1d;
  }
  constructor(inChannels: number, outChannels: number, kernelSize: IntOrList, options: ConvLayerOptions = {}) {
    super(1, 'Conv1d', inChannels, outChannels, kernelSize, options, false);
  }
}

export class Conv2d extends ConvDirect {
  protected get fn(): ConvFn {
    return conv2d;
  }
  constructor(inChannels: number, outChannels: number, kernelSize: IntOrList, options: ConvLayerOptions = {}) {
    super(2, 'Conv2d', inChannels, outChannels, kernelSize, options, false);
  }
}

export class Conv3d extends ConvDirect {
  protected get fn(): ConvFn {
    return conv3d;
  }
  constructor(inChannels: number, outChannels: number, kernelSize: IntOrList, options: ConvLayerOptions = {}) {
    super(3, 'Conv3d', inChannels, outChannels, kernelSize, options, false);
  }
}

type ConvTransposeFn = typeof convTranspose2d;

abstract class ConvTransposeNd extends ConvNd {
  protected abstract readonly fn: ConvTransposeFn;

  constructor(nd: number, inChannels: number, outChannels: number, kernelSize: IntOrList, options: ConvTransposeLayerOptions) {
    if ((options.paddingMode ?? 'zeros') !== 'zeros') {
      throw new ValueError(`Only "zeros" padding mode is supported for ConvTranspose${nd}d`);
    }
    super(nd, `ConvTranspose${nd}d`, inChannels, outChannels, kernelSize, options, true);
  }

  /** `forward(input, outputSize?)`: outputSize picks the output padding (PyTorch's _output_padding). */
  override forward(input: Tensor, outputSize?: number[]): Tensor {
    const nd = this.kernelSize.length;
    let outputPadding = this.outputPadding;
    if (outputSize) {
      const nonSpatial = input.dim() === nd + 2 ? 2 : 1;
      const size = outputSize.length === nonSpatial + nd ? outputSize.slice(nonSpatial) : outputSize;
      if (size.length !== nd) {
        throw new ValueError(`ConvTranspose${nd}D: for ${input.dim()}D input, output_size must have ${nd} or ${nonSpatial + nd} elements (got ${outputSize.length})`);
      }
      const padding = this.padding as number[];
      const minSizes = size.map((_, d) => (input.shape[d + nonSpatial]! - 1) * this.stride[d]! - 2 * padding[d]! + this.dilation[d]! * (this.kernelSize[d]! - 1) + 1);
      const maxSizes = minSizes.map((m, d) => m + this.stride[d]! - 1);
      if (size.some((s, d) => s < minSizes[d]! || s > maxSizes[d]!)) {
        throw new ValueError(`requested an output size of [${size.join(', ')}], but valid sizes range from [${minSizes.join(', ')}] to [${maxSizes.join(', ')}] (for an input of [${input.shape.slice(nonSpatial).join(', ')}])`);
      }
      outputPadding = size.map((s, d) => s - minSizes[d]!);
    }
    return this.fn(input, this.weight, {
      bias: this.bias, stride: this.stride, padding: this.padding as number[], outputPadding, groups: this.groups, dilation: this.dilation,
    });
  }
}

export class ConvTranspose1d extends ConvTransposeNd {
  protected get fn(): ConvTransposeFn {
    return convTranspose1d;
  }
  constructor(inChannels: number, outChannels: number, kernelSize: IntOrList, options: ConvTransposeLayerOptions = {}) {
    super(1, inChannels, outChannels, kernelSize, options);
  }
}

export class ConvTranspose2d extends ConvTransposeNd {
  protected get fn(): ConvTransposeFn {
    return convTranspose2d;
  }
  constructor(inChannels: number, outChannels: number, kernelSize: IntOrList, options: ConvTransposeLayerOptions = {}) {
    super(2, inChannels, outChannels, kernelSize, options);
  }
}

export class ConvTranspose3d extends ConvTransposeNd {
  protected get fn(): ConvTransposeFn {
    return convTranspose3d;
  }
  constructor(inChannels: number, outChannels: number, kernelSize: IntOrList, options: ConvTransposeLayerOptions = {}) {
    super(3, inChannels, outChannels, kernelSize, options);
  }
}
