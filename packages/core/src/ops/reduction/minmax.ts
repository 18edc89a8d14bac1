/**
 * max/min (every element, along a dim with indices, or elementwise against a tensor), amax/amin,
 * aminmax, argmax/argmin. NaN propagates (a NaN is the max and the min; its first occurrence is
 * the index) and ties give the first occurrence, as in PyTorch. Values keep the input dtype;
 * indices are int64.
 */
import { defineOp, getOp } from '../../dispatcher.js';
import { IndexError, RuntimeError } from '../../errors.js';
import { scalarTypeName } from '../../promotion.js';
import { Tensor } from '../../tensor.js';
import type { ReduceArgs, ValuesIndices } from './parse.js';
import {
  allDims, boolArg, checkNonEmptyReduction, dimArg, dimListOrNull, installMethods, parseArgs, requireTensor, valuesIndices,
} from './parse.js';
import { reduceInto, reduceInto2 } from './run.js';

/** The one-dim reductions name [] for a 0-d input (its single element), else [dim]. */
function oneDim(input: Tensor, dim: number): number[] {
  return input.ndim === 0 ? [] : [dim];
}

function fullReduction(name: 'max' | 'min') {
  const op = defineOp(name, (input: Tensor): Tensor => {
    checkNonEmptyReduction(name, input._shape, null);
    return reduceInto(op, input, allDims(input.ndim), false, input._dtype, null);
  });
  return op;
}

function dimReduction(name: 'max' | 'min') {
  const op = defineOp(`${name}.dim`, (input: Tensor, dim: number, keepdim: boolean): ValuesIndices => {
    const dims = oneDim(input, dim);
    checkNonEmptyReduction(name, input._shape, dims);
    const [values, indices] = reduceInto2(op, input, dims, keepdim, [input._dtype, 'int64']);
    return valuesIndices(values, indices);
  }, { writes: [0, 1] });
  return op;
}

export const maxOp = fullReduction('max');
export const minOp = fullReduction('min');
export const maxDimOp = dimReduction('max');
export const minDimOp = dimReduction('min');

function amaxLike(name: 'amax' | 'amin') {
  /** `dims` null: every dim. */
  const op = defineOp(name, (input: Tensor, dims: number[] | null, keepdim: boolean): Tensor => {
    checkNonEmptyReduction(name, input._shape, dims);
    return reduceInto(op, input, dims ?? allDims(input.ndim), keepdim, input._dtype, null);
  });
  return op;
}

export const amaxOp = amaxLike('amax');
export const aminOp = amaxLike('amin');

export type MinMax = [Tensor, Tensor] & { min: Tensor; max: Tensor };

/** Kernel signature: (min, max, input, dims). */
export const aminmaxOp = defineOp('aminmax', (input: Tensor, dim: number | null, keepdim: boolean): MinMax => {
  if (input.numel() === 0) {
    if (dim === null) throw new RuntimeError('aminmax(): cannot compute aminmax over an empty dimension as the operation has no identity.');
    if (input._shape[dim] === 0) throw new IndexError(`aminmax: Expected reduction dim ${dim} to have non-zero size.`);
  }
  const dims = dim === null ? allDims(input.ndim) : oneDim(input, dim);
  const [mn, mx] = reduceInto2(aminmaxOp, input, dims, keepdim, [input._dtype, input._dtype]);
  return Object.assign([mn, mx] as [Tensor, Tensor], { min: mn, max: mx });
}, { writes: [0, 1] });

function argReduction(name: 'argmax' | 'argmin') {
  /** Kernel signature: (indices, input, dims); every dim gives the index into the flattened input. */
  const op = defineOp(name, (input: Tensor, dim: number | null, keepdim: boolean): Tensor => {
    if (input._dtype === 'bool') throw new RuntimeError(`"${name}_cpu" not implemented for '${scalarTypeName('bool')}'`);
    if (dim === null) {
      checkNonEmptyReduction(name, input._shape, null, () => new IndexError(`${name}(): Expected reduction dim to be specified for input.numel() == 0.`));
      return reduceInto(op, input, allDims(input.ndim), keepdim, 'int64', null);
    }
    const dims = oneDim(input, dim);
    checkNonEmptyReduction(name, input._shape, dims);
    return reduceInto(op, input, dims, keepdim, 'int64', null);
  });
  return op;
}

