/**
 * The Optimizer base class, as torch.optim.Optimizer: parameter groups, per-parameter state,
 * zeroGrad, step(closure) and PyTorch-layout state dicts (snake_case keys, parameters numbered
 * in group order) so checkpoints interchange with PyTorch.
 */
import { Tensor, ValueError, tensor, tidy, untracked } from '@torchts/core';
import { enableGrad, noGrad } from '@torchts/autograd';

/** A value kept in an optimizer's per-parameter state. */
export type StateValue = Tensor | number | boolean | null | StateValue[];
export type ParamState = Record<string, StateValue>;

/** A parameter group: its tensors plus every option (camelCase, as given to the constructor). */
export interface ParamGroup {
  params: Tensor[];
  lr: number;
  [option: string]: unknown;
}

/** What constructors and addParamGroup accept: tensors with optional per-group options. */
export interface ParamGroupInput {
  params: Iterable<Tensor> | Tensor;
  [option: string]: unknown;
}

export type Params = Iterable<Tensor> | Iterable<ParamGroupInput>;

/** PyTorch's `optimizer.state_dict()` layout. */
export interface OptimizerStateDict {
  state: Record<number, ParamState>;
  param_groups: Array<Record<string, unknown> & { params: number[] }>;
}

export type Closure = () => Tensor | number;

/** `weightDecay` -> `weight_decay`, `_stepCount` -> `_step_count` (PyTorch's state-dict keys); `T_max` stays. */
export function toSnakeCase(key: string): string {
  return key.replace(/([a-z0-9])([A-Z])/g, (_m, a: string, c: string) => `${a}_${c.toLowerCase()}`);
}

/** `weight_decay` -> `weightDecay`. */
export function toCamelCase(key: string): string {
  return key.replace(/_([a-z0-9])/g, (_m, c: string) => c.toUpperCase());
}

export abstract class Optimizer<Options extends object = Record<string, unknown>> {
  readonly defaults: Options;
  paramGroups: ParamGroup[] = [];
  /** Per-parameter state, keyed by the parameter tensor (as PyTorch's `optimizer.state`). */
  state = new Map<Tensor, ParamState>();

  constructor(params: Params, defaults: Options) {
    this.defaults = defaults;
    if (params instanceof Tensor) {
      throw new TypeError(`params argument given to the optimizer should be an iterable of Tensors or dicts, but got ${params.dtype} tensor`);
    }
    const list = [...(params as Iterable<Tensor | ParamGroupInput>)];
    if (list.length === 0) throw new ValueError('optimizer got an empty parameter list');
    const groups: ParamGroupInput[] = list[0] instanceof Tensor ? [{ params: list as Tensor[] }] : (list as ParamGroupInput[]);
    for (const g of groups) this.addParamGroup(g);
  }

  /** Adds a group; options it leaves out take the optimizer's defaults. */
  addParamGroup(group: ParamGroupInput): void {
    if (group === null || typeof group !== 'object') throw new TypeError('param group must be a dict');
    const params = group.params instanceof Tensor ? [group.params] : [...group.params];
    for (const p of params) {
      if (!(p instanceof Tensor)) throw new TypeError(`optimizer can only optimize Tensors, but one of the params is ${typeof p}`);
      if (!p.isLeaf) throw new ValueError("can't optimize a non-leaf Tensor");
    }
    if (new Set(params).size !== params.length) {
      console.warn('optimizer contains a parameter group with duplicate parameters; in future, this will cause an error');
    }
    const full: ParamGroup = { ...(this.defaults as Record<string, unknown>), ...group, params } as ParamGroup;
    for (const [k, v] of Object.entries(full)) {
      if (v === undefined) throw new ValueError(`parameter group didn't specify a value of required optimization parameter ${toSnakeCase(k)}`);
    }
    const seen = new Set(this.paramGroups.flatMap((g) => g.params));
    if (params.some((p) => seen.has(p))) throw new ValueError('some parameters appear in more than one parameter group');
    this.paramGroups.push(full);
  }

  /** Resets gradients: dropped (`setToNone`, the default) or zeroed in place. */
  zeroGrad({ setToNone = true }: { setToNone?: boolean } = {}): void {
    for (const group of this.paramGroups) {
      for (const p of group.params) {
        if (!p.grad) continue;
        if (setToNone) {
          p.grad.dispose();
          p.grad = null;
        } else {
          noGrad(() => p.grad!.zero_());
        }
      }
    }
  }

