/**
 * The CPU's family kernels for elementwise ops: one strided loop per arity that applies the
 * op's scalar math from its core definition (`info.fn`, or `info.intFn` for integer compute).
 * Contiguous same-shape operands take a flat loop; everything else goes through forEachRow.
 *
 * Operands are first cast to the compute dtype, as PyTorch's TensorIterator does: a JS number or
 * a 0-d float64 tensor meets a float32 tensor as a float32 value (`x.eq(0.1)` holds for
 * `x = tensor([0.1])`), and integer scalars wrap (`uint8Tensor.eq(506)` compares with 250).
 */
import { bfloat16ToFloat, floatToBfloat16, floatToHalf, halfToFloat, isFloatingPoint, isNativeDtype, shapeEqual } from '@torchts/core';
import type { DType, Op, Tensor } from '@torchts/core';
import { readAccess, scalarAccess, spanOf, writeAccess } from './access.js';
import type { Access } from './access.js';
import { forEachRow } from './iterate.js';

type F1 = (x: number, p: unknown) => number;
type F2 = (x: number, y: number, p: unknown) => number;
type F3 = (x: number, y: number, z: number, p: unknown) => number;

function pick<T>(op: Op, compute: DType): T {
  return (isFloatingPoint(compute) ? op.info.fn : op.info.intFn) as T;
}

/** Whether the op's results are already valid for a bool output (0/1). */
function exactForBool(op: Op): boolean {
  return op.info.rule === 'bool';
}

/** Whether some values of `from` change when cast to `to` (so they must be rounded or wrapped). */
function castLoses(from: DType, to: DType): boolean {
  if (from === to || from === 'bool' || to === 'float64') return false;
  switch (to) {
    case 'float32': return from === 'float64' || from === 'int32' || from === 'int64';
    case 'float16': case 'bfloat16': return from !== 'int8' && from !== 'uint8';
    case 'int64': return isFloatingPoint(from);
    case 'int32': return isFloatingPoint(from) || from === 'int64';
    case 'int16': return isFloatingPoint(from) || from === 'int64' || from === 'int32';
    default: return true; // int8, uint8, bool
  }
}

/** `v` cast to `to` and read back: C++ conversion (round to nearest float, wrap integers). */
export function castValue(v: number, to: DType): number {
  switch (to) {
    case 'float64': return v;
    case 'float32': return Math.fround(v);
    case 'float16': return halfToFloat(floatToHalf(v));
    case 'bfloat16': return bfloat16ToFloat(floatToBfloat16(v));
    case 'bool': return v !== 0 ? 1 : 0;
    default: break;
  }
  if (!Number.isFinite(v)) return 0;
  const t = Math.trunc(v);
  switch (to) {
    case 'int64': return t;
    case 'int32': return t | 0;
    case 'int16': return (t << 16) >> 16;
    case 'int8': return (t << 24) >> 24;
    default: return t & 255;
  }
}

/** Read access to an operand with its values cast to `compute` (copied only when that changes them). */
function operandAccess(x: Tensor | number | boolean, shape: readonly number[], compute: DType): Access {
  if (typeof x !== 'object') return scalarAccess(castValue(+x, compute), shape.length);
  const acc = readAccess(x, shape);
  if (!castLoses(x._dtype, compute)) return acc;
  const n = spanOf(x._shape, x._strides) + 1;
  const src = acc.arr;
  const dst = new Float64Array(n);
  for (let i = 0; i < n; i++) dst[i] = castValue(src[acc.off + i]!, compute);
  return { arr: dst, off: 0, strides: acc.strides };
}

/** Same shape as `out`, contiguous and directly readable: the flat-loop fast path applies. */
function isFlat(t: Tensor | number | boolean, out: Tensor, compute: DType): boolean {
  return typeof t === 'object' && (t._shape === out._shape || shapeEqual(t._shape, out._shape)) && isNativeDtype(t._dtype) &&
    !castLoses(t._dtype, compute) && t.isContiguous();
}

// ---- loops ------------------------------------------------------------------------------------
// One loop shared by every op calls many different `fn`s and sees every typed-array kind, so V8
// stops inlining and specialising it as soon as a few ops have run (3-6x slower). Each op gets
// its own copy of the loops instead, compiled from source made unique per op (so V8 keeps
// separate type feedback); where code generation is disallowed (CSP), the shared copy is used.

type Arr = Access['arr'];
interface Loops {
  flat1(O: Arr, A: Arr, oo: number, ao: number, n: number, f: F1, p: unknown): void;
  row1(O: Arr, A: Arr, o0: number, a0: number, so: number, sa: number, n: number, f: F1, p: unknown): void;
  flat2(O: Arr, A: Arr, B: Arr, oo: number, ao: number, bo: number, n: number, f: F2, p: unknown): void;
  row2(O: Arr, A: Arr, B: Arr, o0: number, a0: number, b0: number, so: number, sa: number, sb: number, n: number, f: F2, p: unknown): void;
  row3(O: Arr, A: Arr, B: Arr, C: Arr, o0: number, a0: number, b0: number, c0: number, so: number, sa: number, sb: number, sc: number, n: number, f: F3, p: unknown): void;
}

