/**
 * Convolutions through the WebAssembly drivers (assembly/conv.ts), split over the thread pool by
 * batch element: each thread unfolds and multiplies its own elements with its own im2col matrix
 * and GEMM workspace, so every output element is computed by one thread in the same order
 * whatever the thread count. The weight gradient sums over the batch: it is computed in chunks of
 * a fixed number of elements (chosen from the shape alone), whose partial sums are then added in
 * chunk order — the same bytes for any thread count.
 * Each function returns false when the wasm kernels do not apply (the TS loops run then).
 */
import type { NumArray } from '../kernels/access.js';
import type { Geometry } from '../kernels/nn/im2col.js';
import { heap } from '../device.js';
import { runSplit } from './parallel.js';
import { gemmWorkspace, inHeap, simd } from './simd.js';
import type { SimdExports } from './simd.js';

/** One convolution: the input side (x), the weight side (w) and the output side (out). */
export interface ConvProblem {
  N: number;
  groups: number;
  /** Input channels per group (direct: C/groups of x; transposed: x's channels per group). */
  Cg: number;
  /** Output channels per group. */
  Og: number;
  /** Output channels in all (the out/gy tensor's dim 1). */
  Cout: number;
  geo: Geometry;
  x: NumArray;
  xOff: number;
  /** x's strides [N, C, D, H, W] (3 spatial dims, leading ones 0 for 1-d and 2-d problems). */
  xStrides: number[];
  w: NumArray;
  wOff: number;
  out: NumArray;
  outOff: number;
}

/** Below this many multiply-adds per thread a split does not pay for the hand-off. */
const MIN_MACS_PER_THREAD = 1 << 18;
/**
 * The weight gradient's batch chunk: at least this many multiply-adds (and whole elements, a
 * multiple of the elements unfolded side by side). Chunks are the unit of the thread split: 2^20
 * made LeNet's conv1 five chunks (three on one thread, two on the other: 1.1x from a second
 * thread); 2^18 makes it sixteen.
 */
const CHUNK_MACS = 1 << 18;

const P_WORDS = 31;

function floatArrays(...arrays: NumArray[]): 4 | 8 | 0 {
  const f32 = arrays.every((a) => a instanceof Float32Array);
  if (!f32 && !arrays.every((a) => a instanceof Float64Array)) return 0;
  return arrays.every((a) => inHeap(a)) ? (f32 ? 4 : 8) : 0;
}

/** Writes the geometry block assembly/conv.ts reads (P_* word offsets) and returns its address. */
function params(p: ConvProblem, xPtr: number, wPtr: number, outPtr: number): number {
  const ptr = heap.scratch('conv.params', P_WORDS * 4);
  const w = new Int32Array(heap.heapBuffer, ptr, P_WORDS);
  const g = p.geo;
  const s = p.xStrides;
  w.set([
    xPtr, s[0]!, s[1]!, s[2]!, s[3]!, s[4]!, p.Cg,
    g.size[0]!, g.size[1]!, g.size[2]!, g.kernel[0]!, g.kernel[1]!, g.kernel[2]!, g.out[0]!, g.out[1]!, g.out[2]!,
    g.stride[0]!, g.stride[1]!, g.stride[2]!, g.padding[0]!, g.padding[1]!, g.padding[2]!, g.dilation[0]!, g.dilation[1]!, g.dilation[2]!,
    p.groups, p.Og, wPtr, outPtr, p.Cout, pointwise(p) ? 1 : 0,
  ]);
  return ptr;
}

const volume = (v: readonly number[]): number => v[0]! * v[1]! * v[2]!;

/** A 1x1 kernel, stride 1, no padding, contiguous spatial dims: the patches matrix is x itself. */
function pointwise(p: ConvProblem): boolean {
  const g = p.geo;
  const [, , sD, sH, sW] = p.xStrides as [number, number, number, number, number];
  const [D, H, W] = g.size as [number, number, number];
  return g.kernel.every((k) => k === 1) && g.stride.every((s) => s === 1) && g.padding.every((q) => q === 0) &&
    (W === 1 || sW === 1) && (H === 1 || sH === W) && (D === 1 || sD === H * W);
}

