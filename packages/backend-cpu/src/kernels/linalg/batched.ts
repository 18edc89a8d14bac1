/**
 * The CPU kernel of core's `_gemm` op, which every matrix product reduces to:
 *   out[b] = alpha * a[b] @ b[b] + beta * out[b]   for every batch index b.
 *
 * Kernel contract (checked by core's op, assumed here):
 * - a: [...batch, m, k], b: [...batch, k, n], out: [...batch, m, n]; same rank >= 2 and the same
 *   batch sizes. a and b may have any strides (0 on broadcast batch dims, transposed matrices);
 *   out may have any strides that do not overlap itself and must not share memory with a or b.
 * - One dtype for all three, not bool. Integral dtypes get integral alpha and beta.
 * - beta === 0: out's prior contents are ignored.
 *
 * Element access: float32/float64 are used in place. int64, float16 and bfloat16 come decoded to
 * doubles by access.ts; int8/int16/uint8 are widened to doubles here too, so the GEMM loops only
 * ever see Float32Array or Float64Array (a loop that meets every typed-array kind goes
 * megamorphic in V8 and runs several times slower). int32 has its own exact loop.
 */
import type { Tensor } from '@torchts/core';
import { readAccess, spanOf, writeAccess } from '../access.js';
import type { Access } from '../access.js';
import { gemm, gemmInt32 } from './gemm.js';
import type { MatrixView } from './gemm.js';

/** dtypes whose native arrays are widened to doubles before the GEMM loops see them. */
function narrowInt(dtype: string): boolean {
  return dtype === 'int8' || dtype === 'int16' || dtype === 'uint8';
}

function widen(acc: Access, t: Tensor): Access {
  const span = spanOf(t._shape, t._strides);
  return { arr: new Float64Array(acc.arr.subarray(acc.off, acc.off + span + 1)), off: 0, strides: acc.strides };
}

export function gemmKernel(out: Tensor, a: Tensor, b: Tensor, alpha: number, beta: number): void {
  const nd = out._shape.length;
  const m = out._shape[nd - 2]!;
  const n = out._shape[nd - 1]!;
  const k = a._shape[nd - 1]!;
  let batch = 1;
  for (let d = 0; d < nd - 2; d++) batch *= out._shape[d]!;
  if (batch === 0 || m === 0 || n === 0) return;
  const narrow = narrowInt(out._dtype);
  const w = writeAccess(out);
  const wc = narrow ? widen(w, out) : w;
  const ra = narrow ? widen(readAccess(a), a) : readAccess(a);
  const rb = narrow ? widen(readAccess(b), b) : readAccess(b);
  const run = out._dtype === 'int32' ? gemmInt32 : gemm;
  const A = matrix(ra, nd), B = matrix(rb, nd), C = matrix(wc, nd);
  // Walk the batch dims as an odometer, keeping each operand's element offset.
  const idx = new Array<number>(Math.max(nd - 2, 0)).fill(0);
  for (let t = 0; t < batch; t++) {
    run(m, n, k, alpha, A, B, beta, C);
    for (let d = nd - 3; d >= 0; d--) {
      const size = out._shape[d]!;
      A.off += ra.strides[d]!;
      B.off += rb.strides[d]!;
      C.off += wc.strides[d]!;
      if (++idx[d]! < size) break;
      idx[d] = 0;
      A.off -= ra.strides[d]! * size;
      B.off -= rb.strides[d]! * size;
      C.off -= wc.strides[d]! * size;
    }
  }
  // Typed-array stores wrap modulo 2^bits, as C++'s integer arithmetic does.
  if (narrow) w.arr.set(wc.arr, w.off);
  w.commit();
}

function matrix(acc: Access, nd: number): MatrixView {
  return { arr: acc.arr, off: acc.off, rs: acc.strides[nd - 2]!, cs: acc.strides[nd - 1]! };
}
