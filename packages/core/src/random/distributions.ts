/**
 * Sampling from a Generator, following PyTorch's CPU distributions (ATen's DistributionsHelper.h,
 * TransformationHelper.h and cpu/DistributionTemplates.h) draw for draw, so seeded streams agree:
 * - uniform reals take the low `digits` bits of one 32-bit word (float32: 24, float16: 11,
 *   bfloat16: 8) or of one 64-bit pair (float64: 53) and scale them to [from, to);
 * - normals are Box-Muller: a vectorised fill of 16-value blocks for contiguous tensors of 16+
 *   elements, otherwise one double-precision pair at a time with the second value cached;
 * - integers are `word % range + base`, with a 64-bit word when the range needs it.
 * Samplers write values in the order elements are visited; kernels decide where they go.
 */
import type { DType } from '../dtype.js';
import { bfloat16ToFloat, floatToBfloat16, floatToHalf, halfToFloat } from '../dtypeio.js';
import type { Generator } from './generator.js';

const TWO32 = 4294967296;
const TWO_M53 = 2 ** -53;

/** Mantissa digits of a floating dtype (std::numeric_limits<T>::digits). */
export function floatDigits(dtype: DType): number {
  switch (dtype) {
    case 'float64': return 53;
    case 'float32': return 24;
    case 'float16': return 11;
    case 'bfloat16': return 8;
    default: throw new Error(`floatDigits: ${dtype} is not a floating dtype`);
  }
}

/** Rounds a double to the precision of `dtype` (identity for float64 and integers). */
export function roundTo(dtype: DType): (v: number) => number {
  switch (dtype) {
    case 'float32': return Math.fround;
    case 'float16': return (v) => halfToFloat(floatToHalf(v));
    case 'bfloat16': return (v) => bfloat16ToFloat(floatToBfloat16(v));
    default: return (v) => v;
  }
}

/** One uniform double in [0, 1) from a 64-bit pair (the high word comes first). */
export function uniformDouble(g: Generator): number {
  const hi = g.engine.nextU32();
  const lo = g.engine.nextU32();
  return ((hi & 0x1fffff) * TWO32 + lo) * TWO_M53;
}

/** One uniform float32 in [0, 1). */
export function uniformFloat(g: Generator): number {
  return (g.engine.nextU32() & 0xffffff) * 2 ** -24;
}

/** The next 64-bit word as an unsigned bigint (high word first, as PyTorch's random64). */
export function random64(g: Generator): bigint {
  const hi = g.engine.nextU32();
  const lo = g.engine.nextU32();
  return (BigInt(hi) << 32n) | BigInt(lo);
}

// Words as int32 bit patterns: masks read them directly, `>>> 0` gives the unsigned value.
let scratch = new Int32Array(1024);
function words(g: Generator, n: number): Int32Array {
  if (scratch.length < n) scratch = new Int32Array(Math.max(n, scratch.length * 2));
  g.engine.fillU32(scratch, n);
  return scratch;
}

type Out = { [i: number]: number; length: number };

/** `n` uniform values in [from, to) as `dtype` computes them (uniform_real_distribution<T>). */
export function fillUniform(g: Generator, dtype: DType, from: number, to: number, out: Out, off: number, n: number): void {
  if (dtype === 'float64') {
    const w = words(g, 2 * n);
    const span = to - from;
    for (let i = 0; i < n; i++) {
      const x = ((w[2 * i]! & 0x1fffff) * TWO32 + (w[2 * i + 1]! >>> 0)) * TWO_M53;
      out[off + i] = x * span + from;
    }
    return;
  }
  const digits = floatDigits(dtype);
  const mask = 2 ** digits - 1;
  const scale = 2 ** -digits;
  const round = roundTo(dtype);
  const f = round(from);
  const span = round(round(to) - f);
  const w = words(g, n);
  if (f === 0 && span === 1) {
    for (let i = 0; i < n; i++) out[off + i] = (w[i]! & mask) * scale;
  } else {
    for (let i = 0; i < n; i++) out[off + i] = (w[i]! & mask) * scale * span + f;
  }
}

/** One sample of normal_distribution<double>: Box-Muller pairs, the sine half cached on `g`. */
export function normalDouble(g: Generator, mean: number, std: number): number {
  const cached = g.nextDoubleNormal;
  if (cached !== null) {
    g.nextDoubleNormal = null;
    return cached * std + mean;
  }
  const u1 = uniformDouble(g);
  const u2 = uniformDouble(g);
  const r = Math.sqrt(-2 * Math.log(1 - u2));
  const theta = 2 * Math.PI * u1;
  g.nextDoubleNormal = r * Math.sin(theta);
  return r * Math.cos(theta) * std + mean;
}

/**
 * PyTorch's `normal_fill`, used for contiguous tensors of 16+ elements: uniforms for every
 * element, then Box-Muller over blocks of 16 (first half cosines, second half sines); a ragged
 * tail redraws the last 16 values. `out` holds the values in `dtype`'s precision.
 */
