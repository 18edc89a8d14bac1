/**
 * Normalisation modules: BatchNorm1d/2d/3d, InstanceNorm1d/2d/3d, LayerNorm, GroupNorm, RMSNorm,
 * LocalResponseNorm. Parameter and buffer names (weight, bias, running_mean, running_var,
 * num_batches_tracked) match PyTorch's, so state dicts load both ways.
 */
import { ValueError, ones, tensor, zeros } from '@torchts/core';
import type { DType, Tensor } from '@torchts/core';
import { noGrad } from '@torchts/autograd';
import { Module } from '../module.js';
import { Parameter } from '../parameter.js';
import * as F from '../functional/norm.js';
import { pyNumber } from './repr.js';

const py = (b: boolean): string => (b ? 'True' : 'False');
type Factory = { dtype?: DType; device?: string };

export interface BatchNormOptions extends Factory {
  eps?: number;
  /** null: cumulative moving average (1 / numBatchesTracked). */
  momentum?: number | null;
  affine?: boolean;
  trackRunningStats?: boolean;
}

/** Shared by batch and instance norms: affine parameters and the running-statistics buffers. */
abstract class NormBase extends Module {
  declare numFeatures: number;
  declare eps: number;
  declare momentum: number | null;
  declare affine: boolean;
  declare trackRunningStats: boolean;
  declare weight: Tensor | null;
  declare bias: Tensor | null;
  constructor(numFeatures: number, opts: BatchNormOptions, defaults: { affine: boolean; track: boolean }) {
    super();
    this.numFeatures = numFeatures;
    this.eps = opts.eps ?? 1e-5;
    this.momentum = opts.momentum === undefined ? 0.1 : opts.momentum;
    this.affine = opts.affine ?? defaults.affine;
    this.trackRunningStats = opts.trackRunningStats ?? defaults.track;
    const f = { dtype: opts.dtype, device: opts.device };
    this.weight = this.affine ? Parameter(ones([numFeatures], f)) : null;
    this.bias = this.affine ? Parameter(zeros([numFeatures], f)) : null;
    if (this.trackRunningStats) {
      this.registerBuffer('running_mean', zeros([numFeatures], f));
      this.registerBuffer('running_var', ones([numFeatures], f));
      this.registerBuffer('num_batches_tracked', tensor(0, { dtype: 'int64', device: opts.device }));
    } else {
      this.registerBuffer('running_mean', null);
      this.registerBuffer('running_var', null);
      this.registerBuffer('num_batches_tracked', null);
    }
  }
  protected buffer(name: string): Tensor | null {
    return this._buffers.get(name) ?? null;
  }
  resetRunningStats(): void {
    if (!this.trackRunningStats) return;
    noGrad(() => {
      this.buffer('running_mean')!.zero_();
      this.buffer('running_var')!.fill_(1);
      this.buffer('num_batches_tracked')!.zero_();
    });
  }
  resetParameters(): void {
    this.resetRunningStats();
    if (this.affine) noGrad(() => (this.weight!.fill_(1), this.bias!.zero_()));
  }
  /** PyTorch's exponential_average_factor; bumps num_batches_tracked when training with buffers. */
  protected averageFactor(): number {
    let factor = this.momentum ?? 0;
    const tracked = this.buffer('num_batches_tracked');
    if (this.training && this.trackRunningStats && tracked) {
      noGrad(() => tracked.add_(1));
      if (this.momentum === null) factor = 1 / tracked.item();
    }
    return factor;
  }
  override extraRepr(): string {
    return `${this.numFeatures}, eps=${pyNumber(this.eps)}, momentum=${this.momentum ?? 'None'}, affine=${py(this.affine)}, track_running_stats=${py(this.trackRunningStats)}`;
  }
}

abstract class BatchNormNd extends NormBase {
  protected abstract checkInputDim(input: Tensor): void;
  constructor(numFeatures: number, opts: BatchNormOptions = {}) {
    super(numFeatures, opts, { affine: true, track: true });
  }
  forward(input: Tensor): Tensor {
    this.checkInputDim(input);
    const factor = this.averageFactor();
    const rm = this.buffer('running_mean'), rv = this.buffer('running_var');
    const useBatchStats = this.training || (rm === null && rv === null);
    const track = !this.training || this.trackRunningStats;
    return F.batchNorm(input, track ? rm : null, track ? rv : null, { weight: this.weight, bias: this.bias, training: useBatchStats, momentum: factor, eps: this.eps });
  }
}

const dimError = (expected: string, got: number): ValueError => new ValueError(`expected ${expected} input (got ${got}D input)`);

export class BatchNorm1d extends BatchNormNd {
  protected checkInputDim(input: Tensor): void {
    if (input.ndim !== 2 && input.ndim !== 3) throw dimError('2D or 3D', input.ndim);
  }
}
export class BatchNorm2d extends BatchNormNd {
  protected checkInputDim(input: Tensor): void {
    if (input.ndim !== 4) throw dimError('4D', input.ndim);
  }
}
export class BatchNorm3d extends BatchNormNd {
  protected checkInputDim(input: Tensor): void {
    if (input.ndim !== 5) throw dimError('5D', input.ndim);
  }
}

