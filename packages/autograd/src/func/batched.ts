/**
 * Batched tensors for vmap. Inside `vmap(f)`, `f` sees a wrapper: a Tensor whose shape is one
 * sample's (the "logical" shape) and whose `_meta.vmap` names the physical tensor (batch dim
 * first) and the vmap level. The Vmap dispatcher layer (vmap.ts) intercepts every op that gets a
 * wrapper and runs it on the physical tensors; a wrapper's own memory is never computed on.
 *
 * Levels nest (vmap of vmap): a physical tensor may itself be a wrapper of an outer level. Each
 * level owns the physical tensors its ops produced and frees them when its vmap returns; wrappers
 * live in the caller's scopes like any tensor.
 */
import { RuntimeError, Tensor, keep, makeView, stack, tidy } from '@torchts/core';

export interface BatchInfo {
  level: Level;
  /** The batched tensor, batch dim first. */
  physical: Tensor;
}

export interface Level {
  readonly depth: number;
  readonly size: number;
  /** Physical tensors created at this level (freed when the vmap returns). */
  readonly owned: Set<Tensor>;
  open: boolean;
}

const levels: Level[] = [];

export function currentDepth(): number {
  return levels.length;
}

export function pushLevel(size: number): Level {
  const level: Level = { depth: levels.length + 1, size, owned: new Set(), open: true };
  levels.push(level);
  return level;
}

export function popLevel(level: Level): void {
  const i = levels.indexOf(level);
  if (i >= 0) levels.splice(i, 1);
  level.open = false;
  for (const t of level.owned) t.dispose();
  level.owned.clear();
}

export function batchInfo(t: unknown): BatchInfo | undefined {
  if (!(t instanceof Tensor) || t._meta === null) return undefined;
  return (t._meta as { vmap?: BatchInfo }).vmap;
}

/** The innermost level among batched tensors in `args` (arrays searched too), or null. */
export function innermostLevel(args: readonly unknown[]): Level | null {
  let best: Level | null = null;
  const visit = (a: unknown, depth: number): void => {
    const info = batchInfo(a);
    if (info) {
      if (!info.level.open) {
        throw new RuntimeError('vmap: a batched tensor escaped the vmap it was created in (it was returned or stored outside `f`); use it only inside `f`');
      }
      if (!best || info.level.depth > best.depth) best = info.level;
    } else if (Array.isArray(a) && depth < 2) for (const x of a) visit(x, depth + 1);
  };
  for (const a of args) visit(a, 0);
  return best;
}

/** Whether `args` hold a batched tensor (cheap check for the layer). */
export function anyBatched(args: readonly unknown[]): boolean {
  for (const a of args) {
    if (a instanceof Tensor) {
      if (a._meta !== null && (a._meta as { vmap?: BatchInfo }).vmap) return true;
    } else if (Array.isArray(a)) {
      for (const x of a) if (x instanceof Tensor && x._meta !== null && (x._meta as { vmap?: BatchInfo }).vmap) return true;
    }
  }
  return false;
}

/** The physical tensor of `t` at `level`, or null if `t` is not batched there. */
export function physicalAt(t: unknown, level: Level): Tensor | null {
  const info = batchInfo(t);
  return info && info.level === level ? info.physical : null;
}

/** A wrapper over `physical` (batch dim first) at `level`; the level takes ownership of `physical`. */
export function wrap(physical: Tensor, level: Level): Tensor {
  if (physical.ndim === 0 || physical.shape[0] !== level.size) {
    throw new RuntimeError(`vmap: internal error: expected a batch of ${level.size}, got shape [${physical.shape.join(', ')}]`);
  }
  if (!level.owned.has(physical)) {
    keep(physical);
    level.owned.add(physical);
  }
  const w = makeView(physical, physical.shape.slice(1), physical._strides.slice(1), physical._offset);
  w._base = null;
  w._requiresGrad = physical.requiresGrad;
  (w._meta ??= {}).vmap = { level, physical } satisfies BatchInfo;
  return w;
}

/** Maps tensors in `args` (and in arrays inside it) through `f`. */
export function mapTensors(args: readonly unknown[], f: (t: Tensor) => unknown): unknown[] {
  const visit = (a: unknown, depth: number): unknown => {
    if (a instanceof Tensor) return f(a);
    if (Array.isArray(a) && depth < 2) return a.map((x) => visit(x, depth + 1));
    return a;
  };
  return args.map((a) => visit(a, 0));
}

/** Stacks per-sample results structurally (tensors stacked along 0; arrays element-wise). */
export function stackResults(results: unknown[], what: string): unknown {
  const first = results[0];
  if (first instanceof Tensor) return stack(results as Tensor[]);
  if (Array.isArray(first)) {
    const out = first.map((_, i) => stackResults(results.map((r) => (r as unknown[])[i]), what));
    // Named results (values/indices) keep their names.
    for (const key of Object.keys(first)) {
      if (!/^\d+$/.test(key)) {
        const idx = first.indexOf((first as unknown as Record<string, unknown>)[key]);
        if (idx >= 0) (out as unknown as Record<string, unknown>)[key] = out[idx];
      }
    }
    return out;
  }
  if (first === undefined || first === null || typeof first !== 'object') return first;
  throw new RuntimeError(`vmap: ${what} returned a value of unsupported type ${typeof first}`);
}

/** Wraps every tensor of a stacked structure at `level`. */
export function wrapResults(value: unknown, level: Level): unknown {
  if (value instanceof Tensor) return wrap(value, level);
  if (Array.isArray(value)) {
    const out = value.map((v) => wrapResults(v, level));
    for (const key of Object.keys(value)) {
      if (!/^\d+$/.test(key)) {
        const idx = value.indexOf((value as unknown as Record<string, unknown>)[key]);
        if (idx >= 0) (out as unknown as Record<string, unknown>)[key] = out[idx];
      }
    }
    return out;
  }
  return value;
}

/**
 * Runs `fn` once per sample of the innermost level found in `args` (batched tensors replaced by
 * their slices) and stacks the results into batched tensors: the general, looping batching rule.
 */
export function perSample(level: Level, args: readonly unknown[], fn: (...args: unknown[]) => unknown, what: string): unknown {
  const stacked = tidy(() => {
    const results: unknown[] = [];
    for (let b = 0; b < level.size; b++) {
      const slice = mapTensors(args, (t) => physicalAt(t, level)?.select(0, b) ?? t);
      results.push(fn(...slice));
    }
    if (results.length === 0) throw new RuntimeError(`vmap: ${what} over an empty batch has no batching rule here`);
    return stackResults(results, what);
  });
  return wrapResults(stacked, level);
}

/**
 * Makes a transform vmap-aware: called with batched tensors, it runs per sample (a loop), so
 * `vmap(grad(f))` and `vmap(jacrev(f))` work.
 */
export function batchedAware<F extends AnyFn>(fn: F): F {
  return ((...args: unknown[]) => {
    const level = innermostLevel(args);
    if (!level) return fn(...args);
    return perSample(level, args, (...slice) => fn(...slice), 'a function transform');
  }) as F;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyFn = (...args: any[]) => any;
