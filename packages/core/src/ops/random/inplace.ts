/**
 * In-place random fills: uniform_, normal_, random_, bernoulli_, exponential_, geometric_,
 * cauchy_, logNormal_. Each validates as PyTorch does and hands the kernel the generator; kernels
 * draw in the tensor's memory order (PyTorch's TensorIterator order), so seeded results agree.
 *
 * Kernel signatures:
 *   uniform_     (self, from, to, generator)
 *   normal_      (self, mean, std, generator)
 *   random_      (self, spec: RandomSpec, generator)
 *   bernoulli_   (self, p: number | Tensor (expanded to self's shape, same device; the kernel checks
 *                 each probability is in [0, 1], as PyTorch's does), generator)
 *   exponential_ (self, lambd, generator)      geometric_ (self, p, generator)
 *   cauchy_      (self, median, sigma, generator)   log_normal_ (self, mean, std, generator)
 */
import type { DType } from '../../dtype.js';
import { isFloatingPoint } from '../../dtype.js';
import { defineOp, hooks } from '../../dispatcher.js';
import { RuntimeError } from '../../errors.js';
import { scalarTypeName } from '../../promotion.js';
import { Tensor } from '../../tensor.js';
import { defaultGenerator } from '../../random/generator.js';
import type { Generator } from '../../random/generator.js';
import { floatDigits, roundTo } from '../../random/distributions.js';
import { cppDouble } from '../../random/cppfmt.js';
import { expandOp } from '../view.js';
import type { GeneratorOptions } from './checks.js';
import { cppTypeName, dtypeLimits, notImplemented, positional, requireNumber } from './checks.js';

/** What random_ draws: `word % range + base`, the default per-dtype range, or all 64 bits. */
export type RandomSpec =
  | { mode: 'fromTo'; range: bigint; base: bigint }
  | { mode: 'default' }
  | { mode: 'full' };

function requireFloating(kernel: string, self: Tensor): void {
  if (!isFloatingPoint(self._dtype)) throw notImplemented(kernel, self._dtype);
}

function finishInplace(self: Tensor): Tensor {
  self._bumpVersion();
  return self;
}

export const uniformOp = defineOp('uniform_', (self: Tensor, from = 0, to = 1, gen?: Generator): Tensor => {
  requireFloating('check_uniform_bounds', self);
  const { min, max } = dtypeLimits(self._dtype);
  const type = cppTypeName(self._dtype);
  if (!(from >= min && from <= max)) throw new RuntimeError(`from is out of bounds for ${type}`);
  if (!(to >= min && to <= max)) throw new RuntimeError(`to is out of bounds for ${type}`);
  if (!(from <= to)) throw new RuntimeError(`uniform_ expects to return a [from, to) range, but found from=${cppDouble(from)} > to=${cppDouble(to)}`);
  if (!(to - from <= max)) {
    throw new RuntimeError(
      `uniform_ expects to-from <= std::numeric_limits<${scalarTypeName(self._dtype)}>::max(), but found to=${cppDouble(to)} and from=${cppDouble(from)} which result in to-from to exceed the limit`,
    );
  }
  if (self.numel() > 0) uniformOp.kernel(self.device)(self, from, to, gen ?? defaultGenerator);
  return finishInplace(self);
}, { inplace: true });

export const normalOp = defineOp('normal_', (self: Tensor, mean = 0, std = 1, gen?: Generator): Tensor => {
  if (!(std >= 0)) throw new RuntimeError(`normal expects std >= 0.0, but found std ${cppDouble(std)}`);
  requireFloating('normal_kernel_cpu', self);
  if (self.numel() > 0) normalOp.kernel(self.device)(self, mean, std, gen ?? defaultGenerator);
  return finishInplace(self);
}, { inplace: true });

const INT64_MIN = -(1n << 63n);
const warnedBounds = new Set<string>();

