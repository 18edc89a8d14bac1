/**
 * Statistics over dims: var, std, varMean, stdMean (with `correction`, or the legacy `unbiased`
 * flag), norm (torch.norm: p = 'fro', any number, ±Infinity) and logsumexp (stable; rows of
 * -Infinity give -Infinity).
 */
import type { DType } from '../../dtype.js';
import { isFloatingPoint, toFloating } from '../../dtype.js';
import { defineOp } from '../../dispatcher.js';
import { NotImplementedError, RuntimeError, ValueError } from '../../errors.js';
import { scalarTypeName } from '../../promotion.js';
import { Tensor } from '../../tensor.js';
import type { Dims } from './parse.js';
import { boolArg, dimList, dtypeArg, installMethods, parseArgs, requireTensor, typeName } from './parse.js';
import { reduceInto, reduceInto2 } from './run.js';

// ---- var / std -----------------------------------------------------------------------------

function varLike(name: 'var' | 'std') {
  /** Kernel signature: (out, input, dims, correction). */
  const op = defineOp(name, (input: Tensor, dims: number[], correction: number, keepdim: boolean): Tensor => {
    if (!isFloatingPoint(input._dtype)) throw new RuntimeError('std and var only support floating point and complex dtypes');
    return reduceInto(op, input, dims, keepdim, input._dtype, null, correction);
  });
  return op;
}

export const varOp = varLike('var');
export const stdOp = varLike('std');

function varMeanLike(name: 'var_mean' | 'std_mean') {
  /** Kernel signature: (varOrStd, mean, input, dims, correction). */
  const op = defineOp(name, (input: Tensor, dims: number[], correction: number, keepdim: boolean): [Tensor, Tensor] => {
    if (!isFloatingPoint(input._dtype)) throw new RuntimeError(`${name} only support floating point and complex dtypes`);
    return reduceInto2(op, input, dims, keepdim, [input._dtype, input._dtype], correction);
  }, { writes: [0, 1] });
  return op;
}

export const varMeanOp = varMeanLike('var_mean');
export const stdMeanOp = varMeanLike('std_mean');

export interface VarOptions {
  dim?: Dims;
  /** Divide by N - correction (default 1, Bessel's correction). */
  correction?: number;
  /** Legacy form of correction: true is 1, false is 0. */
  unbiased?: boolean;
  keepdim?: boolean;
}

export type VarArgs =
  | []
  | [boolean | Dims | VarOptions | undefined]
  | [Dims | undefined, boolean | VarOptions | undefined]
  | [Dims | undefined, boolean | undefined, boolean | VarOptions | undefined]
  | [Dims | undefined, boolean | undefined, boolean | undefined, VarOptions];

/** `(unbiased)`, `(dim, unbiased?, keepdim?)` or `(dim, {correction, keepdim})` -> dims, correction, keepdim. */
function parseVar(name: string, input: Tensor, args: readonly unknown[]): { dims: number[]; correction: number; keepdim: boolean } {
  const a = typeof args[0] === 'boolean'
    ? parseArgs(name, args, ['unbiased'])
    : parseArgs(name, args, ['dim', 'unbiased', 'keepdim'], ['correction']);
  if (a.unbiased !== undefined && a.correction !== undefined) {
    throw new TypeError(`${name}() received an invalid combination of arguments - got both 'unbiased' and 'correction'`);
  }
  let correction = 1;
  if (a.correction !== undefined && a.correction !== null) {
    if (typeof a.correction !== 'number' || !Number.isInteger(a.correction)) {
      throw new TypeError(`${name}(): argument 'correction' must be int, not ${typeof a.correction === 'number' ? 'float' : typeName(a.correction)}`);
    }
    correction = a.correction;
  } else if (a.unbiased !== undefined) {
    correction = boolArg(name, 'unbiased', a.unbiased, true) ? 1 : 0;
  }
  return { dims: dimList(name, a.dim, input.ndim), correction, keepdim: boolArg(name, 'keepdim', a.keepdim, false) };
}

function varForm(name: string, call: (input: Tensor, dims: number[], correction: number, keepdim: boolean) => Tensor) {
  return (input: Tensor, ...args: VarArgs): Tensor => {
    const x = requireTensor(name, input);
    const p = parseVar(name, x, args);
    return call(x, p.dims, p.correction, p.keepdim);
  };
}

const var_ = varForm('var', varOp.call);
export { var_ as var };
export const std = varForm('std', stdOp.call);

function varMeanForm(name: string, call: (input: Tensor, dims: number[], correction: number, keepdim: boolean) => [Tensor, Tensor]) {
  return (input: Tensor, ...args: VarArgs): [Tensor, Tensor] => {
    const x = requireTensor(name, input);
    const p = parseVar(name, x, args);
    return call(x, p.dims, p.correction, p.keepdim);
  };
}

