/**
 * Array-level GEMM: C = alpha * A @ B + beta * C for one matrix, in plain TypeScript.
 *
 * Contract (what a WebAssembly SIMD replacement must keep):
 * - A is m x k, B is k x n, C is m x n; each is (array, element offset, row stride, column stride).
 *   Strides are any non-negative integers (0 for broadcast rows/columns of A and B, never for C),
 *   so transposed and sliced operands are read where they lie: nothing is copied beforehand.
 * - Math is in doubles; results are stored into C's array, whose typed-array store rounds
 *   (Float32Array) or wraps modulo 2^bits (Int8/16/32, Uint8 arrays), as C++ does.
 *   Integer results are exact while the true sums stay below 2^53 (int32 has its own exact path,
 *   `gemmInt32`, because int32 products alone can reach 2^62).
 * - beta === 0 makes C write-only (NaN/inf already in C are ignored, as BLAS and PyTorch do);
 *   k === 0 or alpha === 0 only scale C by beta.
 * - C must not overlap A or B (the caller computes into a temporary when they alias).
 *
 * How: the BLIS loop nest. B is packed in KC x NC blocks of 4-column panels and A in 4-row
 * panels (both as Float64Array, which also decodes any input array type once), then a 4x4
 * register-blocked micro-kernel runs over the panels. Skinny (m == 1 or n == 1) and small
 * products skip the packing. The packing buffers are module-level and grow on demand: kernels run
 * synchronously. Callers should pass only Float32Array/Float64Array operands (batched.ts widens
 * the others): loops that meet many typed-array kinds go megamorphic in V8 and slow down ~3x.
 * About 2 GFLOP/s on one core here (256^3 float32 in ~16 ms).
 */
import type { NumArray } from '../access.js';
import { gemmWorkspace, getNumThreads, inHeap, pool, simd } from '../../wasm/simd.js';
import type { SimdExports } from '../../wasm/simd.js';
import type { WasmPool } from '../../wasm/pool.js';

/** A strided matrix operand: element (i, j) is `arr[off + i * rs + j * cs]`. */
export interface MatrixView {
  arr: NumArray;
  off: number;
  rs: number;
  cs: number;
}

const MR = 4;
const NR = 4;
/** Depth of one packed block: a 4 x KC panel of A (8 KiB) stays in L1 while B panels stream. */
const KC = 256;
/** Width of one packed B block: KC x NC doubles (512 KiB) stays in L2. */
const NC = 256;
/** Up to this many multiply-adds a product runs unpacked. */
const SMALL = 4096;

let packA = new Float64Array(MR * KC);
let packB = new Float64Array(KC * NC);
const tile = new Float64Array(MR * NR);

export function gemm(m: number, n: number, k: number, alpha: number, A: MatrixView, B: MatrixView, beta: number, C: MatrixView): void {
  if (m === 0 || n === 0) return;
  if (k === 0 || alpha === 0) {
    scale(m, n, beta, C);
    return;
  }
  if (wasmGemm(m, n, k, alpha, A, B, beta, C)) return;
  if (n === 1) gemvRows(m, k, alpha, A, B, beta, C);
  else if (m === 1) gemvCols(n, k, alpha, A, B, beta, C);
  else if (m * n * k <= SMALL) direct(m, n, k, alpha, A, B, beta, C);
  else blocked(m, n, k, alpha, A, B, beta, C);
}

/**
 * float32 or float64 operands that all lie in the CPU heap go to the WebAssembly SIMD GEMM
 * (assembly/gemm.ts), which computes in the operands' precision as PyTorch does. Returns false
 * when it does not apply (TS kernels forced, other array kinds, arrays outside the heap).
 */
function wasmGemm(m: number, n: number, k: number, alpha: number, A: MatrixView, B: MatrixView, beta: number, C: MatrixView): boolean {
  const ex = simd();
  if (!ex) return false;
  const a = A.arr, b = B.arr, c = C.arr;
  const f32 = c instanceof Float32Array && a instanceof Float32Array && b instanceof Float32Array;
  if (!f32 && !(c instanceof Float64Array && a instanceof Float64Array && b instanceof Float64Array)) return false;
  if (!inHeap(a) || !inHeap(b) || !inHeap(c)) return false;
  const sz = f32 ? 4 : 8;
  const pa = a.byteOffset + A.off * sz, pb = b.byteOffset + B.off * sz, pc = c.byteOffset + C.off * sz;
  const threads = m * n * k >= PARALLEL_MACS ? pool() : null;
  if (threads) {
    gemmParallel(threads, f32 ? 'gemmF32' : 'gemmF64', ex, m, n, k, alpha, pa, A, pb, B, beta, pc, C, sz);
    return true;
  }
  (f32 ? ex.gemmF32 : ex.gemmF64)(m, n, k, alpha, pa, A.rs, A.cs, pb, B.rs, B.cs, beta, pc, C.rs, C.cs, gemmWorkspace(ex));
  return true;
}