/** PyTorch's update_from/update_to: moves a bound that the float dtype rounds past it. */
function castThroughFloat(v: bigint, dtype: DType): bigint {
  const r = roundTo(dtype)(Number(v));
  // A float past int64's range casts to INT64_MIN on x86 (what PyTorch's CPU build does).
  if (!(Math.abs(r) < 2 ** 63)) return INT64_MIN;
  return BigInt(Math.trunc(r));
}
function bitLength(v: bigint): number {
  let n = 0;
  for (let x = v < 0n ? -v : v; (x >>= 1n) > 0n;) n++;
  return n;
}
function updateFrom(from: bigint, dtype: DType): bigint {
  const plus1 = castThroughFloat(from + 1n, dtype);
  if (plus1 < from) return plus1 + (1n << BigInt(bitLength(from + 1n) - floatDigits(dtype) + 1));
  return from;
}
function updateTo(to: bigint, dtype: DType): bigint {
  const minus1 = castThroughFloat(to - 1n, dtype);
  if (minus1 >= to) return minus1 - (1n << BigInt(bitLength(to - 1n) - floatDigits(dtype) + 1));
  return to;
}

function checkFromToInRange(from: bigint, toInc: bigint, dtype: DType): void {
  const { min, max } = dtypeLimits(dtype);
  const type = cppTypeName(dtype);
  const inRange = (v: bigint) => (isFloatingPoint(dtype) ? Number(v) >= min && Number(v) <= max : v >= BigInt(min) && v <= BigInt(max));
  if (!inRange(from)) throw new RuntimeError(`from is out of bounds for ${type}`);
  if (!inRange(toInc)) throw new RuntimeError(`to - 1 is out of bounds for ${type}`);
  if (isFloatingPoint(dtype)) {
    const digits = floatDigits(dtype);
    const lim = 1n << BigInt(digits);
    for (const [v, name] of [[from, 'from'], [toInc, 'to - 1']] as const) {
      if (v < -lim || v > lim) {
        const msg = `${name} is out of bounds [-(2^${digits}), 2^${digits}]. Due to precision limitations ${type} can support discrete uniform distribution only within this range.`;
        if (!warnedBounds.has(msg)) {
          warnedBounds.add(msg);
          console.warn(`torchts: ${msg}`);
        }
      }
    }
  }
}

function toBig(name: string, v: unknown): bigint {
  if (typeof v === 'bigint') return v;
  if (typeof v === 'number' && Number.isInteger(v)) return BigInt(v);
  throw new TypeError(`random_(): argument '${name}' must be int, not ${typeof v === 'number' ? 'float' : typeof v}`);
}

/** random_(), random_(to), random_(from, to), random_(from, null) (to the dtype's maximum). */
export const randomOp = defineOp('random_', (self: Tensor, from: number | bigint | null | undefined, to: number | bigint | null | undefined, gen?: Generator): Tensor => {
  const dtype = self._dtype;
  let spec: RandomSpec;
  if (from === undefined || from === null) {
    if (to !== undefined && to !== null) throw new TypeError("random_(): 'from' is required when 'to' is given");
    spec = { mode: 'default' };
  } else if (to !== undefined && to !== null) {
    let f = toBig('from', from);
    let t = toBig('to', to);
    if (!(f < t)) throw new RuntimeError(`random_ expects 'from' to be less than 'to', but got from=${f} >= to=${t}`);
    if (isFloatingPoint(dtype)) {
      f = updateFrom(f, dtype);
      t = updateTo(t, dtype);
      if (!(f < t)) throw new RuntimeError(`random_ expects 'from' casted to dtype to be less than 'to' casted to dtype, but got from=${f} >= to=${t}`);
    }
    checkFromToInRange(f, t - 1n, dtype);
    spec = { mode: 'fromTo', range: t - f, base: f };
  } else {
    let f = toBig('from', from);
    if (f === INT64_MIN) {
      if (!['int64', 'float64', 'float32', 'bfloat16'].includes(dtype)) {
        throw new RuntimeError('random_full_64_bits_range_kernel_cpu handles only int64, double, float and bfloat16');
      }
      spec = { mode: 'full' };
    } else {
      let toInc: bigint;
      if (isFloatingPoint(dtype)) {
        toInc = 1n << BigInt(floatDigits(dtype));
        f = updateFrom(f, dtype);
        if (!(f < toInc)) {
          throw new RuntimeError(`random_ expects 'from' casted to dtype to be less than or equal to 'to_inc' casted to dtype, but got from=${f} > to_inc=${toInc}`);
        }
      } else {
        toInc = dtype === 'int64' ? (1n << 63n) - 1n : BigInt(dtypeLimits(dtype).max);
      }
      checkFromToInRange(f, toInc, dtype);
      spec = { mode: 'fromTo', range: toInc - f + 1n, base: f };
    }
  }
  if (self.numel() > 0) randomOp.kernel(self.device)(self, spec, gen ?? defaultGenerator);
  return finishInplace(self);
}, { inplace: true });

