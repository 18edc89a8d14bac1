/** CyclicLR and OneCycleLR: lr (and momentum) cycling between bounds, PyTorch 1.13's formulas. */
import { ValueError } from '@torchts/core';
import { LRScheduler, perGroup, stateDictOf, type AnyOptimizer, type SchedulerStateDict } from './scheduler.js';
import { toCamelCase } from '../optimizer.js';
import type { SchedulerOptions } from './basic.js';

export interface CyclicLROptions extends SchedulerOptions {
  stepSizeUp?: number;
  stepSizeDown?: number | null;
  mode?: 'triangular' | 'triangular2' | 'exp_range';
  gamma?: number;
  scaleFn?: ((x: number) => number) | null;
  scaleMode?: 'cycle' | 'iterations';
  cycleMomentum?: boolean;
  baseMomentum?: number | number[];
  maxMomentum?: number | number[];
}

export class CyclicLR extends LRScheduler {
  declare maxLrs: number[];
  declare totalSize: number;
  declare stepRatio: number;
  declare mode: string;
  declare gamma: number;
  declare scaleMode: string;
  declare cycleMomentum: boolean;
  declare baseMomentums: number[];
  declare maxMomentums: number[];
  declare private customScaleFn: ((x: number) => number) | null;

  constructor(optimizer: AnyOptimizer, baseLr: number | number[], maxLr: number | number[], opts: CyclicLROptions = {}) {
    super(optimizer);
    const lastEpoch = opts.lastEpoch ?? -1;
    const baseLrs = perGroup('base_lr', optimizer, baseLr);
    if (lastEpoch === -1) baseLrs.forEach((lr, i) => (optimizer.paramGroups[i]!.lr = lr));
    this.maxLrs = perGroup('max_lr', optimizer, maxLr);
    const up = opts.stepSizeUp ?? 2000;
    const down = opts.stepSizeDown ?? up;
    this.totalSize = up + down;
    this.stepRatio = up / this.totalSize;
    const mode = opts.mode ?? 'triangular';
    const scaleFn = opts.scaleFn ?? null;
    if (!['triangular', 'triangular2', 'exp_range'].includes(mode) && scaleFn === null) throw new ValueError('mode is invalid and scale_fn is None');
    this.mode = mode;
    this.gamma = opts.gamma ?? 1;
    Object.defineProperty(this, 'customScaleFn', { value: scaleFn, enumerable: false, writable: true });
    this.scaleMode = scaleFn ? (opts.scaleMode ?? 'cycle') : mode === 'exp_range' ? 'iterations' : 'cycle';
    this.cycleMomentum = opts.cycleMomentum ?? true;
    if (this.cycleMomentum) {
      if (!('momentum' in optimizer.defaults)) throw new ValueError('optimizer must support momentum with `cycle_momentum` option enabled');
      const baseMomentums = perGroup('base_momentum', optimizer, opts.baseMomentum ?? 0.8);
      if (lastEpoch === -1) baseMomentums.forEach((m, i) => (optimizer.paramGroups[i]!.momentum = m));
      this.baseMomentums = optimizer.paramGroups.map((g) => g.momentum as number);
      this.maxMomentums = perGroup('max_momentum', optimizer, opts.maxMomentum ?? 0.9);
    }
    this.start(lastEpoch, opts.verbose);
    this.baseLrs = baseLrs;
  }

  scaleFn(x: number): number {
    if (this.customScaleFn) return this.customScaleFn(x);
    if (this.mode === 'triangular') return 1;
    if (this.mode === 'triangular2') return 1 / 2 ** (x - 1);
    return this.gamma ** x;
  }

  protected getLr(): number[] {
    const cycle = Math.floor(1 + this.lastEpoch / this.totalSize);
    const x = 1 + this.lastEpoch / this.totalSize - cycle;
    const scaleFactor = x <= this.stepRatio ? x / this.stepRatio : (x - 1) / (this.stepRatio - 1);
    const scale = this.scaleFn(this.scaleMode === 'cycle' ? cycle : this.lastEpoch);
    const lrs = this.baseLrs.map((base, i) => base + (this.maxLrs[i]! - base) * scaleFactor * scale);
    if (this.cycleMomentum) {
      this.groups.forEach((g, i) => {
        const baseHeight = (this.maxMomentums[i]! - this.baseMomentums[i]!) * scaleFactor;
        g.momentum = this.maxMomentums[i]! - baseHeight * scale;
      });
    }
    return lrs;
  }
}

export interface OneCycleLROptions extends SchedulerOptions {
  totalSteps?: number | null;
  epochs?: number | null;
  stepsPerEpoch?: number | null;
  pctStart?: number;
  annealStrategy?: 'cos' | 'linear';
  cycleMomentum?: boolean;
  baseMomentum?: number | number[];
  maxMomentum?: number | number[];
  divFactor?: number;
  finalDivFactor?: number;
  threePhase?: boolean;
}

interface Phase {
  end_step: number;
  start_lr: string;
  end_lr: string;
  start_momentum: string;
  end_momentum: string;
}

export class OneCycleLR extends LRScheduler {
  declare totalSteps: number;
  declare _schedulePhases: Phase[];
  declare annealStrategy: 'cos' | 'linear';
  declare cycleMomentum: boolean;
  declare useBeta1: boolean;

