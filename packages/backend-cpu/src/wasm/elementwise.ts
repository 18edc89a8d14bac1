/**
 * Routes elementwise ops to the WebAssembly SIMD kernels (assembly/elementwise.ts) where they
 * apply, and to the TS family kernels otherwise. A wasm call applies when:
 * - the op has a wasm form: add/sub (any alpha), mul, div without rounding mode, maximum/minimum,
 *   clampMin/clampMax; relu, neg, abs, exp, expm1, log, log1p, tanh, sigmoid, silu, erf, gelu (both forms),
 *   sqrt, rsqrt, reciprocal, hardtanh, leakyRelu, softplus (beta 1); pow with a scalar exponent 2, 0.5, -0.5 or -1; clamp with scalar bounds;
 *   eq/ne/lt/le/gt/ge into a bool output; where with a bool/uint8 condition; addcmul, addcdiv, lerp
 *   and clamp with a tensor bound (ternary kernels, routed by elementwise-ternary.ts),
 * - integer compute dtypes take ./elementwise-int.ts, which sits under this router (the `ts`
 *   kernel these wrappers fall back to) and reuses its planning and launch,
 * - the compute dtype is float32 or float64 and every tensor operand has it, except that binary
 *   arithmetic also reads bool/uint8 operands (converted on load: `mask.mul(x)`), and 0-d tensors
 *   of any dtype are read as scalars (cast to the compute dtype as the TS kernels cast them; one of
 *   the compute dtype is copied bit for bit),
 * - after coalescing (iterate.ts) the output is contiguous along the innermost dim and every input
 *   is contiguous or broadcast (stride 0) along it; the two innermost dims go to the kernel, outer
 *   ones (permuted or sliced views) are looped here,
 * - the output does not partially overlap an input (in-place on the very same elements is fine),
 * - there are enough elements to pay for the call (small ones stay in TS: lower overhead).
 * Large walks of at most two dims are split over the thread pool (each element computed by one
 * thread: the same bytes for any thread count). Results are bit-identical to the TS kernels except
 * the vector polynomials (exp, expm1, log, log1p, tanh, sigmoid, silu, softplus, erf, gelu: within a few
 * ulp; docs/cpu-kernels.md).
 */
import { hostArray, itemsize, setElement } from '@torchts/core';
import type { DType, Op, Tensor } from '@torchts/core';
import { heap } from '../device.js';
import { coalesce } from '../kernels/iterate.js';
import { broadcastStrides, readAccess } from '../kernels/access.js';
import { castValue } from '../kernels/elementwise.js';
import { hasTernaryKernel, runTernary } from './elementwise-ternary.js';
import { runSplit } from './parallel.js';
import type { KernelName } from './parallel.js';
import { simd } from './simd.js';

/** Below this many elements the TS loop is faster than crossing into wasm. */
export const MIN_ELEMENTS = 256;
/** Elements per thread below which splitting does not pay: plain arithmetic, and the polynomial ops. */
export const MIN_PER_THREAD = 1 << 17;
const MIN_PER_THREAD_MATH = 1 << 14;

const BINARY: Record<string, number> = { add: 0, sub: 1, mul: 2, div: 3, maximum: 4, minimum: 5, clampMin: 4, clampMax: 5, thresholdBackward: 8 };
const ADD_ALPHA = 6, SUB_ALPHA = 7;
export const COMPARE: Record<string, number> = { eq: 0, ne: 1, lt: 2, le: 3, gt: 4, ge: 5 };
const UNARY: Record<string, number> = {
  relu: 0, neg: 1, abs: 2, exp: 3, log: 4, tanh: 5, sigmoid: 6, sqrt: 7, rsqrt: 8, silu: 9, reciprocal: 10, hardtanh: 12, leakyRelu: 13,
  softplus: 15, expm1: 16, log1p: 17, erf: 18, gelu: 19,
};
const SQUARE = 11, CLAMP = 12, CLAMP_FAST = 14, GELU_TANH = 20;
/** pow(x, scalar exponent) as a unary kernel: the TS kernel's special cases, exactly. */
const POW_AS_UNARY = new Map<number, number>([[2, SQUARE], [0.5, UNARY.sqrt!], [-0.5, UNARY.rsqrt!], [-1, UNARY.reciprocal!]]);
/** clamp's code: the one-instruction form where no bound is NaN or zero (the same results then). */
function clampCode(lo: number, hi: number): number {
  return lo !== 0 && hi !== 0 && !Number.isNaN(lo) && !Number.isNaN(hi) ? CLAMP_FAST : CLAMP;
}

