/**
 * Graph plumbing shared by the function transforms: differentiable copies of the inputs, the
 * capture points gradients are read at, and freeing a transform's private graph.
 *
 * Each transform differentiates with respect to `x.viewAs(x)` (a non-leaf alias of the input), so
 * every point where a gradient is read, and every output, is a (node, outputNr) pair. Transforms
 * keep those pairs instead of the tensors, so the tensors can be freed with the call's scope.
 */
import { RuntimeError, Tensor, makeView, untracked } from '@torchts/core';
import { AccumulateGrad, Node } from '../node.js';
import { grad as autogradGrad } from '../engine.js';

/** Where a tensor's gradient is read or seeded: its grad_fn and output number. */
export interface GraphPoint {
  node: Node;
  outputNr: number;
  shape: number[];
  dtype: Tensor['dtype'];
  device: string;
}

class Probe extends Node {
  apply(): Array<Tensor | null> {
    return [];
  }
}

/** The sequence number the next node will get: nodes at or above it were created after now. */
export function nextSequenceNr(): number {
  return new Probe('Probe').sequenceNr + 1;
}

/**
 * The input as the transform sees it: a non-leaf alias whose grad_fn is the capture point.
 * `connect` keeps the input's own history (an enclosing transform or backward differentiates
 * through this one); otherwise it starts from a fresh leaf.
 */
export function differentiableInput(x: Tensor, connect: boolean, leaves: Set<Tensor>): Tensor {
  const src = connect && x.requiresGrad ? x : x.detach().requiresGrad_(true);
  if (src !== x) leaves.add(src);
  return src.viewAs(src);
}

export function pointOf(t: Tensor): GraphPoint {
  // The point keeps its node alive after the tensor is freed with the call's scope; the
  // transform frees the saved tensors itself (releaseGraph) when it is done with them.
  (t.gradFn as Node).ref();
  return { node: t.gradFn as Node, outputNr: t._outputNr, shape: [...t.shape], dtype: t.dtype, device: t.device };
}

/** A temporary tensor standing for a graph point (over `data`'s memory: the engine reads no values). */
function standIn(p: GraphPoint, data: Tensor): Tensor {
  const t = untracked(() => makeView(data, [...data.shape], [...data._strides], data._offset));
  t._base = null;
  t.gradFn = p.node;
  t._requiresGrad = true;
  t._outputNr = p.outputNr;
  return t;
}

/**
 * `autograd.grad` between graph points: the gradients at `inputs` given `cotangents` at
 * `outputs` (null where nothing flowed).
 */
export function gradBetween(
  outputs: GraphPoint[],
  inputs: GraphPoint[],
  cotangents: Tensor[],
  opts: { createGraph: boolean; retainGraph: boolean },
): Array<Tensor | null> {
  if (outputs.length === 0 || inputs.length === 0) return inputs.map(() => null);
  const outs = outputs.map((p, i) => standIn(p, cotangents[i]!));
  const ins = inputs.map((p) => standIn(p, cotangents[0]!));
  try {
    return autogradGrad(outs, ins, cotangents, { ...opts, allowUnused: true });
  } finally {
    outs.forEach((t) => t.dispose());
    ins.forEach((t) => t.dispose());
  }
}

function walk(roots: Iterable<Node>, visit: (n: Node) => boolean): void {
  const seen = new Set<Node>();
  const stack = [...roots];
  while (stack.length) {
    const n = stack.pop()!;
    if (seen.has(n)) continue;
    seen.add(n);
    if (visit(n)) return;
    for (const e of n.nextEdges) if (e && !seen.has(e.node)) stack.push(e.node);
  }
}

/**
 * Whether gradients from `roots` can reach anything the transform did not create: a node older
 * than the call, or a leaf other than its own fresh inputs (parameters `f` closes over, inputs
 * with history). Then the transform's results must stay differentiable (createGraph).
 */
export function reachesOutside(roots: Node[], since: number, leaves: Set<Tensor>): boolean {
  let found = false;
  walk(roots, (n) => {
    found = n.sequenceNr < since || (n instanceof AccumulateGrad && !leaves.has(n.variable));
    return found;
  });
  return found;
}

/**
 * Frees saved tensors of the nodes reachable from `roots` that the transform created (sequence
 * number from `since`) and that `keep` (the graph of what it returns) cannot reach: what an
 * enclosing differentiation can never run. Older nodes and the kept graph are left alone.
 */
export function releaseGraph(roots: Node[], since: number, keep: Node[] = []): void {
  const kept = new Set<Node>();
  walk(keep, (n) => {
    kept.add(n);
    return false;
  });
  const seen = new Set<Node>();
  const stack = roots.filter((n) => !kept.has(n) && n.sequenceNr >= since);
  while (stack.length) {
    const n = stack.pop()!;
    if (seen.has(n)) continue;
    seen.add(n);
    n.release();
    for (const e of n.nextEdges) if (e && !seen.has(e.node) && !kept.has(e.node) && e.node.sequenceNr >= since) stack.push(e.node);
  }
}

/** Tensors anywhere inside arrays and plain objects of `value`. */
export function tensorsIn(value: unknown, out: Tensor[] = [], depth = 0): Tensor[] {
  if (value instanceof Tensor) out.push(value);
  else if (Array.isArray(value) && depth < 8) for (const v of value) tensorsIn(v, out, depth + 1);
  else if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype && depth < 8) {
    for (const v of Object.values(value)) tensorsIn(v, out, depth + 1);
  }
  return out;
}

export function nodesOf(ts: Array<Tensor | null | undefined>): Node[] {
  return ts.filter((t): t is Tensor => !!t && t.gradFn !== null).map((t) => t.gradFn as Node);
}

export function requireTensor(api: string, what: string, x: unknown): Tensor {
  if (!(x instanceof Tensor)) throw new RuntimeError(`${api}: Expected ${what} to be a Tensor, got ${x === null ? 'None' : typeof x}`);
  return x;
}
