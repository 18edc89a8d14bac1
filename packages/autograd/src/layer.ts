/**
 * The Autograd layer of core's dispatcher. It is active when grad mode is on and an input requires
 * grad; it runs the op below itself, then records a node with the op's derivative and attaches it
 * to the differentiable outputs.
 */
import { RuntimeError, Tensor, anyRequiresGrad, clone, isFloatingPoint, registerLayer, untracked, zeros } from '@torchts/core';
import type { Layer, Op } from '@torchts/core';
import { isGradEnabled } from './grad-mode.js';
import { AccumulateGrad, Node, NotImplementedNode, backwardName } from './node.js';
import type { Edge } from './node.js';
import { metaOf } from './meta.js';
import { NON_DIFFERENTIABLE, derivativeOf, registryVersion } from './registry.js';
import type { DerivativeSpec, Saved } from './registry.js';
import { FREED_MESSAGE, SavedTensor } from './saved.js';
import { anomalyEnabled } from './anomaly.js';
import { rebaseHistory } from './copy-slices.js';

/** The edge a gradient for `t` flows along: its grad_fn, or its leaf accumulator. */
export function gradEdge(t: Tensor): Edge | null {
  if (!t.requiresGrad) return null;
  if (t.gradFn) return { node: t.gradFn as Node, inputNr: t._outputNr };
  const m = metaOf(t);
  const leaf = m.leaf ?? t;
  const lm = metaOf(leaf);
  lm.accumulator ??= new AccumulateGrad(leaf);
  m.accumulator = lm.accumulator;
  return { node: lm.accumulator, inputNr: 0 };
}

/** Tensor inputs in argument order, arrays flattened (the order backward formulas answer in). */
export function tensorInputs(args: readonly unknown[]): Tensor[] {
  const out: Tensor[] = [];
  for (const a of args) {
    if (a instanceof Tensor) out.push(a);
    else if (Array.isArray(a)) for (const x of a) if (x instanceof Tensor) out.push(x);
  }
  return out;
}

/** A node whose backward is an op's derivative formula. */
export class FormulaNode extends Node {
  private saved: Map<string, SavedTensor | SavedTensor[]> | null = new Map();
  private plain: Saved = {};
  needsInputGrad: boolean[] = [];

  constructor(name: string, readonly spec: DerivativeSpec) {
    super(name);
  }

  saveAll(record: Saved, outputs: readonly Tensor[]): void {
    for (const k in record) {
      const v = record[k];
      if (v instanceof Tensor) this.saved!.set(k, new SavedTensor(v, outputs.includes(v), this));
      else if (Array.isArray(v) && v.length > 0 && v.every((x) => x instanceof Tensor)) {
        this.saved!.set(k, (v as Tensor[]).map((x) => new SavedTensor(x, outputs.includes(x), this)));
      } else this.plain[k] = v;
    }
  }

  apply(grads: Array<Tensor | null>): Array<Tensor | null> {
    if (!this.saved) throw new RuntimeError(FREED_MESSAGE);
    const ctx: Saved = { ...this.plain };
    for (const [k, v] of this.saved) ctx[k] = Array.isArray(v) ? v.map((s) => s.unpack()) : v.unpack();
    // Missing gradients become zeros, except for integer outputs (indices), which have none.
    const filled = grads.map((g, i) => g ?? (isFloatingPoint(this.outputs[i]!.dtype) ? untracked(() => zerosFor(this.outputs[i]!)) : null));
    const out = this.spec.backward(filled as Tensor[], { saved: ctx, needsInputGrad: this.needsInputGrad });
    filled.forEach((g, i) => {
      if (g && grads[i] === null && !out.includes(g)) g.dispose();
    });
    return out.map((g) => g ?? null);
  }

  override release(): void {
    // Nothing saved, nothing freed: a second backward stays possible, as in PyTorch.
    if (!this.saved || this.saved.size === 0) return;
    for (const v of this.saved.values()) (Array.isArray(v) ? v : [v]).forEach((s) => s.release());
    this.saved = null;
  }
}

function zerosFor(o: { shape: readonly number[]; dtype: Tensor['dtype']; device: string }): Tensor {
  return zeros([...o.shape], { dtype: o.dtype, device: o.device });
}

function outputTensors(result: unknown): Tensor[] {
  if (result instanceof Tensor) return [result];
  if (Array.isArray(result)) return result.filter((x): x is Tensor => x instanceof Tensor);
  return [];
}