/** Products with at least this many multiply-adds are split over the thread pool. */
const PARALLEL_MACS = 1 << 22;
const MIN_SPLIT = 32;

/**
 * Splits C into one block of rows or columns (whichever dim is larger) per thread, aligned to the
 * micro-kernel's tile, each with its own packing workspace. Every element is computed by one
 * thread with the same depth blocking, so results do not depend on the thread count.
 */
function gemmParallel(
  p: WasmPool, fn: 'gemmF32' | 'gemmF64', ex: SimdExports, m: number, n: number, k: number, alpha: number,
  pa: number, A: MatrixView, pb: number, B: MatrixView, beta: number, pc: number, C: MatrixView, sz: number,
): void {
  const byRows = m > n;
  const dim = byRows ? m : n;
  const align = byRows ? 4 : 32 / sz;
  // Each thread repacks the other operand whole: give it at least MIN_SPLIT rows or columns.
  const T = Math.min(getNumThreads(), Math.floor(dim / MIN_SPLIT));
  if (T < 2) {
    ex[fn](m, n, k, alpha, pa, A.rs, A.cs, pb, B.rs, B.cs, beta, pc, C.rs, C.cs, gemmWorkspace(ex));
    return;
  }
  const chunk = Math.ceil(dim / T / align) * align;
  const count = Math.ceil(dim / chunk);
  const args = (job: number, thread: number): number[] => {
    const start = job * chunk, size = Math.min(chunk, dim - start);
    return byRows
      ? [size, n, k, alpha, pa + start * A.rs * sz, A.rs, A.cs, pb, B.rs, B.cs, beta, pc + start * C.rs * sz, C.rs, C.cs, gemmWorkspace(ex, thread)]
      : [m, size, k, alpha, pa, A.rs, A.cs, pb + start * B.cs * sz, B.rs, B.cs, beta, pc + start * C.cs * sz, C.rs, C.cs, gemmWorkspace(ex, thread)];
  };
  p.run({ fn, count, args }, T, (a) => ex[fn](...(a as Parameters<SimdExports['gemmF32']>)));
}

/** Small products (a batch of 8x8 matrices): packing would cost more than it saves. */
function direct(m: number, n: number, k: number, alpha: number, A: MatrixView, B: MatrixView, beta: number, C: MatrixView): void {
  const a = A.arr, b = B.arr, c = C.arr, acs = A.cs, brs = B.rs;
  for (let i = 0; i < m; i++) {
    const aRow = A.off + i * A.rs;
    let o = C.off + i * C.rs;
    for (let j = 0; j < n; j++, o += C.cs) {
      let s = 0;
      for (let p = 0, ao = aRow, bo = B.off + j * B.cs; p < k; p++, ao += acs, bo += brs) s += a[ao]! * b[bo]!;
      c[o] = beta === 0 ? alpha * s : alpha * s + beta * c[o]!;
    }
  }
}

/** C = beta * C (beta === 0 writes zeros, so NaN in C does not survive). */
function scale(m: number, n: number, beta: number, C: MatrixView): void {
  if (beta === 1) return;
  const c = C.arr, rs = C.rs, cs = C.cs;
  for (let i = 0; i < m; i++) {
    let o = C.off + i * rs;
    for (let j = 0; j < n; j++, o += cs) c[o] = beta === 0 ? 0 : beta * c[o]!;
  }
}

/** n == 1: one dot product per row of A (four partial sums, for the FPU's pipelines). */
function gemvRows(m: number, k: number, alpha: number, A: MatrixView, B: MatrixView, beta: number, C: MatrixView): void {
  const a = A.arr, b = B.arr, c = C.arr, acs = A.cs, brs = B.rs;
  const k4 = k - (k % 4);
  for (let i = 0; i < m; i++) {
    let ao = A.off + i * A.rs;
    let bo = B.off;
    let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    for (let p = 0; p < k4; p += 4, ao += 4 * acs, bo += 4 * brs) {
      s0 += a[ao]! * b[bo]!;
      s1 += a[ao + acs]! * b[bo + brs]!;
      s2 += a[ao + 2 * acs]! * b[bo + 2 * brs]!;
      s3 += a[ao + 3 * acs]! * b[bo + 3 * brs]!;
    }
    for (let p = k4; p < k; p++, ao += acs, bo += brs) s0 += a[ao]! * b[bo]!;
    const s = s0 + s1 + (s2 + s3);
    const o = C.off + i * C.rs;
    c[o] = beta === 0 ? alpha * s : alpha * s + beta * c[o]!;
  }
}

