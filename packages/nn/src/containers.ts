/**
 * Containers: Sequential, ModuleList, ModuleDict, ParameterList, ParameterDict. Their entries live
 * in an ordered Map (plain-object keys would put integer-like names first), exposed to Module's
 * discovery through `ownEntries`; names are PyTorch's ("0", "1", ... for the list-like ones), so
 * state dicts match (`features.0.weight`).
 */
import { IndexError, NotImplementedError, Tensor } from '@torchts/core';
import type { DType } from '@torchts/core';
import { Module } from './module.js';
import { Parameter, isParameter } from './parameter.js';
import { fusedLinearActivation } from './layers/linear-activation.js';

/** Base of the containers: an ordered name -> entry map, with accessor properties for plain names. */
abstract class ItemContainer<T> extends Module {
  protected _items = new Map<string, T>();

  protected override *ownEntries(): Generator<[string, unknown]> {
    yield* this._items;
  }

  protected setItem(key: string, value: T): void {
    if (!this._items.has(key) && !(key in this)) {
      Object.defineProperty(this, key, {
        get: () => this._items.get(key),
        set: (v: T) => this._items.set(key, v),
        enumerable: false,
        configurable: true,
      });
    }
    this._items.set(key, value);
  }

  protected deleteItem(key: string): void {
    this._items.delete(key);
    const desc = Object.getOwnPropertyDescriptor(this, key);
    if (desc?.get) delete (this as unknown as Record<string, unknown>)[key];
  }

  get length(): number {
    return this._items.size;
  }
}

/** A list-like container: entries named "0".."n-1", re-numbered after insertions and removals. */
abstract class ListContainer<T> extends ItemContainer<T> {

  protected index(i: number): number {
    const n = this._items.size;
    if (!Number.isInteger(i) || i < -n || i >= n) throw new IndexError(`index ${i} is out of range`);
    return i < 0 ? i + n : i;
  }

  protected renumber(values: T[]): void {
    for (const k of [...this._items.keys()]) this.deleteItem(k);
    values.forEach((v, i) => this.setItem(String(i), v));
  }

  get(i: number): T {
    return this._items.get(String(this.index(i)))!;
  }

  set(i: number, value: T): void {
    this.setItem(String(this.index(i)), this.convert(value));
  }

  append(value: T): this {
    this.setItem(String(this._items.size), this.convert(value));
    return this;
  }

  extend(values: Iterable<T>): this {
    for (const v of values) this.append(v);
    return this;
  }

  insert(index: number, value: T): void {
    const values = [...this._items.values()];
    const n = values.length;
    const at = index < 0 ? Math.max(0, n + index) : Math.min(index, n);
    values.splice(at, 0, this.convert(value));
    this.renumber(values);
  }

  /** Removes and returns entry `i` (default the last). */
  pop(i = -1): T {
    const values = [...this._items.values()];
    const [removed] = values.splice(this.index(i), 1);
    this.renumber(values);
    return removed!;
  }

  /** Entries [start, end) as a new container of the same kind (PyTorch's slicing). */
  slice(start = 0, end = this._items.size): this {
    const out = new (this.constructor as new () => this)();
    for (const v of [...this._items.values()].slice(start, end)) out.append(v);
    return out;
  }

  [Symbol.iterator](): Iterator<T> {
    return this._items.values();
  }

  protected convert(value: T): T {
    return value;
  }
}

function entriesOf<T>(init: Map<string, T> | Record<string, T> | Iterable<[string, T]>): Iterable<[string, T]> {
  if (init instanceof Map) return init;
  if (Symbol.iterator in (init as object)) return init as Iterable<[string, T]>;
  return Object.entries(init as Record<string, T>);
}

function missingForward(name: string): never {
  throw new NotImplementedError(`Module [${name}] is missing the required "forward" function`);
}

/** Runs its modules in order, each on the previous one's output. */
export class Sequential extends ListContainer<Module> {
  /** `new Sequential(a, b, c)` or `new Sequential(new Map([['conv', a], ...]))` for named children. */
  constructor(...modules: Module[] | [Map<string, Module>]) {
    super();
    const first = modules[0];
    if (modules.length === 1 && first instanceof Map) for (const [k, m] of first) this.setItem(k, m);
    else for (const m of modules as Module[]) this.append(m);
  }

  /** By index (negative from the end) or, for named children, by name. */
  override get(i: number | string): Module {
    if (typeof i === 'string') {
      const m = this._items.get(i);
      if (!m) throw new IndexError(`Sequential has no child named '${i}'`);
      return m;
    }
    return [...this._items.values()][this.index(i)]!;
  }

