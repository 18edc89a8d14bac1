/**
 * The CPU's family kernels for elementwise ops: one strided loop per arity that applies the
 * op's scalar math from its core definition (`info.fn`, or `info.intFn` for integer compute).
 * Contiguous same-shape operands take a flat loop; everything else goes through forEachRow.
 */
import { isFloatingPoint, isNativeDtype, shapeEqual } from '@torchts/core';
import type { DType, Op, Tensor } from '@torchts/core';
import { operandAccess, writeAccess } from './access.js';
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

/** Same shape as `out`, contiguous and directly readable: the flat-loop fast path applies. */
function isFlat(t: Tensor | number | boolean, out: Tensor): boolean {
  return typeof t === 'object' && (t._shape === out._shape || shapeEqual(t._shape, out._shape)) && isNativeDtype(t._dtype) && t.isContiguous();
}

export function unaryKernel(op: Op) {
  return (out: Tensor, a: Tensor, compute: DType, params: unknown): void => {
    const f = pick<F1>(op, compute);
    const w = writeAccess(out, exactForBool(op));
    const r = operandAccess(a, out._shape);
    if (out.isContiguous() && isFlat(a, out) && w.arr !== r.arr) {
      const O = w.arr, A = r.arr, oo = w.off, ao = r.off, n = out.numel();
      for (let i = 0; i < n; i++) O[oo + i] = f(A[ao + i]!, params);
    } else {
      const O = w.arr, A = r.arr;
      forEachRow(out._shape, [w.strides, r.strides], [w.off, r.off], (off, n, s) => {
        const o0 = off[0]!, a0 = off[1]!, so = s[0]!, sa = s[1]!;
        for (let i = 0; i < n; i++) O[o0 + i * so] = f(A[a0 + i * sa]!, params);
      });
    }
    w.commit();
  };
}

export function binaryKernel(op: Op) {
  return (out: Tensor, a: Tensor | number, b: Tensor | number, compute: DType, params: unknown): void => {
    const f = pick<F2>(op, compute);
    if (isFlat(a, out) && isFlat(b, out) && isNativeDtype(out._dtype) && (out._dtype !== 'bool' || exactForBool(op)) && out.isContiguous()) {
      const ta = a as Tensor, tb = b as Tensor;
      const O = out._storage.host(out._dtype), A = ta._storage.host(ta._dtype), B = tb._storage.host(tb._dtype);
      const oo = out._offset, ao = ta._offset, bo = tb._offset, n = out.numel();
      for (let i = 0; i < n; i++) O[oo + i] = f(A[ao + i]!, B[bo + i]!, params);
      return;
    }
    const w = writeAccess(out, exactForBool(op));
    const ra: Access = operandAccess(a, out._shape);
    const rb: Access = operandAccess(b, out._shape);
    const O = w.arr, A = ra.arr, B = rb.arr;
    forEachRow(out._shape, [w.strides, ra.strides, rb.strides], [w.off, ra.off, rb.off], (off, n, s) => {
      const o0 = off[0]!, a0 = off[1]!, b0 = off[2]!, so = s[0]!, sa = s[1]!, sb = s[2]!;
      for (let i = 0; i < n; i++) O[o0 + i * so] = f(A[a0 + i * sa]!, B[b0 + i * sb]!, params);
    });
    w.commit();
  };
}

export function ternaryKernel(op: Op) {
  return (out: Tensor, a: Tensor | number, b: Tensor | number, c: Tensor | number, compute: DType, params: unknown): void => {
    const f = pick<F3>(op, compute);
    const w = writeAccess(out, exactForBool(op));
    const ra = operandAccess(a, out._shape);
    const rb = operandAccess(b, out._shape);
    const rc = operandAccess(c, out._shape);
    const O = w.arr, A = ra.arr, B = rb.arr, C = rc.arr;
    forEachRow(out._shape, [w.strides, ra.strides, rb.strides, rc.strides], [w.off, ra.off, rb.off, rc.off], (off, n, s) => {
      const o0 = off[0]!, a0 = off[1]!, b0 = off[2]!, c0 = off[3]!, so = s[0]!, sa = s[1]!, sb = s[2]!, sc = s[3]!;
      for (let i = 0; i < n; i++) O[o0 + i * so] = f(A[a0 + i * sa]!, B[b0 + i * sb]!, C[c0 + i * sc]!, params);
    });
    w.commit();
  };
}
