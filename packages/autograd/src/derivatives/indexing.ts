/**
 * Derivatives of the indexing family: index_select, index_add/copy/fill, take, gather, the
 * scatter family, the mask ops and advanced indexing (index, index_put). In-place forms (index_add_,
 * scatter_, masked_fill_, index_put_ ...) reuse these. Index and mask tensors take a gradient slot
 * (they are tensor inputs) but never get a gradient.
 *
 * Gradients are written with the family's own ops (a gradient is scattered back with the op that
 * reads it, and vice versa), so they are differentiable again for higher orders.
 */
import {
  RuntimeError, Tensor, constantPadNdOp, gatherOp, indexAddInplaceOp, indexFillOp, indexOp,
  indexPutInplaceOp, indexPutOp, indexSelectOp, maskedFillOp, maskedScatterInplaceOp, maskedSelectOp,
  scatterAddInplaceOp, scatterAddOp, scatterOp, scatterReduceOp, broadcastShapes, onesLike, zeros, zerosLike,
} from '@torchts/core';
import type { DType } from '@torchts/core';
import { NON_DIFFERENTIABLE, defineDerivative } from '../registry.js';
import { operandMeta, reduceTo } from './util.js';
import type { OperandMeta } from './util.js';

type IndexList = ReadonlyArray<Tensor | null | undefined>;

const zerosOf = (shape: readonly number[], dtype: DType, device: string): Tensor => zeros([...shape], { dtype, device });

/** `t` (shaped like an index) padded with zeros at the end of each dim to `shape`. */
function padTo(t: Tensor, shape: readonly number[]): Tensor {
  if (t.shape.length !== shape.length || t.shape.every((s, i) => s === shape[i])) return t;
  const pad: number[] = [];
  for (let d = shape.length - 1; d >= 0; d--) pad.push(0, shape[d]! - t.shape[d]!);
  return constantPadNdOp.call(t, pad, 0);
}

/** `t` reshaped to `m`'s shape (same numel), or summed to it (0-d operands), in `m`'s dtype. */
function asOperand(m: OperandMeta, t: Tensor): Tensor {
  const n = m.shape.reduce((a, b) => a * b, 1);
  const r = n === t.numel() && t.shape.join() !== m.shape.join() ? t.reshape([...m.shape]) : t;
  return reduceTo(m, r)!;
}

// ---- one dim, a vector of indices -------------------------------------------------------------

// Rows read by index are added back where they came from (repeated indices add up).
defineDerivative('index_select', {
  save: (args) => ({ self: operandMeta(args[0]), dim: args[1], index: args[2] }),
  backward: ([g], { saved: { self, dim, index } }) => {
    const m = self as OperandMeta;
    const z = zerosOf(m.shape, g!.dtype, g!.device);
    return [indexAddInplaceOp.call(z, dim as number, index as Tensor, g!, 1), null];
  },
});

defineDerivative('index_add', {
  save: (args) => ({ dim: args[1], index: args[2], source: operandMeta(args[3]), alpha: args[4] ?? 1 }),
  selfUnused: true,
  backward: ([g], { saved: { dim, index, source, alpha }, needsInputGrad: [ns, , nsrc] }) => {
    let sg: Tensor | null = null;
    if (nsrc) {
      const picked = indexSelectOp.call(g!, dim as number, index as Tensor);
      sg = asOperand(source as OperandMeta, alpha === 1 ? picked : picked.mul(alpha as number));
    }
    return [ns ? g! : null, null, sg];
  },
});

// Overwritten rows get no gradient; the source gets the gradient of the rows it wrote.
defineDerivative('index_copy', {
  save: (args) => ({ dim: args[1], index: args[2], source: operandMeta(args[3]) }),
  selfUnused: true,
  backward: ([g], { saved: { dim, index, source }, needsInputGrad: [ns, , nsrc] }) => [
    ns ? indexFillOp.call(g!, dim as number, index as Tensor, 0) : null,
    null,
    nsrc ? asOperand(source as OperandMeta, indexSelectOp.call(g!, dim as number, index as Tensor)) : null,
  ],
});

// A value tensor gets the sum of the gradient over the filled positions (each counted once).
defineDerivative('index_fill', {
  save: (args) => ({ dim: args[1], index: args[2], value: operandMeta(args[3]) }),
  selfUnused: true,
  backward: ([g], { saved: { dim, index, value }, needsInputGrad: [ns, , nv] }) => {
    const out: Array<Tensor | null> = [ns ? indexFillOp.call(g!, dim as number, index as Tensor, 0) : null, null];
    if (!value) return out;
    if (!nv) return [...out, null];
    const filled = indexFillOp.call(zerosOf(g!.shape, 'bool', g!.device), dim as number, index as Tensor, true);
    const vg = maskedSelectOp.call(g!, filled).sum();
    filled.dispose();
    return [...out, reduceTo(value, vg)];
  },
});

