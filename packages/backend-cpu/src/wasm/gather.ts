/**
 * gather and scatter / scatter_add through the WebAssembly kernels (assembly/gather.ts): float32 or
 * float64 values (one dtype), int64 indices, a walk of the index shape that coalesces to at most
 * two dims. Every other case (other dtypes, scalar sources, scatter_reduce's prod/mean/amax/amin,
 * include_self=False, 0-d tensors) returns false and runs in TS. Results are identical to TS
 * (same visiting order; float32 sums rounded per addition as TS's float64 add-then-store does).
 */
import { RuntimeError, decodeRange } from '@torchts/core';
import type { Tensor } from '@torchts/core';
import { coalesce } from '../kernels/iterate.js';
import { simd } from './simd.js';

interface Walk {
  rows: number;
  len: number;
  /** Per operand: [outer, inner] stride in elements. */
  strides: [number, number][];
}

function twoDims(shape: readonly number[], strides: number[][]): Walk | null {
  const plan = coalesce(shape, strides);
  const nd = plan.shape.length;
  if (nd > 2) return null;
  return {
    rows: nd === 2 ? plan.shape[0]! : 1,
    len: plan.shape[nd - 1]!,
    strides: plan.strides.map((s) => [nd === 2 ? s[0]! : 0, s[nd - 1]!]),
  };
}

function floatSize(t: Tensor): 4 | 8 | 0 {
  return t._dtype === 'float32' ? 4 : t._dtype === 'float64' ? 8 : 0;
}

function applies(values: Tensor, other: Tensor, index: Tensor): boolean {
  return index._dtype === 'int64' && index._shape.length > 0 && values._shape.length > 0 && index.numel() > 0 &&
    floatSize(values) !== 0 && other._dtype === values._dtype;
}

/** Throws PyTorch's message for the index at walk position `pos` (1-based). */
function outOfBounds(index: Tensor, walk: Walk, pos: number, dim: number, size: number): RuntimeError {
  const r = Math.floor((pos - 1) / walk.len), i = (pos - 1) % walk.len;
  const [rs, cs] = walk.strides[0]!;
  const v = decodeRange(index._storage.host('int64'), 'int64', index._offset + r * rs + i * cs, 1)[0]!;
  return new RuntimeError(`index ${v} is out of bounds for dimension ${dim} with size ${size}`);
}

/** The indexed operand's strides with `dim` zeroed, and its stride along `dim`. */
function alongDim(t: Tensor, dim: number): [number[], number] {
  const s = [...t._strides];
  const d = s[dim]!;
  s[dim] = 0;
  return [s, d];
}

export function simdGather(out: Tensor, self: Tensor, dim: number, index: Tensor): boolean {
  const ex = simd();
  if (!ex || !applies(self, out, index)) return false;
  const [sStr, dimStride] = alongDim(self, dim);
  const walk = twoDims(index._shape, [index._strides, out._strides, sStr]);
  if (!walk) return false;
  const sz = floatSize(self);
  const [[irs, ics], [ors, ocs], [ars, acs]] = walk.strides as [[number, number], [number, number], [number, number]];
  const size = self._shape[dim]!;
  const bad = (sz === 4 ? ex.gatherF32 : ex.gatherF64)(walk.rows, walk.len, out._storage.ptr + out._offset * sz, ors, ocs,
    self._storage.ptr + self._offset * sz, ars, acs, dimStride, size, index._storage.ptr + index._offset * 8, irs, ics);
  if (bad) throw outOfBounds(index, walk, bad, dim, size);
  return true;
}

/** scatter (`add` false) or scatter_add (`add` true) of a tensor source. */
export function simdScatter(self: Tensor, dim: number, index: Tensor, src: Tensor, add: boolean): boolean {
  const ex = simd();
  if (!ex || !applies(self, src, index)) return false;
  const [tStr, dimStride] = alongDim(self, dim);
  const walk = twoDims(index._shape, [index._strides, tStr, src._strides]);
  if (!walk) return false;
  const sz = floatSize(self);
  const [[irs, ics], [trs, tcs], [srs, scs]] = walk.strides as [[number, number], [number, number], [number, number]];
  const size = self._shape[dim]!;
  const bad = (sz === 4 ? ex.scatterF32 : ex.scatterF64)(add ? 1 : 0, walk.rows, walk.len, self._storage.ptr + self._offset * sz, trs, tcs,
    dimStride, size, index._storage.ptr + index._offset * 8, irs, ics, src._storage.ptr + src._offset * sz, srs, scs);
  if (bad) throw outOfBounds(index, walk, bad, dim, size);
  return true;
}