/** Per-thread im2col matrix. */
function colFor(thread: number, bytes: number): number {
  return heap.scratch(`conv.col.${thread}`, bytes);
}

const addr = (a: NumArray, off: number, sz: number): number => a.byteOffset + off * sz;

function kernels(ex: SimdExports, sz: 4 | 8) {
  return sz === 4
    ? { forward: 'convForwardF32', transpose: 'convTransposeF32', weightGrad: 'convWeightGradF32', sum: ex.sumPartialsF32 } as const
    : { forward: 'convForwardF64', transpose: 'convTransposeF64', weightGrad: 'convWeightGradF64', sum: ex.sumPartialsF64 } as const;
}

/**
 * Runs a per-element driver over the batch, split over threads: `rows` x `cols` is one element's
 * col matrix (per thread), `macs` one element's multiply-adds.
 */
function overBatch(p: ConvProblem, which: 'forward' | 'transpose', rows: number, cols: number, macs: number): boolean {
  const ex = simd();
  const sz = ex ? floatArrays(p.x, p.w, p.out) : 0;
  if (!ex || !sz) return false;
  const prm = params(p, addr(p.x, p.xOff, sz), addr(p.w, p.wOff, sz), addr(p.out, p.outOff, sz));
  runSplit(kernels(ex, sz)[which], { items: p.N, minItems: Math.ceil(MIN_MACS_PER_THREAD / macs) },
    (s, e, t) => [prm, s, e, colFor(t, rows * cols * sz), gemmWorkspace(ex, t)]);
  return true;
}

/** out[n] = conv(x[n], w) for every n (no bias): im2col + GEMM per element and group. */
export function simdConvForward(p: ConvProblem): boolean {
  const rows = p.Cg * volume(p.geo.kernel), L = volume(p.geo.out);
  return overBatch(p, 'forward', rows, L, p.groups * p.Og * rows * L);
}

/** The transposed convolution (out zeroed and filled): GEMM + col2im per element and group. */
export function simdConvTranspose(p: ConvProblem): boolean {
  const rows = p.Og * volume(p.geo.kernel), Lin = volume(p.geo.size);
  return overBatch(p, 'transpose', rows, Lin, p.groups * p.Cg * rows * Lin);
}

/** Batch elements the weight gradient unfolds side by side (assembly/conv.ts's WIDE_ROW / L). */
const sideBySide = (L: number, chunk: number): number => Math.min(chunk, Math.max(1, Math.floor(512 / L)));

/**
 * The weight gradient into `dW` ([Cout, Cg, k...], contiguous): `p.out` holds the output gradient
 * (contiguous [N, Cout, L]) and `p.w`/`p.wOff` are ignored.
 */
export function simdConvWeightGrad(p: ConvProblem, dW: NumArray, dWOff: number): boolean {
  const ex = simd();
  const sz = ex ? floatArrays(p.x, p.out, dW) : 0;
  if (!ex || !sz) return false;
  const rows = p.Cg * volume(p.geo.kernel);
  const L = volume(p.geo.out);
  const perElement = p.groups * p.Og * rows * L;
  const side = sideBySide(L, p.N);
  const chunk = Math.ceil(Math.max(1, Math.ceil(CHUNK_MACS / perElement)) / side) * side;
  const chunks = Math.ceil(p.N / chunk);
  const len = p.Cout * rows;
  const k = kernels(ex, sz);
  const single = chunks === 1;
  // One chunk writes dW directly; several write partials summed in chunk order afterwards.
  const partials = single ? addr(dW, dWOff, sz) : heap.scratch('conv.partials', chunks * len * sz);
  const prm = params(p, addr(p.x, p.xOff, sz), partials, addr(p.out, p.outOff, sz));
  runSplit(k.weightGrad, { items: chunks, minItems: Math.ceil(MIN_MACS_PER_THREAD / (chunk * perElement)) },
    (s, e, t) => [prm, s, e, chunk, p.N, colFor(t, (rows + p.Og) * sideBySide(L, chunk) * L * sz)]);
  if (!single) k.sum(addr(dW, dWOff, sz), partials, chunks, len);
  return true;
}
