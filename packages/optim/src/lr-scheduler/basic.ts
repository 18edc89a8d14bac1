/** The multiplicative schedules: LambdaLR, MultiplicativeLR, StepLR, MultiStepLR, ConstantLR, LinearLR, ExponentialLR, PolynomialLR. */
import { ValueError } from '@torchts/core';
import { LRScheduler, stateDictOf, loadStateInto, type AnyOptimizer, type SchedulerStateDict } from './scheduler.js';

export interface SchedulerOptions {
  lastEpoch?: number;
  verbose?: boolean;
}

type LrLambda = (epoch: number) => number;

function lambdas(optimizer: AnyOptimizer, lrLambda: LrLambda | LrLambda[]): LrLambda[] {
  const n = optimizer.paramGroups.length;
  if (!Array.isArray(lrLambda)) return new Array<LrLambda>(n).fill(lrLambda);
  if (lrLambda.length !== n) throw new ValueError(`Expected ${n} lr_lambdas, but got ${lrLambda.length}`);
  return [...lrLambda];
}

abstract class LambdaBased extends LRScheduler {
  declare lrLambdas: LrLambda[];
  constructor(optimizer: AnyOptimizer, lrLambda: LrLambda | LrLambda[], opts: SchedulerOptions) {
    super(optimizer);
    Object.defineProperty(this, 'lrLambdas', { value: lambdas(optimizer, lrLambda), enumerable: false, writable: true });
    this.start(opts.lastEpoch ?? -1, opts.verbose);
  }
  /** Functions are not saved: `lr_lambdas` holds null per group, as PyTorch does for plain functions. */
  override stateDict(): SchedulerStateDict {
    return { ...stateDictOf(this), lr_lambdas: this.lrLambdas.map(() => null) };
  }
  override loadStateDict(state: SchedulerStateDict): void {
    loadStateInto(this, state, ['lr_lambdas']);
  }
}

/** lr = initial lr * lrLambda(epoch). */
export class LambdaLR extends LambdaBased {
  constructor(optimizer: AnyOptimizer, lrLambda: LrLambda | LrLambda[], opts: SchedulerOptions = {}) {
    super(optimizer, lrLambda, opts);
  }
  protected getLr(): number[] {
    return this.baseLrs.map((base, i) => base * this.lrLambdas[i]!(this.lastEpoch));
  }
}

/** lr *= lrLambda(epoch) each step. */
export class MultiplicativeLR extends LambdaBased {
  constructor(optimizer: AnyOptimizer, lrLambda: LrLambda | LrLambda[], opts: SchedulerOptions = {}) {
    super(optimizer, lrLambda, opts);
  }
  protected getLr(): number[] {
    if (this.lastEpoch > 0) return this.groups.map((g, i) => g.lr * this.lrLambdas[i]!(this.lastEpoch));
    return this.groups.map((g) => g.lr);
  }
}

/** lr *= gamma every `stepSize` epochs. */
export class StepLR extends LRScheduler {
  declare stepSize: number;
  declare gamma: number;
  constructor(optimizer: AnyOptimizer, stepSize: number, opts: SchedulerOptions & { gamma?: number } = {}) {
    super(optimizer);
    this.stepSize = stepSize;
    this.gamma = opts.gamma ?? 0.1;
    this.start(opts.lastEpoch ?? -1, opts.verbose);
  }
  protected getLr(): number[] {
    if (this.lastEpoch === 0 || this.lastEpoch % this.stepSize !== 0) return this.groups.map((g) => g.lr);
    return this.groups.map((g) => g.lr * this.gamma);
  }
  protected override closedFormLr(): number[] {
    return this.baseLrs.map((b) => b * this.gamma ** Math.floor(this.lastEpoch / this.stepSize));
  }
}

/** lr *= gamma at each milestone (a milestone listed twice applies gamma twice). */
export class MultiStepLR extends LRScheduler {
  /** PyTorch's Counter: milestone -> how many times it was listed. */
  declare milestones: Record<number, number>;
  declare gamma: number;
  constructor(optimizer: AnyOptimizer, milestones: number[], opts: SchedulerOptions & { gamma?: number } = {}) {
    super(optimizer);
    this.milestones = {};
    for (const m of milestones) this.milestones[m] = (this.milestones[m] ?? 0) + 1;
    this.gamma = opts.gamma ?? 0.1;
    this.start(opts.lastEpoch ?? -1, opts.verbose);
  }
  protected getLr(): number[] {
    const count = this.milestones[this.lastEpoch];
    if (count === undefined) return this.groups.map((g) => g.lr);
    return this.groups.map((g) => g.lr * this.gamma ** count);
  }
  protected override closedFormLr(): number[] {
    let passed = 0;
    for (const [m, c] of Object.entries(this.milestones)) if (Number(m) <= this.lastEpoch) passed += c;
    return this.baseLrs.map((b) => b * this.gamma ** passed);
  }
}

