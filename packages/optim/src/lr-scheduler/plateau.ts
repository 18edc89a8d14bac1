/** ReduceLROnPlateau: lowers lrs by `factor` when a metric stops improving (PyTorch 1.13's rule). */
import { Tensor, ValueError } from '@torchts/core';
import { Optimizer } from '../optimizer.js';
import { loadStateInto, perGroup, stateDictOf, type AnyOptimizer, type SchedulerStateDict } from './scheduler.js';

export interface ReduceLROnPlateauOptions {
  mode?: 'min' | 'max';
  factor?: number;
  patience?: number;
  threshold?: number;
  thresholdMode?: 'rel' | 'abs';
  cooldown?: number;
  minLr?: number | number[];
  eps?: number;
  verbose?: boolean;
}

export class ReduceLROnPlateau {
  declare optimizer: AnyOptimizer;
  declare factor: number;
  declare minLrs: number[];
  declare patience: number;
  declare verbose: boolean;
  declare cooldown: number;
  declare cooldownCounter: number;
  declare mode: 'min' | 'max';
  declare threshold: number;
  declare thresholdMode: 'rel' | 'abs';
  declare best: number;
  declare numBadEpochs: number;
  declare modeWorse: number;
  declare eps: number;
  declare lastEpoch: number;
  declare _lastLr: number[];

  constructor(optimizer: AnyOptimizer, opts: ReduceLROnPlateauOptions = {}) {
    const factor = opts.factor ?? 0.1;
    if (factor >= 1) throw new ValueError('Factor should be < 1.0.');
    if (!(optimizer instanceof Optimizer)) throw new TypeError(`${(optimizer as object)?.constructor?.name} is not an Optimizer`);
    this.factor = factor;
    Object.defineProperty(this, 'optimizer', { value: optimizer, enumerable: false, writable: true });
    this.minLrs = perGroup('min_lr', optimizer, opts.minLr ?? 0);
    this.patience = opts.patience ?? 10;
    this.verbose = opts.verbose ?? false;
    this.cooldown = opts.cooldown ?? 0;
    this.cooldownCounter = 0;
    this.eps = opts.eps ?? 1e-8;
    this.lastEpoch = 0;
    this.initIsBetter(opts.mode ?? 'min', opts.threshold ?? 1e-4, opts.thresholdMode ?? 'rel');
    this.reset();
    this._lastLr = optimizer.paramGroups.map((g) => g.lr);
  }

  private reset(): void {
    this.best = this.modeWorse;
    this.cooldownCounter = 0;
    this.numBadEpochs = 0;
  }

  private initIsBetter(mode: string, threshold: number, thresholdMode: string): void {
    if (mode !== 'min' && mode !== 'max') throw new ValueError(`mode ${mode} is unknown!`);
    if (thresholdMode !== 'rel' && thresholdMode !== 'abs') throw new ValueError(`threshold mode ${thresholdMode} is unknown!`);
    this.modeWorse = mode === 'min' ? Infinity : -Infinity;
    this.mode = mode;
    this.threshold = threshold;
    this.thresholdMode = thresholdMode;
  }

  get inCooldown(): boolean {
    return this.cooldownCounter > 0;
  }

  isBetter(a: number, best: number): boolean {
    if (this.mode === 'min' && this.thresholdMode === 'rel') return a < best * (1 - this.threshold);
    if (this.mode === 'min') return a < best - this.threshold;
    if (this.thresholdMode === 'rel') return a > best * (this.threshold + 1);
    return a > best + this.threshold;
  }

  /** Records this epoch's metric (a number or a one-element tensor). */
  step(metrics: number | Tensor, epoch?: number): void {
    const current = metrics instanceof Tensor ? Number(metrics.item()) : Number(metrics);
    this.lastEpoch = epoch ?? this.lastEpoch + 1;
    if (this.isBetter(current, this.best)) {
      this.best = current;
      this.numBadEpochs = 0;
    } else {
      this.numBadEpochs++;
    }
    if (this.inCooldown) {
      this.cooldownCounter--;
      this.numBadEpochs = 0;
    }
    if (this.numBadEpochs > this.patience) {
      this.reduceLr();
      this.cooldownCounter = this.cooldown;
      this.numBadEpochs = 0;
    }
    this._lastLr = this.optimizer.paramGroups.map((g) => g.lr);
  }

  private reduceLr(): void {
    this.optimizer.paramGroups.forEach((g, i) => {
      const old = g.lr;
      const next = Math.max(old * this.factor, this.minLrs[i]!);
      if (old - next > this.eps) {
        g.lr = next;
        if (this.verbose) console.log(`Epoch ${this.lastEpoch}: reducing learning rate of group ${i} to ${next.toExponential(4)}.`);
      }
    });
  }

  getLastLr(): number[] {
    return [...this._lastLr];
  }

  stateDict(): SchedulerStateDict {
    return stateDictOf(this);
  }

  loadStateDict(state: SchedulerStateDict): void {
    loadStateInto(this, state);
    this.initIsBetter(this.mode, this.threshold, this.thresholdMode);
  }
}
