/**
 * The LRScheduler base (torch.optim.lr_scheduler._LRScheduler). PyTorch sets a subclass's fields
 * before the base constructor takes the first step; JS cannot touch `this` before super(), so
 * subclasses assign their fields and then call `start(lastEpoch)`, which does that first step.
 */
import { ValueError } from '@torchts/core';
import { type Optimizer, type ParamGroup, toCamelCase, toSnakeCase } from '../optimizer.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyOptimizer = Optimizer<any>;
export type SchedulerStateDict = Record<string, unknown>;

/** Fields that are not state: the optimizer, and functions (kept out of state dicts as in PyTorch). */
const NOT_STATE = new Set(['optimizer']);

export function stateDictOf(obj: object, skip: readonly string[] = []): SchedulerStateDict {
  const out: SchedulerStateDict = {};
  for (const [k, v] of Object.entries(obj)) {
    if (NOT_STATE.has(k) || skip.includes(k) || typeof v === 'function') continue;
    out[toSnakeCase(k)] = structuredClone(v);
  }
  return out;
}

export function loadStateInto(obj: object, state: SchedulerStateDict, skip: readonly string[] = []): void {
  const target = obj as Record<string, unknown>;
  for (const [k, v] of Object.entries(state)) {
    if (skip.includes(k)) continue;
    const key = k in target ? k : toCamelCase(k);
    target[key] = structuredClone(v);
  }
}

/** `value` for every group, or the per-group list after checking its length (PyTorch's _format_param). */
export function perGroup<T>(name: string, optimizer: AnyOptimizer, value: T | readonly T[]): T[] {
  const n = optimizer.paramGroups.length;
  if (Array.isArray(value)) {
    if (value.length !== n) throw new ValueError(`expected ${n} values for ${name}, got ${value.length}`);
    return [...(value as T[])];
  }
  return new Array<T>(n).fill(value as T);
}

export abstract class LRScheduler {
  declare optimizer: AnyOptimizer;
  declare baseLrs: number[];
  declare lastEpoch: number;
  declare verbose: boolean;
  declare _stepCount: number;
  declare _lastLr: number[];

  constructor(optimizer: AnyOptimizer) {
    Object.defineProperty(this, 'optimizer', { value: optimizer, enumerable: false, writable: true });
  }

  protected get groups(): ParamGroup[] {
    return this.optimizer.paramGroups;
  }

  /** PyTorch's base constructor: records initial lrs, then takes the first step. */
  protected start(lastEpoch: number, verbose = false): void {
    if (lastEpoch === -1) {
      for (const g of this.groups) if (g.initialLr === undefined) g.initialLr = g.lr;
    } else {
      this.groups.forEach((g, i) => {
        if (g.initialLr === undefined) throw new ValueError(`param 'initial_lr' is not specified in param_groups[${i}] when resuming an optimizer`);
      });
    }
    this.baseLrs = this.groups.map((g) => g.initialLr as number);
    this.lastEpoch = lastEpoch;
    this.verbose = verbose;
    this.initialStep();
  }

  initialStep(): void {
    this._stepCount = 0;
    this.step();
  }

  /** The lrs for the current `lastEpoch`, from the current ones (PyTorch's chainable get_lr). */
  protected abstract getLr(): number[];

  /** The lrs for `lastEpoch` straight from the base lrs, where the schedule has a closed form. */
  protected closedFormLr?(): number[];

  /** Advances one epoch (or jumps to `epoch`, deprecated in PyTorch) and sets every group's lr. */
  step(epoch?: number): void {
    this._stepCount++;
    let values: number[];
    if (epoch === undefined) {
      this.lastEpoch++;
      values = this.getLr();
    } else {
      this.lastEpoch = epoch;
      values = this.closedFormLr ? this.closedFormLr() : this.getLr();
    }
    this.groups.forEach((g, i) => {
      g.lr = values[i]!;
      if (this.verbose) console.log(`Adjusting learning rate of group ${i} to ${values[i]!.toExponential(4)}.`);
    });
    this._lastLr = this.groups.map((g) => g.lr);
  }

  /** The lrs the last step set. */
  getLastLr(): number[] {
    return [...this._lastLr];
  }

  /** Every field except the optimizer (and lr functions), with PyTorch's key names. */
  stateDict(): SchedulerStateDict {
    return stateDictOf(this);
  }

  loadStateDict(state: SchedulerStateDict): void {
    loadStateInto(this, state);
  }
}