export function fillNormalBlocks(g: Generator, dtype: DType, mean: number, std: number, out: Out, off: number, n: number): void {
  fillUniform(g, dtype, 0, 1, out, off, n);
  for (let i = 0; i + 16 <= n; i += 16) boxMuller16(out, off + i, dtype, mean, std);
  if (n % 16 !== 0) {
    fillUniform(g, dtype, 0, 1, out, off + n - 16, 16);
    boxMuller16(out, off + n - 16, dtype, mean, std);
  }
}

const TWO_PI = 2 * Math.PI;

/** Box-Muller on out[b..b+16): u1 from the first half, u2 from the second (normal_fill_16). */
function boxMuller16(out: Out, b: number, dtype: DType, mean: number, std: number): void {
  if (dtype === 'float64') {
    for (let j = 0; j < 8; j++) {
      const radius = Math.sqrt(-2 * Math.log(1 - out[b + j]!));
      const theta = TWO_PI * out[b + j + 8]!;
      out[b + j] = radius * Math.cos(theta) * std + mean;
      out[b + j + 8] = radius * Math.sin(theta) * std + mean;
    }
    return;
  }
  // float32 and the half types compute in float (rounding each step as the C++ float code does).
  const fr = Math.fround;
  const round = dtype === 'float32' ? fr : roundTo(dtype);
  const m = round(mean);
  const s = round(std);
  for (let j = 0; j < 8; j++) {
    const radius = round(Math.sqrt(fr(-2 * fr(Math.log(round(1 - out[b + j]!))))));
    const theta = round(TWO_PI * out[b + j + 8]!);
    out[b + j] = round(radius * fr(Math.cos(theta)) * s + m);
    out[b + j + 8] = round(radius * fr(Math.sin(theta)) * s + m);
  }
}

/** `n` values of random_(from, to): `word % range + base`, a 64-bit word when the range needs one. */
export function fillRandomFromTo(g: Generator, dtype: DType, range: number, base: number, out: Out, off: number, n: number): void {
  const wide = range >= TWO32 && (dtype === 'int64' || dtype === 'float64' || dtype === 'float32' || dtype === 'bfloat16');
  if (!wide) {
    const w = words(g, n);
    for (let i = 0; i < n; i++) out[off + i] = ((w[i]! >>> 0) % range) + base;
    return;
  }
  const r = BigInt(range);
  const b = BigInt(base);
  for (let i = 0; i < n; i++) out[off + i] = Number((random64(g) % r) + b);
}

/**
 * 64-bit draws kept exact for int64 outputs: random_(from, to) with a range of 2^32 or more,
 * random_() on int64 (a word modulo 2^63) and the full int64 range (from = -2^63, to = None).
 */
export function fillRandomInt64(g: Generator, mode: 'fromTo' | 'default' | 'full', range: bigint, base: bigint, out: BigInt64Array, n: number): void {
  for (let i = 0; i < n; i++) {
    const v = random64(g);
    if (mode === 'fromTo') out[i] = BigInt.asIntN(64, (v % range) + base);
    else if (mode === 'default') out[i] = v & 0x7fffffffffffffffn;
    else out[i] = BigInt.asIntN(64, v);
  }
}

/** `n` values of random_() (no bounds) for a non-int64 dtype: [0, max] of integers, [0, 2^digits] of floats. */
export function fillRandomDefault(g: Generator, dtype: DType, out: Out, off: number, n: number): void {
  if (dtype === 'float64') {
    const m = (1n << 53n) + 1n;
    for (let i = 0; i < n; i++) out[off + i] = Number(random64(g) % m);
    return;
  }
  const modulus: Record<string, number> = {
    bool: 2, uint8: 256, int8: 128, int16: 32768, int32: 2147483648,
    float32: 2 ** 24 + 1, float16: 2 ** 11 + 1, bfloat16: 2 ** 8 + 1,
  };
  const mod = modulus[dtype]!;
  const w = words(g, n);
  for (let i = 0; i < n; i++) out[off + i] = (w[i]! >>> 0) % mod;
}

/** Inverse-CDF samplers on one double uniform each (exponential_, geometric_, cauchy_). */
export function exponentialDouble(g: Generator, lambda: number): number {
  return (-1 / lambda) * Math.log(1 - uniformDouble(g));
}

export function geometricDouble(g: Generator, p: number): number {
  return Math.ceil(Math.log(uniformDouble(g)) / Math.log(1 - p));
}

export function cauchyDouble(g: Generator, median: number, sigma: number): number {
  return median + sigma * Math.tan(Math.PI * (uniformDouble(g) - 0.5));
}

/** One Bernoulli draw: a double uniform for float64 probabilities, a float one otherwise. */
export function bernoulliDraw(g: Generator, p: number, doublePrecision: boolean): number {
  return (doublePrecision ? uniformDouble(g) : uniformFloat(g)) < p ? 1 : 0;
}
