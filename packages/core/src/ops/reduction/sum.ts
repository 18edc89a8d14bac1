/**
 * Sums, means, products and the logical reductions: sum, nansum, mean, nanmean, prod, all, any,
 * countNonzero. dtype rules follow PyTorch: sum/prod of bool and integers give int64; mean needs a
 * floating dtype; an explicit `dtype` converts the input first (`x.sum({ dtype: 'int64' })`
 * truncates before summing, as PyTorch does); all/any give bool (uint8 for uint8 inputs).
 */
import type { DType } from '../../dtype.js';
import { isFloatingPoint, isIntegral } from '../../dtype.js';
import { defineOp } from '../../dispatcher.js';
import { RuntimeError } from '../../errors.js';
import { scalarTypeName } from '../../promotion.js';
import { Tensor } from '../../tensor.js';
import type { Dims, ReduceArgs, ReduceOptions } from './parse.js';
import { allDims, boolArg, dimArg, dimList, dtypeArg, installMethods, parseArgs, parseReduce, requireTensor } from './parse.js';
import { reduceInto } from './run.js';

/** sum/prod result dtype: an explicit dtype, else int64 for bool and integers. */
function accumulateDtype(input: Tensor, dtype: DType | null): DType {
  if (dtype) return dtype;
  return isIntegral(input._dtype, true) ? 'int64' : input._dtype;
}

export const sumOp = defineOp('sum', (input: Tensor, dims: number[], keepdim: boolean, dtype: DType | null): Tensor =>
  reduceInto(sumOp, input, dims, keepdim, accumulateDtype(input, dtype), dtype));

export const nansumOp = defineOp('nansum', (input: Tensor, dims: number[], keepdim: boolean, dtype: DType | null): Tensor =>
  reduceInto(nansumOp, input, dims, keepdim, accumulateDtype(input, dtype), dtype));

function meanDtype(op: string, input: Tensor, dtype: DType | null): DType {
  if (dtype) {
    if (!isFloatingPoint(dtype)) {
      throw new RuntimeError(`${op}(): could not infer output dtype. Optional dtype must be either a floating point or complex dtype. Got: ${scalarTypeName(dtype)}`);
    }
    return dtype;
  }
  if (!isFloatingPoint(input._dtype)) {
    throw new RuntimeError(`${op}(): could not infer output dtype. Input dtype must be either a floating point or complex dtype. Got: ${scalarTypeName(input._dtype)}`);
  }
  return input._dtype;
}

export const meanOp = defineOp('mean', (input: Tensor, dims: number[], keepdim: boolean, dtype: DType | null): Tensor =>
  reduceInto(meanOp, input, dims, keepdim, meanDtype('mean', input, dtype), dtype));

export const nanmeanOp = defineOp('nanmean', (input: Tensor, dims: number[], keepdim: boolean, dtype: DType | null): Tensor => {
  if (!isFloatingPoint(input._dtype)) {
    throw new RuntimeError(`nanmean(): expected input to have floating point dtype but got ${scalarTypeName(input._dtype)}`);
  }
  return reduceInto(nanmeanOp, input, dims, keepdim, meanDtype('nanmean', input, dtype), dtype);
});

/** `dims` names every dim or a single one: PyTorch's prod takes at most one dim. */
export const prodOp = defineOp('prod', (input: Tensor, dims: number[], keepdim: boolean, dtype: DType | null): Tensor =>
  reduceInto(prodOp, input, dims, keepdim, accumulateDtype(input, dtype), dtype));

const logicalDtype = (input: Tensor): DType => (input._dtype === 'uint8' ? 'uint8' : 'bool');

export const allOp = defineOp('all', (input: Tensor, dims: number[], keepdim: boolean): Tensor =>
  reduceInto(allOp, input, dims, keepdim, logicalDtype(input), null));

export const anyOp = defineOp('any', (input: Tensor, dims: number[], keepdim: boolean): Tensor =>
  reduceInto(anyOp, input, dims, keepdim, logicalDtype(input), null));

export const countNonzeroOp = defineOp('count_nonzero', (input: Tensor, dims: number[]): Tensor =>
  reduceInto(countNonzeroOp, input, dims, false, 'int64', null));

// ---- functional forms ----------------------------------------------------------------------

type DimReduce = (input: Tensor, dims: number[], keepdim: boolean, dtype: DType | null) => Tensor;

function withDtype(name: string, call: DimReduce) {
  return (input: Tensor, ...args: ReduceArgs): Tensor => {
    const x = requireTensor(name, input);
    const p = parseReduce(name, x, args, true);
    return call(x, p.dims, p.keepdim, p.dtype);
  };
}

export const sum = withDtype('sum', sumOp.call);
export const nansum = withDtype('nansum', nansumOp.call);
export const mean = withDtype('mean', meanOp.call);
export const nanmean = withDtype('nanmean', nanmeanOp.call);

export type ProdArgs =
  | []
  | [number | ReduceOptions | undefined]
  | [number | undefined, boolean | ReduceOptions | undefined]
  | [number | undefined, boolean | undefined, ReduceOptions];

export function prod(input: Tensor, ...args: ProdArgs): Tensor {
  const x = requireTensor('prod', input);
  const a = parseArgs('prod', args, ['dim', 'keepdim'], ['dtype']);
  let dims = allDims(x.ndim);
  if (a.dim !== undefined && a.dim !== null) {
    const d = dimArg('prod', a.dim, x.ndim);
    dims = x.ndim === 0 ? [] : [d];
  }
  return prodOp.call(x, dims, boolArg('prod', 'keepdim', a.keepdim, false), dtypeArg('prod', a.dtype));
}

function logical(name: string, call: (input: Tensor, dims: number[], keepdim: boolean) => Tensor) {
  return (input: Tensor, ...args: ReduceArgs): Tensor => {
    const x = requireTensor(name, input);
    const p = parseReduce(name, x, args, false);
    return call(x, p.dims, p.keepdim);
  };
}

export const all = logical('all', allOp.call);
export const any = logical('any', anyOp.call);

export function countNonzero(input: Tensor, dim?: Dims | { dim?: Dims }): Tensor {
  const x = requireTensor('count_nonzero', input);
  const a = parseArgs('count_nonzero', dim === undefined ? [] : [dim], ['dim']);
  return countNonzeroOp.call(x, dimList('count_nonzero', a.dim, x.ndim));
}

declare module '../../tensor.js' {
  interface Tensor {
    sum(...args: ReduceArgs): Tensor;
    nansum(...args: ReduceArgs): Tensor;
    mean(...args: ReduceArgs): Tensor;
    nanmean(...args: ReduceArgs): Tensor;
    prod(...args: ProdArgs): Tensor;
    all(...args: ReduceArgs): Tensor;
    any(...args: ReduceArgs): Tensor;
    countNonzero(dim?: Dims | { dim?: Dims }): Tensor;
  }
}

installMethods({ sum, nansum, mean, nanmean, prod, all, any, countNonzero });