export const varMean = varMeanForm('var_mean', varMeanOp.call);
export const stdMean = varMeanForm('std_mean', stdMeanOp.call);

// ---- norm ----------------------------------------------------------------------------------

/**
 * Vector p-norm over `dims` (torch.norm's numeric p, and 'fro' as p = 2). Kernel signature:
 * (out, input, dims, p). p = 0 counts non-zeros; ±Infinity take max/min |x|; an empty
 * reduction gives 0 for every p, as PyTorch 1.13 does.
 */
export const normOp = defineOp('norm', (input: Tensor, p: number, dims: number[], keepdim: boolean, dtype: DType | null): Tensor => {
  if (!isFloatingPoint(input._dtype) && !dtype) {
    throw new RuntimeError(`norm(): input dtype should be either floating point or complex. Got ${scalarTypeName(input._dtype)} instead.`);
  }
  if (dtype && !isFloatingPoint(dtype)) {
    throw new RuntimeError(`norm(): dtype should be either floating point or complex. Got ${scalarTypeName(dtype)} instead.`);
  }
  return reduceInto(normOp, input, dims, keepdim, dtype ?? input._dtype, dtype, p);
});

export interface NormOptions {
  p?: number | 'fro' | 'nuc' | null;
  dim?: Dims;
  keepdim?: boolean;
  dtype?: DType;
}

export type NormArgs =
  | []
  | [number | string | null | NormOptions | undefined]
  | [number | string | null | undefined, Dims | NormOptions | undefined]
  | [number | string | null | undefined, Dims | undefined, boolean | NormOptions | undefined]
  | [number | string | null | undefined, Dims | undefined, boolean | undefined, NormOptions];

export function norm(input: Tensor, ...args: NormArgs): Tensor {
  const x = requireTensor('norm', input);
  const a = parseArgs('norm', args, ['p', 'dim', 'keepdim'], ['dtype']);
  const keepdim = boolArg('norm', 'keepdim', a.keepdim, false);
  const dtype = dtypeArg('norm', a.dtype);
  const p = a.p === undefined ? 'fro' : a.p === null ? 2 : a.p;
  if (typeof p === 'string') {
    if (p === 'nuc') {
      throw new NotImplementedError("norm(): p='nuc' (the nuclear norm) needs singular values, which torchts' norm does not compute; use a linalg SVD");
    }
    if (p !== 'fro') throw new RuntimeError(`only valid string values are 'fro' and 'nuc', found ${p}`);
    if (dtype) throw new ValueError('dtype argument is not supported in frobenius norm');
    if (Array.isArray(a.dim) && a.dim.length > 2) {
      throw new RuntimeError(`Expected at most 2 dimensions, but got ${a.dim.length} dimensions instead.`);
    }
    return normOp.call(x, 2, dimList('norm', a.dim, x.ndim), keepdim, null);
  }
  if (typeof p !== 'number') throw new TypeError(`norm(): argument 'p' must be Number or str, not ${typeName(p)}`);
  return normOp.call(x, p, dimList('norm', a.dim, x.ndim), keepdim, dtype);
}

// ---- logsumexp -----------------------------------------------------------------------------

/** log(sum(exp(x))) computed as max + log(sum(exp(x - max))); integers give the default float dtype. */
export const logsumexpOp = defineOp('logsumexp', (input: Tensor, dims: number[], keepdim: boolean): Tensor =>
  reduceInto(logsumexpOp, input, dims, keepdim, toFloating(input._dtype), null));

export function logsumexp(input: Tensor, dim: Dims | { dim: Dims; keepdim?: boolean }, keepdim?: boolean | { keepdim?: boolean }, opts?: { keepdim?: boolean }): Tensor {
  const x = requireTensor('logsumexp', input);
  const a = parseArgs('logsumexp', [dim, keepdim, opts].filter((v) => v !== undefined), ['dim', 'keepdim']);
  if (a.dim === undefined || a.dim === null) throw new TypeError("logsumexp() missing required argument 'dim' (pos 2)");
  if (Array.isArray(a.dim) && a.dim.length === 0 && x.ndim > 0) {
    throw new RuntimeError(`output with shape [] doesn't match the broadcast shape [${x._shape.map(() => 1).join(', ')}]`);
  }
  return logsumexpOp.call(x, dimList('logsumexp', a.dim, x.ndim), boolArg('logsumexp', 'keepdim', a.keepdim, false));
}

declare module '../../tensor.js' {
  interface Tensor {
    var(...args: VarArgs): Tensor;
    std(...args: VarArgs): Tensor;
    norm(...args: NormArgs): Tensor;
    logsumexp(dim: Dims | { dim: Dims; keepdim?: boolean }, keepdim?: boolean | { keepdim?: boolean }, opts?: { keepdim?: boolean }): Tensor;
  }
}

installMethods({ var: var_, std, norm, logsumexp });
