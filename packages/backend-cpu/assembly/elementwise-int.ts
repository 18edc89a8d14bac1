// Elementwise integer kernels (int8, uint8, int16, int32, int64) over the same two-level walk as
// the float ones (elementwise.ts): `rows` rows of `len` elements, output rows contiguous, operand
// x's element (r, i) at x + (r * xrs + i * xcs) * sizeof<T>() with xcs 1 or 0 (broadcast).
// Arithmetic wraps at the element width, as the TS kernels' stores into Int8Array/Uint8Array/
// Int16Array/Int32Array do and as PyTorch's int64 does (the TS kernels round int64 past 2^53);
// comparisons write bool bytes, signed except for uint8. One generic walk serves every width; T is
// the element type, S the type of the ops that ignore signedness (add, mul, bitwise: uint8 shares
// int8's functions).

// Binary op codes (the TS side uses the same numbers). ADD_ALPHA/SUB_ALPHA: x +- alpha * y.
const ADD = 0, SUB = 1, MUL = 2, AND = 3, OR = 4, XOR = 5, MAX = 6, MIN = 7, ADD_ALPHA = 8, SUB_ALPHA = 9;
const EQ = 0, NE = 1, LT = 2, LE = 3, GT = 4, GE = 5;
const NEG = 0, ABS = 1, NOT = 2;

