/**
 * conv's im2col and col2im through the WebAssembly kernels (assembly/im2col.ts) for float32/float64
 * arrays in the heap; each returns false when it does not apply (the TS version runs then).
 */
import type { NumArray } from '../kernels/access.js';
import { inHeap, simd } from './simd.js';

/** The geometry conv.ts passes: 3-d sizes (leading dims of size 1 for 1-d and 2-d). */
export interface Im2colGeometry {
  size: number[];
  kernel: number[];
  out: number[];
  stride: number[];
  padding: number[];
  dilation: number[];
}

export function simdIm2col(x: NumArray, base: number, st: number[], C: number, g: Im2colGeometry, col: Float32Array | Float64Array): boolean {
  const ex = simd();
  if (!ex || !(x instanceof Float32Array || x instanceof Float64Array) || x.BYTES_PER_ELEMENT !== col.BYTES_PER_ELEMENT ||
    !inHeap(x) || !inHeap(col)) return false;
  const sz = x.BYTES_PER_ELEMENT;
  (sz === 4 ? ex.im2colF32 : ex.im2colF64)(
    x.byteOffset + base * sz, st[0]!, st[1]!, st[2]!, st[3]!, C,
    g.size[0]!, g.size[1]!, g.size[2]!, g.kernel[0]!, g.kernel[1]!, g.kernel[2]!, g.out[0]!, g.out[1]!, g.out[2]!,
    g.stride[0]!, g.stride[1]!, g.stride[2]!, g.padding[0]!, g.padding[1]!, g.padding[2]!,
    g.dilation[0]!, g.dilation[1]!, g.dilation[2]!, col.byteOffset,
  );
  return true;
}

/** col2im: `out` is the contiguous output block starting at element `base`. */
export function simdCol2im(col: Float32Array | Float64Array, out: NumArray, base: number, C: number, g: Im2colGeometry): boolean {
  const ex = simd();
  if (!ex || !(out instanceof Float32Array || out instanceof Float64Array) || out.BYTES_PER_ELEMENT !== col.BYTES_PER_ELEMENT ||
    !inHeap(out) || !inHeap(col)) return false;
  const sz = out.BYTES_PER_ELEMENT;
  (sz === 4 ? ex.col2imF32 : ex.col2imF64)(
    col.byteOffset, out.byteOffset + base * sz, C,
    g.size[0]!, g.size[1]!, g.size[2]!, g.kernel[0]!, g.kernel[1]!, g.kernel[2]!, g.out[0]!, g.out[1]!, g.out[2]!,
    g.stride[0]!, g.stride[1]!, g.stride[2]!, g.padding[0]!, g.padding[1]!, g.padding[2]!,
    g.dilation[0]!, g.dilation[1]!, g.dilation[2]!,
  );
  return true;
}
