/** Per-tensor autograd state, kept in `tensor._meta.autograd` (core reserves the slot). */
import type { Tensor } from '@torchts/core';
import type { Node } from './node.js';

export type GradHook = (grad: Tensor) => Tensor | void | undefined;
export type PostAccumulateHook = (tensor: Tensor) => void;

export interface AutogradMeta {
  /** Leaves: the node that accumulates into `.grad` (one per leaf, shared by its aliases). */
  accumulator: Node | null;
  /** Leaves: the tensor whose `.grad` receives gradients (aliases point to the original). */
  leaf: Tensor | null;
  retainsGrad: boolean;
  hooks: Map<number, GradHook> | null;
  postAccumulateHooks: Map<number, PostAccumulateHook> | null;
}

export function metaOf(t: Tensor): AutogradMeta {
  const m = (t._meta ??= {}) as { autograd?: AutogradMeta };
  return (m.autograd ??= { accumulator: null, leaf: null, retainsGrad: false, hooks: null, postAccumulateHooks: null });
}

export function peekMeta(t: Tensor): AutogradMeta | undefined {
  return (t._meta as { autograd?: AutogradMeta } | null)?.autograd;
}

let nextHandleId = 1;
export function newHandleId(): number {
  return nextHandleId++;
}
