/**
 * `torch.nn.utils.parametrize`: `registerParametrization(module, 'weight', p)` moves the parameter
 * (or buffer) to `module.parametrizations.weight.original` (or `original0..N` when p.rightInverse
 * returns several tensors) and turns `module.weight` into a computed property, p(original), on a
 * per-module subclass named `Parametrized<Class>` (PyTorch's class injection), so state-dict keys
 * and printouts are PyTorch's. Assigning `module.weight = t` calls the rightInverses.
 *
 * Memory: each read of `module.weight` computes a new tensor owned by the reader (a `tidy` scope
 * frees it), except inside the module's own `call`, where the values its forward read are disposed
 * when the call returns (autograd keeps what it saved), and inside `cached()`, where one value per
 * tensor is shared and disposed when the outermost `cached` scope ends.
 */
import { RuntimeError, Tensor, ValueError, contextStore, keep } from '@torchts/core';
import { noGrad } from '@torchts/autograd';
import { Module, replaceData } from './module.js';
import { ModuleDict, ModuleList } from './containers.js';
import { Parameter, isParameter } from './parameter.js';

/** A parametrization: a module whose forward maps the original tensor(s) to the parametrized one. */
export interface Parametrization extends Module {
  rightInverse?(value: Tensor): Tensor | Tensor[];
}

type Internals = { _buffers: Map<string, Tensor | null>; _nonPersistent: Set<string> };
type Fields = Record<string, unknown>;
const fields = (m: object): Fields => m as Fields;
const internals = (m: Module): Internals => m as unknown as Internals;

/** Signals "this parametrization has no right inverse" (PyTorch's NotImplementedError from right_inverse). */
export class NoRightInverse extends Error {}

function callModule(m: Module, ...args: unknown[]): unknown {
  return (m.call as (...a: unknown[]) => unknown)(...args);
}

function fmtShape(t: Tensor): string {
  return `torch.Size([${t.shape.join(', ')}])`;
}

/** PyTorch's `original.set_(value)`: same tensor object, new values (and shape when they differ). */
function setData(original: Tensor, value: Tensor): void {
  if (original === value) return;
  noGrad(() => {
    if (original.shape.join() === value.shape.join() && original.dtype === value.dtype) original.copy_(value);
    else replaceData(original, value);
  });
}

function registerParameterOrBuffer(m: Module, name: string, t: Tensor): void {
  if (isParameter(t)) m.registerParameter(name, t);
  else m.registerBuffer(name, t);
}

/**
 * Holds the original tensor(s) of one parametrized tensor and the chain of parametrizations
 * (PyTorch's ParametrizationList; not meant to be built by users).
 */
export class ParametrizationList extends ModuleList {
  declare unsafe: boolean;
  declare isTensor: boolean;
  /** The original tensor when rightInverse returned one tensor (`original0`, `original1`, ... otherwise). */
  declare original: Tensor;
  declare ntensors: number;
  /** Names of the original tensors ('original' or 'original0', 'original1', ...), own entries of this module. */
  private _originals: Array<[string, Tensor]> = [];

  constructor(modules: Parametrization[], original: Tensor, unsafe = false) {
    if (modules.length === 0) throw new ValueError('ParametrizationList requires one or more modules.');
    super(modules);
    this.unsafe = unsafe;
    const originalShape = original.shape.join();
    const originalDtype = original.dtype;
    let next: Tensor | Tensor[] = original;
    noGrad(() => {
      for (const m of [...modules].reverse()) {
        if (typeof m.rightInverse !== 'function') continue;
        try {
          next = m.rightInverse(next as Tensor);
        } catch (e) {
          if (!(e instanceof NoRightInverse)) throw e;
        }
      }
    });
    const result = next as Tensor | Tensor[];
    if (!(result instanceof Tensor) && !Array.isArray(result)) {
      throw new ValueError(`'right_inverse' must return a Tensor or a Sequence of tensors (list, tuple...). Got ${typeof result}`);
    }
    this.isTensor = result instanceof Tensor;
    this.ntensors = result instanceof Tensor ? 1 : result.length;
    if (result instanceof Tensor) {
      if (result.dtype !== original.dtype) {
        throw new ValueError(`When \`right_inverse\` outputs one tensor, it may not change the dtype.\noriginal.dtype: ${original.dtype}\nright_inverse(original).dtype: ${result.dtype}`);
      }
      setData(original, result);
      if (result !== original) result.dispose();
      this.addOriginal('original', original);
    } else {
      result.forEach((t, i) => {
        if (!(t instanceof Tensor)) {
          throw new ValueError(`'right_inverse' must return a Tensor or a Sequence of tensors (list, tuple...). Got element ${i} of the sequence with type ${typeof t}.`);
        }
        // A returned `original` itself gets a new tensor object (Parameter() aliases a Parameter): the old one is disposed below.
        const src = t === original && !isParameter(original) ? noGrad(() => original.detach()) : t;
        const o = isParameter(original) ? Parameter(src, original.requiresGrad) : keep(src);
        if (!isParameter(original)) o.requiresGrad_(original.requiresGrad);
        this.addOriginal(`original${i}`, o);
      });
      original.dispose();
    }
    if (!this.unsafe) {
      const z = this.forward();
      const [shape, dtype] = [z.shape, z.dtype];
      const desc = fmtShape(z);
      z.dispose();
      if (dtype !== originalDtype) {
        throw new ValueError(`Registering a parametrization may not change the dtype of the tensor, unless \`unsafe\` flag is enabled.\nunparametrized dtype: ${originalDtype}\nparametrized dtype: ${dtype}`);
      }
      if (shape.join() !== originalShape) {
        throw new ValueError(`Registering a parametrization may not change the shape of the tensor, unless \`unsafe\` flag is enabled.\nunparametrized shape: torch.Size([${originalShape.split(',').join(', ')}])\nparametrized shape: ${desc}`);
      }
    }
  }

