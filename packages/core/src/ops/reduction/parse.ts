/**
 * Argument parsing shared by the reductions: positional arguments as PyTorch allows them plus
 * one trailing options object, so `x.sum()`, `x.sum(1)`, `x.sum([0, 1], true)`,
 * `x.sum(1, { keepdim: true })` and `x.sum({ dim: 1, keepdim: true, dtype: 'float64' })` all work.
 * Also the shape rules every reduction shares (reduced dims, keepdim, empty-dim checks).
 */
import type { DType } from '../../dtype.js';
import { isDType } from '../../dtype.js';
import { IndexError, RuntimeError } from '../../errors.js';
import { wrapDim, wrapDims } from '../../shape.js';
import { Tensor } from '../../tensor.js';

/** A `dim` argument: one dim, a list of dims, or none (every dim). */
export type Dims = number | readonly number[] | null;

export interface ReduceOptions {
  dim?: Dims;
  keepdim?: boolean;
  dtype?: DType;
}

export function isOptions(x: unknown): x is Record<string, unknown> {
  return x !== null && typeof x === 'object' && !Array.isArray(x) && !(x instanceof Tensor) && !ArrayBuffer.isView(x);
}

export function typeName(x: unknown): string {
  if (x === null) return 'NoneType';
  if (Array.isArray(x)) return 'list';
  if (x instanceof Tensor) return 'Tensor';
  return typeof x;
}

/**
 * Splits `(...positional, options?)` and names the positional arguments after `names`; rejects
 * extra positionals, unknown option keys and an argument given twice, with Python's TypeErrors.
 */
export function parseArgs(op: string, args: readonly unknown[], names: readonly string[], keywordOnly: readonly string[] = []): Record<string, unknown> {
  let n = args.length;
  let opts: Record<string, unknown> = {};
  if (n > 0 && isOptions(args[n - 1])) {
    opts = args[n - 1] as Record<string, unknown>;
    n--;
  }
  if (n > names.length) {
    throw new TypeError(`${op}() takes at most ${names.length} positional argument${names.length === 1 ? '' : 's'} but ${n} were given`);
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(opts)) {
    if (!names.includes(k) && !keywordOnly.includes(k)) throw new TypeError(`${op}() got an unexpected keyword argument '${k}'`);
    if (v !== undefined) out[k] = v;
  }
  for (let i = 0; i < n; i++) {
    const name = names[i]!;
    if (opts[name] !== undefined) throw new TypeError(`${op}() got multiple values for argument '${name}'`);
    if (args[i] !== undefined) out[name] = args[i];
  }
  return out;
}

export function requireTensor(op: string, x: unknown): Tensor {
  if (!(x instanceof Tensor)) throw new TypeError(`${op}(): argument 'input' (position 1) must be Tensor, not ${typeName(x)}`);
  return x;
}

export function boolArg(op: string, name: string, v: unknown, dflt: boolean): boolean {
  if (v === undefined || v === null) return dflt;
  if (typeof v !== 'boolean') throw new TypeError(`${op}(): argument '${name}' must be bool, not ${typeName(v)}`);
  return v;
}

export function intArg(op: string, name: string, v: unknown, dflt?: number): number {
  if (v === undefined || v === null) {
    if (dflt === undefined) throw new TypeError(`${op}() missing required argument '${name}'`);
    return dflt;
  }
  if (typeof v !== 'number' || !Number.isInteger(v)) throw new TypeError(`${op}(): argument '${name}' must be int, not ${typeof v === 'number' ? 'float' : typeName(v)}`);
  return v;
}

export function dtypeArg(op: string, v: unknown): DType | null {
  if (v === undefined || v === null) return null;
  if (!isDType(v)) throw new TypeError(`${op}(): argument 'dtype' must be torch.dtype, not ${typeName(v)}`);
  return v;
}

/** One dim, wrapped (a 0-d tensor accepts 0 and -1). */
export function dimArg(op: string, v: unknown, ndim: number, dflt?: number): number {
  return wrapDim(intArg(op, 'dim', v, dflt), ndim);
}

/**
 * The reduced dims, wrapped, in the order given. `null`, `undefined` and `[]` mean every dim
 * (PyTorch 1.13 reduces all dims for `dim=[]`). A 0-d tensor has no dims to name: its one
 * element is reduced whatever dim (0 or -1) was given.
 */
