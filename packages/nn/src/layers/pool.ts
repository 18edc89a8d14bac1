/**
 * Pooling modules: MaxPool1d/2d/3d, AvgPool1d/2d/3d, AdaptiveAvgPool1d/2d, AdaptiveMaxPool1d/2d,
 * LPPool1d/2d, MaxUnpool1d/2d. Each wraps its nn.functional form; attribute names and reprs
 * follow PyTorch's (kernel_size, stride, ... in extraRepr).
 */
import type { Tensor } from '@torchts/core';
import { Module } from '../module.js';
import * as F from '../functional/pool.js';
import type { ValuesIndices } from '../functional/pool.js';

type Size = number | number[];
const fmt = (v: Size | null): string => (v === null ? 'None' : Array.isArray(v) ? `(${v.join(', ')}${v.length === 1 ? ',' : ''})` : String(v));
const py = (b: boolean): string => (b ? 'True' : 'False');

export interface MaxPoolModuleOptions {
  stride?: Size | null;
  padding?: Size;
  dilation?: Size;
  returnIndices?: boolean;
  ceilMode?: boolean;
}

abstract class MaxPoolNd extends Module {
  declare kernelSize: Size;
  declare stride: Size;
  declare padding: Size;
  declare dilation: Size;
  declare returnIndices: boolean;
  declare ceilMode: boolean;
  protected abstract readonly nd: number;
  constructor(kernelSize: Size, opts: MaxPoolModuleOptions = {}) {
    super();
    this.kernelSize = kernelSize;
    this.stride = opts.stride ?? kernelSize;
    this.padding = opts.padding ?? 0;
    this.dilation = opts.dilation ?? 1;
    this.returnIndices = opts.returnIndices ?? false;
    this.ceilMode = opts.ceilMode ?? false;
  }
  forward(input: Tensor): Tensor | ValuesIndices {
    const f = [F.maxPool1d, F.maxPool2d, F.maxPool3d][this.nd - 1]!;
    return f(input, this.kernelSize, { stride: this.stride, padding: this.padding, dilation: this.dilation, ceilMode: this.ceilMode, returnIndices: this.returnIndices });
  }
  override extraRepr(): string {
    return `kernel_size=${fmt(this.kernelSize)}, stride=${fmt(this.stride)}, padding=${fmt(this.padding)}, dilation=${fmt(this.dilation)}, ceil_mode=${py(this.ceilMode)}`;
  }
}
export class MaxPool1d extends MaxPoolNd {
  protected get nd(): number { return 1; }
}
export class MaxPool2d extends MaxPoolNd {
  protected get nd(): number { return 2; }
}
export class MaxPool3d extends MaxPoolNd {
  protected get nd(): number { return 3; }
}

export interface AvgPoolModuleOptions {
  stride?: Size | null;
  padding?: Size;
  ceilMode?: boolean;
  countIncludePad?: boolean;
  divisorOverride?: number | null;
}

abstract class AvgPoolNd extends Module {
  declare kernelSize: Size;
  declare stride: Size;
  declare padding: Size;
  declare ceilMode: boolean;
  declare countIncludePad: boolean;
  declare divisorOverride: number | null;
  protected abstract readonly nd: number;
  constructor(kernelSize: Size, opts: AvgPoolModuleOptions = {}) {
    super();
    this.kernelSize = kernelSize;
    this.stride = opts.stride ?? kernelSize;
    this.padding = opts.padding ?? 0;
    this.ceilMode = opts.ceilMode ?? false;
    this.countIncludePad = opts.countIncludePad ?? true;
    this.divisorOverride = opts.divisorOverride ?? null;
  }
  forward(input: Tensor): Tensor {
    const f = [F.avgPool1d, F.avgPool2d, F.avgPool3d][this.nd - 1]!;
    return f(input, this.kernelSize, { stride: this.stride, padding: this.padding, ceilMode: this.ceilMode, countIncludePad: this.countIncludePad, divisorOverride: this.divisorOverride });
  }
  override extraRepr(): string {
    return `kernel_size=${fmt(this.kernelSize)}, stride=${fmt(this.stride)}, padding=${fmt(this.padding)}`;
  }
}
export class AvgPool1d extends AvgPoolNd {
  protected get nd(): number { return 1; }
  constructor(kernelSize: Size, opts: Omit<AvgPoolModuleOptions, 'divisorOverride'> = {}) {
    super(kernelSize, opts);
  }
}
export class AvgPool2d extends AvgPoolNd {
  protected get nd(): number { return 2; }
}
export class AvgPool3d extends AvgPoolNd {
  protected get nd(): number { return 3; }
}