export const argmaxOp = argReduction('argmax');
export const argminOp = argReduction('argmin');

// ---- functional forms ----------------------------------------------------------------------

export interface DimKeepdim {
  dim?: number;
  keepdim?: boolean;
}
export type MaxArgs = [] | [Tensor] | [number | DimKeepdim] | [number, boolean | DimKeepdim] | [number, boolean, DimKeepdim];

function maxMin(name: 'max' | 'min', full: typeof maxOp, byDim: typeof maxDimOp, elementwise: string) {
  function f(input: Tensor): Tensor;
  function f(input: Tensor, other: Tensor): Tensor;
  function f(input: Tensor, dim: number | DimKeepdim, keepdim?: boolean | DimKeepdim, opts?: DimKeepdim): ValuesIndices;
  function f(input: Tensor, ...args: unknown[]): Tensor | ValuesIndices {
    const x = requireTensor(name, input);
    if (args.length === 1 && args[0] instanceof Tensor) return getOp(elementwise).call(x, args[0]) as Tensor;
    const a = parseArgs(name, args, ['dim', 'keepdim']);
    if (a.dim === undefined || a.dim === null) {
      if (a.keepdim !== undefined) throw new TypeError(`${name}() received an invalid combination of arguments - got (keepdim=bool), but expected (int dim, bool keepdim)`);
      return full.call(x);
    }
    return byDim.call(x, dimArg(name, a.dim, x.ndim), boolArg(name, 'keepdim', a.keepdim, false));
  }
  return f;
}

export const max = maxMin('max', maxOp, maxDimOp, 'maximum');
export const min = maxMin('min', minOp, minDimOp, 'minimum');

function amaxForm(name: 'amax' | 'amin', op: typeof amaxOp) {
  return (input: Tensor, ...args: ReduceArgs): Tensor => {
    const x = requireTensor(name, input);
    const a = parseArgs(name, args, ['dim', 'keepdim']);
    return op.call(x, dimListOrNull(name, a.dim, x.ndim), boolArg(name, 'keepdim', a.keepdim, false));
  };
}

export const amax = amaxForm('amax', amaxOp);
export const amin = amaxForm('amin', aminOp);

export function aminmax(input: Tensor, opts: DimKeepdim = {}): MinMax {
  const x = requireTensor('aminmax', input);
  const a = parseArgs('aminmax', [opts], [], ['dim', 'keepdim']);
  const dim = a.dim === undefined || a.dim === null ? null : dimArg('aminmax', a.dim, x.ndim);
  return aminmaxOp.call(x, dim, boolArg('aminmax', 'keepdim', a.keepdim, false));
}

export type ArgReduceArgs =
  | []
  | [number | null | DimKeepdimNullable | undefined]
  | [number | null | undefined, boolean | DimKeepdimNullable | undefined]
  | [number | null | undefined, boolean | undefined, DimKeepdimNullable];
export interface DimKeepdimNullable {
  dim?: number | null;
  keepdim?: boolean;
}

function argForm(name: 'argmax' | 'argmin', op: typeof argmaxOp) {
  return (input: Tensor, ...args: ArgReduceArgs): Tensor => {
    const x = requireTensor(name, input);
    const a = parseArgs(name, args, ['dim', 'keepdim']);
    const dim = a.dim === undefined || a.dim === null ? null : dimArg(name, a.dim, x.ndim);
    return op.call(x, dim, boolArg(name, 'keepdim', a.keepdim, false));
  };
}

export const argmax = argForm('argmax', argmaxOp);
export const argmin = argForm('argmin', argminOp);

declare module '../../tensor.js' {
  interface Tensor {
    max(): Tensor;
    max(other: Tensor): Tensor;
    max(dim: number | DimKeepdim, keepdim?: boolean | DimKeepdim, opts?: DimKeepdim): ValuesIndices;
    min(): Tensor;
    min(other: Tensor): Tensor;
    min(dim: number | DimKeepdim, keepdim?: boolean | DimKeepdim, opts?: DimKeepdim): ValuesIndices;
    amax(...args: ReduceArgs): Tensor;
    amin(...args: ReduceArgs): Tensor;
    aminmax(opts?: DimKeepdim): MinMax;
    argmax(...args: ArgReduceArgs): Tensor;
    argmin(...args: ArgReduceArgs): Tensor;
  }
}

installMethods({ max, min, amax, amin, aminmax, argmax, argmin });