  private addOriginal(name: string, t: Tensor): void {
    this._originals.push([name, t]);
    if (isParameter(t)) {
      Object.defineProperty(this, name, { get: () => this.originalByName(name), enumerable: false, configurable: true });
    } else this.registerBuffer(name, t);
  }

  private originalByName(name: string): Tensor {
    return this._originals.find(([n]) => n === name)![1];
  }

  /** The original tensors in order (`original`, or `original0`, `original1`, ...). */
  originals(): Tensor[] {
    return this._originals.map(([n]) => fields(this)[n] as Tensor);
  }

  protected override *ownEntries(): Generator<[string, unknown]> {
    for (const [n, t] of this._originals) if (isParameter(t)) yield [n, t];
    yield* super.ownEntries();
  }

  /** Stores rightInverse(value) (through every parametrization, last first) in the originals. */
  rightInverse(value: Tensor): void {
    noGrad(() => {
      let v: Tensor | Tensor[] = value;
      const made: Tensor[] = [];
      for (const m of ([...this] as Parametrization[]).reverse()) {
        if (typeof m.rightInverse !== 'function') throw new RuntimeError(`parametrization ${m.constructor.name} does not implement right_inverse.`);
        v = m.rightInverse(v as Tensor);
        made.push(...(v instanceof Tensor ? [v] : v));
      }
      const originals = this.originals();
      if (this.isTensor) {
        if (!(v instanceof Tensor)) throw new ValueError(`\`right_inverse\` should return a tensor. Got ${typeof v}`);
        if (v.dtype !== originals[0]!.dtype) {
          throw new ValueError(`The tensor returned by \`right_inverse\` has dtype ${v.dtype} while \`original\` has dtype ${originals[0]!.dtype}`);
        }
        setData(originals[0]!, v);
      } else {
        if (!Array.isArray(v)) throw new ValueError(`'right_inverse' must return a sequence of tensors. Got ${typeof v}.`);
        if (v.length !== this.ntensors) {
          throw new ValueError(`'right_inverse' must return a sequence of tensors of length ${this.ntensors}. Got a sequence of lenght ${v.length}.`);
        }
        v.forEach((t, i) => {
          if (t.dtype !== originals[i]!.dtype) {
            throw new ValueError(`Tensor ${i} returned by \`right_inverse\` has dtype ${t.dtype} while \`original${i}\` has dtype ${originals[i]!.dtype}`);
          }
          setData(originals[i]!, t);
        });
      }
      for (const t of made) if (t !== value && !originals.includes(t)) t.dispose();
    });
  }

  /** The parametrized tensor: the first parametrization on the originals, then each next one on the previous result. */
  override forward(): Tensor {
    const originals = this.originals();
    const steps = [...this] as Parametrization[];
    let x = callModule(steps[0]!, ...originals) as Tensor;
    for (const m of steps.slice(1)) {
      const y = callModule(m, x) as Tensor;
      if (y !== x && !originals.includes(x)) x.dispose();
      x = y;
    }
    return originals.includes(x) ? x.view([...x.shape]) : x;
  }
}

// ---- the per-module class and its property ------------------------------------------------

const parametrizedClasses = new WeakSet<object>();
/** Values read by a parametrized module's forward during its own call, disposed when the call returns. */
const callReads = new WeakMap<Module, Tensor[][]>();
/** `cached()` scopes: one value per (module, tensor name). */
const cacheStore = contextStore<Map<Module, Map<string, Tensor>>>();

function parametrizationsOf(m: Module): ModuleDict {
  return fields(m).parametrizations as ModuleDict;
}

