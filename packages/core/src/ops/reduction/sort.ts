/**
 * Ordering ops: sort, argsort, msort, topk, kthvalue, median, nanmedian, mode. NaN sorts as
 * greater than every number (last ascending, first descending), as in PyTorch. The CPU kernels
 * reproduce PyTorch's algorithms (libstdc++'s sort/nth_element/partial_sort, TH's quickselect),
 * so even the index PyTorch picks among ties matches.
 *
 * Kernel signatures:
 *   sort     (values, indices, input, dim, descending, stable)    outputs shaped like input
 *   topk     (values, indices, input, k, dim, largest, sorted)    dim resized to k
 *   kthvalue / median.dim / nanmedian.dim / mode
 *            (values, indices, input, dims, ...)                  reduction layout (see run.ts)
 *   median / nanmedian (out, input, dims)                         every element
 */
import { defineOp } from '../../dispatcher.js';
import { IndexError, RuntimeError } from '../../errors.js';
import { scalarTypeName } from '../../promotion.js';
import { Tensor, emptyTensor } from '../../tensor.js';
import type { ValuesIndices } from './parse.js';
import { allDims, boolArg, checkNonEmptyReduction, dimArg, dimSize, intArg, installMethods, parseArgs, requireTensor, valuesIndices } from './parse.js';
import { reduceInto, reduceInto2 } from './run.js';

function rejectBool(input: Tensor, kernelName: string): void {
  if (input._dtype === 'bool') throw new RuntimeError(`"${kernelName}" not implemented for '${scalarTypeName('bool')}'`);
}

export const sortOp = defineOp('sort', (input: Tensor, dim: number, descending: boolean, stable: boolean): ValuesIndices => {
  const values = emptyTensor([...input._shape], input._dtype, input.device);
  const indices = emptyTensor([...input._shape], 'int64', input.device);
  if (values.numel() > 0) sortOp.kernel(input.device)(values, indices, input, dim, descending, stable);
  return valuesIndices(values, indices);
}, { writes: [0, 1] });

export const topkOp = defineOp('topk', (input: Tensor, k: number, dim: number, largest: boolean, sorted: boolean): ValuesIndices => {
  rejectBool(input, 'topk_cpu');
  if (k < 0 || k > dimSize(input, dim)) throw new RuntimeError('selected index k out of range');
  const shape = [...input._shape];
  if (shape.length > 0) shape[dim] = k;
  const values = emptyTensor(shape, input._dtype, input.device);
  const indices = emptyTensor([...shape], 'int64', input.device);
  // A 0-d input has its one element as the answer even for k = 0 (PyTorch's quirk).
  if (values.numel() > 0) topkOp.kernel(input.device)(values, indices, input, input.ndim === 0 ? 1 : k, dim, largest, sorted);
  return valuesIndices(values, indices);
}, { writes: [0, 1] });

const oneDim = (input: Tensor, dim: number): number[] => (input.ndim === 0 ? [] : [dim]);

export const kthvalueOp = defineOp('kthvalue', (input: Tensor, k: number, dim: number, keepdim: boolean): ValuesIndices => {
  rejectBool(input, 'kthvalue_cpu');
  const dims = oneDim(input, dim);
  checkNonEmptyReduction('kthvalue', input._shape, dims);
  if (k < 1 || k > dimSize(input, dim)) throw new RuntimeError(`kthvalue(): selected number k out of range for dimension ${dim}`);
  const [values, indices] = reduceInto2(kthvalueOp, input, dims, keepdim, [input._dtype, 'int64'], k);
  return valuesIndices(values, indices);
}, { writes: [0, 1] });

function medianLike(name: 'median' | 'nanmedian') {
  /** Every element: the lower median; NaN if any (median) or of the non-NaN values (nanmedian). */
  const all = defineOp(name, (input: Tensor): Tensor => {
    rejectBool(input, 'median_cpu');
    return reduceInto(all, input, allDims(input.ndim), false, input._dtype, null);
  });
  const byDim = defineOp(`${name}.dim`, (input: Tensor, dim: number, keepdim: boolean): ValuesIndices => {
    rejectBool(input, 'median_out');
    const dims = oneDim(input, dim);
    checkNonEmptyReduction('median', input._shape, dims);
    const [values, indices] = reduceInto2(byDim, input, dims, keepdim, [input._dtype, 'int64']);
    return valuesIndices(values, indices);
  }, { writes: [0, 1] });
  return [all, byDim] as const;
}

export const [medianOp, medianDimOp] = medianLike('median');
export const [nanmedianOp, nanmedianDimOp] = medianLike('nanmedian');

/** The most frequent value (the smallest among equally frequent ones) and an index of it. */
export const modeOp = defineOp('mode', (input: Tensor, dim: number, keepdim: boolean): ValuesIndices => {
  const dims = oneDim(input, dim);
  if (dims.length && input._shape[dim] === 0) throw new IndexError(`mode(): Expected reduction dim ${dim} to have non-zero size.`);
  const [values, indices] = reduceInto2(modeOp, input, dims, keepdim, [input._dtype, 'int64']);
  return valuesIndices(values, indices);
}, { writes: [0, 1] });

