/**
 * Pooling kernels (pool_max_nd, pool_avg_nd, pool_avg_nd_backward). The pooled dims are padded
 * to three (leading size-1 dims) so one triple loop serves 1-d, 2-d and 3-d pooling; the
 * leading dims are walked as a flat list of base offsets, so inputs may have any strides.
 * float32/float64 go to the wasm kernels (wasm/pooling.ts) where their leading dims collapse.
 */
import { IndexError } from '@torchts/core';
import type { PoolWindows, Tensor } from '@torchts/core';
import { readAccess, writeAccess } from '../access.js';
import { simdPoolAvg, simdPoolAvgBackward, simdPoolMax, simdPoolMaxBackward } from '../../wasm/pooling.js';

interface Dims3 {
  inSize: number[];
  outSize: number[];
  lo: number[][];
  hi: number[][];
  step: number[];
  div: number[][];
}

function to3(w: PoolWindows): Dims3 {
  const pad = 3 - w.inSize.length;
  const one = (v: number) => new Array<number>(pad).fill(v);
  const ones = (): number[][] => Array.from({ length: pad }, () => [1]);
  return {
    inSize: [...one(1), ...w.inSize],
    outSize: [...one(1), ...w.outSize],
    lo: [...Array.from({ length: pad }, () => [0]), ...w.lo],
    hi: [...ones(), ...w.hi],
    step: [...one(1), ...w.step],
    div: [...ones(), ...(w.div ?? w.inSize.map((_, i) => new Array<number>(w.outSize[i]!).fill(1)))],
  };
}

/** Element offsets of every leading index (the dims before the last `nd`). */
function leadOffsets(shape: readonly number[], strides: readonly number[], nd: number, base: number): number[] {
  const lead = shape.length - nd;
  let offs = [base];
  for (let d = 0; d < lead; d++) {
    const next: number[] = [];
    for (const o of offs) for (let i = 0; i < shape[d]!; i++) next.push(o + i * strides[d]!);
    offs = next;
  }
  return offs;
}

/** Pooled-dim strides padded to three dims. */
function strides3(strides: readonly number[], nd: number): number[] {
  return [...new Array<number>(3 - nd).fill(0), ...strides.slice(strides.length - nd)];
}

export function poolMaxKernel(out: Tensor, indices: Tensor, input: Tensor, w: PoolWindows): void {
  if (simdPoolMax(out, indices, input, w)) return;
  const nd = w.inSize.length;
  const g = to3(w);
  const r = readAccess(input);
  const ow = writeAccess(out);
  const iw = writeAccess(indices);
  const A = r.arr, O = ow.arr, I = iw.arr;
  const [sd, sh, sw] = strides3(r.strides, nd) as [number, number, number];
  const [, H, W] = g.inSize as [number, number, number];
  const [OD, OH, OW] = g.outSize as [number, number, number];
  const [dd, dh, dw] = g.step as [number, number, number];
  const bases = leadOffsets(input._shape, r.strides, nd, r.off);
  let o = 0; // outputs are contiguous and written in order
  for (const base of bases) {
    for (let od = 0; od < OD; od++) {
      const d0 = g.lo[0]![od]!, d1 = g.hi[0]![od]!;
      for (let oh = 0; oh < OH; oh++) {
        const h0 = g.lo[1]![oh]!, h1 = g.hi[1]![oh]!;
        for (let ow_ = 0; ow_ < OW; ow_++, o++) {
          const w0 = g.lo[2]![ow_]!, w1 = g.hi[2]![ow_]!;
          let best = -Infinity;
          let bestIdx = (d0 * H + h0) * W + w0;
          search: for (let id = d0; id < d1; id += dd) {
            for (let ih = h0; ih < h1; ih += dh) {
              const rowOff = base + id * sd + ih * sh;
              for (let iw_ = w0; iw_ < w1; iw_ += dw) {
                const v = A[rowOff + iw_ * sw]!;
                // NaN wins, as in PyTorch (and stops the search).
                if (v > best || v !== v) {
                  best = v;
                  bestIdx = (id * H + ih) * W + iw_;
                  if (v !== v) break search;
                }
              }
            }
          }
          O[ow.off + o] = best;
          I[iw.off + o] = bestIdx;
        }
      }
    }
  }
  ow.commit();
  iw.commit();
}