/** Unary codes of the polynomial (compute-bound) ops. */
const MATH = new Set([3, 4, 5, 6, 9, 15, 16, 17, 18, 19, 20]);

export type BinaryKernel = (out: Tensor, a: Tensor | number, b: Tensor | number, compute: DType, params: unknown) => void;
export type UnaryKernel = (out: Tensor, a: Tensor, compute: DType, params: unknown) => void;
export type TernaryKernel = (out: Tensor, a: Tensor | number, b: Tensor | number, c: Tensor | number, compute: DType, params: unknown) => void;
export type Operand = Tensor | number | boolean;

/** Byte range [start, end) an operand touches. */
function byteRange(t: Tensor, sz: number): [number, number] {
  let span = 0;
  for (let d = 0; d < t._shape.length; d++) span += (t._shape[d]! - 1) * t._strides[d]!;
  const start = t._storage.ptr + t._offset * sz;
  return [start, start + (span + 1) * sz];
}

/** Whether writing `out` could clobber input elements before they are read (partial overlap). */
export function partialOverlap(out: Tensor, x: Tensor, sz: number): boolean {
  if (out._storage !== x._storage) return false;
  if (x._dtype !== out._dtype) return true;
  const [os, oe] = byteRange(out, sz);
  const [xs, xe] = byteRange(x, sz);
  if (oe <= xs || xe <= os) return false;
  return !(os === xs && x._shape.length === out._shape.length && x._strides.every((s, d) => s === out._strides[d]));
}

/** How the kernel reads an operand: in place (its dtype's element size) or from a scalar slot. */
export interface Source {
  ptr: number;
  /** Bytes per element: the compute dtype's, or 1 for bool/uint8 bytes. */
  size: number;
  /** Element strides over the output's shape (0 on broadcast dims). */
  strides: number[];
}

/** Scalar slots per call: numbers and 0-d tensors (at most three: the operands of a ternary op). */
let slotIndex = 0;

function isByte(d: DType): boolean {
  return d === 'bool' || d === 'uint8';
}

/**
 * The source of an operand for a kernel computing in `compute`, or null where the kernel cannot
 * read it (then the TS kernel runs). `bytes`: bool/uint8 tensors are accepted as they are.
 */
export function source(x: Operand, shape: readonly number[], compute: DType, bytes: boolean): Source | null {
  const zeros = shape.map(() => 0);
  if (typeof x !== 'object') return { ptr: scalarSlot(castValue(+x, compute), compute), size: 0, strides: zeros };
  if (x._shape.length === 0) {
    if (x._dtype === compute) return { ptr: copySlot(x), size: 0, strides: zeros };
    const acc = readAccess(x);
    return { ptr: scalarSlot(castValue(acc.arr[acc.off]!, compute), compute), size: 0, strides: zeros };
  }
  if (x._dtype !== compute && !(bytes && isByte(x._dtype))) return null;
  const size = x._dtype === compute ? itemsize(compute) : 1;
  return { ptr: x._storage.ptr + x._offset * size, size, strides: broadcastStrides(x, shape) };
}

export function elementSize(dtype: DType): number {
  return dtype === 'float64' ? 8 : 4;
}

/** The next scalar slot: 8 bytes in the heap that wasm (and the workers) can read. */
function nextSlot(): number {
  return heap.scratch('elementwise.scalars', 32) + (slotIndex++ & 3) * 8;
}