/** m == 1: a row vector times B, accumulated row by row of B (or column dots when B is column-major). */
function gemvCols(n: number, k: number, alpha: number, A: MatrixView, B: MatrixView, beta: number, C: MatrixView): void {
  const a = A.arr, b = B.arr, c = C.arr;
  const acc = scratchRow(n);
  if (B.cs !== 1 && B.rs === 1) {
    for (let j = 0; j < n; j++) {
      let ao = A.off;
      let bo = B.off + j * B.cs;
      let s = 0;
      for (let p = 0; p < k; p++, ao += A.cs, bo++) s += a[ao]! * b[bo]!;
      acc[j] = s;
    }
  } else {
    acc.fill(0, 0, n);
    const bcs = B.cs;
    for (let p = 0; p < k; p++) {
      const x = a[A.off + p * A.cs]!;
      let bo = B.off + p * B.rs;
      for (let j = 0; j < n; j++, bo += bcs) acc[j] += x * b[bo]!;
    }
  }
  let o = C.off;
  for (let j = 0; j < n; j++, o += C.cs) c[o] = beta === 0 ? alpha * acc[j]! : alpha * acc[j]! + beta * c[o]!;
}

let rowBuf = new Float64Array(256);
function scratchRow(n: number): Float64Array {
  if (rowBuf.length < n) rowBuf = new Float64Array(n);
  return rowBuf;
}

function blocked(m: number, n: number, k: number, alpha: number, A: MatrixView, B: MatrixView, beta: number, C: MatrixView): void {
  const kcMax = Math.min(k, KC);
  const ncMax = Math.min(Math.ceil(n / NR) * NR, NC);
  if (packA.length < MR * kcMax) packA = new Float64Array(MR * kcMax);
  if (packB.length < kcMax * ncMax) packB = new Float64Array(kcMax * ncMax);
  const pa = packA, pb = packB;
  for (let jc = 0; jc < n; jc += NC) {
    const nc = Math.min(NC, n - jc);
    for (let pc = 0; pc < k; pc += KC) {
      const kc = Math.min(KC, k - pc);
      // The first depth block applies beta; later ones accumulate onto C.
      const betaBlock = pc === 0 ? beta : 1;
      packPanelsB(pb, B, pc, kc, jc, nc);
      for (let ic = 0; ic < m; ic += MR) {
        const mr = Math.min(MR, m - ic);
        packPanelA(pa, A, ic, mr, pc, kc);
        for (let jr = 0; jr < nc; jr += NR) {
          microKernel(pa, pb, jr * kc, kc);
          storeTile(C, ic, jc + jr, mr, Math.min(NR, nc - jr), alpha, betaBlock);
        }
      }
    }
  }
}

/** Packs rows [ic, ic+mr) x depth [pc, pc+kc) of A as pa[p * 4 + r], zero-padding missing rows. */
function packPanelA(pa: Float64Array, A: MatrixView, ic: number, mr: number, pc: number, kc: number): void {
  const a = A.arr, rs = A.rs, cs = A.cs;
  const base = A.off + ic * rs + pc * cs;
  if (mr === MR) {
    const r1 = rs, r2 = 2 * rs, r3 = 3 * rs;
    for (let p = 0, o = base, q = 0; p < kc; p++, o += cs, q += MR) {
      pa[q] = a[o]!;
      pa[q + 1] = a[o + r1]!;
      pa[q + 2] = a[o + r2]!;
      pa[q + 3] = a[o + r3]!;
    }
    return;
  }
  for (let p = 0; p < kc; p++) {
    const o = base + p * cs;
    for (let r = 0; r < MR; r++) pa[p * MR + r] = r < mr ? a[o + r * rs]! : 0;
  }
}

