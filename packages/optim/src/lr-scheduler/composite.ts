/** Schedulers of schedulers: SequentialLR (one after another at milestones) and ChainedScheduler (all at once). */
import { ValueError } from '@torchts/core';
import { LRScheduler, stateDictOf, loadStateInto, type AnyOptimizer, type SchedulerStateDict } from './scheduler.js';

/** Runs `schedulers[i]` between milestones[i - 1] and milestones[i]. */
export class SequentialLR extends LRScheduler {
  declare _schedulers: LRScheduler[];
  declare _milestones: number[];

  constructor(optimizer: AnyOptimizer, schedulers: LRScheduler[], milestones: number[], opts: { lastEpoch?: number; verbose?: boolean } = {}) {
    super(optimizer);
    schedulers.forEach((s, i) => {
      if (s.optimizer !== optimizer) {
        throw new ValueError(
          `Sequential Schedulers expects all schedulers to belong to the same optimizer, but got schedulers at index ${i} to be different than the optimizer passed in.`,
        );
      }
    });
    if (milestones.length !== schedulers.length - 1) {
      throw new ValueError(
        `Sequential Schedulers expects number of schedulers provided to be one more than the number of milestone points, but got number of schedulers ${schedulers.length} and the number of milestones to be equal to ${milestones.length}`,
      );
    }
    Object.defineProperty(this, '_schedulers', { value: [...schedulers], enumerable: false, writable: true });
    this._milestones = [...milestones];
    this.lastEpoch = (opts.lastEpoch ?? -1) + 1;
    for (const g of this.groups) g.lr = g.initialLr as number;
    for (const s of this._schedulers) s.lastEpoch -= 1;
    this._schedulers[0]!.initialStep();
    this._lastLr = this._schedulers[0]!.getLastLr();
  }

  protected getLr(): number[] {
    return this._lastLr;
  }

  override step(): void {
    this.lastEpoch++;
    let idx = 0;
    while (idx < this._milestones.length && this._milestones[idx]! <= this.lastEpoch) idx++;
    const scheduler = this._schedulers[idx]!;
    if (idx > 0 && this._milestones[idx - 1] === this.lastEpoch) scheduler.step(0);
    else scheduler.step();
    this._lastLr = scheduler.getLastLr();
  }

  override stateDict(): SchedulerStateDict {
    return { ...stateDictOf(this), _schedulers: this._schedulers.map((s) => s.stateDict()) };
  }

  override loadStateDict(state: SchedulerStateDict): void {
    loadStateInto(this, state, ['_schedulers']);
    (state._schedulers as SchedulerStateDict[]).forEach((s, i) => this._schedulers[i]!.loadStateDict(s));
  }
}

/** Steps every scheduler on each step; their effects compose. */
export class ChainedScheduler extends LRScheduler {
  declare _schedulers: LRScheduler[];

  constructor(schedulers: LRScheduler[]) {
    if (schedulers.length === 0) throw new ValueError('ChainedScheduler expects at least one scheduler');
    super(schedulers[0]!.optimizer);
    schedulers.forEach((s, i) => {
      if (s.optimizer !== schedulers[0]!.optimizer) {
        throw new ValueError(`ChainedScheduler expects all schedulers to belong to the same optimizer, but got schedulers at index 0 and ${i} to be different`);
      }
    });
    Object.defineProperty(this, '_schedulers', { value: [...schedulers], enumerable: false, writable: true });
    this._lastLr = this.groups.map((g) => g.lr);
  }

  protected getLr(): number[] {
    return this._lastLr;
  }

  override step(): void {
    for (const s of this._schedulers) s.step();
    this._lastLr = this.groups.map((g) => g.lr);
  }

  override stateDict(): SchedulerStateDict {
    return { ...stateDictOf(this), _schedulers: this._schedulers.map((s) => s.stateDict()) };
  }

  override loadStateDict(state: SchedulerStateDict): void {
    loadStateInto(this, state, ['_schedulers']);
    (state._schedulers as SchedulerStateDict[]).forEach((s, i) => this._schedulers[i]!.loadStateDict(s));
  }
}