interface OpAutograd {
  spec: DerivativeSpec | undefined;
  nodeName: string;
  version: number;
}
/** Per-op lookups done once (derivative, node name), refreshed when derivatives are added. */
const opCache = new Map<Op, OpAutograd>();

function lookup(op: Op): OpAutograd {
  let c = opCache.get(op);
  if (c && c.version === registryVersion()) return c;
  const inplace = op.info.inplace === true;
  const spec = derivativeOf(op.name) ?? (inplace ? derivativeOf((op.info.base as string | undefined) ?? op.name.replace(/_$/, '')) : undefined);
  c = { spec, nodeName: backwardName(op.name), version: registryVersion() };
  opCache.set(op, c);
  return c;
}

/**
 * The tensor a view's in-place op rebases, or null. A disposed base (a composite's temporary, e.g.
 * the mm under `matmul(vector, matrix)`'s squeeze) has dropped its history, and nothing can read it
 * any more: the view then takes the in-place op on its own history, as a tensor of its own.
 */
export function liveBase(t: Tensor): Tensor | null {
  return t._base && !t._base.isDisposed ? t._base : null;
}

function handle(op: Op, args: unknown[], next: (args: unknown[]) => unknown): unknown {
  if (NON_DIFFERENTIABLE.has(op.name)) return next(args);
  const inplace = op.info.inplace === true;
  const { spec, nodeName } = lookup(op);
  const inputs = tensorInputs(args);
  let saveArgs: readonly unknown[] = args;
  let viewBase: Tensor | null = null;
  if (inplace) {
    const self = args[0] as Tensor;
    if (self.requiresGrad && self.gradFn === null) {
      throw new RuntimeError('a leaf Variable that requires grad is being used in an in-place operation.');
    }
    const base = liveBase(self);
    if (base?.requiresGrad && base.gradFn === null) {
      throw new RuntimeError('a view of a leaf Variable that requires grad is being used in an in-place operation.');
    }
    if (base && (base.requiresGrad || inputs.some((t) => t.requiresGrad))) viewBase = base;
    if (spec?.save && !spec.selfUnused) saveArgs = [untracked(() => clone(self)), ...args.slice(1)];
  }
  const baseEdge = viewBase ? gradEdge(viewBase) : null;
  const result = next(args);
  const outputs = result instanceof Tensor ? [result] : outputTensors(result);
  let anyDiff = false;
  const diff = outputs.map((t, i) => {
    const d = isFloatingPoint(t.dtype) && (!spec?.differentiableOutputs || spec.differentiableOutputs.includes(i));
    anyDiff ||= d;
    return d;
  });
  if (!anyDiff) {
    if (saveArgs !== args) (saveArgs[0] as Tensor).dispose();
    return result;
  }
  const node: Node = spec ? new FormulaNode(nodeName, spec) : new NotImplementedNode(nodeName);
  node.forwardOp = op.name;
  const edges = new Array<Edge | null>(inputs.length);
  for (let i = 0; i < inputs.length; i++) edges[i] = gradEdge(inputs[i]!); // before outputs get the new node
  node.nextEdges = edges;
  if (node instanceof FormulaNode) node.needsInputGrad = edges.map((e) => e !== null);
  node.outputs = outputs.map((t) => ({ shape: t.shape, dtype: t.dtype, device: t.device }));
  if (anomalyEnabled()) node.forwardOp = `${op.name}\n${new Error().stack ?? ''}`;
  for (let i = 0; i < outputs.length; i++) {
    if (!diff[i]) continue;
    const t = outputs[i]!;
    t.gradFn = node;
    t._requiresGrad = true;
    t._outputNr = i;
  }
  if (node instanceof FormulaNode && spec?.save) node.saveAll(spec.save(saveArgs, result), outputs);
  if (saveArgs !== args) (saveArgs[0] as Tensor).dispose();
  if (viewBase) rebaseHistory(args[0] as Tensor, viewBase, node, baseEdge);
  return result;
}

export const autogradLayer: Layer = {
  name: 'Autograd',
  priority: 100,
  active: (_op, args) => anyRequiresGrad(args) && isGradEnabled(),
  handle,
};

let installed = false;
export function installAutogradLayer(): void {
  if (installed) return;
  installed = true;
  registerLayer(autogradLayer);
}