export const bernoulliOp = defineOp('bernoulli_', (self: Tensor, p: number | Tensor = 0.5, gen?: Generator): Tensor => {
  if (p instanceof Tensor) {
    if (self._dtype === 'float16') throw notImplemented('bernoulli_tensor_cpu_self_', self._dtype);
    if (!isFloatingPoint(p._dtype) || p._dtype === 'float16') throw notImplemented('bernoulli_tensor_cpu_p_', p._dtype);
    let probs = p;
    if (probs.device !== self.device) probs = hooks.toDevice(probs, self.device) as Tensor;
    const expanded = expandOp.call(probs, [...self._shape]);
    try {
      if (self.numel() > 0) bernoulliOp.kernel(self.device)(self, expanded, gen ?? defaultGenerator);
    } finally {
      expanded.dispose();
      if (probs !== p) probs.dispose();
    }
    return finishInplace(self);
  }
  requireNumber('bernoulli_', 'p', p);
  if (!(p >= 0 && p <= 1)) throw new RuntimeError(`bernoulli_ expects p to be in [0, 1], but got p=${cppDouble(p)}`);
  if (self._dtype === 'float16') throw notImplemented('bernoulli_scalar_cpu_', self._dtype);
  if (self.numel() > 0) bernoulliOp.kernel(self.device)(self, p, gen ?? defaultGenerator);
  return finishInplace(self);
}, { inplace: true });

export const exponentialOp = defineOp('exponential_', (self: Tensor, lambd = 1, gen?: Generator): Tensor => {
  if (!(lambd >= 0)) throw new RuntimeError(`exponential_ expects lambda >= 0.0, but found lambda=${cppDouble(lambd)}`);
  requireFloating('exponential_cpu', self);
  if (self.numel() > 0) exponentialOp.kernel(self.device)(self, lambd, gen ?? defaultGenerator);
  return finishInplace(self);
}, { inplace: true });

export const geometricOp = defineOp('geometric_', (self: Tensor, p: number, gen?: Generator): Tensor => {
  if (!(p > 0 && p < 1)) throw new RuntimeError(`geometric_ expects p to be in (0, 1), but got p=${cppDouble(p)}`);
  if (self._dtype === 'bool') throw notImplemented('geometric_cpu', self._dtype);
  if (self.numel() > 0) geometricOp.kernel(self.device)(self, p, gen ?? defaultGenerator);
  return finishInplace(self);
}, { inplace: true });

export const cauchyOp = defineOp('cauchy_', (self: Tensor, median = 0, sigma = 1, gen?: Generator): Tensor => {
  requireFloating('cauchy_cpu', self);
  if (self.numel() > 0) cauchyOp.kernel(self.device)(self, median, sigma, gen ?? defaultGenerator);
  return finishInplace(self);
}, { inplace: true });

export const logNormalOp = defineOp('log_normal_', (self: Tensor, mean = 1, std = 2, gen?: Generator): Tensor => {
  if (!(std > 0)) throw new RuntimeError(`log_normal_ expects std > 0.0, but found std=${cppDouble(std)}`);
  requireFloating('log_normal_cpu', self);
  if (self.numel() > 0) logNormalOp.kernel(self.device)(self, mean, std, gen ?? defaultGenerator);
  return finishInplace(self);
}, { inplace: true });

