// Elementwise float32/float64 kernels (comparisons write bool bytes) over a two-level walk that the TS side gets by coalescing
// dims (src/wasm/elementwise.ts): `rows` rows of `len` elements; the output row r starts at
// o + r * ors and is contiguous; operand x's element (r, i) is at x + r * xrs + i * xcs with
// xcs 1 (a full row) or 0 (a broadcast value: scalars and column vectors). Row-broadcast operands
// (a bias) have xrs = 0. Results are bit-identical to the TS kernels: + - * / rounded once, relu
// as `x < 0 ? 0 : x` (NaN and -0 kept), neg and abs as sign-bit operations.

import { erfF64, expm1F64, geluF64, geluTanhF64 } from './vmath-special';
import { expF32, expF64, expm1F32, log1pF32, log1pF64, logF32, logF64, sigmoidF32, sigmoidF64, siluF32, siluF64, softplusF32, softplusF64, tanhF32, tanhF64 } from './vmath';

// Binary op codes (the TS side uses the same numbers). MAX/MIN are Math.max/min (NaN wins, +0 > -0);
// ADD_ALPHA/SUB_ALPHA are x +- alpha * y evaluated in float64 as the TS kernel does (float32 lanes
// are widened, computed and rounded once, so the results stay bit-identical).
const ADD = 0, SUB = 1, MUL = 2, DIV = 3, MAX = 4, MIN = 5, ADD_ALPHA = 6, SUB_ALPHA = 7;
// threshold_backward(self, grad): grad where !(self <= alpha), else 0 (relu's gradient).
const THRESHOLD_BACKWARD = 8;
// Operand kinds: the element type T itself, or bool/uint8 bytes converted to T on load.
const SAME = 0, BYTE = 1;
// Unary op codes.
const RELU = 0, NEG = 1, ABS = 2, EXP = 3, LOG = 4, TANH = 5, SIGMOID = 6, SQRT = 7, RSQRT = 8, SILU = 9, RECIPROCAL = 10,
  SQUARE = 11, CLAMP = 12, LEAKY_RELU = 13, CLAMP_FAST = 14, SOFTPLUS = 15, EXPM1 = 16, LOG1P = 17, ERF = 18, GELU = 19, GELU_TANH = 20;

/** Float32 lanes widened to float64 (low pair, high pair) and the two halves rounded back. */
// @ts-ignore: decorator
@inline export function lo64(x: v128): v128 {
  return f64x2.promote_low_f32x4(x);
}
// @ts-ignore: decorator
@inline export function hi64(x: v128): v128 {
  return f64x2.promote_low_f32x4(i64x2.shuffle(x, x, 1, 1));
}
// @ts-ignore: decorator
@inline export function join32(lo: v128, hi: v128): v128 {
  return i64x2.shuffle(f32x4.demote_f64x2_zero(lo), f32x4.demote_f64x2_zero(hi), 0, 2);
}

/** x + alpha * y (sub: x - alpha * y) in float64 lanes, two roundings as in the TS kernel. */
// @ts-ignore: decorator
@inline function axpy64(sub: bool, x: v128, y: v128, alpha: v128): v128 {
  const t = f64x2.mul(alpha, y);
  return sub ? f64x2.sub(x, t) : f64x2.add(x, t);
}

// @ts-ignore: decorator
@inline function bin<T>(op: i32, x: v128, y: v128, alpha: v128): v128 {
  if (sizeof<T>() == 4) {
    if (op == ADD) return f32x4.add(x, y);
    if (op == SUB) return f32x4.sub(x, y);
    if (op == MUL) return f32x4.mul(x, y);
    if (op == DIV) return f32x4.div(x, y);
    if (op == MAX) return f32x4.max(x, y);
    if (op == MIN) return f32x4.min(x, y);
    if (op == THRESHOLD_BACKWARD) return v128.andnot(y, f32x4.le(x, alpha)); // alpha: f32 lanes here
    const sub = op == SUB_ALPHA;
    return join32(axpy64(sub, lo64(x), lo64(y), alpha), axpy64(sub, hi64(x), hi64(y), alpha));
  }
  if (op == ADD) return f64x2.add(x, y);
  if (op == SUB) return f64x2.sub(x, y);
  if (op == MUL) return f64x2.mul(x, y);
  if (op == DIV) return f64x2.div(x, y);
  if (op == MAX) return f64x2.max(x, y);
  if (op == MIN) return f64x2.min(x, y);
  if (op == THRESHOLD_BACKWARD) return v128.andnot(y, f64x2.le(x, alpha));
  return axpy64(op == SUB_ALPHA, x, y, alpha);
}

/** The vector op on lane 0 (tails give exactly what the vector body gives). */
// @ts-ignore: decorator
@inline function binScalar<T>(op: i32, x: T, y: T, alpha: v128): T {
  if (sizeof<T>() == 4) return <T>f32x4.extract_lane(bin<T>(op, f32x4.splat(<f32>x), f32x4.splat(<f32>y), alpha), 0);
  return <T>f64x2.extract_lane(bin<T>(op, f64x2.splat(<f64>x), f64x2.splat(<f64>y), alpha), 0);
}

