// Elementwise float32/float64 kernels (comparisons write bool bytes) over a two-level walk that the TS side gets by coalescing
// dims (src/wasm/elementwise.ts): `rows` rows of `len` elements; the output row r starts at
// o + r * ors and is contiguous; operand x's element (r, i) is at x + r * xrs + i * xcs with
// xcs 1 (a full row) or 0 (a broadcast value: scalars and column vectors). Row-broadcast operands
// (a bias) have xrs = 0. Results are bit-identical to the TS kernels: + - * / rounded once, relu
// as `x < 0 ? 0 : x` (NaN and -0 kept), neg and abs as sign-bit operations.

import { expF32, expF64, logF32, logF64, sigmoidF32, sigmoidF64, siluF32, siluF64, tanhF32, tanhF64 } from './vmath';

// Binary op codes (the TS side uses the same numbers).
const ADD = 0, SUB = 1, MUL = 2, DIV = 3;
// Unary op codes.
const RELU = 0, NEG = 1, ABS = 2, EXP = 3, LOG = 4, TANH = 5, SIGMOID = 6, SQRT = 7, RSQRT = 8, SILU = 9, RECIPROCAL = 10;

// @ts-ignore: decorator
@inline function bin<T>(op: i32, x: v128, y: v128): v128 {
  if (sizeof<T>() == 4) {
    if (op == ADD) return f32x4.add(x, y);
    if (op == SUB) return f32x4.sub(x, y);
    if (op == MUL) return f32x4.mul(x, y);
    return f32x4.div(x, y);
  }
  if (op == ADD) return f64x2.add(x, y);
  if (op == SUB) return f64x2.sub(x, y);
  if (op == MUL) return f64x2.mul(x, y);
  return f64x2.div(x, y);
}

// @ts-ignore: decorator
@inline function binScalar<T>(op: i32, x: T, y: T): T {
  if (op == ADD) return x + y;
  if (op == SUB) return x - y;
  if (op == MUL) return x * y;
  return x / y;
}

// @ts-ignore: decorator
@inline function splat<T>(p: usize): v128 {
  return sizeof<T>() == 4 ? v128.load32_splat(p) : v128.load64_splat(p);
}

/** One row: o[i] = a[i * acs] op b[i * bcs], with acs, bcs constant after inlining. */
// @ts-ignore: decorator
@inline function binRow<T>(op: i32, o: usize, a: usize, acs: i32, b: usize, bcs: i32, len: i32): void {
  const sz = sizeof<T>();
  const lanes = 16 / <i32>sz;
  let i = 0;
  const av = acs == 0 ? splat<T>(a) : v128.splat<i32>(0);
  const bv = bcs == 0 ? splat<T>(b) : v128.splat<i32>(0);
  for (; i + 2 * lanes <= len; i += 2 * lanes) {
    const off = <usize>i * sz;
    const x0 = acs == 0 ? av : v128.load(a + off), x1 = acs == 0 ? av : v128.load(a + off, 16);
    const y0 = bcs == 0 ? bv : v128.load(b + off), y1 = bcs == 0 ? bv : v128.load(b + off, 16);
    v128.store(o + off, bin<T>(op, x0, y0));
    v128.store(o + off, bin<T>(op, x1, y1), 16);
  }
  for (; i < len; i++) {
    const off = <usize>i * sz;
    const x = load<T>(acs == 0 ? a : a + off), y = load<T>(bcs == 0 ? b : b + off);
    store<T>(o + off, binScalar<T>(op, x, y));
  }
}

// @ts-ignore: decorator
@inline function binary<T>(
  op: i32, rows: i32, len: i32, o: usize, ors: usize, a: usize, ars: usize, acs: i32, b: usize, brs: usize, bcs: i32,
): void {
  const sz = sizeof<T>();
  for (let r = 0; r < rows; r++) {
    if (acs == 1 && bcs == 1) binRow<T>(op, o, a, 1, b, 1, len);
    else if (acs == 1) binRow<T>(op, o, a, 1, b, 0, len);
    else binRow<T>(op, o, a, 0, b, 1, len);
    o += ors * sz;
    a += ars * sz;
    b += brs * sz;
  }
}