/** Packs depth [pc, pc+kc) x columns [jc, jc+nc) of B as 4-wide panels: pb[(j/4)*kc*4 + p*4 + j%4]. */
function packPanelsB(pb: Float64Array, B: MatrixView, pc: number, kc: number, jc: number, nc: number): void {
  const b = B.arr, rs = B.rs, cs = B.cs;
  for (let jr = 0; jr < nc; jr += NR) {
    const nr = Math.min(NR, nc - jr);
    const panel = jr * kc;
    const base = B.off + pc * rs + (jc + jr) * cs;
    if (nr === NR) {
      const c1 = cs, c2 = 2 * cs, c3 = 3 * cs;
      for (let p = 0, o = base, q = panel; p < kc; p++, o += rs, q += NR) {
        pb[q] = b[o]!;
        pb[q + 1] = b[o + c1]!;
        pb[q + 2] = b[o + c2]!;
        pb[q + 3] = b[o + c3]!;
      }
    } else {
      for (let p = 0; p < kc; p++) {
        const o = base + p * rs;
        for (let c = 0; c < NR; c++) pb[panel + p * NR + c] = c < nr ? b[o + c * cs]! : 0;
      }
    }
  }
}

/** The 4x4 register block: tile = A panel (4 x kc) @ B panel (kc x 4), sixteen accumulators. */
function microKernel(pa: Float64Array, pb: Float64Array, bStart: number, kc: number): void {
  let c00 = 0, c01 = 0, c02 = 0, c03 = 0, c10 = 0, c11 = 0, c12 = 0, c13 = 0;
  let c20 = 0, c21 = 0, c22 = 0, c23 = 0, c30 = 0, c31 = 0, c32 = 0, c33 = 0;
  for (let p = 0, ao = 0, bo = bStart; p < kc; p++, ao += MR, bo += NR) {
    const a0 = pa[ao]!, a1 = pa[ao + 1]!, a2 = pa[ao + 2]!, a3 = pa[ao + 3]!;
    const b0 = pb[bo]!, b1 = pb[bo + 1]!, b2 = pb[bo + 2]!, b3 = pb[bo + 3]!;
    c00 += a0 * b0; c01 += a0 * b1; c02 += a0 * b2; c03 += a0 * b3;
    c10 += a1 * b0; c11 += a1 * b1; c12 += a1 * b2; c13 += a1 * b3;
    c20 += a2 * b0; c21 += a2 * b1; c22 += a2 * b2; c23 += a2 * b3;
    c30 += a3 * b0; c31 += a3 * b1; c32 += a3 * b2; c33 += a3 * b3;
  }
  const t = tile;
  t[0] = c00; t[1] = c01; t[2] = c02; t[3] = c03;
  t[4] = c10; t[5] = c11; t[6] = c12; t[7] = c13;
  t[8] = c20; t[9] = c21; t[10] = c22; t[11] = c23;
  t[12] = c30; t[13] = c31; t[14] = c32; t[15] = c33;
}

/** C[i0.., j0..] = alpha * tile + beta * C over the valid mr x nr corner of the tile. */
function storeTile(C: MatrixView, i0: number, j0: number, mr: number, nr: number, alpha: number, beta: number): void {
  const c = C.arr, rs = C.rs, cs = C.cs, t = tile;
  for (let r = 0; r < mr; r++) {
    let o = C.off + (i0 + r) * rs + j0 * cs;
    for (let q = 0; q < nr; q++, o += cs) {
      const v = alpha * t[r * NR + q]!;
      c[o] = beta === 0 ? v : v + beta * c[o]!;
    }
  }
}

/**
 * Exact int32 GEMM (products wrap modulo 2^32 as in C++): i-k-j order with an Int32Array row,
 * Math.imul for the products. alpha and beta are integers.
 */
export function gemmInt32(m: number, n: number, k: number, alpha: number, A: MatrixView, B: MatrixView, beta: number, C: MatrixView): void {
  if (m === 0 || n === 0) return;
  const a = A.arr, b = B.arr, c = C.arr;
  const acc = new Int32Array(n);
  for (let i = 0; i < m; i++) {
    acc.fill(0);
    for (let p = 0; p < k; p++) {
      const x = a[A.off + i * A.rs + p * A.cs]!;
      if (x === 0) continue;
      let bo = B.off + p * B.rs;
      for (let j = 0; j < n; j++, bo += B.cs) acc[j] = acc[j]! + Math.imul(x, b[bo]!);
    }
    let o = C.off + i * C.rs;
    for (let j = 0; j < n; j++, o += C.cs) {
      const prod = Math.imul(alpha, acc[j]!);
      c[o] = beta === 0 ? prod : (prod + Math.imul(beta, c[o]!)) | 0;
    }
  }
}
