/**
 * Python's `x[...]` and `x[...] = v` for TypeScript (see docs/indexing.md):
 *
 *   x.index(0, torch.slice(1, 3), null, '...')      x[0, 1:3, None, ...]
 *   x.index('0, 1:3, None, ...')                    the same, parsed from a string
 *   x.index([0, 2], idxTensor)                      x[[0, 2], idx]       (advanced: a copy)
 *   x.index(x.gt(0))                                x[x > 0]             (mask)
 *   x.set([0, ':'], 5)  /  x.indexPut_([0, ':'], v)  x[0, :] = v
 *   x.indexPut_([i, j], v, { accumulate: true })    PyTorch's index_put_ form (tensors/nulls)
 *
 * A read mirrors PyTorch 1.13's THPVariable_getitem: integers select, slices slice, null adds a
 * dim, '...' skips dims — all views — and index tensors (and booleans) go to the advanced `index`
 * op, which copies. A write mirrors THPVariable_setitem: copy_ into the basic view, or
 * `index_put_` for advanced indices (values broadcast; leading 1-dims of values are dropped).
 *
 * In the variadic form each argument is one index; in the array form (torch.index, set,
 * indexPut_) the array is Python's tuple, so an advanced list index is an array inside it.
 */
import { IndexError, ValueError } from '../../errors.js';
import { shapeEqual } from '../../shape.js';
import { Tensor, emptyTensor } from '../../tensor.js';
import { clone, copyOp } from '../copy.js';
import { fillOp, writeValues } from '../creation.js';
import { scalarTypeName } from '../../promotion.js';
import { expandOp, selectOp, sliceOp, unsqueezeOp, viewOp } from '../view.js';
import { indexOp, indexPutInplaceOp } from './advanced.js';
import { checkedScalar, isOptions } from './util.js';

/** A Python slice `start:stop:step`; missing or null fields take Python's defaults. */
export interface Slice {
  start?: number | null;
  stop?: number | null;
  step?: number | null;
}

export type NestedIndexArray = ReadonlyArray<number | boolean | bigint | NestedIndexArray>;

/**
 * One index: an integer, a Slice, null (new axis), '...' (ellipsis), a boolean, an index Tensor
 * (int64 / bool / uint8), a nested array of integers or booleans, or a string of comma-separated
 * Python index expressions ('1:3, ..., None, 0').
 */
export type IndexItem = number | bigint | boolean | null | string | Slice | Tensor | NestedIndexArray;

/** Python's slice(): `slice(stop)` or `slice(start, stop, step?)`, e.g. torch.slice(1, null, 2) is `1::2`. */
export function slice(stop?: number | null): Slice;
export function slice(start: number | null | undefined, stop: number | null | undefined, step?: number | null): Slice;
export function slice(...args: Array<number | null | undefined>): Slice {
  if (args.length <= 1) return { start: null, stop: args[0] ?? null, step: null };
  return { start: args[0] ?? null, stop: args[1] ?? null, step: args[2] ?? null };
}

type Item =
  | { kind: 'int'; value: number }
  | { kind: 'slice'; start: number | null; stop: number | null; step: number }
  | { kind: 'none' }
  | { kind: 'ellipsis' }
  | { kind: 'bool'; value: boolean }
  | { kind: 'tensor'; tensor: Tensor };

const SLICE_KEYS = new Set(['start', 'stop', 'step']);

function invalid(what: string): IndexError {
  return new IndexError(`only integers, slices (\`:\`), ellipsis (\`...\`), None and long or byte Variables are valid indices (got ${what})`);
}

function sliceItem(s: Slice): Item {
  const field = (v: unknown): number | null => {
    if (v === undefined || v === null) return null;
    if (typeof v === 'bigint') return Number(v);
    if (typeof v !== 'number' || !Number.isInteger(v)) throw new TypeError('slice indices must be integers or None or have an __index__ method');
    return v;
  };
  const step = field(s.step) ?? 1;
  if (step === 0) throw new ValueError('slice step cannot be zero');
  return { kind: 'slice', start: field(s.start), stop: field(s.stop), step };
}

// ---- strings ------------------------------------------------------------------------------