/** lr * factor until `totalIters`, then lr. */
export class ConstantLR extends LRScheduler {
  declare factor: number;
  declare totalIters: number;
  constructor(optimizer: AnyOptimizer, opts: SchedulerOptions & { factor?: number; totalIters?: number } = {}) {
    super(optimizer);
    const factor = opts.factor ?? 1 / 3;
    if (factor > 1 || factor < 0) throw new ValueError('Constant multiplicative factor expected to be between 0 and 1.');
    this.factor = factor;
    this.totalIters = opts.totalIters ?? 5;
    this.start(opts.lastEpoch ?? -1, opts.verbose);
  }
  protected getLr(): number[] {
    if (this.lastEpoch === 0) return this.groups.map((g) => g.lr * this.factor);
    if (this.lastEpoch !== this.totalIters) return this.groups.map((g) => g.lr);
    return this.groups.map((g) => g.lr * (1 / this.factor));
  }
  protected override closedFormLr(): number[] {
    return this.baseLrs.map((b) => b * (this.factor + (this.lastEpoch >= this.totalIters ? 1 : 0) * (1 - this.factor)));
  }
}

/** The lr factor moves linearly from startFactor to endFactor over `totalIters` epochs. */
export class LinearLR extends LRScheduler {
  declare startFactor: number;
  declare endFactor: number;
  declare totalIters: number;
  constructor(optimizer: AnyOptimizer, opts: SchedulerOptions & { startFactor?: number; endFactor?: number; totalIters?: number } = {}) {
    super(optimizer);
    const startFactor = opts.startFactor ?? 1 / 3;
    const endFactor = opts.endFactor ?? 1;
    if (startFactor > 1 || startFactor < 0) throw new ValueError('Starting multiplicative factor expected to be between 0 and 1.');
    if (endFactor > 1 || endFactor < 0) throw new ValueError('Ending multiplicative factor expected to be between 0 and 1.');
    this.startFactor = startFactor;
    this.endFactor = endFactor;
    this.totalIters = opts.totalIters ?? 5;
    this.start(opts.lastEpoch ?? -1, opts.verbose);
  }
  protected getLr(): number[] {
    if (this.lastEpoch === 0) return this.groups.map((g) => g.lr * this.startFactor);
    if (this.lastEpoch > this.totalIters) return this.groups.map((g) => g.lr);
    const d = this.endFactor - this.startFactor;
    return this.groups.map((g) => g.lr * (1 + d / (this.totalIters * this.startFactor + (this.lastEpoch - 1) * d)));
  }
  protected override closedFormLr(): number[] {
    const d = this.endFactor - this.startFactor;
    return this.baseLrs.map((b) => b * (this.startFactor + (d * Math.min(this.totalIters, this.lastEpoch)) / this.totalIters));
  }
}

/** lr *= gamma every epoch. */
export class ExponentialLR extends LRScheduler {
  declare gamma: number;
  constructor(optimizer: AnyOptimizer, gamma: number, opts: SchedulerOptions = {}) {
    super(optimizer);
    this.gamma = gamma;
    this.start(opts.lastEpoch ?? -1, opts.verbose);
  }
  protected getLr(): number[] {
    if (this.lastEpoch === 0) return this.groups.map((g) => g.lr);
    return this.groups.map((g) => g.lr * this.gamma);
  }
  protected override closedFormLr(): number[] {
    return this.baseLrs.map((b) => b * this.gamma ** this.lastEpoch);
  }
}

/** lr decays as (1 - epoch / totalIters) ** power. */
export class PolynomialLR extends LRScheduler {
  declare totalIters: number;
  declare power: number;
  constructor(optimizer: AnyOptimizer, opts: SchedulerOptions & { totalIters?: number; power?: number } = {}) {
    super(optimizer);
    this.totalIters = opts.totalIters ?? 5;
    this.power = opts.power ?? 1;
    this.start(opts.lastEpoch ?? -1, opts.verbose);
  }
  protected getLr(): number[] {
    if (this.lastEpoch === 0 || this.lastEpoch > this.totalIters) return this.groups.map((g) => g.lr);
    const f = ((1 - this.lastEpoch / this.totalIters) / (1 - (this.lastEpoch - 1) / this.totalIters)) ** this.power;
    return this.groups.map((g) => g.lr * f);
  }
  protected override closedFormLr(): number[] {
    return this.baseLrs.map((b) => b * (1 - Math.min(this.totalIters, this.lastEpoch) / this.totalIters) ** this.power);
  }
}
