// Ternary elementwise float32/float64 kernels: addcmul, addcdiv, lerp and clamp (tensor bounds),
// over the two-level walk of elementwise.ts: `rows` rows of `len` elements, output rows
// contiguous, operand p's element (r, i) at p + (r * prs + i * pcs) * sizeof<T> with pcs 1 (a
// full row) or 0 (a broadcast value: scalars, 0-d tensors, column vectors).
// Bit-identical to the TS kernels, which evaluate core's formulas in float64 and round on store
// (and, for float32 addcmul/addcdiv, where core's formula rounds a step as PyTorch's float32
// kernel does). float32 addcdiv runs in f32x4 lanes (every step rounds); addcmul rounds
// value * tensor1 in f32x4 lanes, then adds its product with tensor2 in float64 (one rounding, as
// PyTorch's fused multiply-add); lerp rounds end - input and 1 - weight in f32x4 lanes and
// widens for each form's multiply-add (float64 lerp: the double operations in the TS order);
// clamp's min/max are exact in either width. No relaxed fused multiply-add in either build.

import { hi64, join32, lo64, splat } from './elementwise';

// Op codes (the TS side, src/wasm/elementwise-ternary.ts, uses the same numbers).
const ADDCMUL = 0, ADDCDIV = 1, LERP = 2, CLAMP = 3;

/**
 * The op on float64 lanes. Operands: x (input), a (tensor1, end, lower bound), b (tensor2,
 * weight, upper bound); v is addcmul/addcdiv's value.
 */
// @ts-ignore: decorator
@inline function tri64(op: i32, x: v128, a: v128, b: v128, v: v128): v128 {
  if (op == ADDCMUL) return f64x2.add(x, f64x2.mul(f64x2.mul(v, a), b));
  if (op == ADDCDIV) return f64x2.add(x, f64x2.div(f64x2.mul(v, a), b));
  // Math.min(Math.max(x, lo), hi): NaN in any operand wins, -0 < +0, lo > hi gives hi.
  if (op == CLAMP) return f64x2.min(f64x2.max(x, a), b);
  // lerp: |w| < 0.5 ? x + w * (e - x) : e - (e - x) * (1 - w) (exact at w = 1; a NaN w takes the second form).
  const d = f64x2.sub(a, x);
  const near = f64x2.add(x, f64x2.mul(b, d));
  const far = f64x2.sub(a, f64x2.mul(d, f64x2.sub(f64x2.splat(1), b)));
  return v128.bitselect(near, far, f64x2.lt(f64x2.abs(b), f64x2.splat(0.5)));
}

// @ts-ignore: decorator
@inline function tri<T>(op: i32, x: v128, a: v128, b: v128, v: v128): v128 {
  if (sizeof<T>() == 8) return tri64(op, x, a, b, v);
  // float32: v is an f32x4 splat of the value.
  if (op == CLAMP) return f32x4.min(f32x4.max(x, a), b);
  if (op == ADDCDIV) return f32x4.add(x, f32x4.div(f32x4.mul(v, a), b));
  if (op == ADDCMUL) {
    const p = f32x4.mul(v, a);
    return join32(f64x2.add(lo64(x), f64x2.mul(lo64(p), lo64(b))), f64x2.add(hi64(x), f64x2.mul(hi64(p), hi64(b))));
  }
  // lerp: end - input and 1 - weight rounded in f32x4 lanes, each form's multiply-add in float64.
  const d = f32x4.sub(a, x), q = f32x4.sub(f32x4.splat(1), b);
  return join32(lerpHalf(lo64(x), lo64(a), lo64(b), lo64(d), lo64(q)), lerpHalf(hi64(x), hi64(a), hi64(b), hi64(d), hi64(q)));
}

/** float32 lerp on widened lanes: |w| < 0.5 ? x + w d : e - d q (d = fl(e - x), q = fl(1 - w)). */
// @ts-ignore: decorator
@inline function lerpHalf(x: v128, e: v128, w: v128, d: v128, q: v128): v128 {
  const near = f64x2.add(x, f64x2.mul(w, d));
  const far = f64x2.sub(e, f64x2.mul(d, q));
  return v128.bitselect(near, far, f64x2.lt(f64x2.abs(w), f64x2.splat(0.5)));
}