/** A value (already cast) stored in the compute dtype in a scalar slot. */
function scalarSlot(v: number, dtype: DType): number {
  const ptr = nextSlot();
  setElement(hostArray(heap.heapBuffer, ptr, 1, dtype), dtype, 0, v);
  return ptr;
}

/** A 0-d tensor's element copied bit for bit into a scalar slot (int64 stays exact past 2^53). */
function copySlot(x: Tensor): number {
  const ptr = nextSlot(), size = itemsize(x._dtype);
  new Uint8Array(heap.heapBuffer, ptr, size).set(new Uint8Array(heap.heapBuffer, x._storage.ptr + x._offset * size, size));
  return ptr;
}

export function outSource(out: Tensor, sz: number): Source {
  return { ptr: out._storage.ptr + out._offset * sz, size: sz, strides: out._strides as number[] };
}

/**
 * The walk the kernels take: `outer` dims looped here, then `rows` rows of `len` elements;
 * per operand (out first) the outer strides, the row stride and the inner stride (elements).
 */
interface Walk {
  outer: number[];
  outerStrides: number[][];
  rows: number;
  len: number;
  row: number[];
  inner: number[];
}

/** The walk of `shape` over the sources, or null where the innermost dim does not fit the kernels. */
export function planWalk(shape: readonly number[], sources: Source[]): Walk | null {
  const plan = coalesce(shape, sources.map((s) => s.strides));
  const nd = plan.shape.length;
  const len = plan.shape[nd - 1]!;
  const inner = plan.strides.map((s) => (len === 1 ? (s[nd - 1] === 0 ? 0 : 1) : s[nd - 1]!));
  inner[0] = len === 1 ? 1 : inner[0]!;
  if (inner[0] !== 1 || inner.some((s) => s !== 0 && s !== 1)) return null;
  const rows = nd >= 2 ? plan.shape[nd - 2]! : 1;
  const row = plan.strides.map((s) => (nd >= 2 ? s[nd - 2]! : 0));
  return { outer: plan.shape.slice(0, Math.max(0, nd - 2)), outerStrides: plan.strides.map((s) => s.slice(0, Math.max(0, nd - 2))), rows, len, row, inner };
}

/** Kernel arguments for `rows` x `len` elements from the given operand addresses. */
type Args = (rows: number, len: number, ptrs: number[]) => number[];

/**
 * Runs the kernel over the walk: outer dims looped here; a walk without outer dims is split over
 * threads by rows, or a single row by blocks of elements, once each thread gets `minPerThread`.
 */
export function launch(fn: KernelName, walk: Walk, sources: Source[], minPerThread: number, args: Args): void {
  const ptrs = sources.map((s) => s.ptr);
  const { rows, len } = walk;
  if (walk.outer.length === 0) {
    if (rows > 1) {
      runSplit(fn, { items: rows, minItems: Math.ceil(minPerThread / len) }, (s, e) =>
        args(e - s, len, ptrs.map((p, k) => p + s * walk.row[k]! * sources[k]!.size)));
    } else {
      runSplit(fn, { items: len, minItems: minPerThread, align: 64 }, (s, e) =>
        args(1, e - s, ptrs.map((p, k) => p + s * walk.inner[k]! * sources[k]!.size)));
    }
    return;
  }
  const kernel = simd()![fn] as (...a: number[]) => void;
  const nd = walk.outer.length;
  const idx = new Array<number>(nd).fill(0);
  const cur = ptrs.slice();
  for (;;) {
    kernel(...args(rows, len, cur));
    let d = nd - 1;
    for (; d >= 0; d--) {
      for (let k = 0; k < cur.length; k++) cur[k]! += walk.outerStrides[k]![d]! * sources[k]!.size;
      if (++idx[d]! < walk.outer[d]!) break;
      for (let k = 0; k < cur.length; k++) cur[k]! -= walk.outerStrides[k]![d]! * walk.outer[d]! * sources[k]!.size;
      idx[d] = 0;
    }
    if (d < 0) return;
  }
}

