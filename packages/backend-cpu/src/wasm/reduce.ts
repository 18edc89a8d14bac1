/**
 * Whole-row reductions through the WebAssembly SIMD kernels (assembly/reduce.ts): the TS reducers
 * (kernels/reduction) wrap their row functions with `simdRow`, so every row of contiguous
 * float32/float64 heap elements (a full reduction of a contiguous tensor, a last-dim reduction)
 * runs in wasm and everything else (strided rows, gathered scratch rows, other dtypes) in TS.
 */
import type { NumArray } from '../kernels/access.js';
import { inHeap, simd } from './simd.js';
import type { SimdExports } from './simd.js';

type Row = (a: NumArray, off: number, n: number, s: number) => number;

/** Rows shorter than this stay in TS (the call costs more than it saves). */
const MIN_ROW = 32;

const KERNELS = {
  sum: ['sumF32', 'sumF64'],
  max: ['maxF32', 'maxF64'],
  min: ['minF32', 'minF64'],
} as const satisfies Record<string, readonly [keyof SimdExports, keyof SimdExports]>;

export function simdRow(kind: keyof typeof KERNELS, ts: Row): Row {
  const [f32, f64] = KERNELS[kind];
  return (a, off, n, s) => {
    if (s === 1 && n >= MIN_ROW) {
      const ex = simd();
      if (ex && (a instanceof Float32Array || a instanceof Float64Array) && inHeap(a)) {
        const bytes = a.BYTES_PER_ELEMENT;
        return (ex[bytes === 4 ? f32 : f64] as (p: number, n: number) => number)(a.byteOffset + off * bytes, n);
      }
    }
    return ts(a, off, n, s);
  };
}