  constructor(optimizer: AnyOptimizer, maxLr: number | number[], opts: OneCycleLROptions = {}) {
    super(optimizer);
    const { totalSteps = null, epochs = null, stepsPerEpoch = null } = opts;
    if (totalSteps === null && epochs === null && stepsPerEpoch === null) {
      throw new ValueError('You must define either total_steps OR (epochs AND steps_per_epoch)');
    } else if (totalSteps !== null) {
      if (totalSteps <= 0 || !Number.isInteger(totalSteps)) throw new ValueError(`Expected positive integer total_steps, but got ${totalSteps}`);
      this.totalSteps = totalSteps;
    } else {
      if (epochs === null || epochs <= 0 || !Number.isInteger(epochs)) throw new ValueError(`Expected positive integer epochs, but got ${epochs}`);
      if (stepsPerEpoch === null || stepsPerEpoch <= 0 || !Number.isInteger(stepsPerEpoch)) {
        throw new ValueError(`Expected positive integer steps_per_epoch, but got ${stepsPerEpoch}`);
      }
      this.totalSteps = epochs * stepsPerEpoch;
    }
    const pct = opts.pctStart ?? 0.3;
    const n = this.totalSteps;
    this._schedulePhases = opts.threePhase
      ? [
          { end_step: pct * n - 1, start_lr: 'initial_lr', end_lr: 'max_lr', start_momentum: 'max_momentum', end_momentum: 'base_momentum' },
          { end_step: 2 * pct * n - 2, start_lr: 'max_lr', end_lr: 'initial_lr', start_momentum: 'base_momentum', end_momentum: 'max_momentum' },
          { end_step: n - 1, start_lr: 'initial_lr', end_lr: 'min_lr', start_momentum: 'max_momentum', end_momentum: 'max_momentum' },
        ]
      : [
          { end_step: pct * n - 1, start_lr: 'initial_lr', end_lr: 'max_lr', start_momentum: 'max_momentum', end_momentum: 'base_momentum' },
          { end_step: n - 1, start_lr: 'max_lr', end_lr: 'min_lr', start_momentum: 'base_momentum', end_momentum: 'max_momentum' },
        ];
    if (pct < 0 || pct > 1) throw new ValueError(`Expected float between 0 and 1 pct_start, but got ${pct}`);
    const strategy = opts.annealStrategy ?? 'cos';
    if (strategy !== 'cos' && strategy !== 'linear') {
      throw new ValueError(`anneal_strategy must by one of 'cos' or 'linear', instead got ${String(strategy)}`);
    }
    this.annealStrategy = strategy;
    const lastEpoch = opts.lastEpoch ?? -1;
    const maxLrs = perGroup('max_lr', optimizer, maxLr);
    const divFactor = opts.divFactor ?? 25;
    const finalDivFactor = opts.finalDivFactor ?? 1e4;
    if (lastEpoch === -1) {
      optimizer.paramGroups.forEach((g, i) => {
        g.initialLr = maxLrs[i]! / divFactor;
        g.maxLr = maxLrs[i]!;
        g.minLr = (g.initialLr as number) / finalDivFactor;
      });
    }
    this.cycleMomentum = opts.cycleMomentum ?? true;
    if (this.cycleMomentum) {
      if (!('momentum' in optimizer.defaults) && !('betas' in optimizer.defaults)) {
        throw new ValueError('optimizer must support momentum with `cycle_momentum` option enabled');
      }
      this.useBeta1 = 'betas' in optimizer.defaults;
      const maxMomentums = perGroup('max_momentum', optimizer, opts.maxMomentum ?? 0.95);
      const baseMomentums = perGroup('base_momentum', optimizer, opts.baseMomentum ?? 0.85);
      if (lastEpoch === -1) {
        optimizer.paramGroups.forEach((g, i) => {
          if (this.useBeta1) g.betas = [maxMomentums[i]!, ...(g.betas as number[]).slice(1)];
          else g.momentum = maxMomentums[i]!;
          g.maxMomentum = maxMomentums[i]!;
          g.baseMomentum = baseMomentums[i]!;
        });
      }
    }
    this.start(lastEpoch, opts.verbose);
  }

  private anneal(start: number, end: number, pct: number): number {
    if (this.annealStrategy === 'cos') return end + ((start - end) / 2) * (Math.cos(Math.PI * pct) + 1);
    return (end - start) * pct + start;
  }

  protected getLr(): number[] {
    const stepNum = this.lastEpoch;
    if (stepNum > this.totalSteps) {
      throw new ValueError(`Tried to step ${stepNum + 1} times. The specified number of total steps is ${this.totalSteps}`);
    }
    return this.groups.map((g) => {
      const field = (k: string): number => g[toCamelCase(k)] as number;
      let startStep = 0;
      let lr = 0;
      let momentum = 0;
      const phases = this._schedulePhases;
      for (let i = 0; i < phases.length; i++) {
        const phase = phases[i]!;
        if (stepNum <= phase.end_step || i === phases.length - 1) {
          const pct = (stepNum - startStep) / (phase.end_step - startStep);
          lr = this.anneal(field(phase.start_lr), field(phase.end_lr), pct);
          if (this.cycleMomentum) momentum = this.anneal(field(phase.start_momentum), field(phase.end_momentum), pct);
          break;
        }
        startStep = phase.end_step;
      }
      if (this.cycleMomentum) {
        if (this.useBeta1) g.betas = [momentum, ...(g.betas as number[]).slice(1)];
        else g.momentum = momentum;
      }
      return lr;
    });
  }

  override stateDict(): SchedulerStateDict {
    return stateDictOf(this);
  }
}