/** Splits on top-level commas (commas inside [...] belong to a list index). */
function splitTopLevel(s: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of s) {
    if (ch === '[') depth++;
    else if (ch === ']') depth--;
    if (ch === ',' && depth === 0) {
      parts.push(cur);
      cur = '';
    } else cur += ch;
  }
  parts.push(cur);
  return parts;
}

const INT_RE = /^[+-]?\d+$/;

function parseToken(raw: string, whole: string): IndexItem {
  const tok = raw.trim();
  const bad = () => new ValueError(`invalid index expression '${tok}' in '${whole}'`);
  if (tok === '...' || tok === 'Ellipsis') return '...';
  if (tok === 'None' || tok === 'null') return null;
  if (tok === 'True' || tok === 'true') return true;
  if (tok === 'False' || tok === 'false') return false;
  if (INT_RE.test(tok)) return Number(tok);
  if (tok.startsWith('[')) {
    try {
      return JSON.parse(tok.replace(/\bTrue\b/g, 'true').replace(/\bFalse\b/g, 'false')) as NestedIndexArray;
    } catch {
      throw bad();
    }
  }
  if (tok.includes(':')) {
    const parts = tok.split(':').map((p) => p.trim());
    if (parts.length > 3 || parts.some((p) => p !== '' && !INT_RE.test(p))) throw bad();
    const num = (p: string | undefined) => (p === undefined || p === '' ? null : Number(p));
    return { start: num(parts[0]), stop: num(parts[1]), step: num(parts[2]) };
  }
  throw bad();
}

/** `'1:3, ..., None, 0'` -> its items; the empty string is the empty tuple. */
export function parseIndex(s: string): IndexItem[] {
  if (s.trim() === '') return [];
  return splitTopLevel(s).map((p) => parseToken(p, s));
}

// ---- normalising --------------------------------------------------------------------------

function arrayLeaves(a: NestedIndexArray, out: Array<number | boolean>, shape: number[], depth: number): void {
  if (shape.length === depth) shape.push(a.length);
  else if (shape[depth] !== a.length) throw new ValueError(`expected sequence of length ${shape[depth]} at dim ${depth} (got ${a.length})`);
  for (const x of a) {
    if (Array.isArray(x)) arrayLeaves(x, out, shape, depth + 1);
    else if (typeof x === 'number' || typeof x === 'boolean') {
      if (depth + 1 !== shape.length) throw new ValueError(`expected sequence of length ${shape[depth + 1]} at dim ${depth + 1} (got a scalar)`);
      out.push(x);
    } else if (typeof x === 'bigint') out.push(Number(x));
    else throw invalid(typeof x);
  }
}

/** A JS array index as PyTorch's sequence index: all booleans -> a bool mask, else int64. */
function arrayTensor(a: NestedIndexArray, device: string): Tensor {
  const leaves: Array<number | boolean> = [];
  const shape: number[] = [];
  arrayLeaves(a, leaves, shape, 0);
  const isBool = leaves.length > 0 && leaves.every((v) => typeof v === 'boolean');
  const t = emptyTensor(shape, isBool ? 'bool' : 'int64', device);
  writeValues(t, leaves.map((v) => (typeof v === 'boolean' ? (v ? 1 : 0) : v)));
  return t;
}

function normalize(raw: readonly IndexItem[], device: string, temps: Tensor[]): Item[] {
  const out: Item[] = [];
  const add = (x: unknown): void => {
    if (typeof x === 'string') {
      if (x === '...') out.push({ kind: 'ellipsis' });
      else for (const p of parseIndex(x)) add(p);
    } else if (typeof x === 'number') {
      if (!Number.isInteger(x)) throw invalid('float');
      out.push({ kind: 'int', value: x });
    } else if (typeof x === 'bigint') out.push({ kind: 'int', value: Number(x) });
    else if (typeof x === 'boolean') out.push({ kind: 'bool', value: x });
    else if (x === null) out.push({ kind: 'none' });
    else if (x instanceof Tensor) out.push({ kind: 'tensor', tensor: x });
    else if (Array.isArray(x)) {
      const t = arrayTensor(x, device);
      temps.push(t);
      out.push({ kind: 'tensor', tensor: t });
    } else if (isOptions(x) && Object.keys(x).every((k) => SLICE_KEYS.has(k))) out.push(sliceItem(x as Slice));
    else throw invalid(x === undefined ? 'undefined' : typeof x);
  };
  raw.forEach(add);
  return out;
}