/** The broadcast value of an operand with inner stride 0 (zeros for a full row: not read). */
// @ts-ignore: decorator
@inline function bcast<T>(p: usize, cs: i32): v128 {
  return cs == 0 ? splat<T>(p) : v128.splat<i32>(0);
}

/** The vector at byte offset `off` of a full row, or the broadcast value. */
// @ts-ignore: decorator
@inline function vec(p: usize, cs: i32, bv: v128, off: usize): v128 {
  return cs == 0 ? bv : v128.load(p + off);
}

/** One element (in lane 0) at byte offset `off` of a full row, or the broadcast value. */
// @ts-ignore: decorator
@inline function one<T>(p: usize, cs: i32, bv: v128, off: usize): v128 {
  return cs == 0 ? bv : splat<T>(p + off);
}

/** One row, with the inner strides xcs, acs, bcs constant after inlining. */
// @ts-ignore: decorator
@inline function triRow<T>(op: i32, o: usize, x: usize, xcs: i32, a: usize, acs: i32, b: usize, bcs: i32, len: i32, v: v128): void {
  const sz = sizeof<T>();
  const lanes = 16 / <i32>sz;
  const xv = bcast<T>(x, xcs), av = bcast<T>(a, acs), bv = bcast<T>(b, bcs);
  let i = 0;
  // Both vectors of an iteration read their elements before writing them: in-place is safe.
  for (; i + 2 * lanes <= len; i += 2 * lanes) {
    const off = <usize>i * sz;
    v128.store(o + off, tri<T>(op, vec(x, xcs, xv, off), vec(a, acs, av, off), vec(b, bcs, bv, off), v));
    v128.store(o + off, tri<T>(op, vec(x, xcs, xv, off + 16), vec(a, acs, av, off + 16), vec(b, bcs, bv, off + 16), v), 16);
  }
  // Tails: the vector op on lane 0, so they give exactly what the vector body gives.
  for (; i < len; i++) {
    const off = <usize>i * sz;
    const r = tri<T>(op, one<T>(x, xcs, xv, off), one<T>(a, acs, av, off), one<T>(b, bcs, bv, off), v);
    if (sz == 4) store<f32>(o + off, f32x4.extract_lane(r, 0));
    else store<f64>(o + off, f64x2.extract_lane(r, 0));
  }
}

// The eight stride combinations, each its own loop: a literal stride per operand, chosen per row.
// @ts-ignore: decorator
@inline function rowB<T>(op: i32, o: usize, x: usize, xcs: i32, a: usize, acs: i32, b: usize, bcs: i32, len: i32, v: v128): void {
  if (bcs == 1) triRow<T>(op, o, x, xcs, a, acs, b, 1, len, v);
  else triRow<T>(op, o, x, xcs, a, acs, b, 0, len, v);
}
// @ts-ignore: decorator
@inline function rowA<T>(op: i32, o: usize, x: usize, xcs: i32, a: usize, acs: i32, b: usize, bcs: i32, len: i32, v: v128): void {
  if (acs == 1) rowB<T>(op, o, x, xcs, a, 1, b, bcs, len, v);
  else rowB<T>(op, o, x, xcs, a, 0, b, bcs, len, v);
}
// @ts-ignore: decorator
@inline function rowX<T>(op: i32, o: usize, x: usize, xcs: i32, a: usize, acs: i32, b: usize, bcs: i32, len: i32, v: v128): void {
  if (xcs == 1) rowA<T>(op, o, x, 1, a, acs, b, bcs, len, v);
  else rowA<T>(op, o, x, 0, a, acs, b, bcs, len, v);
}

