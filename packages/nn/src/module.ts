/**
 * `nn.Module`. Parameters and submodules are registered by assignment to fields, as in PyTorch:
 * a Module discovers them by walking its own fields in definition order (no Proxy, no setter
 * magic), so `this.fc1 = new Linear(...)` in a constructor is all it takes. Buffers are declared
 * with `registerBuffer(name, tensor, persistent)`. Names follow PyTorch exactly ("features.0.weight",
 * "bn1.running_mean"), so state dicts move between PyTorch and torchts.
 */
import { RuntimeError, Tensor, untracked } from '@torchts/core';
import type { DType } from '@torchts/core';
import { isGradEnabled, noGrad } from '@torchts/autograd';
import { Parameter, isParameter } from './parameter.js';
import { BackwardHookState, RemovableHandle } from './hooks.js';
import type { BackwardHookFn } from './hooks.js';

export type ForwardPreHook<M extends Module = Module> = (module: M, args: unknown[]) => unknown[] | unknown | void;
export type ForwardHook<M extends Module = Module> = (module: M, args: unknown[], output: unknown) => unknown | void;
export type FullBackwardHook<M extends Module = Module> = BackwardHookFn<M>;

export interface LoadResult {
  missingKeys: string[];
  unexpectedKeys: string[];
}

export type StateDict = Map<string, Tensor>;

/** Runs before loadStateDict matches keys: may rename or drop entries of `stateDict` (keys of this module start with `prefix`). */
export type LoadStateDictPreHook = (stateDict: StateDict, prefix: string) => void;

/** PyTorch's `t.set_(src)`: `t` (the same object) now views `src`'s storage with its layout and dtype. */
export function replaceData(t: Tensor, src: Tensor): void {
  src._storage.incref();
  t._storage.decref();
  t._storage = src._storage;
  t._shape = [...src.shape];
  t._strides = [...src._strides];
  t._offset = src._offset;
  t._dtype = src.dtype;
}

/** Points `t` at `src`'s storage and layout (its gradient, of the old layout, is dropped). */
function adoptData(t: Tensor, src: Tensor): void {
  replaceData(t, src);
  if (t.grad) {
    t.grad.dispose();
    t.grad = null;
  }
}

export abstract class Module {
  training = true;
  /** Buffers by name; `_nonPersistent` names are left out of state dicts. */
  protected _buffers = new Map<string, Tensor | null>();
  protected _nonPersistent = new Set<string>();
  protected _forwardPreHooks = new Map<number, ForwardPreHook>();
  protected _forwardHooks = new Map<number, ForwardHook>();
  protected _backwardHooks = new Map<number, FullBackwardHook>();
  protected _loadStateDictPreHooks = new Map<number, LoadStateDictPreHook>();

  /** The computation. Call the module with `module.call(x)` (or `module.forward(x)`, which skips hooks). */
  abstract forward(...args: never[]): unknown;

  /**
   * PyTorch's `module(x)`: forward pre-hooks, forward, forward hooks, with full backward hooks
   * attached to the inputs and outputs. A pre-hook may return new args (an array is the argument
   * list, anything else the single argument); a forward hook may return a new output.
   */
  call(...args: Parameters<this['forward']>): ReturnType<this['forward']> {
    let a: unknown[] = args;
    for (const hook of [...this._forwardPreHooks.values()]) {
      const r = hook(this, a);
      if (r !== undefined && r !== null) a = Array.isArray(r) ? r : [r];
    }
    let bw: BackwardHookState<Module> | null = null;
    if (this._backwardHooks.size > 0 && isGradEnabled()) {
      bw = new BackwardHookState<Module>(this, () => [...this._backwardHooks.values()]);
      a = bw.setupInputs(a);
    }
    let out = (this.forward as (...x: unknown[]) => unknown)(...a);
    for (const hook of [...this._forwardHooks.values()]) {
      const r = hook(this, a, out);
      if (r !== undefined && r !== null) out = r;
    }
    if (bw) out = bw.setupOutputs(out);
    return out as ReturnType<this['forward']>;
  }

