/**
 * The backward engine: counts dependencies from the roots, then runs nodes whose inputs are
 * complete (latest-created first), summing gradients that meet at a node. Saved tensors are freed
 * as each node finishes unless `retainGraph`; gradient buffers are disposed once consumed.
 */
import { RuntimeError, Tensor, isnan, makeView, ones, tidy, untracked } from '@torchts/core';
import type { BackwardOptions } from '@torchts/core';
import { enableGrad, noGrad } from './grad-mode.js';
import { AccumulateGrad, Node, accumulateInto } from './node.js';
import type { Edge } from './node.js';
import { gradEdge } from './layer.js';
import { metaOf, peekMeta } from './meta.js';
import { anomalyEnabled } from './anomaly.js';

export type { BackwardOptions } from '@torchts/core';

export interface GradOptions {
  retainGraph?: boolean;
  createGraph?: boolean;
  allowUnused?: boolean;
  materializeGrads?: boolean;
}

function rootGrads(outputs: Tensor[], grads: Array<Tensor | null | undefined>): Tensor[] {
  return outputs.map((o, i) => {
    const g = grads[i];
    if (g) {
      if (g.shape.join() !== o.shape.join()) {
        throw new RuntimeError(`Mismatch in shape: grad_output[${i}] has a shape of [${g.shape.join(', ')}] and output[${i}] has a shape of [${o.shape.join(', ')}].`);
      }
      return g;
    }
    if (o.numel() !== 1) throw new RuntimeError('grad can be implicitly created only for scalar outputs');
    return untracked(() => ones([...o.shape], { dtype: o.dtype, device: o.device }));
  });
}

interface Capture {
  edge: Edge;
  grad: Tensor | null;
}

/**
 * Runs the graph from `outputs`. With `captures`, gradients arriving at those edges are recorded
 * (and leaves are not accumulated into); otherwise leaves accumulate (all, or only `only`).
 */
