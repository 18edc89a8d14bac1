/**
 * Graph nodes (PyTorch's `grad_fn` objects). A node maps the gradients of its forward outputs to
 * the gradients of its forward inputs; `nextFunctions` are the edges to the inputs' nodes.
 */
import { RuntimeError, itemsize, keep, untracked } from '@torchts/core';
import type { Tensor } from '@torchts/core';
import type { AutogradMeta } from './meta.js';
import { metaOf } from './meta.js';

export interface Edge {
  node: Node;
  inputNr: number;
}

export interface OutputInfo {
  shape: readonly number[];
  dtype: Tensor['dtype'];
  device: string;
}

let sequence = 0;

export abstract class Node {
  private edges: Array<Edge | null> = [];
  /** Live tensors whose grad_fn this is, plus edges from live nodes (see Tensor.gradFn). */
  private refCount = 0;
  /** Shapes/dtypes of the forward outputs (to materialise missing gradients as zeros). */
  outputs: OutputInfo[] = [];
  /** Creation order: later nodes run first among ready ones, as in PyTorch. */
  readonly sequenceNr = sequence++;
  /** Tensor hooks (registerHook on non-leaves) and retain_grad targets, per output. */
  preHooks: Map<number, Array<(g: Tensor) => Tensor | void | undefined>> | null = null;
  retained: Map<number, AutogradMeta & { tensor: WeakRef<Tensor> }> | null = null;
  /** Forward op name, for anomaly mode. */
  forwardOp = '';

  constructor(readonly name: string) {}

  /** Edges to the nodes of the forward inputs; each edge holds a reference on its node. */
  get nextEdges(): Array<Edge | null> {
    return this.edges;
  }
  set nextEdges(edges: Array<Edge | null>) {
    for (const e of edges) e?.node.ref();
    const old = this.edges;
    this.edges = edges;
    for (const e of old) e?.node.unref();
  }

  ref(): void {
    this.refCount++;
  }

  /** Last reference gone: nothing can run this node any more, so free it and its inputs' nodes. */
  unref(): void {
    if (--this.refCount > 0) return;
    this.free();
  }

  protected free(): void {
    this.release();
    this.nextEdges = [];
  }

  /** PyTorch's `grad_fn.next_functions`: `[node, inputNr]` pairs (`[null, 0]` for no edge). */
  get nextFunctions(): Array<[Node | null, number]> {
    return this.nextEdges.map((e) => (e ? [e.node, e.inputNr] : [null, 0]));
  }

  abstract apply(grads: Array<Tensor | null>): Array<Tensor | null>;

  /** Frees saved tensors (after backward without retainGraph). */
  release(): void {}

  toString(): string {
    return `<${this.name} object>`;
  }
}

/** The sink of a leaf's gradients: accumulates into `leaf.grad`. */
export class AccumulateGrad extends Node {
  constructor(readonly variable: Tensor) {
    super('AccumulateGrad');
  }

  apply(grads: Array<Tensor | null>): Array<Tensor | null> {
    const g = grads[0];
    if (!g) return [];
    accumulateInto(this.variable, g);
    return [];
  }
}

/**
 * Whether `.grad` may take the engine's gradient tensor itself instead of a copy (PyTorch steals
 * it when nothing else references it): no graph is being built, and `g` is a plain contiguous
 * tensor of the leaf's shape and dtype that is the only user of its whole storage (so no other
 * edge, saved tensor or view can see later in-place accumulation).
 */
function stealable(variable: Tensor, g: Tensor): boolean {
  return !g.requiresGrad && g._storage.refs === 1 && g._offset === 0 && g.isContiguous() && g._dtype === variable._dtype &&
    g.device === variable.device && g._shape.join() === variable._shape.join() && g._storage.nbytes === g.numel() * itemsize(g._dtype);
}

/**
 * `.grad` accumulation: the first gradient is copied (it may be shared) unless `steal` allows
 * taking it (the engine's own, unhooked gradient: see stealable), later ones are added. Returns
 * whether `g` itself became `.grad` (the caller must then not dispose it).
 */
export function accumulateInto(variable: Tensor, g: Tensor, steal = false): boolean {
  let stolen = false;
  untracked(() => {
    const differentiable = g.requiresGrad;
    if (variable.grad === null) {
      stolen = steal && stealable(variable, g);
      // A copy: `g` may be shared with other edges. A taken `g` leaves the enclosing tidy scopes,
      // as the (untracked) copy would have.
      variable.grad = stolen ? keep(g) : g.clone();
    } else if (differentiable || variable.grad.requiresGrad) {
      const old = variable.grad;
      variable.grad = old.add(g);
    } else {
      if (variable.grad.dtype !== g.dtype && g.dtype !== variable.dtype) {
        throw new RuntimeError(`expected grad of dtype ${variable.dtype} but got ${g.dtype}`);
      }
      variable.grad.add_(g);
    }
  });
  const meta = metaOf(variable);
  if (meta.postAccumulateHooks) for (const h of meta.postAccumulateHooks.values()) h(variable);
  return stolen;
}

/** Stands in for ops without a derivative: recording works, backward names the op. */
export class NotImplementedNode extends Node {
  apply(): Array<Tensor | null> {
    throw new RuntimeError(`the derivative for '${this.forwardOp}' is not implemented.`);
  }
}

/** `AddmmBackward0` from `addmm`, `LogSoftmaxBackward0` from `log_softmax`. */
export function backwardName(op: string): string {
  const base = op.replace(/\..*$/, '').replace(/_$/, ''); // 'max.dim' -> MaxBackward0
  const pascal = base
    .split('_')
    .filter(Boolean)
    .map((p) => p[0]!.toUpperCase() + p.slice(1))
    .join('');
  return `${pascal}Backward0`;
}