// @ts-ignore: decorator
@inline export function splat<T>(p: usize): v128 {
  return sizeof<T>() == 4 ? v128.load32_splat(p) : v128.load64_splat(p);
}

// @ts-ignore: decorator
@inline function splatT<T>(v: T): v128 {
  return sizeof<T>() == 4 ? f32x4.splat(<f32>v) : f64x2.splat(<f64>v);
}

/** Element i of an operand of the given kind, as T. */
// @ts-ignore: decorator
@inline function ld<T>(kind: i32, p: usize, i: usize): T {
  return kind == BYTE ? <T>load<u8>(p + i) : load<T>(p + i * sizeof<T>());
}

/** The vector of elements i.. of an operand of the given kind (bytes widened and converted). */
// @ts-ignore: decorator
@inline function ldv<T>(kind: i32, p: usize, i: usize): v128 {
  if (kind == SAME) return v128.load(p + i * sizeof<T>());
  if (sizeof<T>() == 4) return f32x4.convert_i32x4_u(i32x4.extend_low_i16x8_u(i16x8.extend_low_i8x16_u(v128.load32_zero(p + i))));
  return f64x2.convert_low_i32x4_u(i32x4.extend_low_i16x8_u(i16x8.extend_low_i8x16_u(v128.load16_splat(p + i))));
}

/** One row: o[i] = a[i * acs] op b[i * bcs], with acs, bcs and the kinds constant after inlining. */
// @ts-ignore: decorator
@inline function binRow<T>(op: i32, o: usize, a: usize, acs: i32, ak: i32, b: usize, bcs: i32, bk: i32, len: i32, alpha: v128): void {
  const sz = sizeof<T>();
  const lanes = 16 / <i32>sz;
  let i = 0;
  const av = acs == 0 ? splatT<T>(ld<T>(ak, a, 0)) : v128.splat<i32>(0);
  const bv = bcs == 0 ? splatT<T>(ld<T>(bk, b, 0)) : v128.splat<i32>(0);
  for (; i + 2 * lanes <= len; i += 2 * lanes) {
    const e = <usize>i, off = e * sz;
    const x0 = acs == 0 ? av : ldv<T>(ak, a, e), x1 = acs == 0 ? av : ldv<T>(ak, a, e + lanes);
    const y0 = bcs == 0 ? bv : ldv<T>(bk, b, e), y1 = bcs == 0 ? bv : ldv<T>(bk, b, e + lanes);
    v128.store(o + off, bin<T>(op, x0, y0, alpha));
    v128.store(o + off, bin<T>(op, x1, y1, alpha), 16);
  }
  for (; i < len; i++) {
    const e = <usize>i;
    store<T>(o + e * sz, binScalar<T>(op, ld<T>(ak, a, acs == 0 ? 0 : e), ld<T>(bk, b, bcs == 0 ? 0 : e), alpha));
  }
}

// @ts-ignore: decorator
@inline function binaryKinds<T>(
  op: i32, rows: i32, len: i32, o: usize, ors: usize, a: usize, ars: usize, acs: i32, ak: i32, b: usize, brs: usize, bcs: i32, bk: i32,
  alpha: v128,
): void {
  const sz = sizeof<T>();
  const asz: usize = ak == BYTE ? 1 : sz, bsz: usize = bk == BYTE ? 1 : sz;
  for (let r = 0; r < rows; r++) {
    if (acs == 1 && bcs == 1) binRow<T>(op, o, a, 1, ak, b, 1, bk, len, alpha);
    else if (acs == 1) binRow<T>(op, o, a, 1, ak, b, 0, bk, len, alpha);
    else binRow<T>(op, o, a, 0, ak, b, 1, bk, len, alpha);
    o += ors * sz;
    a += ars * asz;
    b += brs * bsz;
  }
}

// @ts-ignore: decorator
@inline function binary<T>(
  op: i32, rows: i32, len: i32, o: usize, ors: usize, a: usize, ars: usize, acs: i32, ak: i32, b: usize, brs: usize, bcs: i32, bk: i32,
  alpha: v128,
): void {
  if (ak == BYTE) binaryKinds<T>(op, rows, len, o, ors, a, ars, acs, BYTE, b, brs, bcs, SAME, alpha);
  else if (bk == BYTE) binaryKinds<T>(op, rows, len, o, ors, a, ars, acs, SAME, b, brs, bcs, BYTE, alpha);
  else binaryKinds<T>(op, rows, len, o, ors, a, ars, acs, SAME, b, brs, bcs, SAME, alpha);
}