  /** Whether `call` would run anything besides `forward` (forward pre-, forward or backward hooks). */
  _hasHooks(): boolean {
    return this._forwardPreHooks.size > 0 || this._forwardHooks.size > 0 || this._backwardHooks.size > 0;
  }

  /** `hook(module, args)` runs before forward; returning a value replaces the arguments. */
  registerForwardPreHook(hook: ForwardPreHook<this>, opts: { prepend?: boolean } = {}): RemovableHandle {
    return addHook(this._forwardPreHooks, hook as ForwardPreHook, opts.prepend ?? false);
  }

  /** `hook(module, args, output)` runs after forward; returning a value replaces the output. */
  registerForwardHook(hook: ForwardHook<this>, opts: { prepend?: boolean } = {}): RemovableHandle {
    return addHook(this._forwardHooks, hook as ForwardHook, opts.prepend ?? false);
  }

  /** `hook(module, gradInput, gradOutput)` runs when the gradients w.r.t. the inputs are computed; returning an array replaces gradInput. */
  registerFullBackwardHook(hook: FullBackwardHook<this>, opts: { prepend?: boolean } = {}): RemovableHandle {
    return addHook(this._backwardHooks, hook as FullBackwardHook, opts.prepend ?? false);
  }

  /** `hook(stateDict, prefix)` runs at the start of loadStateDict, on a copy of the given entries (PyTorch's _register_load_state_dict_pre_hook). */
  registerLoadStateDictPreHook(hook: LoadStateDictPreHook): RemovableHandle {
    return addHook(this._loadStateDictPreHooks, hook, false);
  }

  registerBuffer(name: string, tensor: Tensor | null, persistent = true): void {
    if (name.includes('.')) throw new RuntimeError('buffer name can\'t contain "."');
    if (name === '') throw new RuntimeError('buffer name can\'t be empty string ""');
    this._buffers.set(name, tensor);
    if (!persistent) this._nonPersistent.add(name);
    else this._nonPersistent.delete(name);
    Object.defineProperty(this, name, {
      get: () => this._buffers.get(name) ?? null,
      set: (v: Tensor | null) => this._buffers.set(name, v),
      enumerable: false,
      configurable: true,
    });
  }

  registerParameter(name: string, param: Tensor | null): void {
    (this as unknown as Record<string, unknown>)[name] = param === null || isParameter(param) ? param : Parameter(param);
  }

  registerModule(name: string, module: Module | null): void {
    (this as unknown as Record<string, unknown>)[name] = module;
  }

  /** Own parameters, submodules and (via _buffers) buffers, in definition order. */
  protected *ownEntries(): Generator<[string, unknown]> {
    for (const key of Object.keys(this)) {
      if (key === 'training' || key.startsWith('_')) continue;
      yield [key, (this as unknown as Record<string, unknown>)[key]];
    }
  }

  *namedChildren(): Generator<[string, Module]> {
    for (const [k, v] of this.ownEntries()) if (v instanceof Module) yield [k, v];
  }

  *children(): Generator<Module> {
    for (const [, m] of this.namedChildren()) yield m;
  }

  *namedModules(prefix = '', memo = new Set<Module>()): Generator<[string, Module]> {
    if (memo.has(this)) return;
    memo.add(this);
    yield [prefix, this];
    for (const [k, m] of this.namedChildren()) yield* m.namedModules(prefix ? `${prefix}.${k}` : k, memo);
  }

  *modules(): Generator<Module> {
    for (const [, m] of this.namedModules()) yield m;
  }

  *namedParameters(prefix = '', recurse = true): Generator<[string, Tensor]> {
    const seen = new Set<Tensor>();
    const mods = recurse ? this.namedModules(prefix) : ([[prefix, this]] as Iterable<[string, Module]>);
    for (const [mp, m] of mods) {
      for (const [k, v] of m.ownEntries()) {
        if (!isParameter(v) || seen.has(v)) continue;
        seen.add(v);
        yield [mp ? `${mp}.${k}` : k, v];
      }
    }
  }