  /**
   * One optimization step. The closure (re-evaluating the loss) runs with gradients enabled; the
   * update runs under noGrad, in place on the parameters, and frees every temporary it makes.
   */
  step(closure?: Closure): Tensor | number | undefined {
    const loss = closure ? enableGrad(closure) : undefined;
    noGrad(() => tidy(() => this.update()));
    return loss;
  }

  /** Applies the update rule to every parameter with a gradient (called under noGrad and tidy). */
  protected abstract update(): void;

  /** The state of `p`, created untracked by `init` on first use so no tidy scope frees it. */
  protected stateOf(p: Tensor, init: () => ParamState): ParamState {
    let s = this.state.get(p);
    if (!s || Object.keys(s).length === 0) {
      s = untracked(init);
      this.state.set(p, s);
    }
    return s;
  }

  /** PyTorch's layout: parameters numbered across groups; state tensors are shared, not copied. */
  stateDict(): OptimizerStateDict {
    const index = new Map<Tensor, number>();
    const paramGroups = this.paramGroups.map((g) => {
      const packed: Record<string, unknown> & { params: number[] } = { params: [] };
      for (const [k, v] of Object.entries(g)) if (k !== 'params') packed[toSnakeCase(k)] = v;
      packed.params = g.params.map((p) => {
        if (!index.has(p)) index.set(p, index.size);
        return index.get(p)!;
      });
      return packed;
    });
    const state: Record<number, ParamState> = {};
    for (const [p, s] of this.state) {
      const i = index.get(p);
      if (i !== undefined) state[i] = s;
    }
    return { state, param_groups: paramGroups };
  }

  /** Loads a state dict (ours or PyTorch's layout); tensors are copied, floating ones cast to their parameter's dtype. */
  loadStateDict(stateDict: OptimizerStateDict): void {
    const saved = stateDict.param_groups;
    if (saved.length !== this.paramGroups.length) throw new ValueError('loaded state dict has a different number of parameter groups');
    const byIndex = new Map<number, Tensor>();
    saved.forEach((g, gi) => {
      const mine = this.paramGroups[gi]!;
      if (g.params.length !== mine.params.length) {
        throw new ValueError("loaded state dict contains a parameter group that doesn't match the size of optimizer's group");
      }
      g.params.forEach((id, j) => byIndex.set(id, mine.params[j]!));
    });
    for (const s of this.state.values()) disposeState(s);
    this.state = new Map();
    for (const [key, s] of Object.entries(stateDict.state)) {
      const p = byIndex.get(Number(key));
      if (!p) continue;
      const copy: ParamState = {};
      untracked(() => {
        for (const [k, v] of Object.entries(s)) copy[k] = copyStateValue(k, v, p);
      });
      this.state.set(p, copy);
    }
    saved.forEach((g, gi) => {
      const mine = this.paramGroups[gi]!;
      for (const [k, v] of Object.entries(g)) if (k !== 'params') mine[toCamelCase(k)] = Array.isArray(v) ? [...v] : v;
    });
  }

  /** Frees every state tensor (the optimizer is unusable for resuming afterwards). */
  dispose(): void {
    for (const s of this.state.values()) disposeState(s);
    this.state.clear();
  }
}

function copyStateValue(key: string, v: StateValue, p: Tensor): StateValue {
  if (v instanceof Tensor) {
    // PyTorch keeps `step` as is; other floating state follows the parameter's dtype.
    const c = key !== 'step' && v.isFloatingPoint() ? v.to(p.dtype) : v.clone();
    return c === v ? v.clone() : c;
  }
  if (Array.isArray(v)) return v.map((x) => copyStateValue(key, x, p));
  return v;
}

function disposeState(s: ParamState): void {
  const walk = (v: StateValue): void => {
    if (v instanceof Tensor) v.dispose();
    else if (Array.isArray(v)) v.forEach(walk);
  };
  Object.values(s).forEach(walk);
}

/** A 0-d float32 tensor, as PyTorch's `torch.tensor(x)` step/eta/mu state; untracked. */
export function scalarState(value: number): Tensor {
  return untracked(() => tensor(value));
}
