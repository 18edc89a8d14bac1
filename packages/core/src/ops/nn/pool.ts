/**
 * Pooling ops: max (with indices), average, adaptive max/average, over the trailing 1, 2 or 3 dims.
 *
 * Every pooling is described by its windows: for each pooled dim and each output position, the
 * valid input range [lo, hi) visited with a step (dilation), and for averages a divisor factor
 * per dim (PyTorch's divisors are products over dims). Three ops share that description:
 *   pool_max_nd(input, windows)            -> [values, indices] (int64, flat over the pooled dims)
 *   pool_avg_nd(input, windows)            -> values
 *   pool_avg_nd_backward(grad, windows)    -> gradient w.r.t. the input (the transpose of pool_avg_nd)
 * Kernel signatures: (out, indices, input, windows), (out, input, windows), (gradIn, grad, windows);
 * every output is contiguous, inputs may have any strides. Leading (batch/channel) dims are free.
 */
import { defineOp } from '../../dispatcher.js';
import { isFloatingPoint } from '../../dtype.js';
import { RuntimeError } from '../../errors.js';
import { Tensor, emptyTensor } from '../../tensor.js';
import { contiguous } from '../copy.js';

export interface PoolWindows {
  /** Sizes of the pooled (trailing) input dims. */
  inSize: number[];
  outSize: number[];
  /** Per pooled dim, per output position: the first valid input index and the exclusive end. */
  lo: number[][];
  hi: number[][];
  /** Per pooled dim: distance between visited input positions (the dilation). */
  step: number[];
  /** Averages: per pooled dim, per output position, the divisor factor; null for max pooling. */
  div: number[][] | null;
  /** Averages: a fixed divisor replacing the product of `div`. */
  divisorOverride: number | null;
}

export interface MaxPoolOptions {
  stride?: number | number[] | null;
  padding?: number | number[];
  dilation?: number | number[];
  ceilMode?: boolean;
}

export interface AvgPoolOptions {
  stride?: number | number[] | null;
  padding?: number | number[];
  ceilMode?: boolean;
  countIncludePad?: boolean;
  divisorOverride?: number | null;
}

function requireFloat(name: string, x: Tensor): void {
  if (!(x instanceof Tensor)) throw new TypeError(`${name}(): argument 'input' must be Tensor, not ${x === null ? 'null' : typeof x}`);
  if (!isFloatingPoint(x._dtype)) throw new RuntimeError(`"${name}" not implemented for '${x._dtype}'`);
}

/** Checks (C, *spatial) or (N, C, *spatial) with non-empty non-batch dims. */
function checkInput(name: string, x: Tensor, nd: number): void {
  const dim = x._shape.length;
  const ok = (dim === nd + 1 || dim === nd + 2) && x._shape.every((s, i) => s > 0 || (dim === nd + 2 && i === 0));
  if (!ok) {
    throw new RuntimeError(`${name}: Expected ${nd + 1}D or ${nd + 2}D (batch mode) tensor with optional 0 dim batch size for input, but got: [${x._shape.join(', ')}]`);
  }
}

/** Expands an int-or-list argument to `nd` ints (PyTorch's _single/_pair/_triple with its checks). */
export function poolTuple(name: string, what: string, v: number | number[] | null | undefined, nd: number, dflt: number[] | null): number[] {
  if (v === undefined || v === null || (Array.isArray(v) && v.length === 0 && dflt)) {
    if (!dflt) throw new TypeError(`${name}(): argument '${what}' is required`);
    return [...dflt];
  }
  const list = typeof v === 'number' ? new Array<number>(nd).fill(v) : Array.isArray(v) && v.length === 1 ? new Array<number>(nd).fill(v[0]!) : v;
  if (!Array.isArray(list) || list.length !== nd || !list.every((n) => Number.isInteger(n))) {
    const count = ['', 'one', 'two', 'three'][nd];
    throw new RuntimeError(`${name}: ${what} must be ${what === 'stride' ? 'omitted, ' : ''}either a single int, or a tuple of ${count} ints`);
  }
  return [...list];
}