export function isFloat(d: DType): d is 'float32' | 'float64' {
  return d === 'float32' || d === 'float64';
}

/** The binary op's kernel code for these params, or undefined where only TS applies. */
function binaryCode(name: string, params: unknown): { code: number; alpha: number } | undefined {
  const p = params as { alpha?: number; mode?: unknown } | undefined;
  if (name === 'add' || name === 'sub') {
    const alpha = p?.alpha ?? 1;
    return alpha === 1 ? { code: BINARY[name]!, alpha } : { code: name === 'add' ? ADD_ALPHA : SUB_ALPHA, alpha };
  }
  if (name === 'div' && p?.mode !== null) return undefined;
  if (name === 'thresholdBackward') return { code: BINARY[name]!, alpha: (p as { threshold: number }).threshold };
  const code = BINARY[name];
  return code === undefined ? undefined : { code, alpha: 1 };
}

export function simdBinary(op: Op, ts: BinaryKernel): BinaryKernel {
  const name = op.name;
  const cmp = COMPARE[name];
  if (BINARY[name] === undefined && cmp === undefined && name !== 'pow') return ts;
  return (out, a, b, compute, params) => {
    if (!simd() || out.numel() < MIN_ELEMENTS || !isFloat(compute)) return ts(out, a, b, compute, params);
    if ((name === 'clampMin' || name === 'clampMax') && typeof a === 'object') {
      // A scalar bound: clamp with the other bound infinite (min/max with an infinity change nothing).
      const v = scalarValue(b, compute);
      const [lo, hi] = name === 'clampMin' ? [v!, Infinity] : [-Infinity, v!];
      if (v !== null && runUnary(clampCode(lo, hi), out, a, compute, lo, hi)) return;
    }
    if (name === 'pow') {
      const code = typeof a === 'object' && typeof b === 'number' ? POW_AS_UNARY.get(b) : undefined;
      if (code === undefined || !runUnary(code, out, a as Tensor, compute, 0, 0)) ts(out, a, b, compute, params);
      return;
    }
    const compareFn = compute === 'float32' ? 'compareF32' : 'compareF64';
    if (cmp !== undefined ? out._dtype !== 'bool' || !runBinaryKernel(compareFn, cmp, out, a, b, compute) : !runBinary(name, out, a, b, compute, params)) {
      ts(out, a, b, compute, params);
    }
  };
}

function runBinary(name: string, out: Tensor, a: Operand, b: Operand, compute: 'float32' | 'float64', params: unknown): boolean {
  const bc = binaryCode(name, params);
  if (!bc || out._dtype !== compute) return false;
  const plan = binaryPlan(out, a, b, compute, true);
  if (!plan || (plan.sources[1]!.size === 1 && plan.sources[2]!.size === 1)) return false;
  const { walk, sources } = plan;
  const ka = sources[1]!.size === 1 ? 1 : 0, kb = sources[2]!.size === 1 ? 1 : 0;
  const [r, i] = [walk.row, walk.inner];
  launch(compute === 'float32' ? 'binaryF32' : 'binaryF64', walk, sources, MIN_PER_THREAD, (rows, len, p) =>
    [bc.code, rows, len, p[0]!, r[0]!, p[1]!, r[1]!, i[1]!, ka, p[2]!, r[2]!, i[2]!, kb, bc.alpha]);
  return true;
}

/**
 * The sources (out, a, b) and walk of a binary call computing in `compute`, or null where the
 * kernels cannot take it: partial overlap with the output, operands of another dtype (`bytes`:
 * except bool/uint8), or both inputs broadcast along the inner dim.
 */