export function poolAvgKernel(out: Tensor, input: Tensor, w: PoolWindows): void {
  if (simdPoolAvg(out, input, w)) return;
  const nd = w.inSize.length;
  const g = to3(w);
  const r = readAccess(input);
  const ow = writeAccess(out);
  const A = r.arr, O = ow.arr;
  const [sd, sh, sw] = strides3(r.strides, nd) as [number, number, number];
  const [OD, OH, OW] = g.outSize as [number, number, number];
  const over = w.divisorOverride;
  const bases = leadOffsets(input._shape, r.strides, nd, r.off);
  let o = 0;
  for (const base of bases) {
    for (let od = 0; od < OD; od++) {
      const d0 = g.lo[0]![od]!, d1 = g.hi[0]![od]!;
      for (let oh = 0; oh < OH; oh++) {
        const h0 = g.lo[1]![oh]!, h1 = g.hi[1]![oh]!;
        for (let ow_ = 0; ow_ < OW; ow_++, o++) {
          const w0 = g.lo[2]![ow_]!, w1 = g.hi[2]![ow_]!;
          let sum = 0;
          for (let id = d0; id < d1; id++) {
            for (let ih = h0; ih < h1; ih++) {
              const rowOff = base + id * sd + ih * sh;
              for (let iw_ = w0; iw_ < w1; iw_++) sum += A[rowOff + iw_ * sw]!;
            }
          }
          const div = over ?? g.div[0]![od]! * g.div[1]![oh]! * g.div[2]![ow_]!;
          O[ow.off + o] = sum / div;
        }
      }
    }
  }
  ow.commit();
}

/**
 * Transpose of poolMaxKernel: every element of `gradIn` (contiguous) written, 0 except at the argmax
 * positions, where each output gradient is added in output order (overlapping windows accumulate).
 * `grad` and `indices` are contiguous (pool_max_nd_backward makes them so).
 */
export function poolMaxBackwardKernel(gradIn: Tensor, grad: Tensor, indices: Tensor, w: PoolWindows): void {
  if (simdPoolMaxBackward(gradIn, grad, indices, w)) return;
  const inPlane = w.inSize.reduce((a, b) => a * b, 1), outPlane = w.outSize.reduce((a, b) => a * b, 1);
  const r = readAccess(grad), ir = readAccess(indices), gw = writeAccess(gradIn);
  const G = r.arr, I = ir.arr, GI = gw.arr;
  GI.fill(0, gw.off, gw.off + gradIn.numel());
  const planes = grad.numel() / Math.max(1, outPlane);
  for (let p = 0; p < planes; p++) {
    for (let o = 0; o < outPlane; o++) {
      const k = I[ir.off + p * outPlane + o]!;
      if (!(k >= 0 && k < inPlane)) throw new IndexError(`max_pool backward: an index is out of range for input planes of ${inPlane} elements`);
      GI[gw.off + p * inPlane + k]! += G[r.off + p * outPlane + o]!;
    }
  }
  gw.commit();
}

/** Transpose of poolAvgKernel: each output gradient spreads evenly over its window. */
export function poolAvgBackwardKernel(gradIn: Tensor, grad: Tensor, w: PoolWindows): void {
  if (simdPoolAvgBackward(gradIn, grad, w)) return;
  const nd = w.inSize.length;
  const g = to3(w);
  const r = readAccess(grad);
  const gw = writeAccess(gradIn);
  const G = r.arr, GI = gw.arr;
  const [, H, W] = g.inSize as [number, number, number];
  const [sd, sh, sw] = strides3(r.strides, nd) as [number, number, number];
  const [OD, OH, OW] = g.outSize as [number, number, number];
  const over = w.divisorOverride;
  const bases = leadOffsets(grad._shape, r.strides, nd, r.off);
  const plane = g.inSize[0]! * H * W;
  let b = 0;
  for (const base of bases) {
    const inBase = gw.off + b++ * plane;
    for (let od = 0; od < OD; od++) {
      const d0 = g.lo[0]![od]!, d1 = g.hi[0]![od]!;
      for (let oh = 0; oh < OH; oh++) {
        const h0 = g.lo[1]![oh]!, h1 = g.hi[1]![oh]!;
        for (let ow_ = 0; ow_ < OW; ow_++) {
          const w0 = g.lo[2]![ow_]!, w1 = g.hi[2]![ow_]!;
          const div = over ?? g.div[0]![od]! * g.div[1]![oh]! * g.div[2]![ow_]!;
          const v = G[base + od * sd + oh * sh + ow_ * sw]! / div;
          for (let id = d0; id < d1; id++) {
            for (let ih = h0; ih < h1; ih++) {
              const rowOff = inBase + (id * H + ih) * W;
              for (let iw_ = w0; iw_ < w1; iw_++) GI[rowOff + iw_] = GI[rowOff + iw_]! + v;
            }
          }
        }
      }
    }
  }
  gw.commit();
}