/** PyTorch's pooling_output_shape. */
function outputSize(inSize: number, k: number, pad: number, stride: number, dilation: number, ceil: boolean): number {
  const num = inSize + 2 * pad - dilation * (k - 1) - 1 + (ceil ? stride - 1 : 0);
  let out = Math.floor(num / stride) + 1;
  if (ceil && (out - 1) * stride >= inSize + pad) out--;
  return out;
}

function checkSizes(name: string, x: Tensor, nd: number, k: number[], s: number[], p: number[], d: number[], out: number[]): void {
  if (k.some((v) => v <= 0)) throw new RuntimeError(`${name}: kernel size should be greater than zero, but got ${k.join(', ')}`);
  if (s.some((v) => v <= 0)) throw new RuntimeError(`${name}: stride should be greater than zero, but got ${s.join(', ')}`);
  if (d.some((v) => v <= 0)) throw new RuntimeError(`${name}: dilation should be greater than zero, but got ${d.join(', ')}`);
  if (p.some((v, i) => v < 0 || v > Math.floor(k[i]! / 2))) {
    const show = (v: number[]): string => (v.every((x) => x === v[0]) ? String(v[0]) : `(${v.join(', ')})`);
    throw new RuntimeError(`pad should be at most half of kernel size, but got pad=${show(p)} and kernel_size=${show(k)}`);
  }
  if (out.some((v) => v < 1)) {
    const lead = x._shape.length - nd;
    const inDims = x._shape.slice(Math.max(lead - 1, 0));
    const outDims = [...x._shape.slice(Math.max(lead - 1, 0), lead), ...out];
    throw new RuntimeError(`Given input size: (${inDims.join('x')}). Calculated output size: (${outDims.join('x')}). Output size is too small`);
  }
}

function runPool(op: 'max' | 'avg', input: Tensor, w: PoolWindows): Tensor[] {
  const lead = input._shape.slice(0, input._shape.length - w.inSize.length);
  const out = emptyTensor([...lead, ...w.outSize], input._dtype, input.device);
  if (op === 'avg') {
    if (out.numel() > 0) poolAvgOp.kernel(input.device)(out, input, w);
    return [out];
  }
  const idx = emptyTensor([...lead, ...w.outSize], 'int64', input.device);
  if (out.numel() > 0) poolMaxOp.kernel(input.device)(out, idx, input, w);
  return [out, idx];
}

export const poolMaxOp = defineOp(
  'pool_max_nd',
  (input: Tensor, w: PoolWindows): Tensor[] => {
    requireFloat('max_pool', input);
    return runPool('max', input, w);
  },
  { writes: [0, 1] },
);

export const poolAvgOp = defineOp('pool_avg_nd', (input: Tensor, w: PoolWindows): Tensor => {
  requireFloat('avg_pool', input);
  return runPool('avg', input, w)[0]!;
});

export const poolAvgBackwardOp = defineOp('pool_avg_nd_backward', (grad: Tensor, w: PoolWindows): Tensor => {
  requireFloat('avg_pool_backward', grad);
  const lead = grad._shape.slice(0, grad._shape.length - w.outSize.length);
  const gradIn = emptyTensor([...lead, ...w.inSize], grad._dtype, grad.device);
  gradIn.zero_();
  if (grad.numel() > 0) poolAvgBackwardOp.kernel(grad.device)(gradIn, grad, w);
  return gradIn;
});

/**
 * Max pooling's input gradient: `grad` sent to the argmax `indices` (flat over the pooled dims, as
 * pool_max_nd returns them), added where windows overlap, zero elsewhere. The kernel writes every
 * element (no separate zero-fill); an index outside the pooled plane is an IndexError.
 */