/** x * y wrapped to the lane width; i8x16 has no multiply: 16-bit products, low bytes kept. */
// @ts-ignore: decorator
@inline function mulInt<T>(x: v128, y: v128): v128 {
  if (sizeof<T>() != 1) return v128.mul<T>(x, y);
  return i8x16.shuffle(i16x8.extmul_low_i8x16_u(x, y), i16x8.extmul_high_i8x16_u(x, y),
    0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
}

/** Lane max/min; i64x2 has neither: a select by x < y. */
// @ts-ignore: decorator
@inline function maxInt<T>(x: v128, y: v128): v128 {
  return sizeof<T>() == 8 ? v128.bitselect(y, x, i64x2.lt_s(x, y)) : v128.max<T>(x, y);
}

// @ts-ignore: decorator
@inline function minInt<T>(x: v128, y: v128): v128 {
  return sizeof<T>() == 8 ? v128.bitselect(x, y, i64x2.lt_s(x, y)) : v128.min<T>(x, y);
}

// @ts-ignore: decorator
@inline function binInt<T>(op: i32, x: v128, y: v128, alpha: v128): v128 {
  if (op == ADD) return v128.add<T>(x, y);
  if (op == SUB) return v128.sub<T>(x, y);
  if (op == MUL) return mulInt<T>(x, y);
  if (op == AND) return v128.and(x, y);
  if (op == OR) return v128.or(x, y);
  if (op == XOR) return v128.xor(x, y);
  if (op == MAX) return maxInt<T>(x, y);
  if (op == MIN) return minInt<T>(x, y);
  if (op == ADD_ALPHA) return v128.add<T>(x, mulInt<T>(alpha, y));
  return v128.sub<T>(x, mulInt<T>(alpha, y));
}

/** Lane masks of x op y (unsigned where T is). */
// @ts-ignore: decorator
@inline function cmpInt<T>(op: i32, x: v128, y: v128): v128 {
  if (op == EQ) return v128.eq<T>(x, y);
  if (op == NE) return v128.ne<T>(x, y);
  if (op == LT) return v128.lt<T>(x, y);
  if (op == LE) return v128.le<T>(x, y);
  if (op == GT) return v128.gt<T>(x, y);
  return v128.ge<T>(x, y);
}

/** One vector of elements from element offset e: a full row or a broadcast value. */
// @ts-ignore: decorator
@inline function ld<T>(p: usize, cs: i32, splat: v128, e: usize): v128 {
  return cs == 0 ? splat : v128.load(p + e * sizeof<T>());
}

/** Masks of the 16 elements from e as 16 bytes (all ones or zero), narrowing wider lanes. */
// @ts-ignore: decorator
@inline function cmpBytes<T>(op: i32, a: usize, acs: i32, av: v128, b: usize, bcs: i32, bv: v128, e: usize): v128 {
  const sz = sizeof<T>();
  if (sz == 1) return cmpInt<T>(op, ld<T>(a, acs, av, e), ld<T>(b, bcs, bv, e));
  if (sz == 2) {
    return i8x16.narrow_i16x8_s(cmpInt<T>(op, ld<T>(a, acs, av, e), ld<T>(b, bcs, bv, e)),
      cmpInt<T>(op, ld<T>(a, acs, av, e + 8), ld<T>(b, bcs, bv, e + 8)));
  }
  const m0 = masks32<T>(op, a, acs, av, b, bcs, bv, e), m1 = masks32<T>(op, a, acs, av, b, bcs, bv, e + 4);
  const m2 = masks32<T>(op, a, acs, av, b, bcs, bv, e + 8), m3 = masks32<T>(op, a, acs, av, b, bcs, bv, e + 12);
  return i8x16.narrow_i16x8_s(i16x8.narrow_i32x4_s(m0, m1), i16x8.narrow_i32x4_s(m2, m3));
}

/** Masks of the 4 elements from e as 32-bit lanes (int64: the low halves of two vectors' masks). */
// @ts-ignore: decorator
@inline function masks32<T>(op: i32, a: usize, acs: i32, av: v128, b: usize, bcs: i32, bv: v128, e: usize): v128 {
  const m = cmpInt<T>(op, ld<T>(a, acs, av, e), ld<T>(b, bcs, bv, e));
  if (sizeof<T>() == 4) return m;
  return v128.shuffle<i32>(m, cmpInt<T>(op, ld<T>(a, acs, av, e + 2), ld<T>(b, bcs, bv, e + 2)), 0, 2, 4, 6);
}

/**
 * One row; `compare` writes 0/1 bytes, else T results. Tails run the vector op on lane 0, so
 * they give exactly what the vector body gives.
 */
// @ts-ignore: decorator
@inline function rowInt<T>(
  compare: bool, op: i32, o: usize, a: usize, acs: i32, b: usize, bcs: i32, len: i32, alpha: v128,
): void {
  const sz = sizeof<T>();
  const lanes = 16 / <i32>sz;
  const av = v128.splat<T>(load<T>(a)), bv = v128.splat<T>(load<T>(b));
  let i = 0;
  if (compare) {
    for (; i + 16 <= len; i += 16) {
      const e = <usize>i;
      v128.store(o + e, v128.and(cmpBytes<T>(op, a, acs, av, b, bcs, bv, e), i8x16.splat(1)));
    }
  } else {
    for (; i + 2 * lanes <= len; i += 2 * lanes) {
      const e = <usize>i;
      v128.store(o + e * sz, binInt<T>(op, ld<T>(a, acs, av, e), ld<T>(b, bcs, bv, e), alpha));
      v128.store(o + e * sz, binInt<T>(op, ld<T>(a, acs, av, e + lanes), ld<T>(b, bcs, bv, e + lanes), alpha), 16);
    }
  }
  for (; i < len; i++) {
    const e = <usize>i;
    const x = v128.splat<T>(load<T>(acs == 0 ? a : a + e * sz)), y = v128.splat<T>(load<T>(bcs == 0 ? b : b + e * sz));
    if (compare) store<u8>(o + e, <u8>(v128.extract_lane<T>(cmpInt<T>(op, x, y), 0) & 1));
    else store<T>(o + e * sz, v128.extract_lane<T>(binInt<T>(op, x, y, alpha), 0));
  }
}

// @ts-ignore: decorator
@inline function walkInt<T>(
  compare: bool, op: i32, rows: i32, len: i32, o: usize, ors: usize, a: usize, ars: usize, acs: i32, b: usize, brs: usize, bcs: i32,
  alpha: f64,
): void {
  const sz = sizeof<T>();
  const osz: usize = compare ? 1 : sz;
  const av = v128.splat<T>(<T><i64>alpha);
  for (let r = 0; r < rows; r++) {
    if (acs == 1 && bcs == 1) rowInt<T>(compare, op, o, a, 1, b, 1, len, av);
    else if (acs == 1) rowInt<T>(compare, op, o, a, 1, b, 0, len, av);
    else rowInt<T>(compare, op, o, a, 0, b, 1, len, av);
    o += ors * osz;
    a += ars * sz;
    b += brs * sz;
  }
}

// One function per op (see assembly/elementwise.ts: folded switch arms test the op per vector).
function opAdd<T>(rows: i32, len: i32, o: usize, ors: usize, a: usize, ars: usize, acs: i32, b: usize, brs: usize, bcs: i32, alpha: f64): void { walkInt<T>(false, ADD, rows, len, o, ors, a, ars, acs, b, brs, bcs, alpha); }
function opSub<T>(rows: i32, len: i32, o: usize, ors: usize, a: usize, ars: usize, acs: i32, b: usize, brs: usize, bcs: i32, alpha: f64): void { walkInt<T>(false, SUB, rows, len, o, ors, a, ars, acs, b, brs, bcs, alpha); }
function opMul<T>(rows: i32, len: i32, o: usize, ors: usize, a: usize, ars: usize, acs: i32, b: usize, brs: usize, bcs: i32, alpha: f64): void { walkInt<T>(false, MUL, rows, len, o, ors, a, ars, acs, b, brs, bcs, alpha); }
function opAnd<T>(rows: i32, len: i32, o: usize, ors: usize, a: usize, ars: usize, acs: i32, b: usize, brs: usize, bcs: i32, alpha: f64): void { walkInt<T>(false, AND, rows, len, o, ors, a, ars, acs, b, brs, bcs, alpha); }
function opOr<T>(rows: i32, len: i32, o: usize, ors: usize, a: usize, ars: usize, acs: i32, b: usize, brs: usize, bcs: i32, alpha: f64): void { walkInt<T>(false, OR, rows, len, o, ors, a, ars, acs, b, brs, bcs, alpha); }
function opXor<T>(rows: i32, len: i32, o: usize, ors: usize, a: usize, ars: usize, acs: i32, b: usize, brs: usize, bcs: i32, alpha: f64): void { walkInt<T>(false, XOR, rows, len, o, ors, a, ars, acs, b, brs, bcs, alpha); }
function opMax<T>(rows: i32, len: i32, o: usize, ors: usize, a: usize, ars: usize, acs: i32, b: usize, brs: usize, bcs: i32, alpha: f64): void { walkInt<T>(false, MAX, rows, len, o, ors, a, ars, acs, b, brs, bcs, alpha); }
function opMin<T>(rows: i32, len: i32, o: usize, ors: usize, a: usize, ars: usize, acs: i32, b: usize, brs: usize, bcs: i32, alpha: f64): void { walkInt<T>(false, MIN, rows, len, o, ors, a, ars, acs, b, brs, bcs, alpha); }
function opAddAlpha<T>(rows: i32, len: i32, o: usize, ors: usize, a: usize, ars: usize, acs: i32, b: usize, brs: usize, bcs: i32, alpha: f64): void { walkInt<T>(false, ADD_ALPHA, rows, len, o, ors, a, ars, acs, b, brs, bcs, alpha); }
function opSubAlpha<T>(rows: i32, len: i32, o: usize, ors: usize, a: usize, ars: usize, acs: i32, b: usize, brs: usize, bcs: i32, alpha: f64): void { walkInt<T>(false, SUB_ALPHA, rows, len, o, ors, a, ars, acs, b, brs, bcs, alpha); }

// @ts-ignore: decorator
@inline function binaryDispatch<T, S>(
  op: i32, rows: i32, len: i32, o: usize, ors: usize, a: usize, ars: usize, acs: i32, b: usize, brs: usize, bcs: i32, alpha: f64,
): void {
  switch (op) {
    case ADD: opAdd<S>(rows, len, o, ors, a, ars, acs, b, brs, bcs, alpha); break;
    case SUB: opSub<S>(rows, len, o, ors, a, ars, acs, b, brs, bcs, alpha); break;
    case MUL: opMul<S>(rows, len, o, ors, a, ars, acs, b, brs, bcs, alpha); break;
    case AND: opAnd<S>(rows, len, o, ors, a, ars, acs, b, brs, bcs, alpha); break;
    case OR: opOr<S>(rows, len, o, ors, a, ars, acs, b, brs, bcs, alpha); break;
    case XOR: opXor<S>(rows, len, o, ors, a, ars, acs, b, brs, bcs, alpha); break;
    case MAX: opMax<T>(rows, len, o, ors, a, ars, acs, b, brs, bcs, alpha); break;
    case MIN: opMin<T>(rows, len, o, ors, a, ars, acs, b, brs, bcs, alpha); break;
    case ADD_ALPHA: opAddAlpha<S>(rows, len, o, ors, a, ars, acs, b, brs, bcs, alpha); break;
    default: opSubAlpha<S>(rows, len, o, ors, a, ars, acs, b, brs, bcs, alpha); break;
  }
}

/** Binary arithmetic (codes above; alpha: an integer for ADD_ALPHA/SUB_ALPHA, wrapped to T). */
export function binaryI8(op: i32, rows: i32, len: i32, o: usize, ors: usize, a: usize, ars: usize, acs: i32, b: usize, brs: usize, bcs: i32, alpha: f64): void {
  binaryDispatch<i8, i8>(op, rows, len, o, ors, a, ars, acs, b, brs, bcs, alpha);
}
export function binaryU8(op: i32, rows: i32, len: i32, o: usize, ors: usize, a: usize, ars: usize, acs: i32, b: usize, brs: usize, bcs: i32, alpha: f64): void {
  binaryDispatch<u8, i8>(op, rows, len, o, ors, a, ars, acs, b, brs, bcs, alpha);
}
export function binaryI16(op: i32, rows: i32, len: i32, o: usize, ors: usize, a: usize, ars: usize, acs: i32, b: usize, brs: usize, bcs: i32, alpha: f64): void {
  binaryDispatch<i16, i16>(op, rows, len, o, ors, a, ars, acs, b, brs, bcs, alpha);
}
export function binaryI32(op: i32, rows: i32, len: i32, o: usize, ors: usize, a: usize, ars: usize, acs: i32, b: usize, brs: usize, bcs: i32, alpha: f64): void {
  binaryDispatch<i32, i32>(op, rows, len, o, ors, a, ars, acs, b, brs, bcs, alpha);
}
export function binaryI64(op: i32, rows: i32, len: i32, o: usize, ors: usize, a: usize, ars: usize, acs: i32, b: usize, brs: usize, bcs: i32, alpha: f64): void {
  binaryDispatch<i64, i64>(op, rows, len, o, ors, a, ars, acs, b, brs, bcs, alpha);
}

function cmpEq<T>(rows: i32, len: i32, o: usize, ors: usize, a: usize, ars: usize, acs: i32, b: usize, brs: usize, bcs: i32): void { walkInt<T>(true, EQ, rows, len, o, ors, a, ars, acs, b, brs, bcs, 0); }
function cmpNe<T>(rows: i32, len: i32, o: usize, ors: usize, a: usize, ars: usize, acs: i32, b: usize, brs: usize, bcs: i32): void { walkInt<T>(true, NE, rows, len, o, ors, a, ars, acs, b, brs, bcs, 0); }
function cmpLt<T>(rows: i32, len: i32, o: usize, ors: usize, a: usize, ars: usize, acs: i32, b: usize, brs: usize, bcs: i32): void { walkInt<T>(true, LT, rows, len, o, ors, a, ars, acs, b, brs, bcs, 0); }
function cmpLe<T>(rows: i32, len: i32, o: usize, ors: usize, a: usize, ars: usize, acs: i32, b: usize, brs: usize, bcs: i32): void { walkInt<T>(true, LE, rows, len, o, ors, a, ars, acs, b, brs, bcs, 0); }
function cmpGt<T>(rows: i32, len: i32, o: usize, ors: usize, a: usize, ars: usize, acs: i32, b: usize, brs: usize, bcs: i32): void { walkInt<T>(true, GT, rows, len, o, ors, a, ars, acs, b, brs, bcs, 0); }
function cmpGe<T>(rows: i32, len: i32, o: usize, ors: usize, a: usize, ars: usize, acs: i32, b: usize, brs: usize, bcs: i32): void { walkInt<T>(true, GE, rows, len, o, ors, a, ars, acs, b, brs, bcs, 0); }

// @ts-ignore: decorator
@inline function compareDispatch<T, S>(
  op: i32, rows: i32, len: i32, o: usize, ors: usize, a: usize, ars: usize, acs: i32, b: usize, brs: usize, bcs: i32,
): void {
  switch (op) {
    case EQ: cmpEq<S>(rows, len, o, ors, a, ars, acs, b, brs, bcs); break;
    case NE: cmpNe<S>(rows, len, o, ors, a, ars, acs, b, brs, bcs); break;
    case LT: cmpLt<T>(rows, len, o, ors, a, ars, acs, b, brs, bcs); break;
    case LE: cmpLe<T>(rows, len, o, ors, a, ars, acs, b, brs, bcs); break;
    case GT: cmpGt<T>(rows, len, o, ors, a, ars, acs, b, brs, bcs); break;
    default: cmpGe<T>(rows, len, o, ors, a, ars, acs, b, brs, bcs); break;
  }
}

/** Comparisons into a bool (u8) output (ors in bytes). */
export function compareI8(op: i32, rows: i32, len: i32, o: usize, ors: usize, a: usize, ars: usize, acs: i32, b: usize, brs: usize, bcs: i32): void {
  compareDispatch<i8, i8>(op, rows, len, o, ors, a, ars, acs, b, brs, bcs);
}
export function compareU8(op: i32, rows: i32, len: i32, o: usize, ors: usize, a: usize, ars: usize, acs: i32, b: usize, brs: usize, bcs: i32): void {
  compareDispatch<u8, i8>(op, rows, len, o, ors, a, ars, acs, b, brs, bcs);
}
export function compareI16(op: i32, rows: i32, len: i32, o: usize, ors: usize, a: usize, ars: usize, acs: i32, b: usize, brs: usize, bcs: i32): void {
  compareDispatch<i16, i16>(op, rows, len, o, ors, a, ars, acs, b, brs, bcs);
}
export function compareI32(op: i32, rows: i32, len: i32, o: usize, ors: usize, a: usize, ars: usize, acs: i32, b: usize, brs: usize, bcs: i32): void {
  compareDispatch<i32, i32>(op, rows, len, o, ors, a, ars, acs, b, brs, bcs);
}
export function compareI64(op: i32, rows: i32, len: i32, o: usize, ors: usize, a: usize, ars: usize, acs: i32, b: usize, brs: usize, bcs: i32): void {
  compareDispatch<i64, i64>(op, rows, len, o, ors, a, ars, acs, b, brs, bcs);
}

// ---- unary: neg, abs (wrapping: abs(-128) is -128 in int8, as in PyTorch), bitwise not ----------

// @ts-ignore: decorator
@inline function unInt<T>(op: i32, x: v128): v128 {
  if (op == NEG) return v128.neg<T>(x);
  if (op == ABS) return isSigned<T>() ? v128.abs<T>(x) : x;
  return v128.not(x);
}

/** Rows of `len` contiguous elements (output and input); tails run the vector op on lane 0. */
// @ts-ignore: decorator
@inline function unaryWalk<T>(op: i32, rows: i32, len: i32, o: usize, ors: usize, a: usize, ars: usize): void {
  const sz = sizeof<T>();
  const lanes = 16 / <i32>sz;
  for (let r = 0; r < rows; r++) {
    let i = 0;
    for (; i + 2 * lanes <= len; i += 2 * lanes) {
      const off = <usize>i * sz;
      v128.store(o + off, unInt<T>(op, v128.load(a + off)));
      v128.store(o + off, unInt<T>(op, v128.load(a + off, 16)), 16);
    }
    for (; i < len; i++) {
      const off = <usize>i * sz;
      store<T>(o + off, v128.extract_lane<T>(unInt<T>(op, v128.splat<T>(load<T>(a + off))), 0));
    }
    o += ors * sz;
    a += ars * sz;
  }
}

function unNeg<T>(rows: i32, len: i32, o: usize, ors: usize, a: usize, ars: usize): void { unaryWalk<T>(NEG, rows, len, o, ors, a, ars); }
function unAbs<T>(rows: i32, len: i32, o: usize, ors: usize, a: usize, ars: usize): void { unaryWalk<T>(ABS, rows, len, o, ors, a, ars); }
function unNot<T>(rows: i32, len: i32, o: usize, ors: usize, a: usize, ars: usize): void { unaryWalk<T>(NOT, rows, len, o, ors, a, ars); }

// @ts-ignore: decorator
@inline function unaryDispatch<T, S>(op: i32, rows: i32, len: i32, o: usize, ors: usize, a: usize, ars: usize): void {
  if (op == NEG) unNeg<S>(rows, len, o, ors, a, ars);
  else if (op == ABS) unAbs<T>(rows, len, o, ors, a, ars);
  else unNot<S>(rows, len, o, ors, a, ars);
}

/** neg/abs/bitwise not (codes above); input rows contiguous. */
export function unaryI8(op: i32, rows: i32, len: i32, o: usize, ors: usize, a: usize, ars: usize): void { unaryDispatch<i8, i8>(op, rows, len, o, ors, a, ars); }
export function unaryU8(op: i32, rows: i32, len: i32, o: usize, ors: usize, a: usize, ars: usize): void { unaryDispatch<u8, i8>(op, rows, len, o, ors, a, ars); }
export function unaryI16(op: i32, rows: i32, len: i32, o: usize, ors: usize, a: usize, ars: usize): void { unaryDispatch<i16, i16>(op, rows, len, o, ors, a, ars); }
export function unaryI32(op: i32, rows: i32, len: i32, o: usize, ors: usize, a: usize, ars: usize): void { unaryDispatch<i32, i32>(op, rows, len, o, ors, a, ars); }
export function unaryI64(op: i32, rows: i32, len: i32, o: usize, ors: usize, a: usize, ars: usize): void { unaryDispatch<i64, i64>(op, rows, len, o, ors, a, ars); }
