/**
 * Scans along one dim: cumsum, cumprod (bool and integers accumulate in int64 unless `dtype` says
 * otherwise), cummax/cummin (values + indices; ties and NaNs move the index forward as in
 * PyTorch) and logcumsumexp. Kernel signatures: (out, input, dim) and (values, indices, input,
 * dim); `out` may be any strided tensor of the input's shape (the in-place forms pass `self`).
 * A 0-d input is scanned as one element.
 */
import type { DType } from '../../dtype.js';
import { isFloatingPoint, isIntegral } from '../../dtype.js';
import { defineOp } from '../../dispatcher.js';
import { RuntimeError } from '../../errors.js';
import { scalarTypeName } from '../../promotion.js';
import { Tensor, emptyTensor } from '../../tensor.js';
import type { ValuesIndices } from './parse.js';
import { dimArg, dtypeArg, installMethods, intArg, parseArgs, requireTensor, valuesIndices } from './parse.js';
import { castInput } from './run.js';

function scanDtype(input: Tensor, dtype: DType | null): DType {
  return dtype ?? (isIntegral(input._dtype, true) ? 'int64' : input._dtype);
}

function accumulating(name: 'cumsum' | 'cumprod') {
  const op = defineOp(name, (input: Tensor, dim: number, dtype: DType | null): Tensor => {
    const out = emptyTensor([...input._shape], scanDtype(input, dtype), input.device);
    if (out.numel() > 0) {
      const src = castInput(input, dtype);
      op.kernel(input.device)(out, src, dim);
      if (src !== input) src.dispose();
    }
    return out;
  });
  const inplace = defineOp(`${name}_`, (self: Tensor, dim: number, dtype: DType | null): Tensor => {
    if (self.numel() > 0) {
      const src = castInput(self, dtype);
      op.kernel(self.device)(self, src, dim);
      if (src !== self) src.dispose();
    }
    self._bumpVersion();
    return self;
  }, { inplace: true, base: name });
  return [op, inplace] as const;
}

export const [cumsumOp, cumsumInplaceOp] = accumulating('cumsum');
export const [cumprodOp, cumprodInplaceOp] = accumulating('cumprod');

function extremum(name: 'cummax' | 'cummin') {
  const op = defineOp(name, (input: Tensor, dim: number): ValuesIndices => {
    const values = emptyTensor([...input._shape], input._dtype, input.device);
    const indices = emptyTensor([...input._shape], 'int64', input.device);
    if (values.numel() > 0) op.kernel(input.device)(values, indices, input, dim);
    return valuesIndices(values, indices);
  }, { writes: [0, 1] });
  return op;
}

export const cummaxOp = extremum('cummax');
export const cumminOp = extremum('cummin');

export const logcumsumexpOp = defineOp('logcumsumexp', (input: Tensor, dim: number): Tensor => {
  if (!isFloatingPoint(input._dtype)) throw new RuntimeError(`"logcumsumexp_out_cpu" not implemented for '${scalarTypeName(input._dtype)}'`);
  const out = emptyTensor([...input._shape], input._dtype, input.device);
  if (out.numel() > 0) logcumsumexpOp.kernel(input.device)(out, input, dim);
  return out;
});

// ---- functional forms ----------------------------------------------------------------------

export interface ScanOptions {
  dim?: number;
  dtype?: DType;
}

type ScanCall = (input: Tensor, dim: number, dtype: DType | null) => Tensor;

function scanForm(name: string, call: ScanCall) {
  return (input: Tensor, dim: number | ScanOptions, opts?: ScanOptions): Tensor => {
    const x = requireTensor(name, input);
    const a = parseArgs(name, opts === undefined ? [dim] : [dim, opts], ['dim'], ['dtype']);
    if (a.dim === undefined) throw new TypeError(`${name}() missing required argument 'dim' (pos 1)`);
    return call(x, dimArg(name, a.dim, x.ndim), dtypeArg(name, a.dtype));
  };
}

export const cumsum = scanForm('cumsum', cumsumOp.call);
export const cumprod = scanForm('cumprod', cumprodOp.call);
const cumsumInplace = scanForm('cumsum_', cumsumInplaceOp.call);
const cumprodInplace = scanForm('cumprod_', cumprodInplaceOp.call);

/** `anyDimFor0d`: PyTorch's cummax/cummin accept any dim for a 0-d input. */
function dimOnly<R>(name: string, call: (input: Tensor, dim: number) => R, anyDimFor0d = false) {
  return (input: Tensor, dim: number | { dim: number }): R => {
    const x = requireTensor(name, input);
    const a = parseArgs(name, [dim], ['dim']);
    if (a.dim === undefined) throw new TypeError(`${name}() missing required argument 'dim' (pos 1)`);
    if (anyDimFor0d && x.ndim === 0) {
      intArg(name, 'dim', a.dim);
      return call(x, 0);
    }
    return call(x, dimArg(name, a.dim, x.ndim));
  };
}

export const cummax = dimOnly('cummax', cummaxOp.call, true);
export const cummin = dimOnly('cummin', cumminOp.call, true);
export const logcumsumexp = dimOnly('logcumsumexp', logcumsumexpOp.call);

declare module '../../tensor.js' {
  interface Tensor {
    cumsum(dim: number | ScanOptions, opts?: ScanOptions): Tensor;
    cumsum_(dim: number | ScanOptions, opts?: ScanOptions): this;
    cumprod(dim: number | ScanOptions, opts?: ScanOptions): Tensor;
    cumprod_(dim: number | ScanOptions, opts?: ScanOptions): this;
    cummax(dim: number | { dim: number }): ValuesIndices;
    cummin(dim: number | { dim: number }): ValuesIndices;
    logcumsumexp(dim: number | { dim: number }): Tensor;
  }
}

installMethods({
  cumsum, cumprod, cumsum_: cumsumInplace, cumprod_: cumprodInplace, cummax, cummin, logcumsumexp,
});