  *parameters(recurse = true): Generator<Tensor> {
    for (const [, p] of this.namedParameters('', recurse)) yield p;
  }

  *namedBuffers(prefix = '', recurse = true): Generator<[string, Tensor]> {
    const mods = recurse ? this.namedModules(prefix) : ([[prefix, this]] as Iterable<[string, Module]>);
    for (const [mp, m] of mods) {
      for (const [k, v] of m._buffers) if (v) yield [mp ? `${mp}.${k}` : k, v];
    }
  }

  *buffers(recurse = true): Generator<Tensor> {
    for (const [, b] of this.namedBuffers('', recurse)) yield b;
  }

  train(mode = true): this {
    for (const m of this.modules()) m.training = mode;
    return this;
  }

  eval(): this {
    return this.train(false);
  }

  apply(fn: (m: Module) => void): this {
    for (const m of this.children()) m.apply(fn);
    fn(this);
    return this;
  }

  requiresGrad_(requiresGrad = true): this {
    for (const p of this.parameters()) p.requiresGrad = requiresGrad;
    return this;
  }

  zeroGrad(opts: { setToNone?: boolean } = {}): void {
    const setToNone = opts.setToNone ?? true;
    for (const p of this.parameters()) {
      if (!p.grad) continue;
      if (setToNone) {
        p.grad.dispose();
        p.grad = null;
      } else noGrad(() => p.grad!.zero_());
    }
  }

  /** Moves/casts parameters and buffers in place of the module (dtype casts only floating tensors). */
  to(target: DType | string | { dtype?: DType; device?: string }): this {
    const opts = typeof target === 'object' ? target : target.includes('float') || target.includes('int') || target === 'bool' ? { dtype: target as DType } : { device: target };
    return this.applyToTensors((t) => {
      const dtype = opts.dtype && t.isFloatingPoint() ? opts.dtype : t.dtype;
      return t.to({ dtype, device: opts.device ?? t.device });
    });
  }

  /** Casts floating-point parameters and buffers to float64. */
  double(): this {
    return this.to('float64');
  }

  /** Casts floating-point parameters and buffers to float32. */
  float(): this {
    return this.to('float32');
  }

  /** Casts floating-point parameters and buffers to float16. */
  half(): this {
    return this.to('float16');
  }

  /** Casts floating-point parameters and buffers to bfloat16. */
  bfloat16(): this {
    return this.to('bfloat16');
  }

  /** Moves parameters and buffers to the CPU. */
  cpu(): this {
    return this.to({ device: 'cpu' });
  }

  /** Casts every parameter and buffer (integer ones included, as PyTorch's Module.type) to `dtype`. */
  type(dtype: DType): this {
    return this.applyToTensors((t) => t.to({ dtype }));
  }

  /**
   * PyTorch's Module._apply: replaces each parameter's data (the same Parameter object, so
   * optimizers keep working) and each buffer by `fn(tensor)`.
   */
  protected applyToTensors(fn: (t: Tensor) => Tensor): this {
    noGrad(() =>
      untracked(() => {
        for (const m of this.modules()) {
          for (const [, v] of m.ownEntries()) {
            if (!isParameter(v)) continue;
            const moved = fn(v);
            if (moved !== v) {
              // PyTorch's `param.data = ...`: the same Parameter object (optimizers keep working).
              adoptData(v, moved);
              moved.dispose();
            }
          }
          for (const [k, b] of m._buffers) {
            if (!b) continue;
            const moved = fn(b);
            if (moved !== b) {
              m._buffers.set(k, moved);
              b.dispose();
            }
          }
        }
      }),
    );
    return this;
  }

