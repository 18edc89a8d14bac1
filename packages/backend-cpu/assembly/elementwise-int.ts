// Elementwise int32 kernels over the same two-level walk as the float ones (elementwise.ts):
// `rows` rows of `len` elements, output rows contiguous, operand x's element (r, i) at
// x + (r * xrs + i * xcs) * 4 with xcs 1 or 0 (broadcast). Arithmetic wraps at 32 bits, as the TS
// kernels' stores into an Int32Array do (mul: Math.imul); comparisons write bool bytes.

// Binary op codes (the TS side uses the same numbers).
const ADD = 0, SUB = 1, MUL = 2, AND = 3, OR = 4, XOR = 5, MAX = 6, MIN = 7;
const EQ = 0, NE = 1, LT = 2, LE = 3, GT = 4, GE = 5;

// @ts-ignore: decorator
@inline function binI32(op: i32, x: v128, y: v128): v128 {
  if (op == ADD) return i32x4.add(x, y);
  if (op == SUB) return i32x4.sub(x, y);
  if (op == MUL) return i32x4.mul(x, y);
  if (op == AND) return v128.and(x, y);
  if (op == OR) return v128.or(x, y);
  if (op == XOR) return v128.xor(x, y);
  if (op == MAX) return i32x4.max_s(x, y);
  return i32x4.min_s(x, y);
}

/** Lane masks of x op y. */
// @ts-ignore: decorator
@inline function cmpI32(op: i32, x: v128, y: v128): v128 {
  if (op == EQ) return i32x4.eq(x, y);
  if (op == NE) return i32x4.ne(x, y);
  if (op == LT) return i32x4.lt_s(x, y);
  if (op == LE) return i32x4.le_s(x, y);
  if (op == GT) return i32x4.gt_s(x, y);
  return i32x4.ge_s(x, y);
}

/** Four elements from element offset e: a full row or a broadcast value. */
// @ts-ignore: decorator
@inline function ld4(p: usize, cs: i32, splat: v128, e: usize): v128 {
  return cs == 0 ? splat : v128.load(p + (e << 2));
}

/** One row; `compare` writes 0/1 bytes, else int32 results. Tails use the vector op on lane 0. */
// @ts-ignore: decorator
@inline function rowI32(compare: bool, op: i32, o: usize, a: usize, acs: i32, b: usize, bcs: i32, len: i32): void {
  const av = v128.load32_splat(a), bv = v128.load32_splat(b);
  let i = 0;
  if (compare) {
    for (; i + 16 <= len; i += 16) {
      const e = <usize>i;
      const m0 = cmpI32(op, ld4(a, acs, av, e), ld4(b, bcs, bv, e)), m1 = cmpI32(op, ld4(a, acs, av, e + 4), ld4(b, bcs, bv, e + 4));
      const m2 = cmpI32(op, ld4(a, acs, av, e + 8), ld4(b, bcs, bv, e + 8)), m3 = cmpI32(op, ld4(a, acs, av, e + 12), ld4(b, bcs, bv, e + 12));
      const bytes = i8x16.narrow_i16x8_s(i16x8.narrow_i32x4_s(m0, m1), i16x8.narrow_i32x4_s(m2, m3));
      v128.store(o + e, v128.and(bytes, i8x16.splat(1)));
    }
  } else {
    for (; i + 8 <= len; i += 8) {
      const e = <usize>i;
      v128.store(o + (e << 2), binI32(op, ld4(a, acs, av, e), ld4(b, bcs, bv, e)));
      v128.store(o + (e << 2), binI32(op, ld4(a, acs, av, e + 4), ld4(b, bcs, bv, e + 4)), 16);
    }
  }
  for (; i < len; i++) {
    const e = <usize>i;
    const x = i32x4.splat(load<i32>(acs == 0 ? a : a + (e << 2))), y = i32x4.splat(load<i32>(bcs == 0 ? b : b + (e << 2)));
    if (compare) store<u8>(o + e, i32x4.extract_lane(cmpI32(op, x, y), 0) & 1);
    else store<i32>(o + (e << 2), i32x4.extract_lane(binI32(op, x, y), 0));
  }
}

// @ts-ignore: decorator
@inline function walkI32(
  compare: bool, op: i32, rows: i32, len: i32, o: usize, ors: usize, a: usize, ars: usize, acs: i32, b: usize, brs: usize, bcs: i32,
): void {
  const osz: usize = compare ? 1 : 4;
  for (let r = 0; r < rows; r++) {
    if (acs == 1 && bcs == 1) rowI32(compare, op, o, a, 1, b, 1, len);
    else if (acs == 1) rowI32(compare, op, o, a, 1, b, 0, len);
    else rowI32(compare, op, o, a, 0, b, 1, len);
    o += ors * osz;
    a += ars << 2;
    b += brs << 2;
  }
}