function binaryPlan(out: Tensor, a: Operand, b: Operand, compute: DType, bytes: boolean): { walk: Walk; sources: Source[] } | null {
  const sz = itemsize(out._dtype);
  if ((typeof a === 'object' && partialOverlap(out, a, sz)) || (typeof b === 'object' && partialOverlap(out, b, sz))) return null;
  const shape = out._shape;
  const sa = source(a, shape, compute, bytes), sb = source(b, shape, compute, bytes);
  if (!sa || !sb) return null;
  const sources = [outSource(out, sz), sa, sb];
  const walk = planWalk(shape, sources);
  return !walk || (walk.inner[1] === 0 && walk.inner[2] === 0) ? null : { walk, sources };
}

/**
 * A call of `fn(code, rows, len, o, ors, a, ars, acs, b, brs, bcs, ...extra)` (the comparisons, the
 * integer kernels) with both operands in `compute`; false where it does not apply.
 */
export function runBinaryKernel(fn: KernelName, code: number, out: Tensor, a: Operand, b: Operand, compute: DType, extra: number[] = []): boolean {
  const plan = binaryPlan(out, a, b, compute, false);
  if (!plan) return false;
  const { walk, sources } = plan;
  const [r, i] = [walk.row, walk.inner];
  launch(fn, walk, sources, MIN_PER_THREAD, (rows, len, p) => [code, rows, len, p[0]!, r[0]!, p[1]!, r[1]!, i[1]!, p[2]!, r[2]!, i[2]!, ...extra]);
  return true;
}

/**
 * The sources (out, a) and walk of a unary call: both tensors in `compute`, enough elements, no
 * partial overlap, `a` contiguous along the inner dim; else null.
 */
export function unaryPlan(out: Tensor, a: Tensor, compute: DType): { walk: Walk; sources: Source[] } | null {
  if (out._dtype !== compute || a._dtype !== compute || out.numel() < MIN_ELEMENTS) return null;
  const sz = itemsize(compute);
  if (partialOverlap(out, a, sz)) return null;
  const sources = [outSource(out, sz), { ptr: a._storage.ptr + a._offset * sz, size: sz, strides: a._strides as number[] }];
  const walk = planWalk(out._shape, sources);
  return !walk || walk.inner[1] !== 1 ? null : { walk, sources };
}

/** A unary kernel call (codes of the UNARY table and SQUARE/CLAMP); false where it does not apply. */
function runUnary(code: number, out: Tensor, a: Tensor, compute: DType, p0: number, p1: number): boolean {
  const plan = isFloat(compute) ? unaryPlan(out, a, compute) : null;
  if (!plan) return false;
  const r = plan.walk.row;
  launch(compute === 'float32' ? 'unaryF32' : 'unaryF64', plan.walk, plan.sources, MATH.has(code) ? MIN_PER_THREAD_MATH : MIN_PER_THREAD, (rows, len, p) =>
    [code, rows, len, p[0]!, r[0]!, p[1]!, r[1]!, p0, p1]);
  return true;
}

/** The unary op's parameters for the kernel (hardtanh bounds, leakyRelu slope). */
function unaryParams(name: string, params: unknown): [number, number] {
  const p = params as { min?: number; max?: number; slope?: number } | undefined;
  if (name === 'hardtanh') return [p!.min!, p!.max!];
  if (name === 'leakyRelu') return [p!.slope!, 0];
  if (name === 'softplus') return [(p as { threshold: number }).threshold, 0];
  return [0, 0];
}

/**
 * softplus runs in wasm with beta 1 (x * beta is then exact) and a threshold the dtype holds
 * exactly, below where e^x overflows.
 */
function softplusFits(params: unknown, compute: DType): boolean {
  const { beta, threshold: t } = params as { beta: number; threshold: number };
  return beta === 1 && (compute === 'float32' ? Math.fround(t) === t && t <= 80 : t <= 700);
}