type OutSize = number | null | Array<number | null>;
const fmtOut = (v: OutSize): string => (Array.isArray(v) ? `(${v.map((x) => (x === null ? 'None' : x)).join(', ')})` : v === null ? 'None' : String(v));

export class AdaptiveAvgPool1d extends Module {
  declare outputSize: OutSize;
  constructor(outputSize: OutSize) {
    super();
    this.outputSize = outputSize;
  }
  forward(input: Tensor): Tensor {
    return F.adaptiveAvgPool1d(input, this.outputSize);
  }
  override extraRepr(): string {
    return `output_size=${fmtOut(this.outputSize)}`;
  }
}
export class AdaptiveAvgPool2d extends AdaptiveAvgPool1d {
  override forward(input: Tensor): Tensor {
    return F.adaptiveAvgPool2d(input, this.outputSize);
  }
}

export class AdaptiveMaxPool1d extends Module {
  declare outputSize: OutSize;
  declare returnIndices: boolean;
  constructor(outputSize: OutSize, opts: { returnIndices?: boolean } = {}) {
    super();
    this.outputSize = outputSize;
    this.returnIndices = opts.returnIndices ?? false;
  }
  forward(input: Tensor): Tensor | ValuesIndices {
    return F.adaptiveMaxPool1d(input, this.outputSize, { returnIndices: this.returnIndices });
  }
  override extraRepr(): string {
    return `output_size=${fmtOut(this.outputSize)}`;
  }
}
export class AdaptiveMaxPool2d extends AdaptiveMaxPool1d {
  override forward(input: Tensor): Tensor | ValuesIndices {
    return F.adaptiveMaxPool2d(input, this.outputSize, { returnIndices: this.returnIndices });
  }
}

export class LPPool1d extends Module {
  declare normType: number;
  declare kernelSize: Size;
  declare stride: Size | null;
  declare ceilMode: boolean;
  constructor(normType: number, kernelSize: Size, opts: { stride?: Size | null; ceilMode?: boolean } = {}) {
    super();
    this.normType = normType;
    this.kernelSize = kernelSize;
    this.stride = opts.stride ?? null;
    this.ceilMode = opts.ceilMode ?? false;
  }
  forward(input: Tensor): Tensor {
    return F.lpPool1d(input, this.normType, this.kernelSize, { stride: this.stride, ceilMode: this.ceilMode });
  }
  override extraRepr(): string {
    return `norm_type=${this.normType}, kernel_size=${fmt(this.kernelSize)}, stride=${fmt(this.stride)}, ceil_mode=${py(this.ceilMode)}`;
  }
}
export class LPPool2d extends LPPool1d {
  override forward(input: Tensor): Tensor {
    return F.lpPool2d(input, this.normType, this.kernelSize, { stride: this.stride, ceilMode: this.ceilMode });
  }
}

abstract class MaxUnpoolNd extends Module {
  declare kernelSize: Size;
  declare stride: Size;
  declare padding: Size;
  protected abstract readonly nd: number;
  constructor(kernelSize: Size, opts: { stride?: Size | null; padding?: Size } = {}) {
    super();
    this.kernelSize = kernelSize;
    this.stride = opts.stride ?? kernelSize;
    this.padding = opts.padding ?? 0;
  }
  forward(input: Tensor, indices: Tensor, outputSize: number[] | null = null): Tensor {
    const f = [F.maxUnpool1d, F.maxUnpool2d, F.maxUnpool3d][this.nd - 1]!;
    return f(input, indices, this.kernelSize, { stride: this.stride, padding: this.padding, outputSize });
  }
  override extraRepr(): string {
    return `kernel_size=${fmt(this.kernelSize)}, stride=${fmt(this.stride)}, padding=${fmt(this.padding)}`;
  }
}
export class MaxUnpool1d extends MaxUnpoolNd {
  protected get nd(): number { return 1; }
}
export class MaxUnpool2d extends MaxUnpoolNd {
  protected get nd(): number { return 2; }
}
