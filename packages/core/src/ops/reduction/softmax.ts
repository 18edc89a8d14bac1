/**
 * softmax and logSoftmax along a dim (required), numerically stable (the row max is subtracted
 * first). `dtype` converts the input before computing, as PyTorch does. Kernel signature:
 * (out, input, dim), `out` contiguous with the input's shape; a 0-d input is one row of one.
 */
import type { DType } from '../../dtype.js';
import { isFloatingPoint } from '../../dtype.js';
import { defineOp } from '../../dispatcher.js';
import { RuntimeError } from '../../errors.js';
import { scalarTypeName } from '../../promotion.js';
import { Tensor, emptyTensor } from '../../tensor.js';
import { dimArg, dtypeArg, parseArgs, requireTensor } from './parse.js';
import { castInput } from './run.js';

function softmaxLike(name: 'softmax' | 'log_softmax') {
  const op = defineOp(name, (input: Tensor, dim: number, dtype: DType | null): Tensor => {
    const computeDtype = dtype ?? input._dtype;
    if (!isFloatingPoint(computeDtype)) {
      // PyTorch names its CPU kernel in the message: the last-dim one or the general one.
      const lastDim = input.ndim === 0 || dim === input.ndim - 1;
      const kernel = lastDim ? `${name}_lastdim_kernel_impl` : 'softmax_kernel_impl';
      throw new RuntimeError(`"${kernel}" not implemented for '${scalarTypeName(computeDtype)}'`);
    }
    const out = emptyTensor([...input._shape], computeDtype, input.device);
    if (out.numel() > 0) {
      const src = castInput(input, dtype);
      op.kernel(input.device)(out, src, dim);
      if (src !== input) src.dispose();
    }
    return out;
  });
  return op;
}

export const softmaxOp = softmaxLike('softmax');
export const logSoftmaxOp = softmaxLike('log_softmax');

export interface SoftmaxOptions {
  dim?: number;
  dtype?: DType;
}

function form(name: string, call: (input: Tensor, dim: number, dtype: DType | null) => Tensor) {
  return (input: Tensor, dim: number | SoftmaxOptions, opts?: SoftmaxOptions): Tensor => {
    const x = requireTensor(name, input);
    const a = parseArgs(name, opts === undefined ? [dim] : [dim, opts], ['dim'], ['dtype']);
    if (a.dim === undefined || a.dim === null) throw new TypeError(`${name}() missing required argument 'dim' (pos 1)`);
    return call(x, dimArg(name, a.dim, x.ndim), dtypeArg(name, a.dtype));
  };
}

export const softmax = form('softmax', softmaxOp.call);
export const logSoftmax = form('log_softmax', logSoftmaxOp.call);

declare module '../../tensor.js' {
  interface Tensor {
    softmax(dim: number | SoftmaxOptions, opts?: SoftmaxOptions): Tensor;
    logSoftmax(dim: number | SoftmaxOptions, opts?: SoftmaxOptions): Tensor;
  }
}

const proto = Tensor.prototype as unknown as Record<string, unknown>;
proto.softmax = function (this: Tensor, dim: number | SoftmaxOptions, opts?: SoftmaxOptions) {
  return softmax(this, dim, opts);
};
proto.logSoftmax = function (this: Tensor, dim: number | SoftmaxOptions, opts?: SoftmaxOptions) {
  return logSoftmax(this, dim, opts);
};
