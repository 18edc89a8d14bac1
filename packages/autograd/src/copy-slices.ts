/**
 * In-place ops on views (PyTorch's CopySlices). Writing into a view changes its base, so the
 * base's history is rebased: its new grad_fn routes the gradient of the written region through
 * the in-place op's derivative and the rest straight to the base's previous history; the view's
 * new grad_fn is a strided view of that.
 */
import { NotImplementedError, RuntimeError, zeros } from '@torchts/core';
import type { Tensor } from '@torchts/core';
import { Node } from './node.js';
import type { Edge } from './node.js';
import { metaOf } from './meta.js';

export interface ViewGeometry {
  size: number[];
  stride: number[];
  offset: number;
}

export class CopySlices extends Node {
  constructor(private readonly view: ViewGeometry, private readonly fn: Node, baseShape: readonly number[], base: Tensor) {
    super('CopySlices');
    fn.ref(); // the in-place op's node lives as long as this one
    this.outputs = [{ shape: [...baseShape], dtype: base.dtype, device: base.device }];
  }

  apply(grads: Array<Tensor | null>): Array<Tensor | null> {
    const g = grads[0];
    if (!g) return [];
    const result = g.clone();
    const slice = result.asStrided(this.view.size, this.view.stride, this.view.offset);
    const res = this.fn.apply([slice.clone()]);
    if (res[0]) slice.copy_(res[0]);
    else slice.zero_();
    return [result, ...res.slice(1)];
  }

  override release(): void {
    this.fn.release();
  }

  protected override free(): void {
    super.free();
    this.fn.unref();
  }
}

/** The grad_fn of a view after an in-place write: a strided view of its base's new history. */
export class AsStridedBackward extends Node {
  constructor(private readonly view: ViewGeometry, private readonly baseShape: number[], dtype: Tensor['dtype'], device: string) {
    super('AsStridedBackward0');
    this.outputs = [{ shape: [...view.size], dtype, device }];
  }

  apply(grads: Array<Tensor | null>): Array<Tensor | null> {
    const g = grads[0];
    if (!g) return [null];
    const gi = zeros(this.baseShape, { dtype: g.dtype, device: g.device });
    gi.asStrided(this.view.size, this.view.stride, this.view.offset).copy_(g);
    return [gi];
  }
}

/**
 * Rebases history after `fn` (the in-place op's node, already recorded with the view's old edge
 * first) wrote into `view`, a view of `base`.
 */
export function rebaseHistory(view: Tensor, base: Tensor, fn: Node, baseEdge: Edge | null): void {
  if (base.requiresGrad && base.gradFn === null) {
    throw new RuntimeError('a view of a leaf Variable that requires grad is being used in an in-place operation.');
  }
  if (!base.isContiguous() || base._offset !== 0) {
    throw new NotImplementedError('in-place operations on views of non-contiguous tensors that require grad are not supported');
  }
  const geom: ViewGeometry = { size: [...view.shape], stride: [...view._strides], offset: view._offset };
  const cs = new CopySlices(geom, fn, base.shape, base);
  cs.nextEdges = [baseEdge, ...fn.nextEdges.slice(1)];
  cs.forwardOp = fn.forwardOp;
  base.gradFn = cs;
  base._requiresGrad = true;
  base._outputNr = 0;
  const vn = new AsStridedBackward(geom, [...base.shape], view.dtype, view.device);
  vn.nextEdges = [{ node: cs, inputNr: 0 }];
  view.gradFn = vn;
  view._requiresGrad = true;
  view._outputNr = 0;
}
