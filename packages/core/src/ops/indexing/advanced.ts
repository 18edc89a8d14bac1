/**
 * Advanced indexing, as ATen's `index` and `index_put_`: a list with one entry per leading dim,
 * each an index tensor (int64; bool/uint8 masks stand for their nonzero() columns) or null (the
 * whole dim). Index tensors broadcast together; when the indexed dims are adjacent the result
 * keeps them in place, otherwise they move to the front (numpy's rule). Both are ops, so
 * autograd gives them derivatives; `x.index(...)` (subscript.ts) builds on them.
 *
 * Kernel signatures (indices: the broadcast index tensors of dims first..first+k-1 of self):
 *   index      (out, self, indices, first)
 *   index_put_ (self, indices, first, values, accumulate)  values expanded to the result shape
 */
import { defineOp } from '../../dispatcher.js';
import { IndexError, RuntimeError } from '../../errors.js';
import { broadcastShapes, fmtShape } from '../../shape.js';
import { Tensor, emptyTensor } from '../../tensor.js';
import { clone } from '../copy.js';
import { expandOp, permuteOp, selectOp, unsqueezeOp } from '../view.js';
import { maskedFillInplaceOp } from './masked.js';
import { nonzeroOp } from './nonzero.js';
import { typeName } from './util.js';

export type IndexList = ReadonlyArray<Tensor | null | undefined>;

function checkIndexTypes(indices: IndexList): void {
  for (const t of indices) {
    if (t === null || t === undefined) continue;
    if (!(t instanceof Tensor)) throw new TypeError(`index(): expected Tensor or None in indices, got ${typeof t}`);
    if (t._dtype !== 'int64' && t._dtype !== 'uint8' && t._dtype !== 'bool') {
      throw new IndexError('tensors used as indices must be long, byte or bool tensors');
    }
  }
}

/** Masks become one index per mask dim (views of nonzero()); `temps` collects what to dispose. */
function expandMasks(self: Tensor, indices: IndexList, temps: Tensor[]): Array<Tensor | null> {
  const out: Array<Tensor | null> = [];
  for (const t of indices) {
    if (t === null || t === undefined) {
      out.push(null);
      continue;
    }
    if (t._dtype !== 'bool' && t._dtype !== 'uint8') {
      out.push(t);
      continue;
    }
    for (let j = 0; j < t._shape.length; j++) {
      const srcIdx = out.length + j;
      if (srcIdx >= self._shape.length || t._shape[j] !== self._shape[srcIdx]) {
        throw new IndexError(`The shape of the mask ${fmtShape(t._shape)} at index ${j} does not match the shape of the indexed tensor ${fmtShape(self._shape)} at index ${srcIdx}`);
      }
    }
    const nz = nonzeroOp.call(t);
    temps.push(nz);
    for (let j = 0; j < t._shape.length; j++) {
      const col = selectOp.call(nz, 1, j);
      temps.push(col);
      out.push(col);
    }
  }
  return out;
}

interface Plan {
  /** self, permuted when the indexed dims were not adjacent. */
  src: Tensor;
  /** The broadcast index tensors, in dim order. */
  indices: Tensor[];
  /** First indexed dim of `src`. */
  first: number;
  /** Shape of the result: before + broadcast index shape + after. */
  shape: number[];
}

/** ATen's make_info: masks expanded, indices broadcast, indexed dims made adjacent. */
function plan(self: Tensor, raw: IndexList, temps: Tensor[]): Plan {
  checkIndexTypes(raw);
  const list = expandMasks(self, raw, temps);
  const nd = self._shape.length;
  if (list.length > nd) throw new IndexError(`too many indices for tensor of dimension ${nd} (got ${list.length})`);
  while (list.length < nd) list.push(null);
  const defined = list.filter((t): t is Tensor => t !== null);
  let idxShape: number[];
  try {
    idxShape = defined.reduce<number[]>((s, t) => broadcastShapes(s, t._shape), []);
  } catch {
    throw new IndexError(`shape mismatch: indexing tensors could not be broadcast together with shapes ${defined.map((t) => fmtShape(t._shape)).join(', ')}`);
  }
  if (defined.length === 0) return { src: self, indices: [], first: 0, shape: [...self._shape] };
  const positions = list.map((t, i) => (t === null ? -1 : i)).filter((i) => i >= 0);
  const adjacent = positions.every((p, k) => k === 0 || p === positions[k - 1]! + 1);
  let src = self;
  let order = list;
  if (!adjacent) {
    const perm = [...positions, ...list.map((_, i) => i).filter((i) => list[i] === null)];
    src = permuteOp.call(self, perm);
    temps.push(src);
    order = perm.map((i) => list[i]!);
  }
  const first = order.findIndex((t) => t !== null);
  const k = defined.length;
  const indices = order.slice(first, first + k).map((t) => {
    const e = expandOp.call(t!, idxShape);
    temps.push(e);
    return e;
  });
  const shape = [...src._shape.slice(0, first), ...idxShape, ...src._shape.slice(first + k)];
  return { src, indices, first, shape };
}

