/** Activation modules: thin wrappers over functional/activation.ts with PyTorch's printouts. */
import * as core from '@torchts/core';
import type { Tensor } from '@torchts/core';
import { Module } from '../module.js';
import { Parameter } from '../parameter.js';
import * as F from '../functional/activation.js';
import type { FactoryOptions } from './linear.js';
import { pyFloat, pyNumber } from './repr.js';

interface InplaceOpt {
  inplace?: boolean;
}

const inplaceOnly = (inplace: boolean): string => (inplace ? 'inplace=True' : '');
const inplaceSuffix = (inplace: boolean): string => (inplace ? ', inplace=True' : '');

abstract class InplaceActivation extends Module {
  declare inplace: boolean;
  constructor(opts: InplaceOpt = {}) {
    super();
    this.inplace = opts.inplace ?? false;
  }
  override extraRepr(): string {
    return inplaceOnly(this.inplace);
  }
}

export class ReLU extends InplaceActivation {
  forward(input: Tensor): Tensor {
    return F.relu(input, { inplace: this.inplace });
  }
}

export class SELU extends InplaceActivation {
  forward(input: Tensor): Tensor {
    return F.selu(input, { inplace: this.inplace });
  }
}

export class SiLU extends InplaceActivation {
  forward(input: Tensor): Tensor {
    return F.silu(input, { inplace: this.inplace });
  }
}

export class Mish extends InplaceActivation {
  forward(input: Tensor): Tensor {
    return F.mish(input, { inplace: this.inplace });
  }
}

export class Hardsigmoid extends InplaceActivation {
  forward(input: Tensor): Tensor {
    return F.hardsigmoid(input, { inplace: this.inplace });
  }
  override extraRepr(): string {
    return '';
  }
}

export class Hardswish extends InplaceActivation {
  forward(input: Tensor): Tensor {
    return F.hardswish(input, { inplace: this.inplace });
  }
  override extraRepr(): string {
    return '';
  }
}

export class Hardtanh extends Module {
  declare minVal: number;
  declare maxVal: number;
  declare inplace: boolean;
  constructor(minVal = -1, maxVal = 1, opts: InplaceOpt = {}) {
    super();
    if (minVal > maxVal) throw new core.ValueError('min_val cannot be greater than max_val');
    this.minVal = minVal;
    this.maxVal = maxVal;
    this.inplace = opts.inplace ?? false;
  }
  forward(input: Tensor): Tensor {
    return F.hardtanh(input, this.minVal, this.maxVal, { inplace: this.inplace });
  }
  override extraRepr(): string {
    return `min_val=${pyFloat(this.minVal)}, max_val=${pyFloat(this.maxVal)}${inplaceSuffix(this.inplace)}`;
  }
}

export class ReLU6 extends Hardtanh {
  constructor(opts: InplaceOpt = {}) {
    super(0, 6, opts);
  }
  override extraRepr(): string {
    return inplaceOnly(this.inplace);
  }
}

export class LeakyReLU extends Module {
  declare negativeSlope: number;
  declare inplace: boolean;
  constructor(negativeSlope = 0.01, opts: InplaceOpt = {}) {
    super();
    this.negativeSlope = negativeSlope;
    this.inplace = opts.inplace ?? false;
  }
  forward(input: Tensor): Tensor {
    return F.leakyRelu(input, this.negativeSlope, { inplace: this.inplace });
  }
  override extraRepr(): string {
    return `negative_slope=${pyNumber(this.negativeSlope)}${inplaceSuffix(this.inplace)}`;
  }
}

abstract class AlphaActivation extends Module {
  declare alpha: number;
  declare inplace: boolean;
  constructor(alpha = 1, opts: InplaceOpt = {}) {
    super();
    this.alpha = alpha;
    this.inplace = opts.inplace ?? false;
  }
  override extraRepr(): string {
    return `alpha=${pyFloat(this.alpha)}${inplaceSuffix(this.inplace)}`;
  }
}

export class ELU extends AlphaActivation {
  forward(input: Tensor): Tensor {
    return F.elu(input, this.alpha, { inplace: this.inplace });
  }
}

export class CELU extends AlphaActivation {
  forward(input: Tensor): Tensor {
    return F.celu(input, this.alpha, { inplace: this.inplace });
  }
}