function readParametrized(m: Module, name: string): Tensor {
  const plist = parametrizationsOf(m).get(name) as ParametrizationList;
  const cache = cacheStore.getStore();
  if (cache) {
    let perModule = cache.get(m);
    if (!perModule) cache.set(m, (perModule = new Map()));
    let t = perModule.get(name);
    if (!t || t.isDisposed) {
      t = keep(plist.call());
      perModule.set(name, t);
    }
    return t;
  }
  const value = plist.call();
  const reads = callReads.get(m);
  if (reads && reads.length) reads[reads.length - 1]!.push(value);
  return value;
}

function injectClass(m: Module): void {
  const base = m.constructor as abstract new (...a: never[]) => Module;
  const name = `Parametrized${base.name}`;
  const cls = {
    [name]: class extends (base as unknown as new () => Module) {
      declare forward: (...args: never[]) => unknown;
      override call(...args: never[]): never {
        const self = this as Module;
        let stack = callReads.get(self);
        if (!stack) callReads.set(self, (stack = []));
        const reads: Tensor[] = [];
        stack.push(reads);
        let out: unknown;
        try {
          out = (base.prototype.call as (...a: unknown[]) => unknown).apply(self, args);
        } finally {
          stack.pop();
          const results = new Set<unknown>(Array.isArray(out) ? out : [out]);
          for (const t of reads) if (!results.has(t)) t.dispose();
        }
        return out as never;
      }
    },
  }[name]!;
  parametrizedClasses.add(cls);
  Object.setPrototypeOf(m, cls.prototype);
}

function injectProperty(m: Module, name: string): void {
  Object.defineProperty(Object.getPrototypeOf(m) as object, name, {
    get(this: Module) {
      return readParametrized(this, name);
    },
    set(this: Module, value: Tensor) {
      (parametrizationsOf(this).get(name) as ParametrizationList).rightInverse(value);
    },
    configurable: true,
    enumerable: false,
  });
}

/** True when `module` has a parametrization (on `tensorName`, when given). */
export function isParametrized(module: Module, tensorName?: string): boolean {
  const p = fields(module).parametrizations;
  if (!(p instanceof ModuleDict)) return false;
  return tensorName === undefined ? p.length > 0 : p.has(tensorName);
}

/** The module's class before parametrizations were registered (PyTorch's type_before_parametrizations). */
export function typeBeforeParametrizations(module: Module): abstract new (...a: never[]) => Module {
  const cls = module.constructor;
  if (isParametrized(module) && parametrizedClasses.has(cls)) return Object.getPrototypeOf(cls) as abstract new (...a: never[]) => Module;
  return cls as abstract new (...a: never[]) => Module;
}

function describeShape(t: Tensor): string {
  return fmtShape(t);
}

/**
 * Registers `parametrization` on the parameter or buffer `tensorName` of `module` (PyTorch's
 * register_parametrization). A second registration on the same name chains after the first.
 * `unsafe` skips the dtype/shape consistency checks.
 */
export function registerParametrization<M extends Module>(module: M, tensorName: string, parametrization: Parametrization, options: { unsafe?: boolean } = {}): M {
  const unsafe = options.unsafe ?? false;
  parametrization.train(module.training);
  if (isParametrized(module, tensorName)) {
    if (!unsafe) {
      noGrad(() => {
        const y = readParametrized(module, tensorName);
        const x = callModule(parametrization, y);
        try {
          if (!(x instanceof Tensor)) throw new ValueError(`A parametrization must return a tensor. Got ${typeof x}.`);
          if (x.dtype !== y.dtype) {
            throw new ValueError(`Registering a parametrization may not change the dtype of the tensor, unless the \`unsafe\` flag is enabled.\nmodule.${tensorName}.dtype: ${y.dtype}\nparametrization(module.${tensorName}).dtype: ${x.dtype}`);
          }
          if (x.shape.join() !== y.shape.join()) {
            throw new ValueError(`Registering a parametrization may not change the shape of the tensor, unless the \`unsafe\` flag is enabled.\nmodule.${tensorName}.shape: ${describeShape(y)}\nparametrization(module.${tensorName}).shape: ${describeShape(x)}`);
          }
          if (typeof parametrization.rightInverse === 'function') {
            let z: Tensor | Tensor[] | null = null;
            try {
              z = parametrization.rightInverse(x);
            } catch (e) {
              if (!(e instanceof NoRightInverse)) throw e;
            }
            if (z !== null) {
              if (!(z instanceof Tensor)) throw new ValueError(`parametrization.right_inverse must return a tensor. Got: ${typeof z}`);
              const [zd, zs] = [z.dtype, z.shape.join()];
              const desc = describeShape(z);
              if (z !== x && z !== y) z.dispose();
              if (zd !== y.dtype) {
                throw new ValueError(`The tensor returned by parametrization.right_inverse must have the same dtype as module.${tensorName}, unless the \`unsafe\` flag is enabled.\nmodule.${tensorName}.dtype: ${y.dtype}\nreturned dtype: ${zd}`);
              }
              if (zs !== y.shape.join()) {
                throw new ValueError(`The tensor returned by parametrization.right_inverse must have the same shape as module.${tensorName}, unless the \`unsafe\` flag is enabled.\nmodule.${tensorName}.shape: ${describeShape(y)}\nreturned shape: ${desc}`);
              }
            }
          }
        } finally {
          if (x instanceof Tensor && x !== y) x.dispose();
          if (!cacheStore.getStore()) y.dispose();
        }
      });
    }
    const plist = parametrizationsOf(module).get(tensorName) as ParametrizationList;
    plist.append(parametrization);
    plist.unsafe ||= unsafe;
    return module;
  }
  const own = fields(module)[tensorName];
  const isBuffer = internals(module)._buffers.has(tensorName) && internals(module)._buffers.get(tensorName) instanceof Tensor;
  if (!(isParameter(own) || isBuffer)) {
    throw new ValueError(`Module '${module.toString()}' does not have a parameter, a buffer, or a parametrized element with name '${tensorName}'`);
  }
  const original = (isBuffer ? internals(module)._buffers.get(tensorName) : own) as Tensor;
  const plist = new ParametrizationList([parametrization], original, unsafe);
  if (isBuffer) {
    internals(module)._buffers.delete(tensorName);
    internals(module)._nonPersistent.delete(tensorName);
  }
  delete fields(module)[tensorName];
  if (!isParametrized(module)) {
    injectClass(module);
    fields(module).parametrizations = new ModuleDict();
  }
  injectProperty(module, tensorName);
  parametrizationsOf(module).set(tensorName, plist);
  return module;
}