// ---- methods -------------------------------------------------------------------------------

type Opt = GeneratorOptions;

declare module '../../tensor.js' {
  interface Tensor {
    /** Fills with U[from, to). */
    uniform_(from?: number, to?: number, opts?: Opt): this;
    uniform_(opts: Opt & { from?: number; to?: number }): this;
    normal_(mean?: number, std?: number, opts?: Opt): this;
    normal_(opts: Opt & { mean?: number; std?: number }): this;
    /** random_() draws [0, max of the dtype]; random_(to) [0, to); random_(from, to) [from, to); random_(from, null) [from, max]. */
    random_(opts?: Opt & { from?: number | bigint | null; to?: number | bigint | null }): this;
    random_(to: number | bigint, opts?: Opt): this;
    random_(from: number | bigint, to: number | bigint | null, opts?: Opt): this;
    bernoulli_(p?: number | Tensor, opts?: Opt): this;
    exponential_(lambd?: number, opts?: Opt): this;
    geometric_(p: number, opts?: Opt): this;
    cauchy_(median?: number, sigma?: number, opts?: Opt): this;
    logNormal_(mean?: number, std?: number, opts?: Opt): this;
  }
}

const proto = Tensor.prototype as unknown as Record<string, unknown>;

function num(op: string, name: string, v: unknown, dflt: number): number {
  return v === undefined ? dflt : requireNumber(op, name, v);
}

proto.uniform_ = function (this: Tensor, ...args: unknown[]) {
  const { values: [a, b], gen } = positional(args, ['from', 'to']);
  return uniformOp.call(this, num('uniform_', 'from', a, 0), num('uniform_', 'to', b, 1), gen);
};
proto.normal_ = function (this: Tensor, ...args: unknown[]) {
  const { values: [m, s], gen } = positional(args, ['mean', 'std']);
  return normalOp.call(this, num('normal_', 'mean', m, 0), num('normal_', 'std', s, 1), gen);
};
proto.random_ = function (this: Tensor, ...args: unknown[]) {
  const { values: [a, b], count, opts, gen } = positional(args, ['from', 'to']);
  // random_(to), or only `to` given: the bound is the exclusive upper one, from 0.
  if ((count === 1 && !('to' in opts)) || (count === 0 && b !== undefined && a === undefined)) {
    return randomOp.call(this, 0, (count === 1 ? a : b) as number, gen);
  }
  return randomOp.call(this, a as number | null, b as number | null, gen);
};
proto.bernoulli_ = function (this: Tensor, ...args: unknown[]) {
  const { values: [p], gen } = positional(args, ['p']);
  return bernoulliOp.call(this, (p ?? 0.5) as number | Tensor, gen);
};
proto.exponential_ = function (this: Tensor, ...args: unknown[]) {
  const { values: [l], gen } = positional(args, ['lambd']);
  return exponentialOp.call(this, num('exponential_', 'lambd', l, 1), gen);
};
proto.geometric_ = function (this: Tensor, ...args: unknown[]) {
  const { values: [p], gen } = positional(args, ['p']);
  return geometricOp.call(this, requireNumber('geometric_', 'p', p), gen);
};
proto.cauchy_ = function (this: Tensor, ...args: unknown[]) {
  const { values: [m, s], gen } = positional(args, ['median', 'sigma']);
  return cauchyOp.call(this, num('cauchy_', 'median', m, 0), num('cauchy_', 'sigma', s, 1), gen);
};
proto.logNormal_ = function (this: Tensor, ...args: unknown[]) {
  const { values: [m, s], gen } = positional(args, ['mean', 'std']);
  return logNormalOp.call(this, num('logNormal_', 'mean', m, 1), num('logNormal_', 'std', s, 2), gen);
};