function execute(outputs: Tensor[], grads: Tensor[], retainGraph: boolean, createGraph: boolean, captures: Capture[] | null, only: Set<Node> | null): void {
  const roots: Array<Edge | null> = outputs.map((o, i) => {
    const e = gradEdge(o);
    if (!e) throw new RuntimeError(`element ${i} of tensors does not require grad and does not have a grad_fn`);
    return e;
  });
  // Dependencies: how many edges point at each node from nodes reachable from the roots.
  const deps = new Map<Node, number>();
  const seen = new Set<Node>();
  const stack: Node[] = [];
  for (const e of roots) if (e && !seen.has(e.node)) (seen.add(e.node), stack.push(e.node));
  while (stack.length) {
    const n = stack.pop()!;
    for (const e of n.nextEdges) {
      if (!e) continue;
      deps.set(e.node, (deps.get(e.node) ?? 0) + 1);
      if (!seen.has(e.node)) (seen.add(e.node), stack.push(e.node));
    }
  }
  // With captures or `only`, run just the nodes on a path to a wanted edge.
  let needed: Set<Node> | null = null;
  const targets = captures ? new Set(captures.map((c) => c.edge.node)) : only;
  if (targets) {
    needed = new Set();
    const memo = new Map<Node, boolean>();
    const visit = (n: Node): boolean => {
      const m = memo.get(n);
      if (m !== undefined) return m;
      memo.set(n, false);
      let r = targets.has(n);
      for (const e of n.nextEdges) if (e && visit(e.node)) r = true;
      memo.set(n, r);
      if (r) needed!.add(n);
      return r;
    };
    for (const e of roots) if (e) visit(e.node);
  }

  const buffers = new Map<Node, Array<Tensor | null>>();
  const addTo = (e: Edge, g: Tensor): void => {
    let buf = buffers.get(e.node);
    if (!buf) buffers.set(e.node, (buf = []));
    const prev = buf[e.inputNr];
    if (!prev) buf[e.inputNr] = g;
    else {
      buf[e.inputNr] = prev.add(g);
      if (!owned.has(prev)) prev.dispose();
      if (!owned.has(g)) g.dispose();
    }
  };
  // Tensors that must survive the engine (caller-provided gradients and what we hand back).
  const owned = new Set<Tensor>(grads);
  roots.forEach((e, i) => addTo(e!, grads[i]!));

  const ready: Node[] = [];
  for (const e of roots) if (e && (deps.get(e.node) ?? 0) === 0 && !ready.includes(e.node)) ready.push(e.node);
  // The gradients of the node being run, until it has consumed them (freed if it throws).
  let inFlight: Array<Tensor | null> | null = null;
  try {
    const run = createGraph ? enableGrad : noGrad;
    while (ready.length) {
      ready.sort((a, b) => a.sequenceNr - b.sequenceNr);
      const node = ready.pop()!;
      const inGrads = buffers.get(node) ?? [];
      buffers.delete(node);
      inFlight = inGrads;
      for (let i = 0; i < Math.max(inGrads.length, node.outputs.length, 1); i++) inGrads[i] ??= null;

      // Hooks and retain_grad on the tensors this node produced.
      if (node.preHooks) {
        for (const [nr, hooks] of node.preHooks) {
          for (const h of hooks) {
            const g = inGrads[nr];
            if (!g) continue;
            const r = run(() => h(g));
            if (r instanceof Tensor) inGrads[nr] = r;
          }
        }
      }
      if (node.retained) {
        for (const [nr, info] of node.retained) {
          const t = info.tensor.deref();
          const g = inGrads[nr];
          if (t && g) untracked(() => (t.grad = t.grad ? t.grad.add(g) : g.clone()));
        }
      }
      let captured = false;
      if (captures) {
        for (const c of captures) {
          if (c.edge.node !== node) continue;
          const g = inGrads[c.edge.inputNr] ?? null;
          if (g) {
            c.grad = c.grad ? c.grad.add(g) : g;
            owned.add(c.grad);
          }
          captured = true;
        }
      }
      const skip = (needed && !needed.has(node)) || (captured && node instanceof AccumulateGrad) || (only && node instanceof AccumulateGrad && !only.has(node));
      let outs: Array<Tensor | null> = [];
      if (!skip) {
        if (node instanceof AccumulateGrad) {
          const g = inGrads[0];
          if (g) {
            const leafHooks = metaOf(node.variable).hooks;
            let gg = g;
            if (leafHooks) for (const h of leafHooks.values()) {
              const r = run(() => h(gg));
              if (r instanceof Tensor) gg = r;
            }
            // The engine's own gradient, seen by no hook, may become `.grad` without a copy.
            if (run(() => accumulateInto(node.variable, gg, gg === g && !leafHooks?.size && !owned.has(g)))) owned.add(g);
          }
        } else {
          // tidy: temporaries a formula creates (views, partial sums) die here, not at the GC.
          outs = run(() => tidy(() => node.apply(inGrads)));
          if (anomalyEnabled()) checkNan(node, outs);
        }
        if (!retainGraph) node.release();
      }
      for (const g of inGrads) if (g && !owned.has(g) && !outs.includes(g)) g.dispose();
      inFlight = null;
      if (!skip) {
        const placed = new Set<Tensor>();
        node.nextEdges.forEach((e, i) => {
          const g = outs[i];
          if (e && g) {
            // One tensor sent along two edges (add's backward returns `g` twice): every buffer but
            // the last gets its own tensor object, so addTo may dispose each independently.
            const again = node.nextEdges.some((e2, j) => j > i && e2 !== null && outs[j] === g);
            addTo(e, again ? shareGrad(g) : g);
            placed.add(g);
          }
        });
        for (const g of outs) if (g && !placed.has(g) && !owned.has(g)) g.dispose();
      }
      for (const e of node.nextEdges) {
        if (!e) continue;
        const d = (deps.get(e.node) ?? 1) - 1;
        deps.set(e.node, d);
        if (d === 0) ready.push(e.node);
      }
    }
  } finally {
    // Anything left in buffers belongs to skipped nodes, or to nodes an error stopped us before.
    for (const buf of buffers.values()) for (const g of buf) if (g && !owned.has(g)) g.dispose();
    if (inFlight) for (const g of inFlight) if (g && !owned.has(g) && !g.isDisposed) g.dispose();
  }
}