/** max(0, x) + a * min(0, x) with a learnable `a` (one, or one per channel), initialised to `init`. */
export class PReLU extends Module {
  declare numParameters: number;
  declare weight: Tensor;
  constructor(numParameters = 1, init = 0.25, opts: FactoryOptions = {}) {
    super();
    this.numParameters = numParameters;
    this.weight = Parameter(core.full([numParameters], init, { dtype: opts.dtype, device: opts.device }));
  }
  forward(input: Tensor): Tensor {
    return F.prelu(input, this.weight);
  }
  override extraRepr(): string {
    return `num_parameters=${this.numParameters}`;
  }
}

export class GELU extends Module {
  declare approximate: 'none' | 'tanh';
  constructor(opts: { approximate?: 'none' | 'tanh' } = {}) {
    super();
    this.approximate = opts.approximate ?? 'none';
  }
  forward(input: Tensor): Tensor {
    return F.gelu(input, { approximate: this.approximate });
  }
  override extraRepr(): string {
    return `approximate='${this.approximate}'`;
  }
}

export class Sigmoid extends Module {
  forward(input: Tensor): Tensor {
    return F.sigmoid(input);
  }
}

export class Tanh extends Module {
  forward(input: Tensor): Tensor {
    return F.tanh(input);
  }
}

export class Softsign extends Module {
  forward(input: Tensor): Tensor {
    return F.softsign(input);
  }
}

export class Tanhshrink extends Module {
  forward(input: Tensor): Tensor {
    return F.tanhshrink(input);
  }
}

export class LogSigmoid extends Module {
  forward(input: Tensor): Tensor {
    return F.logsigmoid(input);
  }
}

export class Softplus extends Module {
  declare beta: number;
  declare threshold: number;
  constructor(beta = 1, threshold = 20) {
    super();
    this.beta = beta;
    this.threshold = threshold;
  }
  forward(input: Tensor): Tensor {
    return F.softplus(input, this.beta, this.threshold);
  }
  override extraRepr(): string {
    return `beta=${pyNumber(this.beta)}, threshold=${pyNumber(this.threshold)}`;
  }
}

abstract class Shrink extends Module {
  declare lambd: number;
  constructor(lambd = 0.5) {
    super();
    this.lambd = lambd;
  }
  override extraRepr(): string {
    return pyNumber(this.lambd);
  }
}

export class Softshrink extends Shrink {
  forward(input: Tensor): Tensor {
    return F.softshrink(input, this.lambd);
  }
}

export class Hardshrink extends Shrink {
  forward(input: Tensor): Tensor {
    return F.hardshrink(input, this.lambd);
  }
}

export class Threshold extends Module {
  declare threshold: number;
  declare value: number;
  declare inplace: boolean;
  constructor(threshold: number, value: number, opts: InplaceOpt = {}) {
    super();
    this.threshold = threshold;
    this.value = value;
    this.inplace = opts.inplace ?? false;
  }
  forward(input: Tensor): Tensor {
    return F.threshold(input, this.threshold, this.value, { inplace: this.inplace });
  }
  override extraRepr(): string {
    return `threshold=${pyNumber(this.threshold)}, value=${pyNumber(this.value)}${inplaceSuffix(this.inplace)}`;
  }
}

export class GLU extends Module {
  declare dim: number;
  constructor(dim = -1) {
    super();
    this.dim = dim;
  }
  forward(input: Tensor): Tensor {
    return F.glu(input, this.dim);
  }
  override extraRepr(): string {
    return `dim=${this.dim}`;
  }
}

abstract class SoftmaxLike extends Module {
  declare dim: number | null;
  constructor(dim: number | null = null) {
    super();
    this.dim = dim;
  }
  override extraRepr(): string {
    return `dim=${this.dim === null ? 'None' : this.dim}`;
  }
}

export class Softmax extends SoftmaxLike {
  forward(input: Tensor): Tensor {
    return F.softmax(input, this.dim);
  }
}

export class LogSoftmax extends SoftmaxLike {
  forward(input: Tensor): Tensor {
    return F.logSoftmax(input, this.dim);
  }
}

export class Softmin extends SoftmaxLike {
  forward(input: Tensor): Tensor {
    return F.softmin(input, this.dim);
  }
}