export function dimList(op: string, v: unknown, ndim: number): number[] {
  if (v === undefined || v === null) return allDims(ndim);
  let list: readonly unknown[];
  if (typeof v === 'number') list = [v];
  else if (Array.isArray(v)) list = v;
  else throw new TypeError(`${op}(): argument 'dim' must be tuple of ints, not ${typeName(v)}`);
  for (const d of list) {
    if (typeof d !== 'number' || !Number.isInteger(d)) throw new TypeError(`${op}(): argument 'dim' must be tuple of ints, but found element of type ${typeName(d)}`);
  }
  if (list.length === 0) return allDims(ndim);
  const dims = wrapDims(list as number[], ndim);
  return ndim === 0 ? [] : dims;
}

/** Positional forms of the `(dim, keepdim)` reductions, with an optional trailing options object. */
export type ReduceArgs =
  | []
  | [Dims | ReduceOptions | undefined]
  | [Dims | undefined, boolean | ReduceOptions | undefined]
  | [Dims | undefined, boolean | undefined, ReduceOptions];

export interface ParsedReduce {
  dims: number[];
  keepdim: boolean;
  dtype: DType | null;
}

/** Parses `(dim?, keepdim?, {dim, keepdim, dtype}?)`; `dtype` only where the op takes one. */
export function parseReduce(op: string, input: Tensor, args: readonly unknown[], withDtype: boolean): ParsedReduce {
  const a = parseArgs(op, args, ['dim', 'keepdim'], withDtype ? ['dtype'] : []);
  return {
    dims: dimList(op, a.dim, input._shape.length),
    keepdim: boolArg(op, 'keepdim', a.keepdim, false),
    dtype: dtypeArg(op, a.dtype),
  };
}

export function allDims(ndim: number): number[] {
  return Array.from({ length: ndim }, (_, i) => i);
}

export function sortedDims(dims: readonly number[]): number[] {
  return [...dims].sort((a, b) => a - b);
}

/** The result shape: reduced dims dropped, or kept with size 1. */
export function reducedShape(shape: readonly number[], dims: readonly number[], keepdim: boolean): number[] {
  const out: number[] = [];
  for (let d = 0; d < shape.length; d++) {
    if (!dims.includes(d)) out.push(shape[d]!);
    else if (keepdim) out.push(1);
  }
  return out;
}

/**
 * PyTorch's checks for reductions without an identity (max, amax, argmax...) on empty inputs:
 * `dims` null means "every dim" (a RuntimeError, or the error `allDimsError` builds), else the
 * first named dim of size 0 raises an IndexError.
 */
export function checkNonEmptyReduction(op: string, shape: readonly number[], dims: readonly number[] | null, allDimsError?: () => Error): void {
  if (!shape.includes(0)) return;
  if (dims === null) {
    throw allDimsError?.() ?? new RuntimeError(`${op}(): Expected reduction dim to be specified for input.numel() == 0. Specify the reduction dim with the 'dim' argument.`);
  }
  for (const d of dims) {
    if (shape[d] === 0) throw new IndexError(`${op}(): Expected reduction dim ${d} to have non-zero size.`);
  }
}

/** Like dimList, but null when every dim is meant (no dim, or `[]`): some errors tell them apart. */
export function dimListOrNull(op: string, v: unknown, ndim: number): number[] | null {
  if (v === undefined || v === null || (Array.isArray(v) && v.length === 0)) return null;
  return dimList(op, v, ndim);
}

/** The size of `dim`, counting a 0-d tensor as one element. */
export function dimSize(t: Tensor, dim: number): number {
  return t._shape.length === 0 ? 1 : t._shape[dim]!;
}

/** `[values, indices]` that also reads as PyTorch's namedtuple: `.values`, `.indices`. */
export type ValuesIndices = [Tensor, Tensor] & { values: Tensor; indices: Tensor };

export function valuesIndices(values: Tensor, indices: Tensor): ValuesIndices {
  return Object.assign([values, indices] as [Tensor, Tensor], { values, indices });
}

/** Installs each function `fn(input, ...args)` as the Tensor method `x.name(...args)`. */
export function installMethods(methods: Record<string, (...args: never) => unknown>): void {
  const proto = Tensor.prototype as unknown as Record<string, unknown>;
  for (const [name, fn] of Object.entries(methods)) {
    const f = fn as unknown as (self: Tensor, ...args: unknown[]) => unknown;
    proto[name] = function (this: Tensor, ...args: unknown[]) {
      return f(this, ...args);
    };
  }
}
