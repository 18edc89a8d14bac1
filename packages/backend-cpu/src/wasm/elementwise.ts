/**
 * Routes elementwise ops to the WebAssembly SIMD kernels (assembly/elementwise.ts) where they
 * apply, and to the TS family kernels otherwise. A wasm call applies when:
 * - the op has a wasm form (add/sub with alpha 1, mul, div without rounding mode; relu, neg, abs;
 *   eq/ne/lt/le/gt/ge into a bool output; where with a bool/uint8 condition),
 * - output (bool for comparisons), compute dtype and every tensor operand are float32, or all
 *   float64 (no casts),
 * - after coalescing (iterate.ts) the walk is at most two dims with the output contiguous along the
 *   inner one and every input either contiguous or broadcast (stride 0) along it: same-shape,
 *   scalar, row (bias) and column broadcasts, and their batched forms,
 * - the output does not partially overlap an input (in-place on the very same elements is fine),
 * - there are enough elements to pay for the call (small ones stay in TS: lower overhead).
 * The results are bit-identical to the TS kernels (test/simd/elementwise.test.ts checks).
 */
import type { DType, Op, Tensor } from '@torchts/core';
import { heap } from '../device.js';
import { coalesce } from '../kernels/iterate.js';
import { broadcastStrides } from '../kernels/access.js';
import { simd } from './simd.js';

/** Below this many elements the TS loop is faster than crossing into wasm. */
const MIN_ELEMENTS = 256;

const BINARY: Record<string, number> = { add: 0, sub: 1, mul: 2, div: 3 };
const COMPARE: Record<string, number> = { eq: 0, ne: 1, lt: 2, le: 3, gt: 4, ge: 5 };
const UNARY: Record<string, number> = {
  relu: 0, neg: 1, abs: 2, exp: 3, log: 4, tanh: 5, sigmoid: 6, sqrt: 7, rsqrt: 8, silu: 9, reciprocal: 10,
};

type BinaryKernel = (out: Tensor, a: Tensor | number, b: Tensor | number, compute: DType, params: unknown) => void;
type UnaryKernel = (out: Tensor, a: Tensor, compute: DType, params: unknown) => void;
type TernaryKernel = (out: Tensor, a: Tensor | number, b: Tensor | number, c: Tensor | number, compute: DType, params: unknown) => void;

function simpleParams(name: string, params: unknown): boolean {
  const p = params as { alpha?: number; mode?: unknown } | undefined;
  if (name === 'add' || name === 'sub') return p?.alpha === 1;
  if (name === 'div') return p?.mode === null;
  return true;
}

/** Byte range [start, end) an operand touches. */
function byteRange(t: Tensor, sz: number): [number, number] {
  let span = 0;
  for (let d = 0; d < t._shape.length; d++) span += (t._shape[d]! - 1) * t._strides[d]!;
  const start = t._storage.ptr + t._offset * sz;
  return [start, start + (span + 1) * sz];
}

/** Whether writing `out` could clobber input elements before they are read (partial overlap). */
function partialOverlap(out: Tensor, x: Tensor, sz: number): boolean {
  if (out._storage !== x._storage) return false;
  const [os, oe] = byteRange(out, sz);
  const [xs, xe] = byteRange(x, sz);
  if (oe <= xs || xe <= os) return false;
  return !(os === xs && x._shape.length === out._shape.length && x._strides.every((s, d) => s === out._strides[d]));
}

interface Walk {
  rows: number;
  len: number;
  /** Per operand (out first): [outer stride, inner stride] in elements. */
  strides: [number, number][];
}

/** The two-level walk of `shape` over operands with the given strides, or null if it does not fit. */
function twoLevel(shape: readonly number[], strides: number[][]): Walk | null {
  const plan = coalesce(shape, strides);
  const nd = plan.shape.length;
  if (nd > 2) return null;
  const len = plan.shape[nd - 1]!;
  const rows = nd === 2 ? plan.shape[0]! : 1;
  const out: [number, number][] = plan.strides.map((s) => [nd === 2 ? s[0]! : 0, s[nd - 1]!]);
  // A length-1 inner dim coalesces to stride 0 or anything: normalise to 1 for a contiguous output.
  if (len === 1) for (const s of out) s[1] = s[1] === 0 ? 0 : 1;
  if (out[0]![1] !== 1 && len > 1) return null;
  out[0]![1] = 1;
  if (out.some(([, inner]) => inner !== 0 && inner !== 1)) return null;
  return { rows, len, strides: out };
}

