/**
 * Ranges: arange, linspace, logspace, eye. Values are computed on the host with PyTorch's CPU
 * formulas (integer dtypes accumulate in int64, float32 in double, half types in float; linspace
 * counts from both ends) and written once, so any device gets the same numbers.
 *
 * JS numbers are PyTorch's wrapped numbers: `arange(5)` and `arange(0, 2, 1)` (all integral) give
 * int64, any fractional argument gives the default dtype.
 */
import type { DType } from '../dtype.js';
import { getDefaultDtype, isFloatingPoint } from '../dtype.js';
import { RuntimeError } from '../errors.js';
import { Tensor, emptyTensor } from '../tensor.js';
import { roundTo } from '../random/distributions.js';
import { cppDouble } from '../random/cppfmt.js';
import { fillOp, writeValues } from './creation.js';
import type { TensorOptions } from './creation.js';
import { asStridedOp } from './view.js';
import { notImplemented } from './random/checks.js';

function splitOptions(args: readonly unknown[]): { nums: unknown[]; opts: TensorOptions } {
  const last = args[args.length - 1];
  if (last !== null && typeof last === 'object' && !(last instanceof Tensor)) {
    return { nums: args.slice(0, -1), opts: last as TensorOptions };
  }
  return { nums: [...args], opts: {} };
}

function requireNumber(op: string, name: string, v: unknown): number {
  if (typeof v !== 'number') throw new TypeError(`${op}(): argument '${name}' must be a number, not ${v === null ? 'null' : typeof v}`);
  return v;
}

function finish(t: Tensor, opts: TensorOptions): Tensor {
  if (opts.requiresGrad) {
    try {
      t.requiresGrad = true;
    } catch (e) {
      t.dispose();
      throw e;
    }
  }
  return t;
}

function filledWith(values: Float64Array, dtype: DType, opts: TensorOptions): Tensor {
  const t = emptyTensor([values.length], dtype, opts.device ?? 'cpu');
  if (values.length > 0) writeValues(t, values);
  return finish(t, opts);
}

/** `torch.arange(end)`, `(start, end)`, `(start, end, step)`, with `{ dtype, device, requiresGrad }` last. */
export function arange(...args: Array<number | TensorOptions>): Tensor {
  const { nums, opts } = splitOptions(args);
  if (nums.length < 1 || nums.length > 3) throw new TypeError(`arange() takes 1 to 3 numbers (end | start, end | start, end, step), got ${nums.length}`);
  const names = nums.length === 1 ? ['end'] : ['start', 'end', 'step'];
  const n = nums.map((v, i) => requireNumber('arange', names[i]!, v));
  const [start, end, step] = n.length === 1 ? [0, n[0]!, 1] : [n[0]!, n[1]!, n[2] ?? 1];
  const dtype = opts.dtype ?? (n.every((v) => Number.isInteger(v)) ? 'int64' : getDefaultDtype());
  if (dtype === 'bool') throw notImplemented('arange_cpu', dtype);
  const integral = !isFloatingPoint(dtype);
  // The accumulate type: int64 for integer dtypes (arguments truncate), float for half types.
  const acc = integral ? Math.trunc : dtype === 'float16' || dtype === 'bfloat16' ? Math.fround : (v: number) => v;
  const xstart = acc(start);
  const xend = acc(end);
  const xstep = acc(step);
  if (xstep === 0) throw new RuntimeError('step must be nonzero');
  if (!Number.isFinite(xstart) || !Number.isFinite(xend)) {
    throw new RuntimeError(`unsupported range: ${cppDouble(xstart)} -> ${cppDouble(xend)}`);
  }
  if (!((xstep > 0 && xend >= xstart) || (xstep < 0 && xend <= xstart))) {
    throw new RuntimeError('upper bound and larger bound inconsistent with step sign');
  }
  // PyTorch sizes int64 ranges in integer arithmetic and every other dtype in double.
  const size = dtype === 'int64'
    ? Math.trunc((xend - xstart + xstep - Math.sign(xstep)) / xstep)
    : Math.ceil((end - start) / step);
  if (!(size >= 0 && size <= Number.MAX_SAFE_INTEGER)) throw new RuntimeError('invalid size, possible overflow?');
  const values = new Float64Array(size);
  if (acc === Math.fround) for (let i = 0; i < size; i++) values[i] = Math.fround(xstart + Math.fround(xstep * i));
  else for (let i = 0; i < size; i++) values[i] = xstart + xstep * i;
  return filledWith(values, dtype, opts);
}