/** Parametrizations created by torchts' own factories (weightNorm, spectralNorm, orthogonal): freed on removal. */
export const ownedParametrizations = new WeakSet<Module>();

/**
 * Removes the parametrizations of `tensorName`. With `leaveParametrized` (default) the tensor keeps
 * its current parametrized value (in the original Parameter object when there was one original);
 * otherwise it goes back to `original`.
 */
export function removeParametrizations<M extends Module>(module: M, tensorName: string, options: { leaveParametrized?: boolean } = {}): M {
  const leave = options.leaveParametrized ?? true;
  if (!isParametrized(module, tensorName)) {
    throw new ValueError(`Module ${module.toString()} does not have a parametrization on ${tensorName}`);
  }
  const plist = parametrizationsOf(module).get(tensorName) as ParametrizationList;
  let original: Tensor;
  if (plist.isTensor) {
    original = plist.originals()[0]!;
    if (leave) {
      const t = noGrad(() => readParametrized(module, tensorName));
      setData(original, t);
      if (!cacheStore.getStore()) t.dispose();
    }
  } else {
    if (!leave) {
      throw new ValueError('Cannot leave unparametrized (`leave_parametrized=False`) a tensor that is parametrized in terms of a sequence of tensors.');
    }
    const t = readParametrized(module, tensorName);
    const inCache = cacheStore.getStore() !== undefined;
    if (t.requiresGrad) {
      original = Parameter(t);
      if (!inCache) t.dispose();
    } else original = keep(inCache ? noGrad(() => t.detach()) : t);
    for (const o of plist.originals()) o.dispose();
  }
  delete (Object.getPrototypeOf(module) as Fields)[tensorName];
  parametrizationsOf(module).pop(tensorName);
  for (const p of plist) if (ownedParametrizations.has(p)) p.dispose();
  registerParameterOrBuffer(module, tensorName, original);
  if (!isParametrized(module)) {
    delete fields(module).parametrizations;
    Object.setPrototypeOf(module, Object.getPrototypeOf(Object.getPrototypeOf(module)) as object);
  }
  return module;
}

/**
 * PyTorch's `with parametrize.cached():` — inside `fn` (sync or async) each parametrized tensor is
 * computed once and reused; the cached values are disposed when the outermost scope ends (except
 * those `fn` returns).
 */
export function cached<T>(fn: () => T): T {
  if (cacheStore.getStore()) return fn();
  const cache = new Map<Module, Map<string, Tensor>>();
  const release = (result: unknown): void => {
    const kept = new Set<unknown>(Array.isArray(result) ? result : [result]);
    for (const per of cache.values()) for (const t of per.values()) if (!kept.has(t)) t.dispose();
    cache.clear();
  };
  let out: T;
  try {
    out = cacheStore.run(cache, fn);
  } catch (e) {
    release(undefined);
    throw e;
  }
  if (out instanceof Promise) {
    return out.then(
      (v) => {
        release(v);
        return v;
      },
      (e) => {
        release(undefined);
        throw e;
      },
    ) as T;
  }
  release(out);
  return out;
}
