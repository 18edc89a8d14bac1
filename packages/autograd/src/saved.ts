/**
 * Saved tensors. A node saves its own alias of each tensor it needs (a new Tensor object over the
 * same storage, outside every `tidy` scope), so user code may dispose the originals. The version
 * counter recorded at save time catches in-place modification before backward.
 */
import { RuntimeError, makeView, scalarTypeName, untracked } from '@torchts/core';
import type { Tensor } from '@torchts/core';
import type { Node } from './node.js';
import { metaOf, peekMeta } from './meta.js';

export const FREED_MESSAGE =
  'Trying to backward through the graph a second time (or directly access saved tensors after they have already been freed). Saved intermediate values of the graph are freed when you call .backward() or autograd.grad(). Specify retain_graph=True if you need to backward through the graph a second time or if you need to access saved tensors after calling backward.';

export class SavedTensor {
  private alias: Tensor | null;
  private readonly version: number;
  private readonly gradFn: unknown;
  private readonly outputNr: number;
  private readonly requiresGrad: boolean;

  constructor(t: Tensor, readonly isOutput: boolean, private readonly owner: Node) {
    this.alias = untracked(() => makeView(t, [...t.shape], [...t._strides], t._offset));
    this.alias._base = null;
    this.version = t._version;
    // An output's grad_fn is the owner itself: restored on unpack (not stored) to avoid a cycle.
    this.gradFn = isOutput ? null : t.gradFn;
    // A saved input keeps its history alive (double backward flows through it).
    (this.gradFn as Node | null)?.ref();
    this.outputNr = t._outputNr;
    this.requiresGrad = t.requiresGrad;
    if (!isOutput && t.requiresGrad && t.gradFn === null) {
      // A leaf: the alias accumulates into the same `.grad` (double backward).
      const m = metaOf(this.alias);
      m.leaf = peekMeta(t)?.leaf ?? t;
      m.accumulator = peekMeta(t)?.accumulator ?? null;
    }
  }

  unpack(): Tensor {
    const a = this.alias;
    if (!a) throw new RuntimeError(FREED_MESSAGE);
    if (a._version !== this.version) {
      const origin = this.isOutput ? `output ${this.outputNr} of ${this.owner.name}` : this.gradFn ? `output ${this.outputNr} of ${(this.gradFn as Node).name}` : 'a leaf';
      throw new RuntimeError(
        `one of the variables needed for gradient computation has been modified by an inplace operation: [torch.${scalarTypeName(a.dtype)}Tensor [${a.shape.join(', ')}]], which is ${origin}, is at version ${a._version}; expected version ${this.version} instead. Hint: the backtrace further above shows the operation that failed to compute its gradient. The variable in question was changed in there or anywhere later. Good luck!`,
      );
    }
    if (this.requiresGrad) {
      // An output's alias must not keep its own node alive (the node owns the alias): weak.
      if (this.isOutput) a._setWeakGradFn(this.owner);
      else a.gradFn = this.gradFn;
      a._requiresGrad = true;
      a._outputNr = this.outputNr;
    }
    return a;
  }

  release(): void {
    if (!this.alias) return;
    this.alias.dispose();
    this.alias = null;
    (this.gradFn as Node | null)?.unref();
  }
}