// One function per op, as for the unary ops below (folded switch arms test the op per vector).
function binaryAdd<T>(rows: i32, len: i32, o: usize, ors: usize, a: usize, ars: usize, acs: i32, ak: i32, b: usize, brs: usize, bcs: i32, bk: i32, al: v128): void { binary<T>(ADD, rows, len, o, ors, a, ars, acs, ak, b, brs, bcs, bk, al); }
function binarySub<T>(rows: i32, len: i32, o: usize, ors: usize, a: usize, ars: usize, acs: i32, ak: i32, b: usize, brs: usize, bcs: i32, bk: i32, al: v128): void { binary<T>(SUB, rows, len, o, ors, a, ars, acs, ak, b, brs, bcs, bk, al); }
function binaryMul<T>(rows: i32, len: i32, o: usize, ors: usize, a: usize, ars: usize, acs: i32, ak: i32, b: usize, brs: usize, bcs: i32, bk: i32, al: v128): void { binary<T>(MUL, rows, len, o, ors, a, ars, acs, ak, b, brs, bcs, bk, al); }
function binaryDiv<T>(rows: i32, len: i32, o: usize, ors: usize, a: usize, ars: usize, acs: i32, ak: i32, b: usize, brs: usize, bcs: i32, bk: i32, al: v128): void { binary<T>(DIV, rows, len, o, ors, a, ars, acs, ak, b, brs, bcs, bk, al); }
function binaryMax<T>(rows: i32, len: i32, o: usize, ors: usize, a: usize, ars: usize, acs: i32, ak: i32, b: usize, brs: usize, bcs: i32, bk: i32, al: v128): void { binary<T>(MAX, rows, len, o, ors, a, ars, acs, ak, b, brs, bcs, bk, al); }
function binaryMin<T>(rows: i32, len: i32, o: usize, ors: usize, a: usize, ars: usize, acs: i32, ak: i32, b: usize, brs: usize, bcs: i32, bk: i32, al: v128): void { binary<T>(MIN, rows, len, o, ors, a, ars, acs, ak, b, brs, bcs, bk, al); }
function binaryAddAlpha<T>(rows: i32, len: i32, o: usize, ors: usize, a: usize, ars: usize, acs: i32, ak: i32, b: usize, brs: usize, bcs: i32, bk: i32, al: v128): void { binary<T>(ADD_ALPHA, rows, len, o, ors, a, ars, acs, ak, b, brs, bcs, bk, al); }
function binarySubAlpha<T>(rows: i32, len: i32, o: usize, ors: usize, a: usize, ars: usize, acs: i32, ak: i32, b: usize, brs: usize, bcs: i32, bk: i32, al: v128): void { binary<T>(SUB_ALPHA, rows, len, o, ors, a, ars, acs, ak, b, brs, bcs, bk, al); }
function binaryThresholdBackward<T>(rows: i32, len: i32, o: usize, ors: usize, a: usize, ars: usize, acs: i32, ak: i32, b: usize, brs: usize, bcs: i32, bk: i32, al: v128): void { binary<T>(THRESHOLD_BACKWARD, rows, len, o, ors, a, ars, acs, ak, b, brs, bcs, bk, al); }

// @ts-ignore: decorator
@inline function binaryDispatch<T>(
  op: i32, rows: i32, len: i32, o: usize, ors: usize, a: usize, ars: usize, acs: i32, ak: i32, b: usize, brs: usize, bcs: i32, bk: i32,
  alpha: f64,
): void {
  // The threshold compares in T's lanes; the alpha ops scale in float64 lanes.
  const al = sizeof<T>() == 4 && op == THRESHOLD_BACKWARD ? f32x4.splat(<f32>alpha) : f64x2.splat(alpha);
  switch (op) {
    case ADD: binaryAdd<T>(rows, len, o, ors, a, ars, acs, ak, b, brs, bcs, bk, al); break;
    case SUB: binarySub<T>(rows, len, o, ors, a, ars, acs, ak, b, brs, bcs, bk, al); break;
    case MUL: binaryMul<T>(rows, len, o, ors, a, ars, acs, ak, b, brs, bcs, bk, al); break;
    case DIV: binaryDiv<T>(rows, len, o, ors, a, ars, acs, ak, b, brs, bcs, bk, al); break;
    case MAX: binaryMax<T>(rows, len, o, ors, a, ars, acs, ak, b, brs, bcs, bk, al); break;
    case MIN: binaryMin<T>(rows, len, o, ors, a, ars, acs, ak, b, brs, bcs, bk, al); break;
    case ADD_ALPHA: binaryAddAlpha<T>(rows, len, o, ors, a, ars, acs, ak, b, brs, bcs, bk, al); break;
    case THRESHOLD_BACKWARD: binaryThresholdBackward<T>(rows, len, o, ors, a, ars, acs, ak, b, brs, bcs, bk, al); break;
    default: binarySubAlpha<T>(rows, len, o, ors, a, ars, acs, ak, b, brs, bcs, bk, al); break;
  }
}

/**
 * o = a op b over the two-level walk; ak/bk say whether an operand is T (0) or bool/uint8 bytes
 * (1, strides in bytes); alpha is used by ADD_ALPHA/SUB_ALPHA only.
 */
export function binaryF32(op: i32, rows: i32, len: i32, o: usize, ors: usize, a: usize, ars: usize, acs: i32, ak: i32, b: usize, brs: usize,
  bcs: i32, bk: i32, alpha: f64): void {
  binaryDispatch<f32>(op, rows, len, o, ors, a, ars, acs, ak, b, brs, bcs, bk, alpha);
}

export function binaryF64(op: i32, rows: i32, len: i32, o: usize, ors: usize, a: usize, ars: usize, acs: i32, ak: i32, b: usize, brs: usize,
  bcs: i32, bk: i32, alpha: f64): void {
  binaryDispatch<f64>(op, rows, len, o, ors, a, ars, acs, ak, b, brs, bcs, bk, alpha);
}