// ---- basic indexing (views) ---------------------------------------------------------------

function applySelect(t: Tensor, dim: number, index: number, realDim: number): Tensor {
  if (t._shape.length === 0) {
    if (index === 0 && dim === 0) {
      throw new IndexError('invalid index of a 0-dim tensor. Use `tensor.item()` in Python or `tensor.item<T>()` in C++ to convert a 0-dim tensor to a number');
    }
    throw new IndexError(`index ${index} is out of bounds for dimension ${realDim} with size 0`);
  }
  const size = t._shape[dim]!;
  if (index < -size || index >= size) throw new IndexError(`index ${index} is out of bounds for dimension ${realDim} with size ${size}`);
  return selectOp.call(t, dim, index);
}

function applySlice(t: Tensor, dim: number, s: Extract<Item, { kind: 'slice' }>): Tensor {
  if (s.step < 0) throw new ValueError('step must be greater than zero');
  if (t._shape.length === 0) throw new IndexError('slice() cannot be applied to a 0-dim tensor.');
  return sliceOp.call(t, dim, s.start ?? 0, s.stop ?? Number.MAX_SAFE_INTEGER, s.step);
}

/** Booleans add a size-1 dim that `true` indexes as [0] and `false` as []. */
function boolIndex(value: boolean, device: string, temps: Tensor[]): Tensor {
  const t = emptyTensor([value ? 1 : 0], 'int64', device);
  if (value) fillOp.call(t, 0);
  temps.push(t);
  return t;
}

function countSpecified(items: readonly Item[]): number {
  let n = 0;
  for (const it of items) {
    if (it.kind === 'tensor') n += it.tensor._dtype === 'bool' || it.tensor._dtype === 'uint8' ? it.tensor._shape.length : 1;
    else if (it.kind !== 'none' && it.kind !== 'ellipsis' && it.kind !== 'bool') n++;
  }
  return n;
}

/**
 * Applies the basic indices as views and collects the advanced ones, one slot per dim of the
 * result (ATen's applySlicing). Intermediate views are disposed; the result may be `self`.
 */
function applySlicing(self: Tensor, items: readonly Item[], temps: Tensor[]): { result: Tensor; indices: Array<Tensor | null> } {
  const specified = countSpecified(items);
  if (specified > self._shape.length) throw new IndexError(`too many indices for tensor of dimension ${self._shape.length}`);
  let result = self;
  let dim = 0;
  const indices: Array<Tensor | null> = [];
  const step = (next: Tensor) => {
    if (next !== result && result !== self) result.dispose();
    result = next;
  };
  const record = (t: Tensor) => {
    while (indices.length < dim) indices.push(null);
    indices[dim] = t;
    dim++;
  };
  try {
    items.forEach((it, i) => {
      switch (it.kind) {
        case 'int':
          step(applySelect(result, dim, it.value, i));
          break;
        case 'slice':
          step(applySlice(result, dim, it));
          dim++;
          break;
        case 'ellipsis':
          dim += self._shape.length - specified;
          break;
        case 'none':
          step(unsqueezeOp.call(result, dim));
          dim++;
          break;
        case 'bool':
          step(unsqueezeOp.call(result, dim));
          record(boolIndex(it.value, self.device, temps));
          break;
        case 'tensor': {
          const t = it.tensor;
          const integral = t._dtype !== 'float32' && t._dtype !== 'float64' && t._dtype !== 'float16' && t._dtype !== 'bfloat16';
          if (t._shape.length === 0 && integral) {
            if (t._dtype !== 'bool' && t._dtype !== 'uint8') step(applySelect(result, dim, t.item(), i));
            else {
              step(unsqueezeOp.call(result, dim));
              record(boolIndex(Number(t.item<number | boolean>()) !== 0, self.device, temps));
            }
          } else record(t);
          break;
        }
      }
    });
  } catch (e) {
    if (result !== self) result.dispose();
    throw e;
  }
  return { result, indices };
}

/** `x[()]`-style results that are `self` come back as a new view (PyTorch's alias). */
function alias(t: Tensor): Tensor {
  return viewOp.call(t, [...t._shape]);
}