export const poolMaxBackwardOp = defineOp('pool_max_nd_backward', (grad: Tensor, indices: Tensor, w: PoolWindows): Tensor => {
  requireFloat('max_pool_backward', grad);
  if (indices._dtype !== 'int64') throw new RuntimeError(`max_pool backward: expected int64 indices, but got ${indices._dtype}`);
  if (grad._shape.join() !== indices._shape.join()) {
    throw new RuntimeError(`max_pool backward: gradient of shape [${grad._shape}] does not match indices of shape [${indices._shape}]`);
  }
  const lead = grad._shape.slice(0, grad._shape.length - w.outSize.length);
  const gradIn = emptyTensor([...lead, ...w.inSize], grad._dtype, grad.device);
  if (gradIn.numel() === 0) return gradIn;
  if (grad.numel() === 0) return gradIn.zero_();
  const g = contiguous(grad), idx = contiguous(indices);
  try {
    poolMaxBackwardOp.kernel(grad.device)(gradIn, g, idx, w);
  } catch (e) {
    gradIn.dispose();
    throw e;
  } finally {
    if (g !== grad) g.dispose();
    if (idx !== indices) idx.dispose();
  }
  return gradIn;
});

/** Windows of a strided (max or average) pooling. */
function stridedWindows(inSize: number[], outSize: number[], k: number[], s: number[], p: number[], d: number[], avg: AvgPoolOptions | null): PoolWindows {
  const lo: number[][] = [], hi: number[][] = [], div: number[][] = [];
  for (let i = 0; i < inSize.length; i++) {
    const l: number[] = [], h: number[] = [], dv: number[] = [];
    for (let o = 0; o < outSize[i]!; o++) {
      const start = o * s[i]! - p[i]!;
      if (avg) {
        const end = Math.min(start + k[i]!, inSize[i]! + p[i]!);
        const a = Math.max(start, 0), b = Math.min(end, inSize[i]!);
        l.push(a);
        h.push(Math.max(b, a));
        dv.push(avg.countIncludePad ?? true ? end - start : b - a);
      } else {
        // First in-bounds tap of the dilated window, then its end.
        const first = start < 0 ? start + Math.ceil(-start / d[i]!) * d[i]! : start;
        l.push(first);
        h.push(Math.min(start + (k[i]! - 1) * d[i]! + 1, inSize[i]!));
      }
    }
    lo.push(l);
    hi.push(h);
    div.push(dv);
  }
  return { inSize, outSize, lo, hi, step: avg ? inSize.map(() => 1) : [...d], div: avg ? div : null, divisorOverride: avg?.divisorOverride ?? null };
}

/** max_pool{nd}d with indices: `[values, indices]`, indices flat over the pooled dims. */
export function maxPoolNd(input: Tensor, nd: number, kernelSize: number | number[], opts: MaxPoolOptions = {}): Tensor[] {
  const name = `max_pool${nd}d`;
  requireFloat(name, input);
  const k = poolTuple(name, 'kernel_size', kernelSize, nd, null);
  const s = poolTuple(name, 'stride', opts.stride, nd, k);
  const p = poolTuple(name, 'padding', opts.padding ?? 0, nd, null);
  const d = poolTuple(name, 'dilation', opts.dilation ?? 1, nd, null);
  checkInput(name, input, nd);
  const inSize = input._shape.slice(-nd);
  const out = inSize.map((n, i) => outputSize(n, k[i]!, p[i]!, s[i]!, d[i]!, opts.ceilMode ?? false));
  checkSizes(name, input, nd, k, s, p, d, out);
  const [values, indices] = poolMaxOp.call(input, stridedWindows(inSize, out, k, s, p, d, null));
  return Object.assign([values!, indices!], { values: values!, indices: indices! });
}

/** avg_pool{nd}d. */
export function avgPoolNd(input: Tensor, nd: number, kernelSize: number | number[], opts: AvgPoolOptions = {}): Tensor {
  const name = `avg_pool${nd}d`;
  requireFloat(name, input);
  const k = poolTuple(name, 'kernel_size', kernelSize, nd, null);
  const s = poolTuple(name, 'stride', opts.stride, nd, k);
  const p = poolTuple(name, 'padding', opts.padding ?? 0, nd, null);
  const one = k.map(() => 1);
  checkInput(name, input, nd);
  const dOver = opts.divisorOverride ?? null;
  if (dOver !== null && (!Number.isInteger(dOver) || dOver === 0)) throw new RuntimeError(`${name}: divisor must be not zero`);
  const inSize = input._shape.slice(-nd);
  const out = inSize.map((n, i) => outputSize(n, k[i]!, p[i]!, s[i]!, 1, opts.ceilMode ?? false));
  checkSizes(name, input, nd, k, s, p, one, out);
  return poolAvgOp.call(input, stridedWindows(inSize, out, k, s, p, one, opts));
}

