/**
 * unique and uniqueConsecutive, over every element or over slices along `dim`. Their output size
 * depends on the data, so the kernels allocate and return `[values, inverse, counts]`:
 *   _unique2            (input)       values sorted ascending, inverse shaped like input
 *   unique_dim          (input, dim)  slices sorted lexicographically, inverse of size(dim)
 *   unique_consecutive  (input, dim)  dim null: every element; only runs of equal neighbours merge
 * `sorted: false` still returns sorted values (PyTorch's order there is a hash order; sorting is
 * one valid answer, as on CUDA). Each NaN counts as a distinct value.
 */
import { defineOp } from '../../dispatcher.js';
import { RuntimeError } from '../../errors.js';
import { wrapDim } from '../../shape.js';
import { Tensor } from '../../tensor.js';
import { boolArg, parseArgs, requireTensor, typeName } from './parse.js';

type Triple = [Tensor, Tensor, Tensor];

function checkUniqueDim(input: Tensor, dim: number): number {
  const d = wrapDim(dim, input.ndim, false);
  if (input._shape.some((s, i) => s === 0 && i !== d)) {
    throw new RuntimeError("There are 0 sized dimensions, and they aren't selected, so unique cannot be applied");
  }
  return d;
}

export const uniqueOp = defineOp('_unique2', (input: Tensor): Triple => uniqueOp.kernel(input.device)(input) as Triple, { writes: [] });

export const uniqueDimOp = defineOp('unique_dim', (input: Tensor, dim: number): Triple =>
  uniqueDimOp.kernel(input.device)(input, checkUniqueDim(input, dim)) as Triple, { writes: [] });

export const uniqueConsecutiveOp = defineOp('unique_consecutive', (input: Tensor, dim: number | null): Triple =>
  uniqueConsecutiveOp.kernel(input.device)(input, dim === null ? null : checkUniqueDim(input, dim)) as Triple, { writes: [] });

export interface UniqueOptions {
  sorted?: boolean;
  returnInverse?: boolean;
  returnCounts?: boolean;
  dim?: number | null;
}

/** The values alone, or `[values, inverse?, counts?]` with what was asked for (PyTorch's tuple). */
function pick([values, inverse, counts]: Triple, returnInverse: boolean, returnCounts: boolean): Tensor | Tensor[] {
  if (!returnInverse) inverse.dispose();
  if (!returnCounts) counts.dispose();
  if (!returnInverse && !returnCounts) return values;
  const out = [values];
  if (returnInverse) out.push(inverse);
  if (returnCounts) out.push(counts);
  return out;
}

function dimOption(name: string, v: unknown): number | null {
  if (v === undefined || v === null) return null;
  if (typeof v !== 'number' || !Number.isInteger(v)) throw new TypeError(`${name}(): argument 'dim' must be int, not ${typeName(v)}`);
  return v;
}

export function unique(input: Tensor, ...args: Array<boolean | number | null | UniqueOptions | undefined>): Tensor | Tensor[] {
  const x = requireTensor('unique', input);
  const a = parseArgs('unique', args, ['sorted', 'returnInverse', 'returnCounts', 'dim']);
  boolArg('unique', 'sorted', a.sorted, true);
  const inv = boolArg('unique', 'return_inverse', a.returnInverse, false);
  const cnt = boolArg('unique', 'return_counts', a.returnCounts, false);
  const dim = dimOption('unique', a.dim);
  return pick(dim === null ? uniqueOp.call(x) : uniqueDimOp.call(x, dim), inv, cnt);
}

export function uniqueConsecutive(input: Tensor, ...args: Array<boolean | number | null | UniqueOptions | undefined>): Tensor | Tensor[] {
  const x = requireTensor('unique_consecutive', input);
  const a = parseArgs('unique_consecutive', args, ['returnInverse', 'returnCounts', 'dim']);
  const inv = boolArg('unique_consecutive', 'return_inverse', a.returnInverse, false);
  const cnt = boolArg('unique_consecutive', 'return_counts', a.returnCounts, false);
  return pick(uniqueConsecutiveOp.call(x, dimOption('unique_consecutive', a.dim)), inv, cnt);
}

declare module '../../tensor.js' {
  interface Tensor {
    unique(...args: Array<boolean | number | null | UniqueOptions | undefined>): Tensor | Tensor[];
    uniqueConsecutive(...args: Array<boolean | number | null | UniqueOptions | undefined>): Tensor | Tensor[];
  }
}

const proto = Tensor.prototype as unknown as Record<string, unknown>;
proto.unique = function (this: Tensor, ...args: Array<boolean | number | null | UniqueOptions | undefined>) {
  return unique(this, ...args);
};
proto.uniqueConsecutive = function (this: Tensor, ...args: Array<boolean | number | null | UniqueOptions | undefined>) {
  return uniqueConsecutive(this, ...args);
};
