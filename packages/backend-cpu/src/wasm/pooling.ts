/**
 * Pooling through the WebAssembly kernels (assembly/pool.ts): max (values and int64 indices written
 * in place, no int64 decode/encode), average and the average's backward, for float32/float64.
 * Applies when the leading (batch/channel) dims collapse to one stride, which every contiguous
 * NCHW tensor and most views do; each function returns false when it does not apply (the TS kernel
 * runs then). The window tables go through a heap scratch block, so every window shape the TS
 * kernel handles (padding, dilation, ceil mode, adaptive) runs the same loops.
 */
import { IndexError } from '@torchts/core';
import type { PoolWindows, Tensor } from '@torchts/core';
import { heap } from '../device.js';
import { runSplit } from './parallel.js';
import { simd } from './simd.js';

/** Planes are split over threads when each thread gets at least this many input elements. */
const MIN_ELEMENTS_PER_THREAD = 1 << 16;
const minPlanes = (planeElements: number): number => Math.ceil(MIN_ELEMENTS_PER_THREAD / Math.max(1, planeElements));

interface Planes {
  count: number;
  /** Elements between consecutive planes (0 when there is one). */
  stride: number;
}

/** The leading dims (all but the last `nd`) as one run of equally spaced planes, or null. */
function planesOf(t: Tensor, nd: number): Planes | null {
  const lead = t._shape.length - nd;
  let count = 1, stride = 0;
  for (let d = lead - 1; d >= 0; d--) {
    const n = t._shape[d]!;
    if (n === 1) continue;
    if (count === 1) stride = t._strides[d]!;
    else if (t._strides[d] !== stride * count) return null;
    count *= n;
  }
  return { count, stride };
}

/** A 3-d value list from the last `nd`, padded in front with `fill`. */
function pad3(v: readonly number[], fill: number): [number, number, number] {
  const out = [fill, fill, fill, ...v.slice(-3)];
  return out.slice(-3) as [number, number, number];
}

/** Writes the window (and divisor) tables into scratch; returns their addresses. */
function tables(w: PoolWindows, withDiv: boolean): { win: number; div: number } {
  const pad = 3 - w.inSize.length;
  const los = [...new Array<number[]>(pad).fill([0]), ...w.lo];
  const his = [...new Array<number[]>(pad).fill([1]), ...w.hi];
  const lens = los.map((l) => l.length);
  const total = lens.reduce((a, b) => a + b, 0);
  const winBytes = (2 * total * 4 + 7) & ~7;
  const ptr = heap.scratch('pool.windows', winBytes + (withDiv ? total * 8 : 0));
  const win = new Int32Array(heap.heapBuffer, ptr, 2 * total);
  let i = 0;
  for (let d = 0; d < 3; d++) {
    win.set(los[d]!, i);
    win.set(his[d]!, i + lens[d]!);
    i += 2 * lens[d]!;
  }
  if (withDiv) {
    const divs = [...new Array<number[]>(pad).fill([1]), ...(w.div ?? w.outSize.map((n) => new Array<number>(n).fill(1)))];
    const div = new Float64Array(heap.heapBuffer, ptr + winBytes, total);
    let j = 0;
    for (const part of divs) {
      div.set(part, j);
      j += part.length;
    }
  }
  return { win: ptr, div: ptr + winBytes };
}

const volume = (v: readonly number[]): number => v.reduce((a, b) => a * b, 1);

function floatSize(t: Tensor): 4 | 8 | 0 {
  return t._dtype === 'float32' ? 4 : t._dtype === 'float64' ? 8 : 0;
}

export function simdPoolMax(out: Tensor, indices: Tensor, input: Tensor, w: PoolWindows): boolean {
  const ex = simd();
  const sz = floatSize(input);
  const nd = w.inSize.length;
  const pl = ex && sz && out._dtype === input._dtype && out.isContiguous() && indices.isContiguous() ? planesOf(input, nd) : null;
  if (!ex || !pl) return false;
  const [sD, sH, sW] = pad3(input._strides, 0);
  const [, H, W] = pad3(w.inSize, 1);
  const [OD, OH, OW] = pad3(w.outSize, 1);
  const [dd, dh, dw] = pad3(w.step, 1);
  const { win } = tables(w, false);
  const x = input._storage.ptr + input._offset * sz, o = out._storage.ptr + out._offset * sz, idx = indices._storage.ptr + indices._offset * 8;
  const outPlane = OD * OH * OW;
  // Planes are independent: each thread pools a range of them.
  runSplit(sz === 4 ? 'maxPoolF32' : 'maxPoolF64', { items: pl.count, minItems: minPlanes(volume(w.inSize)) }, (s, e) => [
    x + s * pl.stride * sz, pl.stride, nd === 3 ? sD : 0, nd >= 2 ? sH : 0, sW,
    e - s, H, W, OD, OH, OW, dd, dh, dw, win, o + s * outPlane * sz, idx + s * outPlane * 8,
  ]);
  return true;
}