  /** Each child on the previous one's output; a Linear and its ReLU/GELU run as one op (layers/linear-activation.ts). */
  forward(input: unknown): unknown {
    let x = input;
    const children = [...this._items.values()];
    for (let i = 0; i < children.length; i++) {
      const fused = fusedLinearActivation(children[i]!, children[i + 1], x);
      if (fused) {
        x = fused;
        i++;
      } else {
        x = (children[i]!.call as (a: unknown) => unknown)(x);
      }
    }
    return x;
  }
}

/** Holds submodules in a list; indexable, no forward. */
export class ModuleList extends ListContainer<Module> {
  constructor(modules: Iterable<Module> = []) {
    super();
    this.extend(modules);
  }
  forward(..._args: never[]): unknown {
    return missingForward('ModuleList');
  }
}

/** Holds submodules by name, in insertion order. Iterating yields the keys, as in PyTorch. */
export class ModuleDict extends ItemContainer<Module> {
  constructor(modules: Map<string, Module> | Record<string, Module> | Iterable<[string, Module]> = {}) {
    super();
    this.update(modules);
  }
  get(key: string): Module {
    const m = this._items.get(key);
    if (!m) throw new IndexError(`ModuleDict has no key '${key}'`);
    return m;
  }
  set(key: string, module: Module): void {
    this.setItem(key, module);
  }
  has(key: string): boolean {
    return this._items.has(key);
  }
  pop(key: string): Module {
    const m = this.get(key);
    this.deleteItem(key);
    return m;
  }
  clear(): void {
    for (const k of [...this._items.keys()]) this.deleteItem(k);
  }
  update(modules: Map<string, Module> | Record<string, Module> | Iterable<[string, Module]>): void {
    for (const [k, m] of entriesOf(modules)) this.setItem(k, m);
  }
  keys(): IterableIterator<string> {
    return this._items.keys();
  }
  values(): IterableIterator<Module> {
    return this._items.values();
  }
  items(): IterableIterator<[string, Module]> {
    return this._items.entries();
  }
  [Symbol.iterator](): Iterator<string> {
    return this._items.keys();
  }
  forward(): never {
    return missingForward('ModuleDict');
  }
}

function asParameter(t: Tensor): Tensor {
  return isParameter(t) ? t : Parameter(t);
}

function dtypeName(d: DType): string {
  return `torch.${d}`;
}

function describeParameter(key: string, p: Tensor): string {
  const kind = isParameter(p) ? 'Parameter' : 'Tensor';
  return `  (${key}): ${kind} containing: [${dtypeName(p.dtype)} of size ${p.shape.join('x')}]`;
}

/** Holds parameters in a list (plain tensors become Parameters). */
export class ParameterList extends ListContainer<Tensor> {
  constructor(params: Iterable<Tensor> = []) {
    super();
    this.extend(params);
  }
  protected override convert(value: Tensor): Tensor {
    return asParameter(value);
  }
  override extraRepr(): string {
    return [...this._items].map(([k, p]) => describeParameter(k, p)).join('\n');
  }
  forward(): never {
    return missingForward('ParameterList');
  }
}

/** Holds parameters by name, in insertion order (plain tensors become Parameters). */
export class ParameterDict extends ItemContainer<Tensor> {
  constructor(params: Map<string, Tensor> | Record<string, Tensor> | Iterable<[string, Tensor]> = {}) {
    super();
    this.update(params);
  }
  get(key: string): Tensor {
    const p = this._items.get(key);
    if (!p) throw new IndexError(`ParameterDict has no key '${key}'`);
    return p;
  }
  set(key: string, param: Tensor): void {
    this.setItem(key, asParameter(param));
  }
  has(key: string): boolean {
    return this._items.has(key);
  }
  pop(key: string): Tensor {
    const p = this.get(key);
    this.deleteItem(key);
    return p;
  }
  update(params: Map<string, Tensor> | Record<string, Tensor> | Iterable<[string, Tensor]>): void {
    for (const [k, p] of entriesOf(params)) this.set(k, p);
  }
  keys(): IterableIterator<string> {
    return this._items.keys();
  }
  values(): IterableIterator<Tensor> {
    return this._items.values();
  }
  items(): IterableIterator<[string, Tensor]> {
    return this._items.entries();
  }
  [Symbol.iterator](): Iterator<string> {
    return this._items.keys();
  }
  override extraRepr(): string {
    return [...this._items].map(([k, p]) => describeParameter(k, p)).join('\n');
  }
  forward(): never {
    return missingForward('ParameterDict');
  }
}