// ---- unary -------------------------------------------------------------------------------------

/** Float32 lanes through a float64 computation rounded once, as the TS kernel evaluates them. */
// @ts-ignore: decorator
@inline function rsqrt64(x: v128): v128 {
  return f64x2.div(f64x2.splat(1), f64x2.sqrt(x));
}

/** x > 0 ? x : x * slope, the product in float64 (slope is a float64 parameter). */
// @ts-ignore: decorator
@inline function leaky64(x: v128, slope: v128): v128 {
  return v128.bitselect(x, f64x2.mul(x, slope), f64x2.gt(x, f64x2.splat(0)));
}

// CLAMP is Math.min(Math.max(x, lo), hi) with wasm's min/max (NaN wins, -0 < +0: several
// instructions each in V8); CLAMP_FAST uses pmin/pmax (one instruction), which agree with them
// when neither bound is NaN or zero (the TS side picks it then).

/** Unary op on a vector; q0/q1 are the parameters as T lanes (clamp bounds), d0 the first as float64. */
// @ts-ignore: decorator
@inline function un<T>(op: i32, x: v128, q0: v128, q1: v128, d0: v128): v128 {
  if (sizeof<T>() == 4) {
    if (op == RELU) return v128.bitselect(f32x4.splat(0), x, f32x4.lt(x, f32x4.splat(0)));
    if (op == NEG) return f32x4.neg(x);
    if (op == ABS) return f32x4.abs(x);
    if (op == EXP) return expF32(x);
    if (op == LOG) return logF32(x);
    if (op == TANH) return tanhF32(x);
    if (op == SIGMOID) return sigmoidF32(x);
    if (op == SQRT) return f32x4.sqrt(x);
    if (op == RSQRT) return join32(rsqrt64(lo64(x)), rsqrt64(hi64(x)));
    if (op == SILU) return siluF32(x);
    if (op == RECIPROCAL) return f32x4.div(f32x4.splat(1), x);
    if (op == SQUARE) return f32x4.mul(x, x);
    if (op == CLAMP) return f32x4.min(f32x4.max(x, q0), q1);
    if (op == CLAMP_FAST) return f32x4.pmin(f32x4.pmax(x, q0), q1);
    if (op == SOFTPLUS) return softplusF32(x, q0);
    if (op == EXPM1) return expm1F32(x);
    if (op == LOG1P) return log1pF32(x);
    // Evaluated in float64 lanes and rounded once (within 1 ulp of the TS kernel's float64 result).
    if (op == ERF) return join32(erfF64(lo64(x)), erfF64(hi64(x)));
    if (op == GELU) return join32(geluF64(lo64(x)), geluF64(hi64(x)));
    if (op == GELU_TANH) return join32(geluTanhF64(lo64(x)), geluTanhF64(hi64(x)));
    return join32(leaky64(lo64(x), d0), leaky64(hi64(x), d0));
  }
  if (op == RELU) return v128.bitselect(f64x2.splat(0), x, f64x2.lt(x, f64x2.splat(0)));
  if (op == NEG) return f64x2.neg(x);
  if (op == ABS) return f64x2.abs(x);
  if (op == EXP) return expF64(x);
  if (op == LOG) return logF64(x);
  if (op == TANH) return tanhF64(x);
  if (op == SIGMOID) return sigmoidF64(x);
  if (op == SQRT) return f64x2.sqrt(x);
  if (op == RSQRT) return rsqrt64(x);
  if (op == SILU) return siluF64(x);
  if (op == RECIPROCAL) return f64x2.div(f64x2.splat(1), x);
  if (op == SQUARE) return f64x2.mul(x, x);
  if (op == CLAMP) return f64x2.min(f64x2.max(x, q0), q1);
  if (op == CLAMP_FAST) return f64x2.pmin(f64x2.pmax(x, q0), q1);
  if (op == SOFTPLUS) return softplusF64(x, q0);
  if (op == EXPM1) return expm1F64(x);
  if (op == LOG1P) return log1pF64(x);
  if (op == ERF) return erfF64(x);
  if (op == GELU) return geluF64(x);
  if (op == GELU_TANH) return geluTanhF64(x);
  return leaky64(x, d0);
}

// @ts-ignore: decorator
@inline function unary<T>(op: i32, rows: i32, len: i32, o: usize, ors: usize, a: usize, ars: usize, p0: f64, p1: f64): void {
  const sz = sizeof<T>();
  const lanes = 16 / <i32>sz;
  const q0 = splatT<T>(<T>p0), q1 = splatT<T>(<T>p1), d0 = f64x2.splat(p0);
  for (let r = 0; r < rows; r++) {
    let i = 0;
    for (; i + 2 * lanes <= len; i += 2 * lanes) {
      const off = <usize>i * sz;
      v128.store(o + off, un<T>(op, v128.load(a + off), q0, q1, d0));
      v128.store(o + off, un<T>(op, v128.load(a + off, 16), q0, q1, d0), 16);
    }
    // Tails: the vector op on lane 0, so they give exactly what the vector body gives.
    for (; i < len; i++) {
      const off = <usize>i * sz;
      const v = un<T>(op, splatT<T>(load<T>(a + off)), q0, q1, d0);
      if (sz == 4) store<f32>(o + off, f32x4.extract_lane(v, 0));
      else store<f64>(o + off, f64x2.extract_lane(v, 0));
    }
    o += ors * sz;
    a += ars * sz;
  }
}