  /** Parameters and persistent buffers by PyTorch's dotted names, in registration order. */
  stateDict(opts: { keepVars?: boolean } = {}): StateDict {
    const out: StateDict = new Map();
    for (const [name, m] of this.namedModules()) {
      const pre = name ? `${name}.` : '';
      for (const [k, v] of m.ownEntries()) if (isParameter(v)) out.set(pre + k, opts.keepVars ? v : noGrad(() => v.detach()));
      for (const [k, b] of m._buffers) if (b && !m._nonPersistent.has(k)) out.set(pre + k, opts.keepVars ? b : b.detach());
    }
    return out;
  }

  /** Copies values in (shapes must match); returns missing and unexpected keys, throwing when `strict`. */
  loadStateDict(sd: StateDict | Record<string, Tensor>, opts: { strict?: boolean } = {}): LoadResult {
    const strict = opts.strict ?? true;
    const given: StateDict = new Map(sd instanceof Map ? sd : Object.entries(sd));
    for (const [name, m] of this.namedModules()) {
      for (const hook of m._loadStateDictPreHooks.values()) hook(given, name ? `${name}.` : '');
    }
    const own = this.stateDict({ keepVars: true });
    const missingKeys = [...own.keys()].filter((k) => !given.has(k));
    const unexpectedKeys = [...given.keys()].filter((k) => !own.has(k));
    const errors: string[] = [];
    noGrad(() => {
      for (const [k, target] of own) {
        const src = given.get(k);
        if (!src) continue;
        if (src.shape.join() !== target.shape.join()) {
          errors.push(`size mismatch for ${k}: copying a param with shape [${src.shape.join(', ')}] from checkpoint, the shape in current model is [${target.shape.join(', ')}].`);
          continue;
        }
        target.copy_(src);
      }
    });
    if (strict) {
      if (missingKeys.length) errors.unshift(`Missing key(s) in state_dict: ${missingKeys.map((k) => `"${k}"`).join(', ')}. `);
      if (unexpectedKeys.length) errors.unshift(`Unexpected key(s) in state_dict: ${unexpectedKeys.map((k) => `"${k}"`).join(', ')}. `);
    }
    if (errors.length) {
      throw new RuntimeError(`Error(s) in loading state_dict for ${this.constructor.name}:\n\t${errors.join('\n\t')}`);
    }
    return { missingKeys, unexpectedKeys };
  }

  /**
   * Frees every parameter, gradient and buffer of this module and its submodules now (modules own
   * their tensors, which no `tidy` scope frees). The module must not be used afterwards.
   */
  dispose(): void {
    for (const m of this.modules()) {
      for (const [, v] of m.ownEntries()) if (v instanceof Tensor && !v.isDisposed) v.dispose();
      for (const [, b] of m._buffers) b?.dispose();
    }
  }

  /** Extra text inside the module's printout (`in_features=3, out_features=4, bias=True`). */
  extraRepr(): string {
    return '';
  }

  toString(): string {
    const lines: string[] = [];
    const extra = this.extraRepr();
    if (extra) lines.push(...extra.split('\n'));
    const extraCount = lines.length;
    for (const [k, m] of this.namedChildren()) {
      const child = m.toString().split('\n').join('\n  ');
      lines.push(`(${k}): ${child}`);
    }
    const name = this.constructor.name;
    if (lines.length === 0) return `${name}()`;
    if (extraCount === 1 && lines.length === 1) return `${name}(${lines[0]})`;
    return `${name}(\n  ${lines.join('\n  ')}\n)`;
  }
}

/** Adds a hook under a fresh handle id (first when `prepend`, as Map order is insertion order). */
function addHook<H>(map: Map<number, H>, hook: H, prepend: boolean): RemovableHandle {
  const handle = new RemovableHandle(map as Map<number, unknown>);
  if (!prepend) {
    map.set(handle.id, hook);
    return handle;
  }
  const rest = [...map];
  map.clear();
  map.set(handle.id, hook);
  for (const [k, v] of rest) map.set(k, v);
  return handle;
}
