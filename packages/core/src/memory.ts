/**
 * Deterministic memory: every tensor holds one storage reference, released by `dispose()`,
 * by the scope it was created in (`tidy`), or — only as a safety net — by the GC through a
 * FinalizationRegistry on storages (storage.ts). Scopes follow async code in Node (AsyncLocalStorage), so
 * `await torch.tidy(async () => ...)` frees what the async body created.
 */
import { setStorageCollectedHook } from './storage.js';
import { getBackend, registeredDevices } from './device.js';
import type { MemoryStats } from './device.js';

interface Disposable {
  dispose(): void;
  readonly isDisposed: boolean;
}

export class Scope {
  readonly tensors: Disposable[] = [];
  closed = false;
  constructor(readonly parent: Scope | null) {}
}

let liveTensors = 0;
// Tensors that were never disposed die with their storage: see storage.ts's registry.
setStorageCollectedHook((refs) => {
  liveTensors -= refs;
});

let untrackedDepth = 0;

/**
 * Runs `fn` with scope tracking off: the tensors it creates belong to no `tidy` scope. For tensors
 * owned by long-lived structures (autograd's saved tensors and `.grad`, optimizer state), which
 * must survive the scope they happen to be created in.
 */
export function untracked<T>(fn: () => T): T {
  untrackedDepth++;
  try {
    return fn();
  } finally {
    untrackedDepth--;
  }
}

export function onTensorCreated(tensor: Disposable): void {
  liveTensors++;
  if (activeScopes > 0 && untrackedDepth === 0) {
    const scope = currentScope();
    if (scope && !scope.closed) scope.tensors.push(tensor);
  }
}

export function onTensorDisposed(): void {
  liveTensors--;
}

// ---- scopes -------------------------------------------------------------------------------

/** A value scoped to the running code: it follows `await` in Node (AsyncLocalStorage). */
export interface ContextStore<T> {
  getStore(): T | undefined;
  run<R>(store: T, fn: () => R): R;
}

/** Synchronous fallback (browsers): a plain stack; async bodies must await inside the scope only. */
class StackStore<T> implements ContextStore<T> {
  private current: T | undefined;
  getStore(): T | undefined {
    return this.current;
  }
  run<R>(store: T, fn: () => R): R {
    const prev = this.current;
    this.current = store;
    try {
      return fn();
    } finally {
      this.current = prev;
    }
  }
}

let AsyncStore: (new <T>() => ContextStore<T>) | null = null;
try {
  const nodeProcess = (globalThis as { process?: { versions?: { node?: string } } }).process;
  if (nodeProcess?.versions?.node) {
    AsyncStore = ((await import('node:async_hooks')) as typeof import('node:async_hooks')).AsyncLocalStorage;
  }
} catch {
  // not Node: stack stores
}

/** A new context store: AsyncLocalStorage in Node, a synchronous stack elsewhere. */
export function contextStore<T>(): ContextStore<T> {
  return AsyncStore ? new AsyncStore<T>() : new StackStore<T>();
}

const store = contextStore<Scope>();

let activeScopes = 0;

function currentScope(): Scope | undefined {
  return store.getStore();
}

function collectKept(value: unknown, kept: Set<unknown>, depth = 0): void {
  if (value === null || typeof value !== 'object' || depth > 8) return;
  if ('dispose' in value && 'isDisposed' in value) {
    kept.add(value);
    return;
  }
  if (value instanceof Map) {
    for (const v of value.values()) collectKept(v, kept, depth + 1);
  } else if (Array.isArray(value)) {
    for (const v of value) collectKept(v, kept, depth + 1);
  } else if (Object.getPrototypeOf(value) === Object.prototype) {
    for (const v of Object.values(value)) collectKept(v, kept, depth + 1);
  }
}

function closeScope(scope: Scope, result: unknown): void {
  scope.closed = true;
  activeScopes--;
  const kept = new Set<unknown>();
  collectKept(result, kept);
  const parent = scope.parent;
  for (const t of scope.tensors) {
    if (t.isDisposed) continue;
    if (kept.has(t)) {
      // Returned tensors belong to the enclosing scope, if any.
      if (parent && !parent.closed) parent.tensors.push(t);
    } else t.dispose();
  }
  scope.tensors.length = 0;
}

/**
 * Runs `fn` and disposes every tensor it created except those it returns (found in arrays, Maps
 * and plain objects) and those passed to `keep`. Works across `await` when `fn` is async in Node.
 */
export function tidy<T>(fn: () => T): T {
  const scope = new Scope(currentScope() ?? null);
  activeScopes++;
  let result: T;
  try {
    result = store.run(scope, fn);
  } catch (e) {
    closeScope(scope, undefined);
    throw e;
  }
  if (result instanceof Promise) {
    return result.then(
      (v) => {
        closeScope(scope, v);
        return v;
      },
      (e) => {
        closeScope(scope, undefined);
        throw e;
      },
    ) as T;
  }
  closeScope(scope, result);
  return result;
}

/** Exempts a tensor from the enclosing scopes' cleanup. */
export function keep<T extends Disposable>(tensor: T): T {
  for (let s = currentScope(); s; s = s.parent ?? undefined) {
    const i = s.tensors.lastIndexOf(tensor); // usually the most recent: found at once
    if (i >= 0) s.tensors.splice(i, 1);
  }
  return tensor;
}

/** Disposes tensors found in any nesting of arrays, Maps and plain objects. */
export function dispose(value: unknown): void {
  const found = new Set<unknown>();
  collectKept(value, found);
  for (const t of found) (t as Disposable).dispose();
}

export interface MemoryReport {
  /** Tensors not yet disposed nor collected (views count as tensors). */
  liveTensors: number;
  devices: Record<string, MemoryStats>;
}

/** Live tensors and, per device, live bytes apart from pooled bytes. */
export function memory(): MemoryReport {
  const devices: Record<string, MemoryStats> = {};
  for (const d of registeredDevices()) devices[d] = getBackend(d).stats();
  return { liveTensors, devices };
}