// One function per op (not inlined): Binaryen's code folding merges switch arms that differ only
// in a constant back into one loop that tests the op for every vector (exp ran 2x, clamp 3x
// slower than in their own loops), but it cannot fold calls of different functions.
function unaryRelu<T>(rows: i32, len: i32, o: usize, ors: usize, a: usize, ars: usize, p0: f64, p1: f64): void { unary<T>(RELU, rows, len, o, ors, a, ars, p0, p1); }
function unaryNeg<T>(rows: i32, len: i32, o: usize, ors: usize, a: usize, ars: usize, p0: f64, p1: f64): void { unary<T>(NEG, rows, len, o, ors, a, ars, p0, p1); }
function unaryAbs<T>(rows: i32, len: i32, o: usize, ors: usize, a: usize, ars: usize, p0: f64, p1: f64): void { unary<T>(ABS, rows, len, o, ors, a, ars, p0, p1); }
function unaryExp<T>(rows: i32, len: i32, o: usize, ors: usize, a: usize, ars: usize, p0: f64, p1: f64): void { unary<T>(EXP, rows, len, o, ors, a, ars, p0, p1); }
function unaryLog<T>(rows: i32, len: i32, o: usize, ors: usize, a: usize, ars: usize, p0: f64, p1: f64): void { unary<T>(LOG, rows, len, o, ors, a, ars, p0, p1); }
function unaryTanh<T>(rows: i32, len: i32, o: usize, ors: usize, a: usize, ars: usize, p0: f64, p1: f64): void { unary<T>(TANH, rows, len, o, ors, a, ars, p0, p1); }
function unarySigmoid<T>(rows: i32, len: i32, o: usize, ors: usize, a: usize, ars: usize, p0: f64, p1: f64): void { unary<T>(SIGMOID, rows, len, o, ors, a, ars, p0, p1); }
function unarySqrt<T>(rows: i32, len: i32, o: usize, ors: usize, a: usize, ars: usize, p0: f64, p1: f64): void { unary<T>(SQRT, rows, len, o, ors, a, ars, p0, p1); }
function unaryRsqrt<T>(rows: i32, len: i32, o: usize, ors: usize, a: usize, ars: usize, p0: f64, p1: f64): void { unary<T>(RSQRT, rows, len, o, ors, a, ars, p0, p1); }
function unarySilu<T>(rows: i32, len: i32, o: usize, ors: usize, a: usize, ars: usize, p0: f64, p1: f64): void { unary<T>(SILU, rows, len, o, ors, a, ars, p0, p1); }
function unaryReciprocal<T>(rows: i32, len: i32, o: usize, ors: usize, a: usize, ars: usize, p0: f64, p1: f64): void { unary<T>(RECIPROCAL, rows, len, o, ors, a, ars, p0, p1); }
function unarySquare<T>(rows: i32, len: i32, o: usize, ors: usize, a: usize, ars: usize, p0: f64, p1: f64): void { unary<T>(SQUARE, rows, len, o, ors, a, ars, p0, p1); }
function unaryClamp<T>(rows: i32, len: i32, o: usize, ors: usize, a: usize, ars: usize, p0: f64, p1: f64): void { unary<T>(CLAMP, rows, len, o, ors, a, ars, p0, p1); }
function unaryClampFast<T>(rows: i32, len: i32, o: usize, ors: usize, a: usize, ars: usize, p0: f64, p1: f64): void { unary<T>(CLAMP_FAST, rows, len, o, ors, a, ars, p0, p1); }
function unarySoftplus<T>(rows: i32, len: i32, o: usize, ors: usize, a: usize, ars: usize, p0: f64, p1: f64): void { unary<T>(SOFTPLUS, rows, len, o, ors, a, ars, p0, p1); }
function unaryExpm1<T>(rows: i32, len: i32, o: usize, ors: usize, a: usize, ars: usize, p0: f64, p1: f64): void { unary<T>(EXPM1, rows, len, o, ors, a, ars, p0, p1); }
function unaryLog1p<T>(rows: i32, len: i32, o: usize, ors: usize, a: usize, ars: usize, p0: f64, p1: f64): void { unary<T>(LOG1P, rows, len, o, ors, a, ars, p0, p1); }
function unaryErf<T>(rows: i32, len: i32, o: usize, ors: usize, a: usize, ars: usize, p0: f64, p1: f64): void { unary<T>(ERF, rows, len, o, ors, a, ars, p0, p1); }
function unaryGelu<T>(rows: i32, len: i32, o: usize, ors: usize, a: usize, ars: usize, p0: f64, p1: f64): void { unary<T>(GELU, rows, len, o, ors, a, ars, p0, p1); }
function unaryGeluTanh<T>(rows: i32, len: i32, o: usize, ors: usize, a: usize, ars: usize, p0: f64, p1: f64): void { unary<T>(GELU_TANH, rows, len, o, ors, a, ars, p0, p1); }
function unaryLeakyRelu<T>(rows: i32, len: i32, o: usize, ors: usize, a: usize, ars: usize, p0: f64, p1: f64): void { unary<T>(LEAKY_RELU, rows, len, o, ors, a, ars, p0, p1); }