export function simdPoolAvg(out: Tensor, input: Tensor, w: PoolWindows): boolean {
  const ex = simd();
  const sz = floatSize(input);
  const nd = w.inSize.length;
  const pl = ex && sz && out._dtype === input._dtype && out.isContiguous() ? planesOf(input, nd) : null;
  if (!ex || !pl) return false;
  const [sD, sH, sW] = pad3(input._strides, 0);
  const [OD, OH, OW] = pad3(w.outSize, 1);
  const { win, div } = tables(w, true);
  const x = input._storage.ptr + input._offset * sz, o = out._storage.ptr + out._offset * sz;
  const outPlane = OD * OH * OW;
  runSplit(sz === 4 ? 'avgPoolF32' : 'avgPoolF64', { items: pl.count, minItems: minPlanes(volume(w.inSize)) }, (s, e) => [
    x + s * pl.stride * sz, pl.stride, nd === 3 ? sD : 0, nd >= 2 ? sH : 0, sW,
    e - s, OD, OH, OW, win, div, w.divisorOverride ?? 0, o + s * outPlane * sz,
  ]);
  return true;
}

/** `gradIn` must be zeroed and contiguous (pool_avg_nd_backward allocates it so). */
export function simdPoolAvgBackward(gradIn: Tensor, grad: Tensor, w: PoolWindows): boolean {
  const ex = simd();
  const sz = floatSize(grad);
  const nd = w.inSize.length;
  const pl = ex && sz && gradIn._dtype === grad._dtype && gradIn.isContiguous() ? planesOf(grad, nd) : null;
  if (!ex || !pl) return false;
  const [sD, sH, sW] = pad3(grad._strides, 0);
  const [D, H, W] = pad3(w.inSize, 1);
  const [OD, OH, OW] = pad3(w.outSize, 1);
  const { win, div } = tables(w, true);
  const g = grad._storage.ptr + grad._offset * sz, gi = gradIn._storage.ptr + gradIn._offset * sz;
  const inPlane = D * H * W;
  runSplit(sz === 4 ? 'avgPoolBackwardF32' : 'avgPoolBackwardF64', { items: pl.count, minItems: minPlanes(inPlane) }, (s, e) => [
    g + s * pl.stride * sz, pl.stride, nd === 3 ? sD : 0, nd >= 2 ? sH : 0, sW,
    e - s, D, H, W, OD, OH, OW, win, div, w.divisorOverride ?? 0, gi + s * inPlane * sz,
  ]);
  return true;
}

/**
 * Max pooling's backward into a contiguous `gradIn` (every element written: each plane zeroed, then
 * each output gradient added at its argmax), from a `grad` whose planes are contiguous and int64
 * `indices` contiguous (pool_max_nd_backward makes both so). An index outside its plane throws.
 */
export function simdPoolMaxBackward(gradIn: Tensor, grad: Tensor, indices: Tensor, w: PoolWindows): boolean {
  const ex = simd();
  const sz = floatSize(grad);
  const nd = w.inSize.length;
  const pl = ex && sz && gradIn._dtype === grad._dtype && gradIn.isContiguous() && indices.isContiguous() && grad.isContiguous()
    ? planesOf(grad, nd) : null;
  if (!ex || !pl) return false;
  const inPlane = volume(w.inSize), outPlane = volume(w.outSize);
  const g = grad._storage.ptr + grad._offset * sz, gi = gradIn._storage.ptr + gradIn._offset * sz;
  const idx = indices._storage.ptr + indices._offset * 8;
  try {
    runSplit(sz === 4 ? 'maxPoolBackwardF32' : 'maxPoolBackwardF64', { items: pl.count, minItems: minPlanes(inPlane) }, (s, e) => [
      e - s, inPlane, outPlane, g + s * outPlane * sz, outPlane, idx + s * outPlane * 8, gi + s * inPlane * sz,
    ]);
  } catch (e) {
    // The kernel's only trap (here, or a worker's reported by the pool) is the index check.
    if (e instanceof WebAssembly.RuntimeError || (e instanceof Error && e.message.includes('unreachable'))) throw new IndexError(`max_pool backward: an index is out of range for input planes of ${inPlane} elements`);
    throw e;
  }
  return true;
}