const LOOPS_SOURCE = `return {
  flat1(O, A, oo, ao, n, f, p) { for (let i = 0; i < n; i++) O[oo + i] = f(A[ao + i], p); },
  row1(O, A, o0, a0, so, sa, n, f, p) { for (let i = 0; i < n; i++) O[o0 + i * so] = f(A[a0 + i * sa], p); },
  flat2(O, A, B, oo, ao, bo, n, f, p) { for (let i = 0; i < n; i++) O[oo + i] = f(A[ao + i], B[bo + i], p); },
  row2(O, A, B, o0, a0, b0, so, sa, sb, n, f, p) { for (let i = 0; i < n; i++) O[o0 + i * so] = f(A[a0 + i * sa], B[b0 + i * sb], p); },
  row3(O, A, B, C, o0, a0, b0, c0, so, sa, sb, sc, n, f, p) {
    for (let i = 0; i < n; i++) O[o0 + i * so] = f(A[a0 + i * sa], B[b0 + i * sb], C[c0 + i * sc], p);
  },
};`;

/** The same loops as plain code: the fallback where `new Function` is not allowed. */
const sharedLoops: Loops = {
  flat1(O, A, oo, ao, n, f, p) { for (let i = 0; i < n; i++) O[oo + i] = f(A[ao + i]!, p); },
  row1(O, A, o0, a0, so, sa, n, f, p) { for (let i = 0; i < n; i++) O[o0 + i * so] = f(A[a0 + i * sa]!, p); },
  flat2(O, A, B, oo, ao, bo, n, f, p) { for (let i = 0; i < n; i++) O[oo + i] = f(A[ao + i]!, B[bo + i]!, p); },
  row2(O, A, B, o0, a0, b0, so, sa, sb, n, f, p) { for (let i = 0; i < n; i++) O[o0 + i * so] = f(A[a0 + i * sa]!, B[b0 + i * sb]!, p); },
  row3(O, A, B, C, o0, a0, b0, c0, so, sa, sb, sc, n, f, p) {
    for (let i = 0; i < n; i++) O[o0 + i * so] = f(A[a0 + i * sa]!, B[b0 + i * sb]!, C[c0 + i * sc]!, p);
  },
};
let loopCount = 0;

function loopsFor(op: Op): Loops {
  try {
    return new Function(`// loops of ${op.name.replace(/[^\w]/g, '')} #${loopCount++}\n${LOOPS_SOURCE}`)() as Loops;
  } catch {
    return sharedLoops;
  }
}

export function unaryKernel(op: Op) {
  const L = loopsFor(op);
  return (out: Tensor, a: Tensor, compute: DType, params: unknown): void => {
    const f = pick<F1>(op, compute);
    const w = writeAccess(out, exactForBool(op));
    const r = operandAccess(a, out._shape, compute);
    const O = w.arr, A = r.arr;
    if (out.isContiguous() && isFlat(a, out, compute) && O !== A) L.flat1(O, A, w.off, r.off, out.numel(), f, params);
    else {
      forEachRow(out._shape, [w.strides, r.strides], [w.off, r.off], (off, n, s) => L.row1(O, A, off[0]!, off[1]!, s[0]!, s[1]!, n, f, params));
    }
    w.commit();
  };
}

export function binaryKernel(op: Op) {
  const L = loopsFor(op);
  return (out: Tensor, a: Tensor | number, b: Tensor | number, compute: DType, params: unknown): void => {
    const f = pick<F2>(op, compute);
    if (isFlat(a, out, compute) && isFlat(b, out, compute) && isNativeDtype(out._dtype) && (out._dtype !== 'bool' || exactForBool(op)) && out.isContiguous()) {
      const ta = a as Tensor, tb = b as Tensor;
      L.flat2(out._storage.host(out._dtype), ta._storage.host(ta._dtype), tb._storage.host(tb._dtype), out._offset, ta._offset, tb._offset, out.numel(), f, params);
      return;
    }
    const w = writeAccess(out, exactForBool(op));
    const ra: Access = operandAccess(a, out._shape, compute);
    const rb: Access = operandAccess(b, out._shape, compute);
    const O = w.arr, A = ra.arr, B = rb.arr;
    forEachRow(out._shape, [w.strides, ra.strides, rb.strides], [w.off, ra.off, rb.off], (off, n, s) =>
      L.row2(O, A, B, off[0]!, off[1]!, off[2]!, s[0]!, s[1]!, s[2]!, n, f, params));
    w.commit();
  };
}

export function ternaryKernel(op: Op) {
  const L = loopsFor(op);
  return (out: Tensor, a: Tensor | number, b: Tensor | number, c: Tensor | number, compute: DType, params: unknown): void => {
    const f = pick<F3>(op, compute);
    const w = writeAccess(out, exactForBool(op));
    const ra = operandAccess(a, out._shape, compute);
    const rb = operandAccess(b, out._shape, compute);
    const rc = operandAccess(c, out._shape, compute);
    const O = w.arr, A = ra.arr, B = rb.arr, C = rc.arr;
    forEachRow(out._shape, [w.strides, ra.strides, rb.strides, rc.strides], [w.off, ra.off, rb.off, rc.off], (off, n, s) =>
      L.row3(O, A, B, C, off[0]!, off[1]!, off[2]!, off[3]!, s[0]!, s[1]!, s[2]!, s[3]!, n, f, params));
    w.commit();
  };
}