export function simdBinary(op: Op, ts: BinaryKernel): BinaryKernel {
  const arith = BINARY[op.name];
  const cmp = COMPARE[op.name];
  if (arith === undefined && cmp === undefined) return ts;
  const name = op.name;
  return (out, a, b, compute, params) => {
    const ex = simd();
    const dtype = out._dtype;
    if (!ex || (compute !== 'float32' && compute !== 'float64') || (cmp === undefined ? dtype !== compute : dtype !== 'bool') ||
      out.numel() < MIN_ELEMENTS || !simpleParams(name, params) ||
      (typeof a === 'object' && a._dtype !== compute) || (typeof b === 'object' && b._dtype !== compute)) {
      return ts(out, a, b, compute, params);
    }
    const sz = compute === 'float32' ? 4 : 8;
    // A bool output never shares memory with float inputs here; float outputs may alias exactly.
    const clash = (x: Tensor | number) => typeof x === 'object' && (cmp === undefined ? partialOverlap(out, x, sz) : x._storage === out._storage);
    if (clash(a) || clash(b)) return ts(out, a, b, compute, params);
    const shape = out._shape;
    const zeros = new Array<number>(shape.length).fill(0);
    const walk = twoLevel(shape, [out._strides, typeof a === 'object' ? broadcastStrides(a, shape) : zeros,
      typeof b === 'object' ? broadcastStrides(b, shape) : zeros]);
    if (!walk) return ts(out, a, b, compute, params);
    const [so, sa, sb] = walk.strides as [[number, number], [number, number], [number, number]];
    // Inputs contiguous along the inner dim, or broadcast there; two broadcast inputs stay in TS.
    if (sa[1] === 0 && sb[1] === 0) return ts(out, a, b, compute, params);
    const pa = typeof a === 'object' ? a._storage.ptr + a._offset * sz : scalarSlot(0, a, compute);
    const pb = typeof b === 'object' ? b._storage.ptr + b._offset * sz : scalarSlot(1, b, compute);
    if (cmp !== undefined) {
      const po = out._storage.ptr + out._offset;
      (sz === 4 ? ex.compareF32 : ex.compareF64)(cmp, walk.rows, walk.len, po, so[0], pa, sa[0], sa[1], pb, sb[0], sb[1]);
    } else {
      const po = out._storage.ptr + out._offset * sz;
      (sz === 4 ? ex.binaryF32 : ex.binaryF64)(arith!, walk.rows, walk.len, po, so[0], pa, sa[0], sa[1], pb, sb[0], sb[1]);
    }
  };
}

export function simdUnary(op: Op, ts: UnaryKernel): UnaryKernel {
  const code = UNARY[op.name];
  if (code === undefined) return ts;
  return (out, a, compute, params) => {
    const ex = simd();
    const dtype = out._dtype;
    if (!ex || compute !== dtype || (dtype !== 'float32' && dtype !== 'float64') || a._dtype !== dtype || out.numel() < MIN_ELEMENTS) {
      return ts(out, a, compute, params);
    }
    const sz = dtype === 'float32' ? 4 : 8;
    if (partialOverlap(out, a, sz)) return ts(out, a, compute, params);
    const walk = twoLevel(out._shape, [out._strides, a._strides]);
    if (!walk || walk.strides[1]![1] !== 1) return ts(out, a, compute, params);
    const [so, sa] = walk.strides as [[number, number], [number, number]];
    (dtype === 'float32' ? ex.unaryF32 : ex.unaryF64)(code, walk.rows, walk.len,
      out._storage.ptr + out._offset * sz, so[0], a._storage.ptr + a._offset * sz, sa[0]);
  };
}

export function simdTernary(op: Op, ts: TernaryKernel): TernaryKernel {
  if (op.name !== 'where') return ts;
  return (out, cond, a, b, compute, params) => {
    const ex = simd();
    const dtype = out._dtype;
    if (!ex || compute !== dtype || (dtype !== 'float32' && dtype !== 'float64') || out.numel() < MIN_ELEMENTS ||
      typeof cond !== 'object' || (cond._dtype !== 'bool' && cond._dtype !== 'uint8') || cond._storage === out._storage ||
      (typeof a === 'object' && a._dtype !== dtype) || (typeof b === 'object' && b._dtype !== dtype)) {
      return ts(out, cond, a, b, compute, params);
    }
    const sz = dtype === 'float32' ? 4 : 8;
    if ((typeof a === 'object' && partialOverlap(out, a, sz)) || (typeof b === 'object' && partialOverlap(out, b, sz))) {
      return ts(out, cond, a, b, compute, params);
    }
    const shape = out._shape;
    const zeros = new Array<number>(shape.length).fill(0);
    const walk = twoLevel(shape, [out._strides, broadcastStrides(cond, shape),
      typeof a === 'object' ? broadcastStrides(a, shape) : zeros, typeof b === 'object' ? broadcastStrides(b, shape) : zeros]);
    if (!walk || walk.strides[1]![1] !== 1) return ts(out, cond, a, b, compute, params);
    const [so, sc, sa, sb] = walk.strides as [number, number][];
    const pa = typeof a === 'object' ? a._storage.ptr + a._offset * sz : scalarSlot(0, a, dtype);
    const pb = typeof b === 'object' ? b._storage.ptr + b._offset * sz : scalarSlot(1, b, dtype);
    (sz === 4 ? ex.whereF32 : ex.whereF64)(walk.rows, walk.len, out._storage.ptr + out._offset * sz, so![0],
      cond._storage.ptr + cond._offset, sc![0], pa, sa![0], sa![1], pb, sb![0], sb![1]);
  };
}

/** A JS scalar operand, cast to the compute dtype as the TS kernels do, in a heap slot wasm can read. */
function scalarSlot(slot: number, v: number | boolean, dtype: DType): number {
  const ptr = heap.scratch('elementwise.scalars', 16) + slot * 8;
  const x = +v;
  if (dtype === 'float32') new Float32Array(heap.heapBuffer, ptr, 1)[0] = x;
  else new Float64Array(heap.heapBuffer, ptr, 1)[0] = x;
  return ptr;
}
