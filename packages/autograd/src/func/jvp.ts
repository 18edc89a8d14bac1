/**
 * `torch.func.jvp` without forward-mode AD, by the double-vjp trick: with a dummy cotangent `u`,
 * `g(u) = J^T u` is computed with createGraph, so it is a differentiable (linear) function of
 * `u`; the vjp of `g` with the tangent `v` is then `(J^T)^T v = J v`. This costs a backward with
 * createGraph plus one backward of the backward, and needs every derivative on the path to be
 * differentiable in its incoming gradient (torchts's formulas are written with torchts ops).
 */
import type { AnyFn } from './batched.js';
import { RuntimeError, Tensor, tidy, zeros } from '@torchts/core';
import { grad as autogradGrad } from '../engine.js';
import { gradBetween, nodesOf, pointOf } from './graph.js';
import { Trace, detachAux, outputList, splitAux } from './trace.js';
import { batchedAware } from './vmap.js';


/**
 * The linearisation of `f` at the traced inputs: `apply(tangents)` gives `J v` per output (or
 * null where an output has no history). Shared by jvp and jacfwd.
 */
export class Linearization {
  readonly outs: Tensor[];
  private readonly us: Array<Tensor | null>;
  private readonly gs: Array<Tensor | null>;

  constructor(readonly trace: Trace, outs: Tensor[]) {
    this.outs = outs;
    // Dummy cotangents: leaves the backward graph is built over.
    this.us = outs.map((o) => (o.gradFn !== null ? zeros([...o.shape], { dtype: o.dtype, device: o.device }).requiresGrad_(true) : null));
    const idx = this.seededOutputs();
    this.gs = idx.length === 0
      ? trace.points.map(() => null)
      : gradBetween(idx.map((i) => pointOf(outs[i]!)), trace.points, idx.map((i) => this.us[i]!), { createGraph: true, retainGraph: true });
  }

  private seededOutputs(): number[] {
    return this.us.map((u, i) => (u ? i : -1)).filter((i) => i >= 0);
  }

  /** `J v` per output for tangents `v` (one per traced input; null for a zero tangent). */
  apply(tangents: Array<Tensor | null>, createGraph: boolean): Array<Tensor | null> {
    const pairs = this.gs.map((g, i) => [g, tangents[i]] as const).filter(([g, v]) => g !== null && g.requiresGrad && v);
    const idx = this.seededOutputs();
    if (pairs.length === 0 || idx.length === 0) return this.outs.map(() => null);
    const r = autogradGrad(pairs.map(([g]) => g!), idx.map((i) => this.us[i]!), pairs.map(([, v]) => v!), {
      createGraph, retainGraph: true, allowUnused: true,
    });
    const out: Array<Tensor | null> = this.outs.map(() => null);
    idx.forEach((i, k) => (out[i] = r[k]!));
    return out;
  }

  /** Frees what the forward and backward graphs hold that `results` cannot reach. */
  release(results: unknown): void {
    this.trace.finish([...nodesOf(this.outs), ...nodesOf(this.gs)], results);
  }
}

export interface JvpOptions {
  hasAux?: boolean;
}

function asList(api: string, what: string, x: unknown): Tensor[] {
  const list = x instanceof Tensor ? [x] : x;
  if (!Array.isArray(list) || !list.every((t) => t instanceof Tensor)) {
    throw new RuntimeError(`${api}: Expected ${what} to be a tuple of Tensors`);
  }
  return list as Tensor[];
}

/**
 * `jvp(f, primals, tangents)`: `[f(...primals), J·tangents]` (outputs shaped like f's), plus
 * aux with `{ hasAux: true }`.
 */
function jvpImpl(f: AnyFn, primalsIn: Tensor | Tensor[], tangentsIn: Tensor | Tensor[], opts: JvpOptions = {}): unknown[] {
  const api = 'jvp(f, primals, tangents)';
  const primals = asList(api, 'primals', primalsIn);
  const tangents = asList(api, 'tangents', tangentsIn);
  if (primals.length !== tangents.length) {
    throw new RuntimeError(`${api}: Expected primals and tangents to have the same python structure. For example, if primals is a tuple of 3 tensors, tangents also must be. Got primals with structure ${primals.length} tensors and tangents with structure ${tangents.length} tensors`);
  }
  primals.forEach((p, i) => {
    if (p.shape.join() !== tangents[i]!.shape.join()) {
      throw new RuntimeError(`${api}: Expected primals and tangents to have the same shape. Got primal ${i} of shape [${p.shape.join(', ')}] and tangent of shape [${tangents[i]!.shape.join(', ')}]`);
    }
  });
  return tidy(() => {
    const trace = new Trace();
    const [out, aux] = splitAux(api, trace.call(f, primals, primals.map((_, i) => i), api), opts.hasAux ?? false);
    const outs = outputList(api, out);
    const nested = trace.needsGraph(outs) || tangents.some((t) => t.requiresGrad);
    const lin = new Linearization(trace, outs);
    const jv = lin.apply(tangents, nested).map((t, i) => t ?? zeros([...outs[i]!.shape], { dtype: outs[i]!.dtype, device: outs[i]!.device }));
    const value = outs.map((o) => Trace.result(o, nested));
    const shaped = Array.isArray(out) ? [value, jv] : [value[0]!, jv[0]!];
    const full = opts.hasAux ? [...shaped, detachAux(aux, nested)] : shaped;
    lin.release(full);
    return full;
  });
}

export const jvp = batchedAware(jvpImpl) as typeof jvpImpl;
