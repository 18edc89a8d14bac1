/**
 * Counting: histc (equal-width bins over [min, max]; the data range when min == max; floats
 * only) and bincount (occurrences of each non-negative integer, optionally weighted).
 *
 * Kernel signatures:
 *   histc    (out, self, bins, min, max)  resolves the data range when min == max, checks it
 *   bincount (self, weights | null, minlength) -> Tensor  (the output size depends on the data)
 */
import type { DType } from '../../dtype.js';
import { defineOp } from '../../dispatcher.js';
import { RuntimeError } from '../../errors.js';
import { Tensor, emptyTensor } from '../../tensor.js';
import { contiguous } from '../copy.js';
import { fillOp } from '../creation.js';
import { isOptions, requireInt, typeName } from './util.js';

const HISTC_DTYPES: readonly DType[] = ['float32', 'float64', 'bfloat16', 'float16'];

export const histcOp = defineOp('histc', (self: Tensor, bins: number, min: number, max: number): Tensor => {
  requireInt('histc', 'bins', bins);
  if (bins <= 0) throw new RuntimeError(`torch.histogram(): bins must be > 0, but got ${bins} for dimension 0`);
  if (min !== max) {
    if (!Number.isFinite(min) || !Number.isFinite(max)) throw new RuntimeError(`torch.histc: range of [${min}, ${max}] is not finite`);
    if (!(min < max)) throw new RuntimeError('torch.histc: max must be larger than min');
  }
  if (!HISTC_DTYPES.includes(self._dtype)) throw new RuntimeError(`"histogram_cpu" not implemented for '${typeName(self._dtype)}'`);
  if (self._dtype === 'float16' && min === max && self.numel() > 0) throw new RuntimeError(`"aminmax_cpu" not implemented for 'Half'`);
  const out = emptyTensor([bins], self._dtype, self.device);
  const src = contiguous(self);
  try {
    histcOp.kernel(self.device)(out, src, bins, min, max);
  } catch (e) {
    out.dispose();
    throw e;
  } finally {
    if (src !== self) src.dispose();
  }
  return out;
});

/** `torch.histc(x, bins = 100, min = 0, max = 0)` or `torch.histc(x, { bins, min, max })`. */
export function histc(self: Tensor, bins: number | { bins?: number; min?: number; max?: number } = 100, min = 0, max = 0): Tensor {
  if (isOptions(bins)) {
    const o = bins as { bins?: number; min?: number; max?: number };
    return histcOp.call(self, o.bins ?? 100, o.min ?? min, o.max ?? max);
  }
  return histcOp.call(self, bins as number, min, max);
}

export const bincountOp = defineOp('bincount', (self: Tensor, weights: Tensor | null, minlength: number): Tensor => {
  requireInt('bincount', 'minlength', minlength);
  if (self._dtype === 'bool' || self._dtype === 'float32' || self._dtype === 'float64' || self._dtype === 'float16' || self._dtype === 'bfloat16') {
    throw new RuntimeError(`"bincount_cpu" not implemented for '${typeName(self._dtype)}'`);
  }
  if (minlength < 0) throw new RuntimeError('minlength should be >= 0');
  if (self._shape.length === 1 && self._shape[0] === 0) {
    const z = emptyTensor([minlength], 'int64', self.device);
    return minlength > 0 ? fillOp.call(z, 0) : z;
  }
  if (self._shape.length !== 1) throw new RuntimeError('bincount only supports 1-d non-negative integral inputs.');
  if (weights && (weights._shape.length !== 1 || weights._shape[0] !== self._shape[0])) {
    throw new RuntimeError('weights should be 1-d and have the same length as input');
  }
  const src = contiguous(self);
  const w = weights ? contiguous(weights) : null;
  try {
    return bincountOp.kernel(self.device)(src, w, minlength) as Tensor;
  } finally {
    if (src !== self) src.dispose();
    if (w && w !== weights) w.dispose();
  }
});

/** `torch.bincount(x, weights?, minlength = 0)` or `torch.bincount(x, { weights, minlength })`. */
export function bincount(self: Tensor, weights?: Tensor | null | { weights?: Tensor | null; minlength?: number }, minlength = 0): Tensor {
  if (isOptions(weights)) {
    const o = weights as { weights?: Tensor | null; minlength?: number };
    return bincountOp.call(self, o.weights ?? null, o.minlength ?? minlength);
  }
  return bincountOp.call(self, (weights as Tensor | null | undefined) ?? null, minlength);
}

declare module '../../tensor.js' {
  interface Tensor {
    histc(bins?: number | { bins?: number; min?: number; max?: number }, min?: number, max?: number): Tensor;
    bincount(weights?: Tensor | null | { weights?: Tensor | null; minlength?: number }, minlength?: number): Tensor;
  }
}

const proto = Tensor.prototype as unknown as Record<string, unknown>;
proto.histc = function (this: Tensor, bins?: number | { bins?: number; min?: number; max?: number }, min?: number, max?: number) {
  return histc(this, bins, min, max);
};
proto.bincount = function (this: Tensor, weights?: Tensor | null | { weights?: Tensor | null; minlength?: number }, minlength?: number) {
  return bincount(this, weights, minlength);
};