// Flat reads: add the gradient back at the flat positions (negative indices wrap, as in take).
defineDerivative('take', {
  save: (args) => ({ self: operandMeta(args[0]), index: args[1] }),
  backward: ([g], { saved: { self, index } }) => {
    const m = self as OperandMeta;
    const n = m.shape.reduce((a, b) => a * b, 1);
    const flat = zerosOf([n], g!.dtype, g!.device);
    const idx = (index as Tensor).reshape(-1);
    indexPutInplaceOp.call(flat, [idx], g!.reshape(-1), true);
    idx.dispose();
    const out = flat.reshape([...m.shape]);
    if (out !== flat) flat.dispose();
    return [out, null];
  },
});

// ---- histograms -------------------------------------------------------------------------------

// histc's counts are piecewise constant in the input: no gradient flows (as in PyTorch).
NON_DIFFERENTIABLE.add('histc');

// bincount with weights: each weight lands in its input's bin (PyTorch 1.13 has no derivative).
defineDerivative('bincount', {
  save: (args) => ({ self: args[0], weights: operandMeta(args[1]) }),
  backward: ([g], { saved: { self, weights } }) => {
    const x = self as Tensor;
    const index = x.dtype === 'int64' || x.dtype === 'int32' ? x : x.to('int64');
    const wg = reduceTo(weights, indexSelectOp.call(g!, 0, index));
    if (index !== x) index.dispose();
    return [null, wg];
  },
});

// ---- gather / scatter -------------------------------------------------------------------------

defineDerivative('gather', {
  save: (args) => ({ self: operandMeta(args[0]), dim: args[1], index: args[2] }),
  backward: ([g], { saved: { self, dim, index } }) => {
    const m = self as OperandMeta;
    const z = zerosOf(m.shape, g!.dtype, g!.device);
    return [scatterAddInplaceOp.call(z, dim as number, index as Tensor, g!), null];
  },
});

/** The gradient of src: what its index-shaped part was scattered to, zeros beyond the index. */
function srcGrad(g: Tensor, dim: number, index: Tensor, src: OperandMeta): Tensor {
  return reduceTo(src, padTo(gatherOp.call(g, dim, index), src.shape))!;
}

// Without reduce: written positions lose their gradient. reduce='add' keeps self's gradient;
// reduce='multiply' has no derivative (as in PyTorch: use scatterReduce(..., 'prod')).
defineDerivative('scatter', {
  save: (args) => ({ dim: args[1], index: args[2], src: operandMeta(args[3]), reduce: args[4] ?? null }),
  selfUnused: true,
  backward: ([g], { saved: { dim, index, src, reduce }, needsInputGrad: [ns, , nsrc] }) => {
    if (reduce === 'multiply') {
      throw new RuntimeError("the derivative for 'scatter' with reduce='multiply' is not implemented (use scatterReduce with 'prod').");
    }
    const d = dim as number;
    const idx = index as Tensor;
    const selfGrad = ns ? (reduce === 'add' ? g! : scatterOp.call(g!, d, idx, 0)) : null;
    if (!src) return [selfGrad, null];
    return [selfGrad, null, nsrc ? srcGrad(g!, d, idx, src as OperandMeta) : null];
  },
});

defineDerivative('scatter_add', {
  save: (args) => ({ dim: args[1], index: args[2], src: operandMeta(args[3]) }),
  selfUnused: true,
  backward: ([g], { saved: { dim, index, src }, needsInputGrad: [ns, , nsrc] }) => [
    ns ? g! : null,
    null,
    nsrc ? srcGrad(g!, dim as number, index as Tensor, src as OperandMeta) : null,
  ],
});

/** src's index-shaped part (the elements scatter_reduce reads). */
function usedPart(src: Tensor, index: Tensor): Tensor {
  if (src.shape.every((s, i) => s === index.shape[i])) return src;
  let t = src;
  for (let d = 0; d < index.shape.length; d++) if (t.shape[d] !== index.shape[d]) t = t.narrow(d, 0, index.shape[d]!);
  return t;
}

interface ReduceSaved {
  /** self's (old) value, src and the result: saved only for prod, amax and amin. */
  self: Tensor | null;
  src: Tensor | null;
  result: Tensor | null;
  srcMeta: OperandMeta;
  index: Tensor;
  dim: number;
  reduce: string;
  includeSelf: boolean;
}

/**
 * PyTorch's scatter_reduce_backward: the gradients of self and src (each computed only when
 * wanted) for each reduction.
 */