/** Another tensor object over the same gradient (same storage, same grad_fn). */
function shareGrad(g: Tensor): Tensor {
  const a = untracked(() => makeView(g, [...g.shape], [...g._strides], g._offset));
  if (g.requiresGrad) {
    a.gradFn = g.gradFn;
    a._requiresGrad = true;
    a._outputNr = g._outputNr;
    // A leaf gradient (a user's gradOutput): the alias must accumulate into the same leaf.
    if (g.gradFn === null) metaOf(a).leaf = peekMeta(g)?.leaf ?? g;
  }
  return a;
}

function checkNan(node: Node, outs: Array<Tensor | null>): void {
  outs.forEach((g, i) => {
    if (g && noGrad(() => isnan(g).any().item())) {
      throw new RuntimeError(`Function '${node.name}' returned nan values in its ${i}th output. (forward op: ${node.forwardOp})`);
    }
  });
}

function asList(x: Tensor | Tensor[] | null | undefined): Tensor[] {
  return x == null ? [] : Array.isArray(x) ? x : [x];
}

/** `torch.autograd.backward` / `tensor.backward`. */
export function backward(
  tensors: Tensor | Tensor[],
  gradTensors?: Tensor | Array<Tensor | null> | null,
  opts: BackwardOptions = {},
): void {
  const outs = asList(tensors);
  const grads = rootGrads(outs, asList(gradTensors as Tensor[]));
  const createGraph = opts.createGraph ?? false;
  const retainGraph = opts.retainGraph ?? createGraph;
  let only: Set<Node> | null = null;
  if (opts.inputs !== undefined) {
    const inputs = asList(opts.inputs);
    if (inputs.length === 0) throw new RuntimeError("'inputs' argument to backward() cannot be empty.");
    only = new Set();
    for (const t of inputs) {
      const e = gradEdge(t);
      if (!e) throw new RuntimeError('One of the differentiated Tensors does not require grad');
      only.add(e.node);
    }
  }
  try {
    execute(outs, grads, retainGraph, createGraph, null, only);
  } finally {
    // The implicit root gradients are untracked: free them even when backward throws.
    grads.forEach((g, i) => {
      if (g !== asList(gradTensors as Tensor[])[i]) g.dispose();
    });
  }
}

/** `torch.autograd.grad`: gradients of `outputs` with respect to `inputs`, without touching `.grad`. */
export function grad(
  outputs: Tensor | Tensor[],
  inputs: Tensor | Tensor[],
  gradOutputs?: Tensor | Array<Tensor | null> | null,
  opts: GradOptions = {},
): Array<Tensor | null> {
  const outs = asList(outputs);
  const ins = asList(inputs);
  const given = asList(gradOutputs as Tensor[]);
  const grads = rootGrads(outs, given);
  const createGraph = opts.createGraph ?? false;
  const retainGraph = opts.retainGraph ?? createGraph;
  const captures: Capture[] = ins.map((t, i) => {
    const e = gradEdge(t);
    if (!e) throw new RuntimeError(`One of the differentiated Tensors does not require grad`);
    void i;
    return { edge: e, grad: null };
  });
  try {
    execute(outs, grads, retainGraph, createGraph, captures, null);
  } finally {
    grads.forEach((g, i) => {
      if (g !== given[i]) g.dispose();
    });
  }
  return captures.map((c, i) => {
    if (c.grad) return c.grad;
    if (opts.materializeGrads) return untracked(() => ones([...ins[i]!.shape], { dtype: ins[i]!.dtype }).mul_(0));
    if (!opts.allowUnused) {
      throw new RuntimeError('One of the differentiated Tensors appears to not have been used in the graph. Set allow_unused=True if this is the desired behavior.');
    }
    return null;
  });
}