// @ts-ignore: decorator
@inline function ternary<T>(
  op: i32, rows: i32, len: i32, o: usize, ors: usize, x: usize, xrs: usize, xcs: i32, a: usize, ars: usize, acs: i32, b: usize,
  brs: usize, bcs: i32, value: f64,
): void {
  const sz = sizeof<T>();
  const v = sz == 4 ? f32x4.splat(<f32>value) : f64x2.splat(value);
  for (let r = 0; r < rows; r++) {
    rowX<T>(op, o, x, xcs, a, acs, b, bcs, len, v);
    o += ors * sz;
    x += xrs * sz;
    a += ars * sz;
    b += brs * sz;
  }
}

// One function per op (see elementwise.ts: folded switch arms would test the op per vector).
function ternaryAddcmul<T>(rows: i32, len: i32, o: usize, ors: usize, x: usize, xrs: usize, xcs: i32, a: usize, ars: usize, acs: i32, b: usize, brs: usize, bcs: i32, value: f64): void { ternary<T>(ADDCMUL, rows, len, o, ors, x, xrs, xcs, a, ars, acs, b, brs, bcs, value); }
function ternaryAddcdiv<T>(rows: i32, len: i32, o: usize, ors: usize, x: usize, xrs: usize, xcs: i32, a: usize, ars: usize, acs: i32, b: usize, brs: usize, bcs: i32, value: f64): void { ternary<T>(ADDCDIV, rows, len, o, ors, x, xrs, xcs, a, ars, acs, b, brs, bcs, value); }
function ternaryLerp<T>(rows: i32, len: i32, o: usize, ors: usize, x: usize, xrs: usize, xcs: i32, a: usize, ars: usize, acs: i32, b: usize, brs: usize, bcs: i32, value: f64): void { ternary<T>(LERP, rows, len, o, ors, x, xrs, xcs, a, ars, acs, b, brs, bcs, value); }
function ternaryClamp<T>(rows: i32, len: i32, o: usize, ors: usize, x: usize, xrs: usize, xcs: i32, a: usize, ars: usize, acs: i32, b: usize, brs: usize, bcs: i32, value: f64): void { ternary<T>(CLAMP, rows, len, o, ors, x, xrs, xcs, a, ars, acs, b, brs, bcs, value); }

// @ts-ignore: decorator
@inline function ternaryDispatch<T>(
  op: i32, rows: i32, len: i32, o: usize, ors: usize, x: usize, xrs: usize, xcs: i32, a: usize, ars: usize, acs: i32, b: usize,
  brs: usize, bcs: i32, value: f64,
): void {
  switch (op) {
    case ADDCMUL: ternaryAddcmul<T>(rows, len, o, ors, x, xrs, xcs, a, ars, acs, b, brs, bcs, value); break;
    case ADDCDIV: ternaryAddcdiv<T>(rows, len, o, ors, x, xrs, xcs, a, ars, acs, b, brs, bcs, value); break;
    case LERP: ternaryLerp<T>(rows, len, o, ors, x, xrs, xcs, a, ars, acs, b, brs, bcs, value); break;
    default: ternaryClamp<T>(rows, len, o, ors, x, xrs, xcs, a, ars, acs, b, brs, bcs, value); break;
  }
}

/** o = op(x, a, b) over the two-level walk; value: addcmul/addcdiv's scalar (in the dtype). */
export function ternaryF32(op: i32, rows: i32, len: i32, o: usize, ors: usize, x: usize, xrs: usize, xcs: i32, a: usize, ars: usize, acs: i32,
  b: usize, brs: usize, bcs: i32, value: f64): void {
  ternaryDispatch<f32>(op, rows, len, o, ors, x, xrs, xcs, a, ars, acs, b, brs, bcs, value);
}

export function ternaryF64(op: i32, rows: i32, len: i32, o: usize, ors: usize, x: usize, xrs: usize, xcs: i32, a: usize, ars: usize, acs: i32,
  b: usize, brs: usize, bcs: i32, value: f64): void {
  ternaryDispatch<f64>(op, rows, len, o, ors, x, xrs, xcs, a, ars, acs, b, brs, bcs, value);
}