abstract class InstanceNormNd extends NormBase {
  protected abstract readonly nd: number;
  constructor(numFeatures: number, opts: BatchNormOptions = {}) {
    super(numFeatures, opts, { affine: false, track: false });
  }
  forward(input: Tensor): Tensor {
    const nd = this.nd;
    if (input.ndim !== nd + 1 && input.ndim !== nd + 2) throw dimError(`${nd + 1}D or ${nd + 2}D`, input.ndim);
    // Unbatched (C, *): run as a batch of one.
    const batched = input.ndim === nd + 2 ? input : input.unsqueeze(0);
    // InstanceNorm uses momentum as given (num_batches_tracked is not bumped), as PyTorch does.
    const factor = this.momentum ?? 0.1;
    const useInputStats = this.training || !this.trackRunningStats;
    const out = F.instanceNorm(batched, {
      runningMean: this.buffer('running_mean'),
      runningVar: this.buffer('running_var'),
      weight: this.weight,
      bias: this.bias,
      useInputStats,
      momentum: factor,
      eps: this.eps,
    });
    if (batched === input) return out;
    batched.dispose();
    const r = out.squeeze(0);
    out.dispose();
    return r;
  }
}
export class InstanceNorm1d extends InstanceNormNd {
  protected get nd(): number { return 1; }
}
export class InstanceNorm2d extends InstanceNormNd {
  protected get nd(): number { return 2; }
}
export class InstanceNorm3d extends InstanceNormNd {
  protected get nd(): number { return 3; }
}

export class LayerNorm extends Module {
  declare normalizedShape: number[];
  declare eps: number;
  declare elementwiseAffine: boolean;
  declare weight: Tensor | null;
  declare bias: Tensor | null;
  constructor(normalizedShape: number | number[], opts: Factory & { eps?: number; elementwiseAffine?: boolean; bias?: boolean } = {}) {
    super();
    this.normalizedShape = typeof normalizedShape === 'number' ? [normalizedShape] : [...normalizedShape];
    this.eps = opts.eps ?? 1e-5;
    this.elementwiseAffine = opts.elementwiseAffine ?? true;
    const f = { dtype: opts.dtype, device: opts.device };
    this.weight = this.elementwiseAffine ? Parameter(ones(this.normalizedShape, f)) : null;
    this.bias = this.elementwiseAffine && (opts.bias ?? true) ? Parameter(zeros(this.normalizedShape, f)) : null;
  }
  forward(input: Tensor): Tensor {
    return F.layerNorm(input, this.normalizedShape, { weight: this.weight, bias: this.bias, eps: this.eps });
  }
  override extraRepr(): string {
    return `(${this.normalizedShape.join(', ')}${this.normalizedShape.length === 1 ? ',' : ''}), eps=${pyNumber(this.eps)}, elementwise_affine=${py(this.elementwiseAffine)}`;
  }
}

export class GroupNorm extends Module {
  declare numGroups: number;
  declare numChannels: number;
  declare eps: number;
  declare affine: boolean;
  declare weight: Tensor | null;
  declare bias: Tensor | null;
  constructor(numGroups: number, numChannels: number, opts: Factory & { eps?: number; affine?: boolean } = {}) {
    super();
    if (numChannels % numGroups !== 0) throw new ValueError('num_channels must be divisible by num_groups');
    this.numGroups = numGroups;
    this.numChannels = numChannels;
    this.eps = opts.eps ?? 1e-5;
    this.affine = opts.affine ?? true;
    const f = { dtype: opts.dtype, device: opts.device };
    this.weight = this.affine ? Parameter(ones([numChannels], f)) : null;
    this.bias = this.affine ? Parameter(zeros([numChannels], f)) : null;
  }
  forward(input: Tensor): Tensor {
    return F.groupNorm(input, this.numGroups, { weight: this.weight, bias: this.bias, eps: this.eps });
  }
  override extraRepr(): string {
    return `${this.numGroups}, ${this.numChannels}, eps=${pyNumber(this.eps)}, affine=${py(this.affine)}`;
  }
}

export class RMSNorm extends Module {
  declare normalizedShape: number[];
  declare eps: number | null;
  declare elementwiseAffine: boolean;
  declare weight: Tensor | null;
  constructor(normalizedShape: number | number[], opts: Factory & { eps?: number | null; elementwiseAffine?: boolean } = {}) {
    super();
    this.normalizedShape = typeof normalizedShape === 'number' ? [normalizedShape] : [...normalizedShape];
    this.eps = opts.eps ?? null;
    this.elementwiseAffine = opts.elementwiseAffine ?? true;
    this.weight = this.elementwiseAffine ? Parameter(ones(this.normalizedShape, { dtype: opts.dtype, device: opts.device })) : null;
  }
  forward(input: Tensor): Tensor {
    return F.rmsNorm(input, this.normalizedShape, { weight: this.weight, eps: this.eps });
  }
  override extraRepr(): string {
    return `(${this.normalizedShape.join(', ')}${this.normalizedShape.length === 1 ? ',' : ''}), eps=${this.eps === null || this.eps === undefined ? 'None' : pyNumber(this.eps)}, elementwise_affine=${py(this.elementwiseAffine)}`;
  }
}

export class LocalResponseNorm extends Module {
  declare size: number;
  declare alpha: number;
  declare beta: number;
  declare k: number;
  constructor(size: number, opts: { alpha?: number; beta?: number; k?: number } = {}) {
    super();
    this.size = size;
    this.alpha = opts.alpha ?? 1e-4;
    this.beta = opts.beta ?? 0.75;
    this.k = opts.k ?? 1;
  }
  forward(input: Tensor): Tensor {
    return F.localResponseNorm(input, this.size, { alpha: this.alpha, beta: this.beta, k: this.k });
  }
  override extraRepr(): string {
    return `${this.size}, alpha=${this.alpha}, beta=${this.beta}, k=${this.k}`;
  }
}