function getItem(self: Tensor, raw: readonly IndexItem[]): Tensor {
  const temps: Tensor[] = [];
  try {
    const items = normalize(raw, self.device, temps);
    if (items.length === 1) {
      const it = items[0]!;
      if (it.kind === 'int') return applySelect(self, 0, it.value, 0);
      if (it.kind === 'slice') {
        return applySlice(self, 0, it);
      }
      if (it.kind === 'none') return unsqueezeOp.call(self, 0);
      if (it.kind === 'ellipsis') return alias(self);
    }
    const { result, indices } = applySlicing(self, items, temps);
    if (indices.length === 0) return result === self ? alias(self) : result;
    try {
      return indexOp.call(result, indices);
    } finally {
      if (result !== self) result.dispose();
    }
  } finally {
    for (const t of temps) t.dispose();
  }
}

// ---- writing ------------------------------------------------------------------------------

export interface IndexPutOptions {
  accumulate?: boolean;
}

type Value = Tensor | number | boolean;

/** `value` without its leading size-1 dims (numpy's setitem rule), as a view. */
function stripLeadingOnes(v: Tensor): Tensor {
  let k = 0;
  while (k < v._shape.length && v._shape[k] === 1) k++;
  return k === 0 ? v : viewOp.call(v, v._shape.slice(k));
}

/** ATen's copy_to, plus `accumulate` (adds into the view instead of copying). */
function copyTo(dst: Tensor, value: Tensor | number | boolean, accumulate: boolean): void {
  if (!(value instanceof Tensor)) {
    const v = checkedScalar(value, dst._dtype);
    if (accumulate) dst.add_(dst._dtype === 'bool' ? v !== 0 : v);
    else fillOp.call(dst, v);
    return;
  }
  if (!accumulate && shapeEqual(dst._shape, value._shape)) {
    copyOp.call(dst, value);
    return;
  }
  if (!accumulate && value._shape.length === 0) {
    fillOp.call(dst, value);
    return;
  }
  const stripped = stripLeadingOnes(value);
  const expanded = expandOp.call(stripped, [...dst._shape]);
  try {
    if (accumulate) dst.add_(expanded);
    else copyOp.call(dst, expanded);
  } finally {
    expanded.dispose();
    if (stripped !== value) stripped.dispose();
  }
}

/** Values are tensors or scalars; like PyTorch, a list is refused (wrap it with torch.tensor). */
function valueOf(value: unknown, self: Tensor): Tensor | number | boolean {
  if (value instanceof Tensor || typeof value === 'number' || typeof value === 'boolean') return value;
  const what = Array.isArray(value) ? 'list' : value === null ? 'NoneType' : typeof value;
  throw new TypeError(`can't assign a ${what} to a torch.${scalarTypeName(self._dtype)}Tensor`);
}

/** A JS number or boolean as the 0-d tensor PyTorch makes of it (self's dtype). */
function valueTensor(valueArg: Value, self: Tensor, temps: Tensor[]): Tensor {
  const value = valueOf(valueArg, self);
  if (value instanceof Tensor) return value;
  const t = emptyTensor([], self._dtype, self.device);
  writeValues(t, [checkedScalar(value, self._dtype)]);
  temps.push(t);
  return t;
}

function setItem(self: Tensor, raw: readonly IndexItem[], valueArg: Value, accumulate: boolean): void {
  const temps: Tensor[] = [];
  const value = valueOf(valueArg, self);
  const views: Tensor[] = [];
  const view = (t: Tensor) => {
    if (t !== self) views.push(t);
    return t;
  };
  try {
    const items = normalize(raw, self.device, temps);
    if (items.length === 1) {
      const it = items[0]!;
      if (it.kind === 'bool' && !it.value) return;
      if (it.kind === 'ellipsis') return copyTo(self, value, accumulate);
      if (it.kind === 'none' || it.kind === 'bool') return copyTo(view(unsqueezeOp.call(self, 0)), value, accumulate);
      if (it.kind === 'int') return copyTo(view(applySelect(self, 0, it.value, 0)), value, accumulate);
      if (it.kind === 'slice') return copyTo(view(applySlice(self, 0, it)), value, accumulate);
    }
    const { result, indices } = applySlicing(self, items, temps);
    view(result);
    if (indices.length === 0) return copyTo(result, value, accumulate);
    const v = valueTensor(value, self, temps);
    const values = stripLeadingOnes(v);
    if (values !== v) temps.push(values);
    indexPutInplaceOp.call(result, indices, values, accumulate);
  } finally {
    for (const t of views) t.dispose();
    for (const t of temps) t.dispose();
  }
}