// @ts-ignore: decorator
@inline function unaryDispatch<T>(op: i32, rows: i32, len: i32, o: usize, ors: usize, a: usize, ars: usize, p0: f64, p1: f64): void {
  switch (op) {
    case RELU: unaryRelu<T>(rows, len, o, ors, a, ars, p0, p1); break;
    case NEG: unaryNeg<T>(rows, len, o, ors, a, ars, p0, p1); break;
    case ABS: unaryAbs<T>(rows, len, o, ors, a, ars, p0, p1); break;
    case EXP: unaryExp<T>(rows, len, o, ors, a, ars, p0, p1); break;
    case LOG: unaryLog<T>(rows, len, o, ors, a, ars, p0, p1); break;
    case TANH: unaryTanh<T>(rows, len, o, ors, a, ars, p0, p1); break;
    case SIGMOID: unarySigmoid<T>(rows, len, o, ors, a, ars, p0, p1); break;
    case SQRT: unarySqrt<T>(rows, len, o, ors, a, ars, p0, p1); break;
    case RSQRT: unaryRsqrt<T>(rows, len, o, ors, a, ars, p0, p1); break;
    case SILU: unarySilu<T>(rows, len, o, ors, a, ars, p0, p1); break;
    case RECIPROCAL: unaryReciprocal<T>(rows, len, o, ors, a, ars, p0, p1); break;
    case SQUARE: unarySquare<T>(rows, len, o, ors, a, ars, p0, p1); break;
    case CLAMP: unaryClamp<T>(rows, len, o, ors, a, ars, p0, p1); break;
    case CLAMP_FAST: unaryClampFast<T>(rows, len, o, ors, a, ars, p0, p1); break;
    case SOFTPLUS: unarySoftplus<T>(rows, len, o, ors, a, ars, p0, p1); break;
    case EXPM1: unaryExpm1<T>(rows, len, o, ors, a, ars, p0, p1); break;
    case LOG1P: unaryLog1p<T>(rows, len, o, ors, a, ars, p0, p1); break;
    case ERF: unaryErf<T>(rows, len, o, ors, a, ars, p0, p1); break;
    case GELU: unaryGelu<T>(rows, len, o, ors, a, ars, p0, p1); break;
    case GELU_TANH: unaryGeluTanh<T>(rows, len, o, ors, a, ars, p0, p1); break;
    default: unaryLeakyRelu<T>(rows, len, o, ors, a, ars, p0, p1); break;
  }
}

/** o = op(a) over the two-level walk; p0, p1: the op's parameters (clamp bounds, leaky slope). */
export function unaryF32(op: i32, rows: i32, len: i32, o: usize, ors: usize, a: usize, ars: usize, p0: f64, p1: f64): void {
  unaryDispatch<f32>(op, rows, len, o, ors, a, ars, p0, p1);
}

export function unaryF64(op: i32, rows: i32, len: i32, o: usize, ors: usize, a: usize, ars: usize, p0: f64, p1: f64): void {
  unaryDispatch<f64>(op, rows, len, o, ors, a, ars, p0, p1);
}

// ---- comparisons (bool output: one byte, 0 or 1, per element) ---------------------------------

const EQ = 0, NE = 1, LT = 2, LE = 3, GT = 4, GE = 5;

/** Lane masks of x op y (NaN compares false, except for ne). */
// @ts-ignore: decorator
@inline function cmp<T>(op: i32, x: v128, y: v128): v128 {
  if (sizeof<T>() == 4) {
    if (op == EQ) return f32x4.eq(x, y);
    if (op == NE) return f32x4.ne(x, y);
    if (op == LT) return f32x4.lt(x, y);
    if (op == LE) return f32x4.le(x, y);
    if (op == GT) return f32x4.gt(x, y);
    return f32x4.ge(x, y);
  }
  if (op == EQ) return f64x2.eq(x, y);
  if (op == NE) return f64x2.ne(x, y);
  if (op == LT) return f64x2.lt(x, y);
  if (op == LE) return f64x2.le(x, y);
  if (op == GT) return f64x2.gt(x, y);
  return f64x2.ge(x, y);
}

// @ts-ignore: decorator
@inline function cmpScalar<T>(op: i32, x: T, y: T): bool {
  if (op == EQ) return x == y;
  if (op == NE) return x != y;
  if (op == LT) return x < y;
  if (op == LE) return x <= y;
  if (op == GT) return x > y;
  return x >= y;
}

