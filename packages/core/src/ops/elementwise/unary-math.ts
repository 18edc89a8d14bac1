/**
 * Unary math: exponentials and logarithms, powers and roots, trigonometric and hyperbolic
 * functions, the error functions, sigmoid/logit, sign and nanToNum. Integer and bool inputs of
 * the float-valued functions compute in the default float dtype, as in PyTorch.
 */
import type { DType } from '../../dtype.js';
import { isFloatingPoint } from '../../dtype.js';
import { erf as erfScalar, erfc as erfcScalar, erfinv as erfinvScalar, maxFinite } from '../../math.js';
import type { Tensor } from '../../tensor.js';
import { defineUnary } from './define.js';
import { aliasMethods } from './support.js';

type F1 = (x: number) => number;

function floatOp(name: string, fn: F1) {
  return defineUnary(name, { fn: fn as never, rule: 'float' });
}

export const exp = floatOp('exp', Math.exp);
export const exp2 = floatOp('exp2', (x) => 2 ** x);
export const expm1 = floatOp('expm1', Math.expm1);
export const log = floatOp('log', Math.log);
export const log2 = floatOp('log2', Math.log2);
export const log10 = floatOp('log10', Math.log10);
export const log1p = floatOp('log1p', Math.log1p);
export const sqrt = floatOp('sqrt', Math.sqrt);
export const rsqrt = floatOp('rsqrt', (x) => 1 / Math.sqrt(x));
export const reciprocal = floatOp('reciprocal', (x) => 1 / x);
export const sin = floatOp('sin', Math.sin);
export const cos = floatOp('cos', Math.cos);
export const tan = floatOp('tan', Math.tan);
export const asin = floatOp('asin', Math.asin);
export const acos = floatOp('acos', Math.acos);
export const atan = floatOp('atan', Math.atan);
export const sinh = floatOp('sinh', Math.sinh);
export const cosh = floatOp('cosh', Math.cosh);
export const tanh = floatOp('tanh', Math.tanh);
export const asinh = floatOp('asinh', Math.asinh);
export const acosh = floatOp('acosh', Math.acosh);
export const atanh = floatOp('atanh', Math.atanh);
export const erf = floatOp('erf', erfScalar);
export const erfc = floatOp('erfc', erfcScalar);
export const erfinv = floatOp('erfinv', erfinvScalar);
export const sigmoid = floatOp('sigmoid', (x) => 1 / (1 + Math.exp(-x)));
export const deg2rad = floatOp('deg2rad', (x) => x * (Math.PI / 180));
export const rad2deg = floatOp('rad2deg', (x) => x * (180 / Math.PI));

interface LogitParams {
  /** Negative: no clamping (PyTorch's eps=None). */
  eps: number;
  hi: number;
}
const NO_EPS: LogitParams = { eps: -1, hi: 2 };

export const logit = defineUnary('logit', {
  fn: ((x: number, p: LogitParams) => {
    const v = p.eps < 0 ? x : x < p.eps ? p.eps : x > p.hi ? p.hi : x;
    return Math.log(v / (1 - v));
  }) as never,
  rule: 'float',
  positional: ['eps'],
  params: (o) => {
    const eps = o?.eps;
    if (eps === undefined || eps === null) return NO_EPS;
    return { eps: eps as number, hi: 1 - (eps as number) };
  },
}) as (input: Tensor, eps?: number | null | { eps?: number | null }) => Tensor;

/** sign: -1, 0 or 1 in the input's dtype (NaN gives 0, as PyTorch's CPU kernel does). */
export const sign = defineUnary('sign', { fn: ((x: number) => (x > 0 ? 1 : x < 0 ? -1 : 0)) as never });
/** For real tensors sgn is sign. */
export const sgn = sign;

interface NanToNumParams {
  nan: number;
  posinf: number;
  neginf: number;
}