/** PyTorch's own `index_put_(indices, values)` form: an array of index tensors and nulls. */
function isTensorList(x: unknown): x is Array<Tensor | null> {
  return Array.isArray(x) && x.length > 0 && x.every((t) => t === null || t instanceof Tensor) && x.some((t) => t instanceof Tensor);
}

function itemsOf(items: IndexItem | readonly IndexItem[]): readonly IndexItem[] {
  return Array.isArray(items) ? (items as readonly IndexItem[]) : [items as IndexItem];
}

function accumulateOf(opts: IndexPutOptions | boolean | undefined): boolean {
  return typeof opts === 'boolean' ? opts : opts?.accumulate ?? false;
}

/** `x[items]`: `torch.index(x, [0, torch.slice(1, 3)])`; a single non-array item may be passed bare. */
export function index(self: Tensor, items: IndexItem | readonly IndexItem[] = []): Tensor {
  if (!(self instanceof Tensor)) throw new TypeError(`index(): argument 'input' must be Tensor, not ${typeof self}`);
  return getItem(self, itemsOf(items));
}

/**
 * `x[items] = values` in place (accumulate: add, duplicates of advanced indices summing). When
 * `indices` is an array of Tensors and nulls it is PyTorch's `index_put_(indices, values,
 * accumulate)` form: null stands for a whole dim there, not a new axis.
 */
export function indexPut_(self: Tensor, indices: IndexItem | readonly IndexItem[] | ReadonlyArray<Tensor | null>, values: Value, opts?: IndexPutOptions | boolean): Tensor {
  const accumulate = accumulateOf(opts);
  if (isTensorList(indices)) {
    const temps: Tensor[] = [];
    try {
      return indexPutInplaceOp.call(self, indices, valueTensor(values, self, temps), accumulate);
    } finally {
      for (const t of temps) t.dispose();
    }
  }
  setItem(self, itemsOf(indices as IndexItem | readonly IndexItem[]), values, accumulate);
  return self;
}

/** Out-of-place `indexPut_`: a copy of `self` with the values put. */
export function indexPut(self: Tensor, indices: IndexItem | readonly IndexItem[] | ReadonlyArray<Tensor | null>, values: Value, opts?: IndexPutOptions | boolean): Tensor {
  const out = clone(self);
  try {
    return indexPut_(out, indices, values, opts);
  } catch (e) {
    out.dispose();
    throw e;
  }
}

declare module '../../tensor.js' {
  interface Tensor {
    /** `x[i0, i1, ...]`: one argument per index (see IndexItem); basic indices give views. */
    index(...items: IndexItem[]): Tensor;
    /** `x[items] = values`, in place; returns `this`. */
    indexPut_(indices: IndexItem | readonly IndexItem[] | ReadonlyArray<Tensor | null>, values: Tensor | number | boolean, opts?: IndexPutOptions | boolean): this;
    indexPut(indices: IndexItem | readonly IndexItem[] | ReadonlyArray<Tensor | null>, values: Tensor | number | boolean, opts?: IndexPutOptions | boolean): Tensor;
    /** `x[items] = value` (Python's setitem; items always in the tuple form); returns `this`. */
    set(items: IndexItem | readonly IndexItem[], value: Tensor | number | boolean, opts?: IndexPutOptions): this;
  }
}

const proto = Tensor.prototype as unknown as Record<string, unknown>;
proto.index = function (this: Tensor, ...items: IndexItem[]) {
  return getItem(this, items);
};
proto.indexPut_ = function (this: Tensor, indices: IndexItem | IndexItem[], values: Value, opts?: IndexPutOptions | boolean) {
  return indexPut_(this, indices, values, opts);
};
proto.indexPut = function (this: Tensor, indices: IndexItem | IndexItem[], values: Value, opts?: IndexPutOptions | boolean) {
  return indexPut(this, indices, values, opts);
};
proto.set = function (this: Tensor, items: IndexItem | IndexItem[], value: Value, opts?: IndexPutOptions) {
  setItem(this, itemsOf(items), value, opts?.accumulate ?? false);
  return this;
};