/** Windows of adaptive pooling: start = floor(o*in/out), end = ceil((o+1)*in/out). */
function adaptiveWindows(name: string, input: Tensor, nd: number, outputSize: number | null | Array<number | null>, avg: boolean): PoolWindows {
  checkInput(name, input, nd);
  const inSize = input._shape.slice(-nd);
  const given = typeof outputSize === 'number' || outputSize === null ? new Array<number | null>(nd).fill(outputSize) : outputSize;
  if (!Array.isArray(given) || given.length !== nd) throw new RuntimeError(`${name}: output_size must be ${nd}`);
  const outSize = given.map((o, i) => (o === null ? inSize[i]! : o));
  if (outSize.some((o) => !Number.isInteger(o) || o < 0)) throw new RuntimeError(`${name}: elements of output_size must be greater than or equal to 0 but received [${outSize.join(', ')}]`);
  const lo: number[][] = [], hi: number[][] = [], div: number[][] = [];
  for (let i = 0; i < nd; i++) {
    const n = inSize[i]!, m = outSize[i]!;
    const l: number[] = [], h: number[] = [], dv: number[] = [];
    for (let o = 0; o < m; o++) {
      const a = Math.floor((o * n) / m), b = Math.ceil(((o + 1) * n) / m);
      l.push(a);
      h.push(b);
      dv.push(b - a);
    }
    lo.push(l);
    hi.push(h);
    div.push(dv);
  }
  return { inSize, outSize, lo, hi, step: inSize.map(() => 1), div: avg ? div : null, divisorOverride: null };
}

export function adaptiveAvgPoolNd(input: Tensor, nd: number, outputSize: number | null | Array<number | null>): Tensor {
  const name = `adaptive_avg_pool${nd}d`;
  requireFloat(name, input);
  return poolAvgOp.call(input, adaptiveWindows(name, input, nd, outputSize, true));
}

export function adaptiveMaxPoolNd(input: Tensor, nd: number, outputSize: number | null | Array<number | null>): Tensor[] {
  const name = `adaptive_max_pool${nd}d`;
  requireFloat(name, input);
  const [values, indices] = poolMaxOp.call(input, adaptiveWindows(name, input, nd, outputSize, false));
  return Object.assign([values!, indices!], { values: values!, indices: indices! });
}

// torch.* forms (PyTorch's torch.max_pool1d/2d/3d return only values; the adaptive max ones both).
export const maxPool1d = (input: Tensor, kernelSize: number | number[], opts?: MaxPoolOptions): Tensor => disposeSecond(maxPoolNd(input, 1, kernelSize, opts));
export const maxPool2d = (input: Tensor, kernelSize: number | number[], opts?: MaxPoolOptions): Tensor => disposeSecond(maxPoolNd(input, 2, kernelSize, opts));
export const maxPool3d = (input: Tensor, kernelSize: number | number[], opts?: MaxPoolOptions): Tensor => disposeSecond(maxPoolNd(input, 3, kernelSize, opts));
export const avgPool1d = (input: Tensor, kernelSize: number | number[], opts?: AvgPoolOptions): Tensor => avgPoolNd(input, 1, kernelSize, opts);
export const adaptiveAvgPool1d = (input: Tensor, outputSize: number | number[]): Tensor => adaptiveAvgPoolNd(input, 1, outputSize);
export const adaptiveMaxPool1d = (input: Tensor, outputSize: number | number[]): Tensor[] => adaptiveMaxPoolNd(input, 1, outputSize);

/** Drops the indices unless autograd may still need them (they are saved for backward). */
function disposeSecond(r: Tensor[]): Tensor {
  if (!r[0]!.requiresGrad) r[1]!.dispose();
  return r[0]!;
}