/** Masks of four elements (one i32 lane each) starting at element offset `e`. */
// @ts-ignore: decorator
@inline function cmp4<T>(op: i32, a: usize, acs: i32, av: v128, b: usize, bcs: i32, bv: v128, e: usize): v128 {
  const sz = sizeof<T>();
  if (sz == 4) {
    return cmp<T>(op, acs == 0 ? av : v128.load(a + e * 4), bcs == 0 ? bv : v128.load(b + e * 4));
  }
  const lo = cmp<T>(op, acs == 0 ? av : v128.load(a + e * 8), bcs == 0 ? bv : v128.load(b + e * 8));
  const hi = cmp<T>(op, acs == 0 ? av : v128.load(a + e * 8, 16), bcs == 0 ? bv : v128.load(b + e * 8, 16));
  return i32x4.shuffle(lo, hi, 0, 2, 4, 6);
}

// @ts-ignore: decorator
@inline function cmpRow<T>(op: i32, o: usize, a: usize, acs: i32, b: usize, bcs: i32, len: i32): void {
  const sz = sizeof<T>();
  const av = acs == 0 ? splat<T>(a) : v128.splat<i32>(0);
  const bv = bcs == 0 ? splat<T>(b) : v128.splat<i32>(0);
  let i = 0;
  for (; i + 16 <= len; i += 16) {
    const e = <usize>i;
    const h0 = i16x8.narrow_i32x4_s(cmp4<T>(op, a, acs, av, b, bcs, bv, e), cmp4<T>(op, a, acs, av, b, bcs, bv, e + 4));
    const h1 = i16x8.narrow_i32x4_s(cmp4<T>(op, a, acs, av, b, bcs, bv, e + 8), cmp4<T>(op, a, acs, av, b, bcs, bv, e + 12));
    v128.store(o + e, v128.and(i8x16.narrow_i16x8_s(h0, h1), i8x16.splat(1)));
  }
  for (; i < len; i++) {
    const x = load<T>(acs == 0 ? a : a + <usize>i * sz), y = load<T>(bcs == 0 ? b : b + <usize>i * sz);
    store<u8>(o + <usize>i, cmpScalar<T>(op, x, y) ? 1 : 0);
  }
}

// @ts-ignore: decorator
@inline function compare<T>(
  op: i32, rows: i32, len: i32, o: usize, ors: usize, a: usize, ars: usize, acs: i32, b: usize, brs: usize, bcs: i32,
): void {
  const sz = sizeof<T>();
  for (let r = 0; r < rows; r++) {
    if (acs == 1 && bcs == 1) cmpRow<T>(op, o, a, 1, b, 1, len);
    else if (acs == 1) cmpRow<T>(op, o, a, 1, b, 0, len);
    else cmpRow<T>(op, o, a, 0, b, 1, len);
    o += ors;
    a += ars * sz;
    b += brs * sz;
  }
}

// One function per comparison (see binaryDispatch).
function compareEq<T>(rows: i32, len: i32, o: usize, ors: usize, a: usize, ars: usize, acs: i32, b: usize, brs: usize, bcs: i32): void { compare<T>(EQ, rows, len, o, ors, a, ars, acs, b, brs, bcs); }
function compareNe<T>(rows: i32, len: i32, o: usize, ors: usize, a: usize, ars: usize, acs: i32, b: usize, brs: usize, bcs: i32): void { compare<T>(NE, rows, len, o, ors, a, ars, acs, b, brs, bcs); }
function compareLt<T>(rows: i32, len: i32, o: usize, ors: usize, a: usize, ars: usize, acs: i32, b: usize, brs: usize, bcs: i32): void { compare<T>(LT, rows, len, o, ors, a, ars, acs, b, brs, bcs); }
function compareLe<T>(rows: i32, len: i32, o: usize, ors: usize, a: usize, ars: usize, acs: i32, b: usize, brs: usize, bcs: i32): void { compare<T>(LE, rows, len, o, ors, a, ars, acs, b, brs, bcs); }
function compareGt<T>(rows: i32, len: i32, o: usize, ors: usize, a: usize, ars: usize, acs: i32, b: usize, brs: usize, bcs: i32): void { compare<T>(GT, rows, len, o, ors, a, ars, acs, b, brs, bcs); }
function compareGe<T>(rows: i32, len: i32, o: usize, ors: usize, a: usize, ars: usize, acs: i32, b: usize, brs: usize, bcs: i32): void { compare<T>(GE, rows, len, o, ors, a, ars, acs, b, brs, bcs); }

// @ts-ignore: decorator
@inline function compareDispatch<T>(op: i32, rows: i32, len: i32, o: usize, ors: usize, a: usize, ars: usize, acs: i32, b: usize, brs: usize, bcs: i32): void {
  switch (op) {
    case EQ: compareEq<T>(rows, len, o, ors, a, ars, acs, b, brs, bcs); break;
    case NE: compareNe<T>(rows, len, o, ors, a, ars, acs, b, brs, bcs); break;
    case LT: compareLt<T>(rows, len, o, ors, a, ars, acs, b, brs, bcs); break;
    case LE: compareLe<T>(rows, len, o, ors, a, ars, acs, b, brs, bcs); break;
    case GT: compareGt<T>(rows, len, o, ors, a, ars, acs, b, brs, bcs); break;
    default: compareGe<T>(rows, len, o, ors, a, ars, acs, b, brs, bcs); break;
  }
}

