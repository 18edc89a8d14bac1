/** Identity, Linear, Bilinear and LazyLinear with PyTorch's default initialisation. */
import * as core from '@torchts/core';
import { RuntimeError } from '@torchts/core';
import type { DType, Tensor } from '@torchts/core';
import { Module } from '../module.js';
import { Parameter } from '../parameter.js';
import * as init from '../init.js';
import { bilinear, linear } from '../functional/linear.js';
import { pyBool } from './repr.js';

export interface FactoryOptions {
  dtype?: DType;
  device?: string;
}

/** Returns its input unchanged (constructor arguments are accepted and ignored, as in PyTorch). */
export class Identity extends Module {
  constructor(..._args: unknown[]) {
    super();
  }
  forward(input: Tensor): Tensor {
    return input;
  }
}

/** y = x W^T + b, W: [outFeatures, inFeatures]. */
export class Linear extends Module {
  declare inFeatures: number;
  declare outFeatures: number;
  declare weight: Tensor;
  declare bias: Tensor | null;
  constructor(inFeatures: number, outFeatures: number, opts: FactoryOptions & { bias?: boolean } = {}) {
    super();
    this.inFeatures = inFeatures;
    this.outFeatures = outFeatures;
    this.weight = Parameter(core.empty([outFeatures, inFeatures], { dtype: opts.dtype, device: opts.device }));
    this.bias = opts.bias ?? true ? Parameter(core.empty([outFeatures], { dtype: opts.dtype, device: opts.device })) : null;
    this.resetParameters();
  }

  /** kaiming_uniform_(a=sqrt(5)) for the weight, U(-1/sqrt(fan_in), 1/sqrt(fan_in)) for the bias. */
  resetParameters(): void {
    init.kaimingUniform_(this.weight, { a: Math.sqrt(5) });
    if (this.bias) {
      const fanIn = this.weight.ndim >= 2 ? init.calculateFanInAndFanOut(this.weight)[0] : 0;
      const bound = fanIn > 0 ? 1 / Math.sqrt(fanIn) : 0;
      init.uniform_(this.bias, -bound, bound);
    }
  }

  forward(input: Tensor): Tensor {
    return linear(input, this.weight, this.bias);
  }

  override extraRepr(): string {
    return `in_features=${this.inFeatures}, out_features=${this.outFeatures}, bias=${pyBool(this.bias !== null)}`;
  }
}

/** y_k = x1^T W_k x2 + b_k, W: [out, in1, in2]. */
export class Bilinear extends Module {
  declare in1Features: number;
  declare in2Features: number;
  declare outFeatures: number;
  declare weight: Tensor;
  declare bias: Tensor | null;
  constructor(in1Features: number, in2Features: number, outFeatures: number, opts: FactoryOptions & { bias?: boolean } = {}) {
    super();
    this.in1Features = in1Features;
    this.in2Features = in2Features;
    this.outFeatures = outFeatures;
    this.weight = Parameter(core.empty([outFeatures, in1Features, in2Features], { dtype: opts.dtype, device: opts.device }));
    this.bias = opts.bias ?? true ? Parameter(core.empty([outFeatures], { dtype: opts.dtype, device: opts.device })) : null;
    this.resetParameters();
  }
  /** U(-1/sqrt(in1), 1/sqrt(in1)) for weight and bias. */
  resetParameters(): void {
    const bound = 1 / Math.sqrt(this.weight.shape[1]!);
    init.uniform_(this.weight, -bound, bound);
    if (this.bias) init.uniform_(this.bias, -bound, bound);
  }
  forward(input1: Tensor, input2: Tensor): Tensor {
    return bilinear(input1, input2, this.weight, this.bias);
  }
  override extraRepr(): string {
    return `in1_features=${this.in1Features}, in2_features=${this.in2Features}, out_features=${this.outFeatures}, bias=${pyBool(this.bias !== null)}`;
  }
}

/** A Linear whose inFeatures is read from the first input; it then becomes a Linear (as PyTorch's cls_to_become). */
export class LazyLinear extends Module {
  declare inFeatures: number;
  declare outFeatures: number;
  declare weight: Tensor;
  declare bias: Tensor | null;
  private declare _opts: FactoryOptions;
  constructor(outFeatures: number, opts: FactoryOptions & { bias?: boolean } = {}) {
    super();
    this.inFeatures = 0;
    this.outFeatures = outFeatures;
    this._opts = { dtype: opts.dtype, device: opts.device };
    // Uninitialised placeholders (PyTorch's UninitializedParameter), replaced on the first call.
    this.weight = Parameter(core.empty([0], this._opts));
    this.bias = opts.bias ?? true ? Parameter(core.empty([0], this._opts)) : null;
  }

  forward(input: Tensor): Tensor {
    if (input.ndim === 0) throw new RuntimeError('LazyLinear: input must have at least one dimension');
    this.inFeatures = input.shape[input.ndim - 1]!;
    this.weight.dispose();
    this.weight = Parameter(core.empty([this.outFeatures, this.inFeatures], this._opts));
    if (this.bias) {
      this.bias.dispose();
      this.bias = Parameter(core.empty([this.outFeatures], this._opts));
    }
    Object.setPrototypeOf(this, Linear.prototype);
    (this as unknown as Linear).resetParameters();
    return (this as unknown as Linear).forward(input);
  }

  override extraRepr(): string {
    return `in_features=${this.inFeatures}, out_features=${this.outFeatures}, bias=${pyBool(this.bias !== null)}`;
  }
}