function disposeAll(temps: Tensor[]): void {
  for (const t of temps) t.dispose();
}

export const indexOp = defineOp('index', (self: Tensor, indices: IndexList): Tensor => {
  if (!Array.isArray(indices)) throw new TypeError(`index(): argument 'indices' must be a list of Tensors or nulls`);
  const temps: Tensor[] = [];
  try {
    const p = plan(self, indices, temps);
    const out = emptyTensor(p.shape, self._dtype, self.device);
    try {
      if (out.numel() > 0) indexOp.kernel(self.device)(out, p.src, p.indices, p.first);
    } catch (e) {
      out.dispose();
      throw e;
    }
    return out;
  } finally {
    disposeAll(temps);
  }
});

/** ATen's canDispatchToMaskedFill: one mask and a one-element value is a masked_fill_. */
function maskedFillMask(self: Tensor, indices: IndexList, values: Tensor): Tensor | null {
  if (values.numel() !== 1) return null;
  let mask: Tensor | null = null;
  let num = 0;
  for (const t of indices) {
    if (t === null || t === undefined) {
      num++;
      continue;
    }
    if ((t._dtype !== 'bool' && t._dtype !== 'uint8') || mask) return null;
    mask = t;
    for (let j = 0; j < t._shape.length; j++) {
      const srcIdx = num + j;
      if (srcIdx >= self._shape.length || t._shape[j] !== self._shape[srcIdx]) {
        throw new IndexError(`The shape of the mask ${fmtShape(t._shape)} at index ${j} does not match the shape of the indexed tensor ${fmtShape(self._shape)} at index ${srcIdx}`);
      }
    }
    num += t._shape.length;
  }
  if (!mask) return null;
  let m = mask;
  for (let i = num; i < self._shape.length; i++) {
    const next = unsqueezeOp.call(m, -1);
    if (m !== mask) m.dispose();
    m = next;
  }
  return m;
}

export const indexPutInplaceOp = defineOp('index_put_', (self: Tensor, indices: IndexList, values: Tensor, accumulate = false): Tensor => {
  if (!Array.isArray(indices)) throw new TypeError(`index_put_(): argument 'indices' must be a list of Tensors or nulls`);
  if (!(values instanceof Tensor)) throw new TypeError(`index_put_(): argument 'values' must be Tensor, not ${typeof values}`);
  if (indices.length > self._shape.length) {
    throw new IndexError(`too many indices for tensor of dimension ${self._shape.length} (got ${indices.length})`);
  }
  if (!accumulate) {
    checkIndexTypes(indices);
    const mask = maskedFillMask(self, indices, values);
    if (mask) {
      try {
        maskedFillInplaceOp.call(self, mask, values.item());
      } finally {
        if (!indices.includes(mask)) mask.dispose();
      }
      return self;
    }
  }
  const temps: Tensor[] = [];
  try {
    const p = plan(self, indices, temps);
    const shapeOk = values._shape.length <= p.shape.length && (() => {
      try {
        return broadcastShapes(p.shape, values._shape).every((s, i) => s === p.shape[i]);
      } catch {
        return false;
      }
    })();
    if (!shapeOk) {
      throw new RuntimeError(`shape mismatch: value tensor of shape ${fmtShape(values._shape)} cannot be broadcast to indexing result of shape ${fmtShape(p.shape)}`);
    }
    if (values._dtype !== self._dtype) {
      throw new RuntimeError(`Index put requires the source and destination dtypes match, got ${typeName(self._dtype)} for the destination and ${typeName(values._dtype)} for the source.`);
    }
    // Values that alias self are read from a copy, so writes cannot feed later reads.
    let v = values._storage === self._storage ? clone(values) : values;
    if (v !== values) temps.push(v);
    v = expandOp.call(v, p.shape);
    temps.push(v);
    if (v.numel() > 0) indexPutInplaceOp.kernel(self.device)(p.src, p.indices, p.first, v, accumulate);
  } finally {
    disposeAll(temps);
  }
  self._bumpVersion();
  return self;
}, { inplace: true });

export const indexPutOp = defineOp('index_put', (self: Tensor, indices: IndexList, values: Tensor, accumulate = false): Tensor => {
  const out = clone(self);
  try {
    return indexPutInplaceOp.call(out, indices, values, accumulate);
  } catch (e) {
    out.dispose();
    throw e;
  }
});