/** Comparisons of float32 operands into a bool (u8) output; same walk as binaryF32 (ors in elements = bytes). */
export function compareF32(op: i32, rows: i32, len: i32, o: usize, ors: usize, a: usize, ars: usize, acs: i32, b: usize, brs: usize, bcs: i32): void {
  compareDispatch<f32>(op, rows, len, o, ors, a, ars, acs, b, brs, bcs);
}

export function compareF64(op: i32, rows: i32, len: i32, o: usize, ors: usize, a: usize, ars: usize, acs: i32, b: usize, brs: usize, bcs: i32): void {
  compareDispatch<f64>(op, rows, len, o, ors, a, ars, acs, b, brs, bcs);
}

// ---- where(cond, x, y) ---------------------------------------------------------------------------
// cond is bool/uint8 (one byte, nonzero = true), contiguous along the inner dim; x and y are full
// rows or broadcast values (xcs/ycs 1 or 0), as in the binary walk. A bit select: whereF32/whereF64
// also serve int32/int64 (loads and stores keep every bit pattern), whereI8/whereI16 the narrower
// integers.

/** Lane masks (all ones where the condition byte is nonzero) for the next 16 bytes of lanes. */
// @ts-ignore: decorator
@inline function condMask<T>(c: usize): v128 {
  if (sizeof<T>() == 1) return v128.not(i8x16.eq(v128.load(c), i8x16.splat(0)));
  if (sizeof<T>() == 2) return v128.not(i16x8.eq(i16x8.extend_low_i8x16_u(v128.load64_zero(c)), i16x8.splat(0)));
  if (sizeof<T>() == 4) {
    const w = i32x4.extend_low_i16x8_u(i16x8.extend_low_i8x16_u(v128.load32_zero(c)));
    return v128.not(i32x4.eq(w, i32x4.splat(0)));
  }
  const w = i64x2.extend_low_i32x4_u(i32x4.extend_low_i16x8_u(i16x8.extend_low_i8x16_u(v128.load16_splat(c))));
  return v128.not(i64x2.eq(w, i64x2.splat(0)));
}

// @ts-ignore: decorator
@inline function whereRow<T>(o: usize, c: usize, a: usize, acs: i32, b: usize, bcs: i32, len: i32): void {
  const sz = sizeof<T>();
  const lanes = 16 / <i32>sz;
  const av = acs == 0 ? v128.splat<T>(load<T>(a)) : v128.splat<i32>(0);
  const bv = bcs == 0 ? v128.splat<T>(load<T>(b)) : v128.splat<i32>(0);
  let i = 0;
  for (; i + lanes <= len; i += lanes) {
    const off = <usize>i * sz;
    const x = acs == 0 ? av : v128.load(a + off), y = bcs == 0 ? bv : v128.load(b + off);
    v128.store(o + off, v128.bitselect(x, y, condMask<T>(c + <usize>i)));
  }
  for (; i < len; i++) {
    const off = <usize>i * sz;
    store<T>(o + off, load<u8>(c + <usize>i) != 0 ? load<T>(acs == 0 ? a : a + off) : load<T>(bcs == 0 ? b : b + off));
  }
}

// @ts-ignore: decorator
@inline function whereWalk<T>(
  rows: i32, len: i32, o: usize, ors: usize, c: usize, crs: usize, a: usize, ars: usize, acs: i32, b: usize, brs: usize, bcs: i32,
): void {
  const sz = sizeof<T>();
  for (let r = 0; r < rows; r++) {
    if (acs == 1 && bcs == 1) whereRow<T>(o, c, a, 1, b, 1, len);
    else if (acs == 1) whereRow<T>(o, c, a, 1, b, 0, len);
    else if (bcs == 1) whereRow<T>(o, c, a, 0, b, 1, len);
    else whereRow<T>(o, c, a, 0, b, 0, len);
    o += ors * sz;
    c += crs;
    a += ars * sz;
    b += brs * sz;
  }
}

export function whereF32(rows: i32, len: i32, o: usize, ors: usize, c: usize, crs: usize, a: usize, ars: usize, acs: i32, b: usize, brs: usize, bcs: i32): void {
  whereWalk<f32>(rows, len, o, ors, c, crs, a, ars, acs, b, brs, bcs);
}

export function whereF64(rows: i32, len: i32, o: usize, ors: usize, c: usize, crs: usize, a: usize, ars: usize, acs: i32, b: usize, brs: usize, bcs: i32): void {
  whereWalk<f64>(rows, len, o, ors, c, crs, a, ars, acs, b, brs, bcs);
}

export function whereI8(rows: i32, len: i32, o: usize, ors: usize, c: usize, crs: usize, a: usize, ars: usize, acs: i32, b: usize, brs: usize, bcs: i32): void {
  whereWalk<i8>(rows, len, o, ors, c, crs, a, ars, acs, b, brs, bcs);
}

export function whereI16(rows: i32, len: i32, o: usize, ors: usize, c: usize, crs: usize, a: usize, ars: usize, acs: i32, b: usize, brs: usize, bcs: i32): void {
  whereWalk<i16>(rows, len, o, ors, c, crs, a, ars, acs, b, brs, bcs);
}