function scatterReduceBackward(g: Tensor, s: ReduceSaved, needSelf: boolean, needSrc: boolean): [Tensor | null, Tensor | null] {
  const { index, dim, reduce, includeSelf } = s;
  const temps: Tensor[] = [];
  const tmp = <T extends Tensor>(t: T): T => (temps.push(t), t);
  let gSelf: Tensor | null = null;
  let gSrc: Tensor | null = null;
  if (reduce === 'sum') {
    if (needSelf) gSelf = g;
    if (needSrc) gSrc = gatherOp.call(g, dim, index);
  } else if (reduce === 'mean') {
    // Each output is divided by how many values it averaged.
    const n = tmp(includeSelf ? onesLike(g) : zerosLike(g));
    scatterAddInplaceOp.call(n, dim, index, tmp(onesLike(index, { dtype: g.dtype })));
    n.maskedFill_(tmp(n.eq(0)), 1);
    if (needSelf) gSelf = g.div(n);
    if (needSrc) gSrc = tmp(gatherOp.call(g, dim, index)).div(tmp(gatherOp.call(n, dim, index)));
  } else if (reduce === 'prod') {
    // Exclusive products, computed without dividing by zeros: self's zeros are replaced by 1 in
    // a second reduction; a src zero alone at its position gets the product of the others.
    const self = s.self!;
    const src = usedPart(s.src!, index);
    if (needSelf) {
      const maskedSelf = tmp(maskedFillOp.call(self, tmp(self.eq(0)), 1));
      const maskedSelfResult = tmp(scatterReduceOp.call(maskedSelf, dim, index, src, 'prod', includeSelf));
      gSelf = tmp(g.mul(maskedSelfResult)).div(maskedSelf);
    }
    if (needSrc) {
      const srcZero = tmp(src.eq(0));
      const zeroCount = tmp(scatterAddOp.call(tmp(zerosLike(self)), dim, index, tmp(srcZero.to(self.dtype))));
      const srcZeros = tmp(gatherOp.call(zeroCount, dim, index));
      const single = tmp(srcZero.logicalAnd(tmp(srcZeros.eq(1))));
      const maskedSrcResult = tmp(scatterReduceOp.call(self, dim, index, tmp(maskedFillOp.call(src, single, 1)), 'prod', includeSelf));
      const onlyZero = tmp(gatherOp.call(tmp(g.mul(maskedSrcResult)), dim, index));
      const others = tmp(tmp(gatherOp.call(tmp(g.mul(s.result!)), dim, index)).div(tmp(maskedFillOp.call(src, srcZero, 1))));
      gSrc = tmp(maskedFillOp.call(onlyZero, tmp(single.logicalNot()), 0)).add(tmp(maskedFillOp.call(others, single, 0)));
      // With two zeros at one position the exclusive products above are not differentiable
      // (PyTorch's DelayedError): refuse when a gradient flows back through them.
      if (gSrc.requiresGrad && tmp(tmp(srcZeros.gt(1)).any()).item()) {
        gSrc.registerHook(() => {
          throw new RuntimeError('scatter_reduce(): Double backward is unsupported for src when >1 zeros in src are scattered to the same position in self');
        });
      }
    }
  } else if (reduce === 'amax' || reduce === 'amin') {
    // The gradient is shared evenly between the values equal to the result.
    const { self, result } = s as { self: Tensor; result: Tensor };
    const src = usedPart(s.src!, index);
    const selfIs = tmp(tmp(self.eq(result)).to(self.dtype));
    const srcIs = tmp(tmp(src.eq(tmp(gatherOp.call(result, dim, index)))).to(self.dtype));
    const shared = tmp(g.div(tmp(scatterAddOp.call(selfIs, dim, index, srcIs))));
    if (needSelf) gSelf = shared.mul(selfIs);
    if (needSrc) gSrc = tmp(gatherOp.call(shared, dim, index)).mul(srcIs);
  } else {
    throw new RuntimeError(`scatter_reduce backward: unknown reduce '${reduce}'`);
  }
  if (gSelf && !includeSelf) {
    // Positions written to never read self.
    const masked = scatterOp.call(gSelf, dim, index, 0);
    if (gSelf !== g) gSelf.dispose();
    gSelf = masked;
  }
  for (const t of temps) if (t !== gSelf && t !== gSrc) t.dispose();
  return [gSelf, gSrc];
}

// prod/amax/amin need self's old value (in-place forms copy it), src and the result.
defineDerivative('scatter_reduce', {
  save: (args, result) => {
    const reduce = args[4] as string;
    const values = reduce === 'prod' || reduce === 'amax' || reduce === 'amin';
    return {
      self: values ? args[0] : null, src: values ? args[3] : null, result: values ? result : null, srcMeta: operandMeta(args[3]),
      dim: args[1], index: args[2], reduce, includeSelf: args[5] ?? true,
    };
  },
  backward: ([g], { saved, needsInputGrad: [ns, , nsrc] }) => {
    const s = saved as unknown as ReduceSaved;
    const [gSelf, gSrc] = scatterReduceBackward(g!, s, ns!, nsrc!);
    return [gSelf, null, gSrc ? reduceTo(s.srcMeta, padTo(gSrc, s.srcMeta.shape)) : null];
  },
});