function nanToNumParams(o: Record<string, unknown> | undefined, dtype: DType): NanToNumParams {
  const max = isFloatingPoint(dtype) ? maxFinite(dtype) : 0;
  const pick = (v: unknown, dflt: number): number => (v === undefined || v === null ? dflt : (v as number));
  return { nan: pick(o?.nan, 0), posinf: pick(o?.posinf, max), neginf: pick(o?.neginf, -max) };
}

/** Replaces NaN, +inf and -inf (defaults: 0 and the dtype's largest/lowest finite values). */
export const nanToNum = defineUnary('nanToNum', {
  fn: ((x: number, p: NanToNumParams) => (x !== x ? p.nan : x === Infinity ? p.posinf : x === -Infinity ? p.neginf : x)) as never,
  intFn: ((x: number) => x) as never,
  positional: ['nan', 'posinf', 'neginf'],
  params: nanToNumParams,
}) as (input: Tensor, nan?: number | null | NanToNumOptions, posinf?: number | null, neginf?: number | null) => Tensor;

export interface NanToNumOptions {
  nan?: number | null;
  posinf?: number | null;
  neginf?: number | null;
}

// PyTorch's NumPy-style aliases.
export const arcsin = asin;
export const arccos = acos;
export const arctan = atan;
export const arcsinh = asinh;
export const arccosh = acosh;
export const arctanh = atanh;
for (const [alias, target] of [['arcsin', 'asin'], ['arccos', 'acos'], ['arctan', 'atan'], ['arcsinh', 'asinh'], ['arccosh', 'acosh'], ['arctanh', 'atanh'], ['sgn', 'sign']] as const) {
  aliasMethods(alias, target);
}

declare module '../../tensor.js' {
  interface Tensor {
    exp(): Tensor; exp_(): this;
    exp2(): Tensor; exp2_(): this;
    expm1(): Tensor; expm1_(): this;
    log(): Tensor; log_(): this;
    log2(): Tensor; log2_(): this;
    log10(): Tensor; log10_(): this;
    log1p(): Tensor; log1p_(): this;
    sqrt(): Tensor; sqrt_(): this;
    rsqrt(): Tensor; rsqrt_(): this;
    reciprocal(): Tensor; reciprocal_(): this;
    sin(): Tensor; sin_(): this;
    cos(): Tensor; cos_(): this;
    tan(): Tensor; tan_(): this;
    asin(): Tensor; asin_(): this;
    acos(): Tensor; acos_(): this;
    atan(): Tensor; atan_(): this;
    sinh(): Tensor; sinh_(): this;
    cosh(): Tensor; cosh_(): this;
    tanh(): Tensor; tanh_(): this;
    asinh(): Tensor; asinh_(): this;
    acosh(): Tensor; acosh_(): this;
    atanh(): Tensor; atanh_(): this;
    arcsin(): Tensor; arcsin_(): this;
    arccos(): Tensor; arccos_(): this;
    arctan(): Tensor; arctan_(): this;
    arcsinh(): Tensor; arcsinh_(): this;
    arccosh(): Tensor; arccosh_(): this;
    arctanh(): Tensor; arctanh_(): this;
    erf(): Tensor; erf_(): this;
    erfc(): Tensor; erfc_(): this;
    erfinv(): Tensor; erfinv_(): this;
    sigmoid(): Tensor; sigmoid_(): this;
    deg2rad(): Tensor; deg2rad_(): this;
    rad2deg(): Tensor; rad2deg_(): this;
    logit(eps?: number | null | { eps?: number | null }): Tensor;
    logit_(eps?: number | null | { eps?: number | null }): this;
    sign(): Tensor; sign_(): this;
    sgn(): Tensor; sgn_(): this;
    nanToNum(nan?: number | null | NanToNumOptions, posinf?: number | null, neginf?: number | null): Tensor;
    nanToNum_(nan?: number | null | NanToNumOptions, posinf?: number | null, neginf?: number | null): this;
  }
}