// The switch on a constant op code lets each case's inlined loops fold to one operation.
// @ts-ignore: decorator
@inline function binaryDispatch<T>(
  op: i32, rows: i32, len: i32, o: usize, ors: usize, a: usize, ars: usize, acs: i32, b: usize, brs: usize, bcs: i32,
): void {
  switch (op) {
    case ADD: binary<T>(ADD, rows, len, o, ors, a, ars, acs, b, brs, bcs); break;
    case SUB: binary<T>(SUB, rows, len, o, ors, a, ars, acs, b, brs, bcs); break;
    case MUL: binary<T>(MUL, rows, len, o, ors, a, ars, acs, b, brs, bcs); break;
    default: binary<T>(DIV, rows, len, o, ors, a, ars, acs, b, brs, bcs); break;
  }
}

export function binaryF32(op: i32, rows: i32, len: i32, o: usize, ors: usize, a: usize, ars: usize, acs: i32, b: usize, brs: usize, bcs: i32): void {
  binaryDispatch<f32>(op, rows, len, o, ors, a, ars, acs, b, brs, bcs);
}

export function binaryF64(op: i32, rows: i32, len: i32, o: usize, ors: usize, a: usize, ars: usize, acs: i32, b: usize, brs: usize, bcs: i32): void {
  binaryDispatch<f64>(op, rows, len, o, ors, a, ars, acs, b, brs, bcs);
}

// ---- unary -------------------------------------------------------------------------------------

/** 1 / sqrt(x) of float32 lanes computed in float64 and rounded once, as the TS kernel does. */
// @ts-ignore: decorator
@inline function rsqrtViaF64(x: v128): v128 {
  const one = f64x2.splat(1);
  const lo = f64x2.div(one, f64x2.sqrt(f64x2.promote_low_f32x4(x)));
  const hi = f64x2.div(one, f64x2.sqrt(f64x2.promote_low_f32x4(i64x2.shuffle(x, x, 1, 1))));
  return i64x2.shuffle(f32x4.demote_f64x2_zero(lo), f32x4.demote_f64x2_zero(hi), 0, 2);
}

// @ts-ignore: decorator
@inline function un<T>(op: i32, x: v128): v128 {
  if (sizeof<T>() == 4) {
    if (op == RELU) return v128.bitselect(f32x4.splat(0), x, f32x4.lt(x, f32x4.splat(0)));
    if (op == NEG) return f32x4.neg(x);
    if (op == ABS) return f32x4.abs(x);
    if (op == EXP) return expF32(x);
    if (op == LOG) return logF32(x);
    if (op == TANH) return tanhF32(x);
    if (op == SIGMOID) return sigmoidF32(x);
    if (op == SQRT) return f32x4.sqrt(x);
    if (op == RSQRT) return rsqrtViaF64(x);
    if (op == SILU) return siluF32(x);
    return f32x4.div(f32x4.splat(1), x);
  }
  if (op == RELU) return v128.bitselect(f64x2.splat(0), x, f64x2.lt(x, f64x2.splat(0)));
  if (op == NEG) return f64x2.neg(x);
  if (op == ABS) return f64x2.abs(x);
  if (op == EXP) return expF64(x);
  if (op == LOG) return logF64(x);
  if (op == TANH) return tanhF64(x);
  if (op == SIGMOID) return sigmoidF64(x);
  if (op == SQRT) return f64x2.sqrt(x);
  if (op == RSQRT) return f64x2.div(f64x2.splat(1), f64x2.sqrt(x));
  if (op == SILU) return siluF64(x);
  return f64x2.div(f64x2.splat(1), x);
}