// ---- masks ------------------------------------------------------------------------------------

// self broadcasts with the mask (out-of-place): its gradient is summed back to its shape.
defineDerivative('masked_fill', {
  save: (args) => ({ self: operandMeta(args[0]), mask: args[1], value: operandMeta(args[2]) }),
  selfUnused: true,
  backward: ([g], { saved: { self, mask, value }, needsInputGrad: [ns, , nv] }) => {
    const m = mask as Tensor;
    const out: Array<Tensor | null> = [ns ? reduceTo(self, maskedFillOp.call(g!, m, 0)) : null, null];
    if (!value) return out;
    return [...out, nv ? reduceTo(value, maskedSelectOp.call(g!, m).sum()) : null];
  },
});

defineDerivative('masked_select', {
  save: (args) => ({ self: operandMeta(args[0]), mask: args[1] }),
  backward: ([g], { saved: { self, mask } }) => {
    const m = mask as Tensor;
    const s = self as OperandMeta;
    const z = zerosOf(broadcastShapes(s.shape, m.shape), g!.dtype, g!.device);
    return [reduceTo(s, maskedScatterInplaceOp.call(z, m, g!)), null];
  },
});

// source's first count(mask) elements were written: they get the masked gradient, the rest zero.
defineDerivative('masked_scatter', {
  save: (args) => ({ self: operandMeta(args[0]), mask: args[1], source: operandMeta(args[2]) }),
  selfUnused: true,
  backward: ([g], { saved: { self, mask, source }, needsInputGrad: [ns, , nsrc] }) => {
    const m = mask as Tensor;
    let sg: Tensor | null = null;
    if (nsrc) {
      const src = source as OperandMeta;
      const n = src.shape.reduce((a, b) => a * b, 1);
      const picked = maskedSelectOp.call(g!, m);
      const full = picked.numel() < n ? constantPadNdOp.call(picked, [0, n - picked.numel()], 0) : picked;
      if (full !== picked) picked.dispose();
      sg = reduceTo(src, full.reshape([...src.shape]));
    }
    return [ns ? reduceTo(self, maskedFillOp.call(g!, m, 0)) : null, null, sg];
  },
});

// ---- advanced indexing ------------------------------------------------------------------------

/**
 * An index list saved as its tensors (saved, so they outlive the caller's temporaries) and where
 * the nulls were.
 */
function splitIndices(list: IndexList): { idx: Tensor[]; layout: boolean[] } {
  const layout = list.map((t) => t instanceof Tensor);
  return { idx: list.filter((t): t is Tensor => t instanceof Tensor), layout };
}
function joinIndices(idx: unknown, layout: unknown): Array<Tensor | null> {
  const tensors = [...((idx as Tensor[] | undefined) ?? [])];
  return (layout as boolean[]).map((isTensor) => (isTensor ? tensors.shift()! : null));
}
const nulls = (layout: unknown): null[] => (layout as boolean[]).filter(Boolean).map(() => null);

// Reads are added back where they came from (accumulate: repeated indices add up).
defineDerivative('index', {
  save: (args) => ({ self: operandMeta(args[0]), ...splitIndices(args[1] as IndexList) }),
  backward: ([g], { saved: { self, idx, layout } }) => {
    const m = self as OperandMeta;
    const z = zerosOf(m.shape, g!.dtype, g!.device);
    return [indexPutInplaceOp.call(z, joinIndices(idx, layout), g!, true), ...nulls(layout)];
  },
});

// Written positions lose self's gradient unless accumulating; values get what they were put to.
defineDerivative('index_put', {
  save: (args) => ({ values: operandMeta(args[2]), accumulate: args[3] ?? false, ...splitIndices(args[1] as IndexList) }),
  selfUnused: true,
  backward: ([g], { saved: { values, accumulate, idx, layout }, needsInputGrad }) => {
    const indices = joinIndices(idx, layout);
    const ns = needsInputGrad[0];
    const nv = needsInputGrad[needsInputGrad.length - 1];
    let selfGrad: Tensor | null = null;
    if (ns) {
      if (accumulate) selfGrad = g!;
      else {
        const zero = zerosOf([], g!.dtype, g!.device);
        selfGrad = indexPutOp.call(g!, indices, zero, false);
        zero.dispose();
      }
    }
    const valuesGrad = nv ? reduceTo(values, indexOp.call(g!, indices)) : null;
    return [selfGrad, ...nulls(layout), valuesGrad];
  },
});
