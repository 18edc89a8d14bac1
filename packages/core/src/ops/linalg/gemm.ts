/**
 * `_gemm`, the one primitive every matrix product of this family reduces to:
 *   out[b] = alpha * a[b] @ b[b] + beta * out[b]   over every batch index b.
 *
 * Kernel signature: (out, a, b, alpha, beta), with
 * - a: [...batch, m, k], b: [...batch, k, n], out: [...batch, m, n]: one rank >= 2 and the same
 *   batch sizes. a and b keep whatever strides they have (broadcast batch dims with stride 0,
 *   transposed matrices): kernels read them in place, so no operand is copied to be multiplied.
 * - one dtype, not bool; integral dtypes get integral alpha/beta; k > 0 (core handles k == 0).
 * - beta === 0: out is write-only (NaN already in out does not propagate, as in BLAS).
 * - out does not share memory with a or b (`gemmInto` computes through a temporary then).
 * mm, bmm, mv, dot, addmm, addmv, baddbmm and addbmm call it; matmul, einsum, tensordot and
 * friends are composites of those.
 */
import { defineOp } from '../../dispatcher.js';
import { RuntimeError } from '../../errors.js';
import { Tensor, emptyTensor } from '../../tensor.js';
import { copyOp } from '../copy.js';

export const gemmOp = defineOp('_gemm', (out: Tensor, a: Tensor, b: Tensor, alpha: number, beta: number): Tensor => {
  const nd = out._shape.length;
  if (nd < 2 || a._shape.length !== nd || b._shape.length !== nd) {
    throw new RuntimeError(`_gemm: expected operands of one rank >= 2, got ${a._shape.length}, ${b._shape.length} and ${nd}`);
  }
  if (out._dtype === 'bool' || a._dtype !== out._dtype || b._dtype !== out._dtype) {
    throw new RuntimeError(`_gemm: expected one non-bool dtype, got ${a._dtype}, ${b._dtype} and ${out._dtype}`);
  }
  gemmOp.kernel(out.device)(out, a, b, alpha, beta);
  return out;
}, { inplace: true, writes: [0] });

function sharesMemory(x: Tensor, y: Tensor): boolean {
  return x._storage === y._storage;
}

/**
 * out = alpha * a @ b + beta * out (batched as `_gemm`), computing into a contiguous temporary
 * when out aliases an operand (`x.addmm_(x, x)`), since kernels write out while reading a and b.
 */
export function gemmInto(out: Tensor, a: Tensor, b: Tensor, alpha: number, beta: number): void {
  if (!sharesMemory(out, a) && !sharesMemory(out, b)) {
    gemmOp.call(out, a, b, alpha, beta);
    return;
  }
  const tmp = emptyTensor([...out._shape], out._dtype, out.device);
  if (beta !== 0) copyOp.call(tmp, out);
  gemmOp.call(tmp, a, b, alpha, beta);
  copyOp.call(out, tmp);
  tmp.dispose();
}