// One function per op (see assembly/elementwise.ts: folded switch arms test the op per vector).
function i32OpAdd(rows: i32, len: i32, o: usize, ors: usize, a: usize, ars: usize, acs: i32, b: usize, brs: usize, bcs: i32): void { walkI32(false, ADD, rows, len, o, ors, a, ars, acs, b, brs, bcs); }
function i32OpSub(rows: i32, len: i32, o: usize, ors: usize, a: usize, ars: usize, acs: i32, b: usize, brs: usize, bcs: i32): void { walkI32(false, SUB, rows, len, o, ors, a, ars, acs, b, brs, bcs); }
function i32OpMul(rows: i32, len: i32, o: usize, ors: usize, a: usize, ars: usize, acs: i32, b: usize, brs: usize, bcs: i32): void { walkI32(false, MUL, rows, len, o, ors, a, ars, acs, b, brs, bcs); }
function i32OpAnd(rows: i32, len: i32, o: usize, ors: usize, a: usize, ars: usize, acs: i32, b: usize, brs: usize, bcs: i32): void { walkI32(false, AND, rows, len, o, ors, a, ars, acs, b, brs, bcs); }
function i32OpOr(rows: i32, len: i32, o: usize, ors: usize, a: usize, ars: usize, acs: i32, b: usize, brs: usize, bcs: i32): void { walkI32(false, OR, rows, len, o, ors, a, ars, acs, b, brs, bcs); }
function i32OpXor(rows: i32, len: i32, o: usize, ors: usize, a: usize, ars: usize, acs: i32, b: usize, brs: usize, bcs: i32): void { walkI32(false, XOR, rows, len, o, ors, a, ars, acs, b, brs, bcs); }
function i32OpMax(rows: i32, len: i32, o: usize, ors: usize, a: usize, ars: usize, acs: i32, b: usize, brs: usize, bcs: i32): void { walkI32(false, MAX, rows, len, o, ors, a, ars, acs, b, brs, bcs); }
function i32OpMin(rows: i32, len: i32, o: usize, ors: usize, a: usize, ars: usize, acs: i32, b: usize, brs: usize, bcs: i32): void { walkI32(false, MIN, rows, len, o, ors, a, ars, acs, b, brs, bcs); }

export function binaryI32(op: i32, rows: i32, len: i32, o: usize, ors: usize, a: usize, ars: usize, acs: i32, b: usize, brs: usize, bcs: i32): void {
  switch (op) {
    case ADD: i32OpAdd(rows, len, o, ors, a, ars, acs, b, brs, bcs); break;
    case SUB: i32OpSub(rows, len, o, ors, a, ars, acs, b, brs, bcs); break;
    case MUL: i32OpMul(rows, len, o, ors, a, ars, acs, b, brs, bcs); break;
    case AND: i32OpAnd(rows, len, o, ors, a, ars, acs, b, brs, bcs); break;
    case OR: i32OpOr(rows, len, o, ors, a, ars, acs, b, brs, bcs); break;
    case XOR: i32OpXor(rows, len, o, ors, a, ars, acs, b, brs, bcs); break;
    case MAX: i32OpMax(rows, len, o, ors, a, ars, acs, b, brs, bcs); break;
    default: i32OpMin(rows, len, o, ors, a, ars, acs, b, brs, bcs); break;
  }
}

function i32CmpEq(rows: i32, len: i32, o: usize, ors: usize, a: usize, ars: usize, acs: i32, b: usize, brs: usize, bcs: i32): void { walkI32(true, EQ, rows, len, o, ors, a, ars, acs, b, brs, bcs); }
function i32CmpNe(rows: i32, len: i32, o: usize, ors: usize, a: usize, ars: usize, acs: i32, b: usize, brs: usize, bcs: i32): void { walkI32(true, NE, rows, len, o, ors, a, ars, acs, b, brs, bcs); }
function i32CmpLt(rows: i32, len: i32, o: usize, ors: usize, a: usize, ars: usize, acs: i32, b: usize, brs: usize, bcs: i32): void { walkI32(true, LT, rows, len, o, ors, a, ars, acs, b, brs, bcs); }
function i32CmpLe(rows: i32, len: i32, o: usize, ors: usize, a: usize, ars: usize, acs: i32, b: usize, brs: usize, bcs: i32): void { walkI32(true, LE, rows, len, o, ors, a, ars, acs, b, brs, bcs); }
function i32CmpGt(rows: i32, len: i32, o: usize, ors: usize, a: usize, ars: usize, acs: i32, b: usize, brs: usize, bcs: i32): void { walkI32(true, GT, rows, len, o, ors, a, ars, acs, b, brs, bcs); }
function i32CmpGe(rows: i32, len: i32, o: usize, ors: usize, a: usize, ars: usize, acs: i32, b: usize, brs: usize, bcs: i32): void { walkI32(true, GE, rows, len, o, ors, a, ars, acs, b, brs, bcs); }

/** Comparisons of int32 operands into a bool (u8) output (ors in bytes). */
export function compareI32(op: i32, rows: i32, len: i32, o: usize, ors: usize, a: usize, ars: usize, acs: i32, b: usize, brs: usize, bcs: i32): void {
  switch (op) {
    case EQ: i32CmpEq(rows, len, o, ors, a, ars, acs, b, brs, bcs); break;
    case NE: i32CmpNe(rows, len, o, ors, a, ars, acs, b, brs, bcs); break;
    case LT: i32CmpLt(rows, len, o, ors, a, ars, acs, b, brs, bcs); break;
    case LE: i32CmpLe(rows, len, o, ors, a, ars, acs, b, brs, bcs); break;
    case GT: i32CmpGt(rows, len, o, ors, a, ars, acs, b, brs, bcs); break;
    default: i32CmpGe(rows, len, o, ors, a, ars, acs, b, brs, bcs); break;
  }
}