function checkSteps(op: string, steps: unknown): number {
  if (steps === undefined) throw new TypeError(`${op}() missing required argument 'steps'`);
  if (typeof steps !== 'number' || !Number.isInteger(steps)) throw new TypeError(`${op}(): argument 'steps' must be int, not ${typeof steps}`);
  if (steps < 0) throw new RuntimeError('number of steps must be non-negative');
  return steps;
}

/**
 * The points of linspace(start, end, steps) in `dtype`'s arithmetic: the first half counted from
 * `start`, the second from `end` (so both ends are exact). Integer dtypes truncate start/end and
 * step in double, as PyTorch does.
 */
function linspaceValues(start: number, end: number, steps: number, dtype: DType): Float64Array {
  const out = new Float64Array(steps);
  if (steps === 1) {
    out[0] = start;
    return out;
  }
  const integral = !isFloatingPoint(dtype);
  const round = integral ? (v: number) => v : roundTo(dtype);
  const s = integral ? Math.trunc(start) : round(start);
  const e = integral ? Math.trunc(end) : round(end);
  const step = round(round(e - s) / (steps - 1));
  const halfway = Math.floor(steps / 2);
  for (let i = 0; i < steps; i++) {
    out[i] = i < halfway ? round(s + round(step * i)) : round(e - round(step * (steps - i - 1)));
  }
  return out;
}

/** `torch.linspace(start, end, steps)`: `steps` evenly spaced points from start to end inclusive. */
export function linspace(start: number, end: number, steps: number, opts: TensorOptions = {}): Tensor {
  requireNumber('linspace', 'start', start);
  requireNumber('linspace', 'end', end);
  const n = checkSteps('linspace', steps);
  const dtype = opts.dtype ?? getDefaultDtype();
  if (n >= 2 && dtype === 'bool') throw notImplemented('linspace_cpu', dtype);
  return filledWith(linspaceValues(start, end, n, dtype), dtype, opts);
}

/** `torch.logspace(start, end, steps, base = 10)`: base ** linspace(start, end, steps). */
export function logspace(start: number, end: number, steps: number, ...rest: Array<number | (TensorOptions & { base?: number })>): Tensor {
  requireNumber('logspace', 'start', start);
  requireNumber('logspace', 'end', end);
  const n = checkSteps('logspace', steps);
  const opts = (typeof rest[0] === 'object' ? rest[0] : rest[1] ?? {}) as TensorOptions & { base?: number };
  const base = typeof rest[0] === 'number' ? rest[0] : opts.base ?? 10;
  const dtype = opts.dtype ?? getDefaultDtype();
  if (n >= 2 && dtype === 'bool') throw notImplemented('logspace_cpu', dtype);
  // Integer dtypes take double exponents between the truncated ends; floats stay in their dtype.
  const exponents = isFloatingPoint(dtype) || n < 2
    ? linspaceValues(start, end, n, dtype)
    : linspaceValues(Math.trunc(start), Math.trunc(end), n, 'float64');
  const values = exponents.map((x) => base ** x);
  return filledWith(values, dtype, opts);
}

/** `torch.eye(n, m = n)`: ones on the main diagonal. */
export function eye(n: number, ...rest: Array<number | TensorOptions>): Tensor {
  const m = typeof rest[0] === 'number' ? rest[0] : n;
  const opts = (typeof rest[0] === 'object' ? rest[0] : rest[1] ?? {}) as TensorOptions;
  if (typeof n !== 'number' || !Number.isInteger(n)) throw new TypeError(`eye(): argument 'n' must be int, not ${typeof n}`);
  if (typeof m !== 'number' || !Number.isInteger(m)) throw new TypeError(`eye(): argument 'm' must be int, not ${typeof m}`);
  if (n < 0) throw new RuntimeError(`n must be greater or equal to 0, got ${n}`);
  if (m < 0) throw new RuntimeError(`m must be greater or equal to 0, got ${m}`);
  const t = emptyTensor([n, m], opts.dtype ?? getDefaultDtype(), opts.device ?? 'cpu');
  if (t.numel() > 0) {
    fillOp.call(t, 0);
    const diag = asStridedOp.call(t, [Math.min(n, m)], [m + 1], 0);
    fillOp.call(diag, 1);
    diag.dispose();
  }
  return finish(t, opts);
}
