/** Autograd's Tensor methods: backward, retainGrad, hooks, detach_. */
import { RuntimeError, Tensor } from '@torchts/core';
import type { RemovableHandle } from '@torchts/core';
import { backward } from './engine.js';
import type { BackwardOptions } from './engine.js';
import { metaOf, newHandleId } from './meta.js';
import type { GradHook, PostAccumulateHook } from './meta.js';
import type { Node } from './node.js';
import { gradEdge } from './layer.js';

export type { RemovableHandle } from '@torchts/core';

const proto = Tensor.prototype as unknown as Record<string, unknown>;

proto.backward = function (this: Tensor, gradient?: Tensor | null, opts?: BackwardOptions) {
  backward(this, gradient ?? null, opts);
};

proto.retainGrad = function (this: Tensor) {
  if (!this.requiresGrad) throw new RuntimeError("can't retain_grad on Tensor that has requires_grad=False");
  if (this.gradFn === null) return; // leaves always keep .grad
  const meta = metaOf(this);
  if (meta.retainsGrad) return;
  meta.retainsGrad = true;
  const node = this.gradFn as Node;
  node.retained ??= new Map();
  node.retained.set(this._outputNr, Object.assign(meta, { tensor: new WeakRef(this) }));
};

Object.defineProperty(proto, 'retainsGrad', {
  get(this: Tensor) {
    return this.gradFn !== null && metaOf(this).retainsGrad;
  },
});

proto.registerHook = function (this: Tensor, hook: GradHook): RemovableHandle {
  if (!this.requiresGrad) throw new RuntimeError("cannot register a hook on a tensor that doesn't require gradient");
  const id = newHandleId();
  if (this.gradFn === null) {
    const meta = metaOf(this);
    (meta.hooks ??= new Map()).set(id, hook);
    gradEdge(this); // make sure the accumulator exists
    return { id, remove: () => meta.hooks?.delete(id) };
  }
  const node = this.gradFn as Node;
  const nr = this._outputNr;
  node.preHooks ??= new Map();
  const list = node.preHooks.get(nr) ?? [];
  node.preHooks.set(nr, list);
  list.push(hook);
  return {
    id,
    remove: () => {
      const i = list.indexOf(hook);
      if (i >= 0) list.splice(i, 1);
    },
  };
};

proto.registerPostAccumulateGradHook = function (this: Tensor, hook: PostAccumulateHook): RemovableHandle {
  if (!this.requiresGrad) throw new RuntimeError("cannot register a hook on a tensor that doesn't require gradient");
  if (this.gradFn !== null) throw new RuntimeError('post accumulate grad hooks cannot be registered on non-leaf tensors');
  const meta = metaOf(this);
  const id = newHandleId();
  (meta.postAccumulateHooks ??= new Map()).set(id, hook);
  return { id, remove: () => meta.postAccumulateHooks?.delete(id) };
};

proto.detach_ = function (this: Tensor) {
  this.gradFn = null;
  this._requiresGrad = false;
  return this;
};
