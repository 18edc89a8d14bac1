/**
 * Iteration plans for reductions and for ops along one dim (scans, sorts, softmax).
 *
 * A reduction splits the input's dims into kept ("outer") and reduced ("inner") dims, each
 * group coalesced on its own (only strides change: no copy). Every output then reduces one
 * strided row (inner coalesced to one dim) or, when the reduced dims cannot merge, a row gathered
 * into a scratch buffer, so per-op code only ever sees `(array, offset, n, stride)`.
 * Inner dims keep their row-major order, so a position in the row is the flat index over the
 * reduced dims (what argmax over every dim returns).
 */
import type { NumArray } from '../access.js';
import { coalesce } from '../iterate.js';

/** Calls `visit(i, offset)` for every position of (shape, strides), row-major, i = 0, 1, 2... */
export function forEachOffset(shape: readonly number[], strides: readonly number[], start: number, visit: (i: number, offset: number) => void): void {
  const nd = shape.length;
  let total = 1;
  for (let d = 0; d < nd; d++) total *= shape[d]!;
  if (total === 0) return;
  if (nd <= 1) {
    const n = nd === 0 ? 1 : shape[0]!;
    const s = nd === 0 ? 0 : strides[0]!;
    for (let i = 0, off = start; i < n; i++, off += s) visit(i, off);
    return;
  }
  const idx = new Array<number>(nd).fill(0);
  let off = start;
  const n = shape[nd - 1]!;
  const s = strides[nd - 1]!;
  for (let i = 0; i < total; i += n) {
    for (let j = 0, o = off; j < n; j++, o += s) visit(i + j, o);
    for (let d = nd - 2; d >= 0; d--) {
      off += strides[d]!;
      if (++idx[d]! < shape[d]!) break;
      off -= strides[d]! * shape[d]!;
      idx[d] = 0;
    }
  }
}

export interface ReducePlan {
  /** Kept dims, coalesced; strides are the input's. Outputs follow this order. */
  outerShape: number[];
  outerStrides: number[];
  /** Reduced dims, coalesced (at least one dim); strides are the input's. */
  innerShape: number[];
  innerStrides: number[];
  /** Elements reduced into each output. */
  count: number;
  /** Number of outputs. */
  outCount: number;
}

export function reducePlan(shape: readonly number[], strides: readonly number[], dims: readonly number[]): ReducePlan {
  const keptShape: number[] = [], keptStrides: number[] = [], redShape: number[] = [], redStrides: number[] = [];
  for (let d = 0; d < shape.length; d++) {
    if (dims.includes(d)) {
      redShape.push(shape[d]!);
      redStrides.push(strides[d]!);
    } else {
      keptShape.push(shape[d]!);
      keptStrides.push(strides[d]!);
    }
  }
  let count = 1;
  for (const s of redShape) count *= s;
  let outCount = 1;
  for (const s of keptShape) outCount *= s;
  const outer = coalesce(keptShape, [keptStrides]);
  // An empty reduction keeps one zero-length row (coalesce would drop nothing useful).
  const inner = count === 0 ? { shape: [0], strides: [[1]] } : coalesce(redShape, [redStrides]);
  return {
    outerShape: outer.shape, outerStrides: outer.strides[0]!,
    innerShape: inner.shape, innerStrides: inner.strides[0]!,
    count, outCount,
  };
}

/** Copies the elements of one inner block (row-major) into `dst`. */
export function gather(a: NumArray, start: number, shape: readonly number[], strides: readonly number[], dst: Float64Array): void {
  const nd = shape.length;
  const n = shape[nd - 1]!;
  const s = strides[nd - 1]!;
  const idx = new Array<number>(nd).fill(0);
  let off = start;
  const total = dst.length;
  for (let k = 0; k < total; k += n) {
    for (let j = 0, o = off; j < n; j++, o += s) dst[k + j] = a[o]!;
    for (let d = nd - 2; d >= 0; d--) {
      off += strides[d]!;
      if (++idx[d]! < shape[d]!) break;
      off -= strides[d]! * shape[d]!;
      idx[d] = 0;
    }
  }
}