export function simdUnary(op: Op, ts: UnaryKernel): UnaryKernel {
  const code = UNARY[op.name];
  if (code === undefined) return ts;
  const name = op.name;
  return (out, a, compute, params) => {
    if (!simd()) return ts(out, a, compute, params);
    if (name === 'softplus' && !softplusFits(params, compute)) return ts(out, a, compute, params);
    let [p0, p1] = unaryParams(name, params);
    // Bounds rounded to the dtype first give the same results (rounding is monotonic) and pick the form.
    if (code === CLAMP) [p0, p1] = [castValue(p0, compute), castValue(p1, compute)];
    const form = code === CLAMP ? clampCode(p0, p1) : name === 'gelu' && (params as { tanh: boolean }).tanh ? GELU_TANH : code;
    if (!runUnary(form, out, a, compute, p0, p1)) ts(out, a, compute, params);
  };
}

/** A scalar bound (number or 0-d tensor) as a number in the compute dtype, else null. */
function scalarValue(x: Operand, compute: DType): number | null {
  if (typeof x !== 'object') return castValue(+x, compute);
  if (x._shape.length !== 0) return null;
  const acc = readAccess(x);
  return castValue(acc.arr[acc.off]!, compute);
}

export function simdTernary(op: Op, ts: TernaryKernel): TernaryKernel {
  if (op.name === 'clamp') {
    return (out, x, lo, hi, compute, params) => {
      if (!simd()) return ts(out, x, lo, hi, compute, params);
      // Two scalar bounds: the unary clamp kernel; a tensor bound: the ternary one.
      const l = typeof x === 'object' ? scalarValue(lo, compute) : null;
      const h = l === null ? null : scalarValue(hi, compute);
      const ran = h !== null ? runUnary(clampCode(l!, h), out, x as Tensor, compute, l!, h) : runTernary('clamp', out, x, lo, hi, compute, params);
      if (!ran) ts(out, x, lo, hi, compute, params);
    };
  }
  if (hasTernaryKernel(op.name)) {
    const name = op.name;
    return (out, x, a, b, compute, params) => {
      if (!simd() || !runTernary(name, out, x, a, b, compute, params)) ts(out, x, a, b, compute, params);
    };
  }
  if (op.name !== 'where') return ts;
  return (out, cond, a, b, compute, params) => {
    if (!simd() || !isFloat(compute) || out._dtype !== compute || out.numel() < MIN_ELEMENTS || typeof cond !== 'object' ||
      !isByte(cond._dtype) || cond._shape.length === 0 || cond._storage === out._storage || !runWhere(out, cond, a, b, compute)) {
      ts(out, cond, a, b, compute, params);
    }
  };
}

/** where(cond, a, b) with a bool/uint8 condition, by `fn` (a bit select of compute's width); false where it does not apply. */
export function runWhere(out: Tensor, cond: Tensor, a: Operand, b: Operand, compute: DType, fn: KernelName = compute === 'float32' ? 'whereF32' : 'whereF64'): boolean {
  if (out._dtype !== compute || !isByte(cond._dtype) || cond._shape.length === 0 || cond._storage === out._storage) return false;
  const sz = itemsize(compute);
  if ((typeof a === 'object' && partialOverlap(out, a, sz)) || (typeof b === 'object' && partialOverlap(out, b, sz))) return false;
  const shape = out._shape;
  const sa = source(a, shape, compute, false), sb = source(b, shape, compute, false);
  if (!sa || !sb) return false;
  const sc: Source = { ptr: cond._storage.ptr + cond._offset, size: 1, strides: broadcastStrides(cond, shape) };
  const sources = [outSource(out, sz), sc, sa, sb];
  const walk = planWalk(shape, sources);
  if (!walk || walk.inner[1] !== 1) return false;
  const [r, i] = [walk.row, walk.inner];
  launch(fn, walk, sources, MIN_PER_THREAD, (rows, len, p) =>
    [rows, len, p[0]!, r[0]!, p[1]!, r[1]!, p[2]!, r[2]!, i[2]!, p[3]!, r[3]!, i[3]!]);
  return true;
}
