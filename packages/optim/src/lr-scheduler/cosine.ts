/** Cosine schedules: CosineAnnealingLR (PyTorch's recursive form) and CosineAnnealingWarmRestarts (SGDR). */
import { ValueError } from '@torchts/core';
import { LRScheduler, type AnyOptimizer } from './scheduler.js';
import type { SchedulerOptions } from './basic.js';

/** Cosine decay from the initial lr to etaMin over T_max epochs (and back up, periodically). */
export class CosineAnnealingLR extends LRScheduler {
  declare T_max: number;
  declare etaMin: number;
  constructor(optimizer: AnyOptimizer, TMax: number, opts: SchedulerOptions & { etaMin?: number } = {}) {
    super(optimizer);
    this.T_max = TMax;
    this.etaMin = opts.etaMin ?? 0;
    this.start(opts.lastEpoch ?? -1, opts.verbose);
  }
  protected getLr(): number[] {
    const { T_max: T, etaMin, lastEpoch: e } = this;
    if (e === 0) return this.groups.map((g) => g.lr);
    if (this._stepCount === 1 && e > 0) return this.baseLrs.map((b) => etaMin + ((b - etaMin) * (1 + Math.cos((e * Math.PI) / T))) / 2);
    if (pyMod(e - 1 - T, 2 * T) === 0) return this.groups.map((g, i) => g.lr + ((this.baseLrs[i]! - etaMin) * (1 - Math.cos(Math.PI / T))) / 2);
    return this.groups.map((g) => ((1 + Math.cos((Math.PI * e) / T)) / (1 + Math.cos((Math.PI * (e - 1)) / T))) * (g.lr - etaMin) + etaMin);
  }
  protected override closedFormLr(): number[] {
    return this.baseLrs.map((b) => this.etaMin + ((b - this.etaMin) * (1 + Math.cos((Math.PI * this.lastEpoch) / this.T_max))) / 2);
  }
}

/** Python's modulo (the divisor's sign). */
function pyMod(a: number, b: number): number {
  return ((a % b) + b) % b;
}

/** Cosine annealing restarting every T_i epochs, T_i growing by T_mult after each restart. */
export class CosineAnnealingWarmRestarts extends LRScheduler {
  declare T_0: number;
  declare T_i: number;
  declare T_mult: number;
  declare etaMin: number;
  declare T_cur: number;
  constructor(optimizer: AnyOptimizer, T0: number, opts: SchedulerOptions & { TMult?: number; etaMin?: number } = {}) {
    super(optimizer);
    const TMult = opts.TMult ?? 1;
    if (T0 <= 0 || !Number.isInteger(T0)) throw new ValueError(`Expected positive integer T_0, but got ${T0}`);
    if (TMult < 1 || !Number.isInteger(TMult)) throw new ValueError(`Expected integer T_mult >= 1, but got ${TMult}`);
    this.T_0 = T0;
    this.T_i = T0;
    this.T_mult = TMult;
    this.etaMin = opts.etaMin ?? 0;
    this.T_cur = opts.lastEpoch ?? -1;
    this.start(opts.lastEpoch ?? -1, opts.verbose);
  }
  protected getLr(): number[] {
    return this.baseLrs.map((b) => this.etaMin + ((b - this.etaMin) * (1 + Math.cos((Math.PI * this.T_cur) / this.T_i))) / 2);
  }
  /** Advances one epoch, or jumps to a (possibly fractional) `epoch`. */
  override step(epoch?: number): void {
    this._stepCount = (this._stepCount ?? 0) + 1;
    if (epoch === undefined && this.lastEpoch < 0) epoch = 0;
    if (epoch === undefined) {
      epoch = this.lastEpoch + 1;
      this.T_cur = this.T_cur + 1;
      if (this.T_cur >= this.T_i) {
        this.T_cur = this.T_cur - this.T_i;
        this.T_i = this.T_i * this.T_mult;
      }
    } else {
      if (epoch < 0) throw new ValueError(`Expected non-negative epoch, but got ${epoch}`);
      if (epoch >= this.T_0) {
        if (this.T_mult === 1) {
          this.T_cur = epoch % this.T_0;
        } else {
          const n = Math.trunc(Math.log((epoch / this.T_0) * (this.T_mult - 1) + 1) / Math.log(this.T_mult));
          this.T_cur = epoch - (this.T_0 * (this.T_mult ** n - 1)) / (this.T_mult - 1);
          this.T_i = this.T_0 * this.T_mult ** n;
        }
      } else {
        this.T_i = this.T_0;
        this.T_cur = epoch;
      }
    }
    this.lastEpoch = Math.floor(epoch);
    const values = this.getLr();
    this.groups.forEach((g, i) => (g.lr = values[i]!));
    this._lastLr = this.groups.map((g) => g.lr);
  }
}