export type RowFn = (a: NumArray, off: number, n: number, stride: number, out: number) => void;

/** Calls `row(array, offset, n, stride, outIndex)` once per output with that output's elements. */
export function reduceRows(a: NumArray, start: number, plan: ReducePlan, row: RowFn): void {
  if (plan.innerShape.length === 1) {
    const n = plan.innerShape[0]!;
    const s = plan.innerStrides[0]!;
    forEachOffset(plan.outerShape, plan.outerStrides, start, (o, off) => row(a, off, n, s, o));
    return;
  }
  const scratch = new Float64Array(plan.count);
  forEachOffset(plan.outerShape, plan.outerStrides, start, (o, off) => {
    gather(a, off, plan.innerShape, plan.innerStrides, scratch);
    row(scratch, 0, plan.count, 1, o);
  });
}

/**
 * Whether to reduce column-wise: the last kept dim moves faster through memory than the reduced
 * dims (x.sum(0) on a row-major matrix), so whole rows of outputs update per input row.
 */
export function prefersColumns(plan: ReducePlan): boolean {
  const nd = plan.outerShape.length;
  if (plan.outCount < 2 || plan.count === 0) return false;
  const so = Math.abs(plan.outerStrides[nd - 1]!);
  const si = Math.abs(plan.innerStrides[plan.innerStrides.length - 1]!);
  return so < si && plan.outerShape[nd - 1]! > 1;
}

/**
 * Column-wise driver: for each block of `m` outputs along the last kept dim, calls `begin(m)`,
 * then `step(offset, m, stride)` once per reduced position, then `done(firstOut, m)`.
 */
export function reduceColumns(
  start: number,
  plan: ReducePlan,
  begin: (m: number) => void,
  step: (off: number, m: number, s: number) => void,
  done: (firstOut: number, m: number) => void,
): void {
  const nd = plan.outerShape.length;
  const m = plan.outerShape[nd - 1]!;
  const so = plan.outerStrides[nd - 1]!;
  forEachOffset(plan.outerShape.slice(0, -1), plan.outerStrides.slice(0, -1), start, (p, base) => {
    begin(m);
    forEachOffset(plan.innerShape, plan.innerStrides, base, (_, off) => step(off, m, so));
    done(p * m, m);
  });
}

/**
 * Calls `visit(offsets, n, strides)` for every line along `dim` of operands sharing `shape`
 * (their strides in `strides`, start offsets in `starts`); a 0-d shape is one line of one.
 * `offsets` is reused between calls.
 */
export function forEachLine(
  shape: readonly number[],
  dim: number,
  strides: readonly (readonly number[])[],
  starts: readonly number[],
  visit: (offsets: number[], n: number, lineStrides: number[]) => void,
): void {
  if (shape.length === 0) {
    visit([...starts], 1, strides.map(() => 0));
    return;
  }
  const n = shape[dim]!;
  const lineStrides = strides.map((s) => s[dim]!);
  const outerShape = shape.filter((_, d) => d !== dim);
  for (const s of outerShape) if (s === 0) return;
  const plan = coalesce(outerShape, strides.map((s) => s.filter((_, d) => d !== dim)));
  const nd = plan.shape.length;
  const k = starts.length;
  const offsets = [...starts];
  const idx = new Array<number>(nd).fill(0);
  let total = 1;
  for (const s of plan.shape) total *= s;
  for (let r = 0; r < total; r++) {
    visit(offsets, n, lineStrides);
    for (let d = nd - 1; d >= 0; d--) {
      for (let j = 0; j < k; j++) offsets[j]! += plan.strides[j]![d]!;
      if (++idx[d]! < plan.shape[d]!) break;
      for (let j = 0; j < k; j++) offsets[j]! -= plan.strides[j]![d]! * plan.shape[d]!;
      idx[d] = 0;
    }
  }
}