// ---- functional forms ----------------------------------------------------------------------

export interface SortOptions {
  dim?: number;
  descending?: boolean;
  stable?: boolean;
}
export type SortArgs = [] | [number | SortOptions | undefined] | [number | undefined, boolean | SortOptions | undefined] | [number | undefined, boolean | undefined, SortOptions];

function parseSort(name: string, x: Tensor, args: readonly unknown[]): [number, boolean, boolean] {
  const a = parseArgs(name, args, ['dim', 'descending'], ['stable']);
  return [dimArg(name, a.dim, x.ndim, -1), boolArg(name, 'descending', a.descending, false), boolArg(name, 'stable', a.stable, false)];
}

export function sort(input: Tensor, ...args: SortArgs): ValuesIndices {
  const x = requireTensor('sort', input);
  return sortOp.call(x, ...parseSort('sort', x, args));
}

export function argsort(input: Tensor, ...args: SortArgs): Tensor {
  const x = requireTensor('argsort', input);
  const [values, indices] = sortOp.call(x, ...parseSort('argsort', x, args));
  values.dispose();
  return indices;
}

/** Sorts along the first dim (values only). */
export function msort(input: Tensor): Tensor {
  const x = requireTensor('msort', input);
  const [values, indices] = sortOp.call(x, dimArg('msort', 0, x.ndim), false, false);
  indices.dispose();
  return values;
}

export interface TopkOptions {
  dim?: number;
  largest?: boolean;
  sorted?: boolean;
}

export function topk(input: Tensor, k: number | (TopkOptions & { k: number }), ...rest: Array<number | boolean | TopkOptions | undefined>): ValuesIndices {
  const x = requireTensor('topk', input);
  const a = parseArgs('topk', [k, ...rest], ['k', 'dim', 'largest', 'sorted']);
  return topkOp.call(x, intArg('topk', 'k', a.k), dimArg('topk', a.dim, x.ndim, -1), boolArg('topk', 'largest', a.largest, true), boolArg('topk', 'sorted', a.sorted, true));
}

export interface DimKeepdimOptions {
  dim?: number;
  keepdim?: boolean;
}

export function kthvalue(input: Tensor, k: number | (DimKeepdimOptions & { k: number }), ...rest: Array<number | boolean | DimKeepdimOptions | undefined>): ValuesIndices {
  const x = requireTensor('kthvalue', input);
  const a = parseArgs('kthvalue', [k, ...rest], ['k', 'dim', 'keepdim']);
  return kthvalueOp.call(x, intArg('kthvalue', 'k', a.k), dimArg('kthvalue', a.dim, x.ndim, -1), boolArg('kthvalue', 'keepdim', a.keepdim, false));
}

export type DimKeepdimArgs = [number | DimKeepdimOptions | undefined] | [number | undefined, boolean | DimKeepdimOptions | undefined] | [number | undefined, boolean | undefined, DimKeepdimOptions];

function medianForm(name: 'median' | 'nanmedian', all: typeof medianOp, byDim: typeof medianDimOp) {
  function f(input: Tensor): Tensor;
  function f(input: Tensor, ...args: DimKeepdimArgs): ValuesIndices;
  function f(input: Tensor, ...args: unknown[]): Tensor | ValuesIndices {
    const x = requireTensor(name, input);
    const a = parseArgs(name, args, ['dim', 'keepdim']);
    if (a.dim === undefined || a.dim === null) return all.call(x);
    return byDim.call(x, dimArg(name, a.dim, x.ndim), boolArg(name, 'keepdim', a.keepdim, false));
  }
  return f;
}

export const median = medianForm('median', medianOp, medianDimOp);
export const nanmedian = medianForm('nanmedian', nanmedianOp, nanmedianDimOp);

export function mode(input: Tensor, ...args: [] | DimKeepdimArgs): ValuesIndices {
  const x = requireTensor('mode', input);
  const a = parseArgs('mode', args, ['dim', 'keepdim']);
  return modeOp.call(x, dimArg('mode', a.dim, x.ndim, -1), boolArg('mode', 'keepdim', a.keepdim, false));
}

declare module '../../tensor.js' {
  interface Tensor {
    sort(...args: SortArgs): ValuesIndices;
    argsort(...args: SortArgs): Tensor;
    msort(): Tensor;
    topk(k: number | (TopkOptions & { k: number }), ...rest: Array<number | boolean | TopkOptions | undefined>): ValuesIndices;
    kthvalue(k: number | (DimKeepdimOptions & { k: number }), ...rest: Array<number | boolean | DimKeepdimOptions | undefined>): ValuesIndices;
    median(): Tensor;
    median(...args: DimKeepdimArgs): ValuesIndices;
    nanmedian(): Tensor;
    nanmedian(...args: DimKeepdimArgs): ValuesIndices;
    mode(...args: [] | DimKeepdimArgs): ValuesIndices;
  }
}

installMethods({ sort, argsort, msort, topk, kthvalue, median, nanmedian, mode });