/** The vector op on lane 0 (the tails give exactly what the vector body gives). */
// @ts-ignore: decorator
@inline function unScalar<T>(op: i32, x: T): T {
  if (sizeof<T>() == 4) return <T>f32x4.extract_lane(un<T>(op, f32x4.splat(<f32>x)), 0);
  return <T>f64x2.extract_lane(un<T>(op, f64x2.splat(<f64>x)), 0);
}

// @ts-ignore: decorator
@inline function unary<T>(op: i32, rows: i32, len: i32, o: usize, ors: usize, a: usize, ars: usize): void {
  const sz = sizeof<T>();
  const lanes = 16 / <i32>sz;
  for (let r = 0; r < rows; r++) {
    let i = 0;
    for (; i + 2 * lanes <= len; i += 2 * lanes) {
      const off = <usize>i * sz;
      v128.store(o + off, un<T>(op, v128.load(a + off)));
      v128.store(o + off, un<T>(op, v128.load(a + off, 16)), 16);
    }
    for (; i < len; i++) {
      const off = <usize>i * sz;
      store<T>(o + off, unScalar<T>(op, load<T>(a + off)));
    }
    o += ors * sz;
    a += ars * sz;
  }
}

// @ts-ignore: decorator
@inline function unaryDispatch<T>(op: i32, rows: i32, len: i32, o: usize, ors: usize, a: usize, ars: usize): void {
  switch (op) {
    case RELU: unary<T>(RELU, rows, len, o, ors, a, ars); break;
    case NEG: unary<T>(NEG, rows, len, o, ors, a, ars); break;
    case ABS: unary<T>(ABS, rows, len, o, ors, a, ars); break;
    case EXP: unary<T>(EXP, rows, len, o, ors, a, ars); break;
    case LOG: unary<T>(LOG, rows, len, o, ors, a, ars); break;
    case TANH: unary<T>(TANH, rows, len, o, ors, a, ars); break;
    case SIGMOID: unary<T>(SIGMOID, rows, len, o, ors, a, ars); break;
    case SQRT: unary<T>(SQRT, rows, len, o, ors, a, ars); break;
    case RSQRT: unary<T>(RSQRT, rows, len, o, ors, a, ars); break;
    case SILU: unary<T>(SILU, rows, len, o, ors, a, ars); break;
    default: unary<T>(RECIPROCAL, rows, len, o, ors, a, ars); break;
  }
}

export function unaryF32(op: i32, rows: i32, len: i32, o: usize, ors: usize, a: usize, ars: usize): void {
  unaryDispatch<f32>(op, rows, len, o, ors, a, ars);
}

export function unaryF64(op: i32, rows: i32, len: i32, o: usize, ors: usize, a: usize, ars: usize): void {
  unaryDispatch<f64>(op, rows, len, o, ors, a, ars);
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

// @ts-ignore: decorator
@inline function compareDispatch<T>(
  op: i32, rows: i32, len: i32, o: usize, ors: usize, a: usize, ars: usize, acs: i32, b: usize, brs: usize, bcs: i32,
): void {
  switch (op) {
    case EQ: compare<T>(EQ, rows, len, o, ors, a, ars, acs, b, brs, bcs); break;
    case NE: compare<T>(NE, rows, len, o, ors, a, ars, acs, b, brs, bcs); break;
    case LT: compare<T>(LT, rows, len, o, ors, a, ars, acs, b, brs, bcs); break;
    case LE: compare<T>(LE, rows, len, o, ors, a, ars, acs, b, brs, bcs); break;
    case GT: compare<T>(GT, rows, len, o, ors, a, ars, acs, b, brs, bcs); break;
    default: compare<T>(GE, rows, len, o, ors, a, ars, acs, b, brs, bcs); break;
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
// rows or broadcast values (xcs/ycs 1 or 0), as in the binary walk.

/** Lane masks (all ones where the condition byte is nonzero) for the next 16 bytes of lanes. */
// @ts-ignore: decorator
@inline function condMask<T>(c: usize): v128 {
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
  const av = acs == 0 ? splat<T>(a) : v128.splat<i32>(0);
  const bv = bcs == 0 ? splat<T>(b) : v128.splat<i32>(0);
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
