/**
 * `torch.func.grad`, `gradAndValue` and `vjp`: reverse-mode transforms. Gradients come from
 * `autograd.grad` on a private graph, so no `.grad` is touched; everything the call creates is
 * freed with its scope. Inside another transform (or when an input carries history and grad mode
 * is on) the results stay differentiable, so transforms compose: `grad(grad(f))`.
 */
import type { AnyFn } from './batched.js';
import { RuntimeError, Tensor, ones, tidy, zeros } from '@torchts/core';
import { gradBetween, nodesOf, pointOf } from './graph.js';
import type { GraphPoint } from './graph.js';
import { Trace, detachAux, normalizeArgnums, outputList, splitAux } from './trace.js';
import type { Argnums } from './trace.js';
import { batchedAware } from './vmap.js';

export interface GradTransformOptions {
  /** Which positional arguments to differentiate (default 0). */
  argnums?: Argnums;
  /** `f` returns `[output, aux]`; aux is passed through. */
  hasAux?: boolean;
}


function zerosFor(p: { shape: readonly number[]; dtype: Tensor['dtype']; device: string }): Tensor {
  return zeros([...p.shape], { dtype: p.dtype, device: p.device });
}

/** Gradients at each point, zeros where nothing flowed. */
function fill(grads: Array<Tensor | null>, points: GraphPoint[]): Tensor[] {
  return grads.map((g, i) => g ?? zerosFor(points[i]!));
}

interface GradResult {
  grads: Tensor[];
  value: Tensor | null;
  aux: unknown;
}

function gradAndValueImpl(api: string, f: AnyFn, args: unknown[], opts: GradTransformOptions, wantValue: boolean): GradResult {
  const argnums = normalizeArgnums(opts.argnums ?? 0, args.length);
  return tidy(() => {
    const trace = new Trace();
    const [out, aux] = splitAux(api, trace.call(f, args, argnums, api), opts.hasAux ?? false);
    if (!(out instanceof Tensor)) throw new RuntimeError(`${api}: Expected f(*args) to return a Tensor, got ${out === null ? 'None' : typeof out}`);
    if (out.ndim !== 0) {
      throw new RuntimeError(`${api}: Expected f(*args) to return a scalar Tensor, got tensor with ${out.ndim} dims. Maybe you wanted to use the vjp or jacrev APIs instead?`);
    }
    const nested = trace.needsGraph([out]);
    let grads: Tensor[];
    if (out.gradFn === null) grads = trace.points.map(zerosFor);
    else {
      const seed = ones([], { dtype: out.dtype, device: out.device });
      grads = fill(gradBetween([pointOf(out)], trace.points, [seed], { createGraph: nested, retainGraph: nested }), trace.points);
    }
    const result = { grads, value: wantValue ? Trace.result(out, nested) : null, aux: detachAux(aux, nested) };
    trace.finish(nodesOf([out]), result);
    return result;
  });
}

const pick = (grads: Tensor[], argnums: Argnums | undefined): Tensor | Tensor[] => (Array.isArray(argnums) ? grads : grads[0]!);

/**
 * `grad(f, { argnums, hasAux })`: a function returning the gradient of `f` (a 0-d tensor) with
 * respect to the arguments at `argnums` (one tensor, or an array when argnums is an array);
 * `[grad, aux]` with hasAux.
 */
export function grad<F extends AnyFn>(f: F, opts: GradTransformOptions = {}): (...args: Parameters<F>) => any {
  return batchedAware((...args: unknown[]) => {
    const r = gradAndValueImpl('grad(f)(*args)', f, args, opts, false);
    const g = pick(r.grads, opts.argnums);
    return opts.hasAux ? [g, r.aux] : g;
  });
}

/** `gradAndValue(f, opts)`: `[grad, value]`, or `[grad, [value, aux]]` with hasAux. */
export function gradAndValue<F extends AnyFn>(f: F, opts: GradTransformOptions = {}): (...args: Parameters<F>) => any {
  return batchedAware((...args: unknown[]) => {
    const r = gradAndValueImpl('grad_and_value(f)(*args)', f, args, opts, true);
    const g = pick(r.grads, opts.argnums);
    return opts.hasAux ? [g, [r.value, r.aux]] : [g, r.value];
  });
}

export interface VjpFnOptions {
  /** Keep the graph for further calls (default true, as PyTorch's vjp_fn may be called again). */
  retainGraph?: boolean;
}

export type VjpFn = (cotangents: Tensor | Tensor[], opts?: VjpFnOptions) => Tensor[];

/**
 * `vjp(f, ...primals)`: `[output, vjpFn]` (`[output, vjpFn, aux]` with `{ hasAux: true }` as the
 * last argument). `vjpFn(cotangents)` returns one gradient per primal. Its graph is kept for
 * further calls until a call with `{ retainGraph: false }` (or the GC) frees it.
 */
export function vjp(f: AnyFn, ...primalsAndOpts: unknown[]): [Tensor | Tensor[], VjpFn] | [Tensor | Tensor[], VjpFn, unknown] {
  let hasAux = false;
  const last = primalsAndOpts[primalsAndOpts.length - 1];
  if (last !== null && typeof last === 'object' && !(last instanceof Tensor) && !Array.isArray(last)) {
    hasAux = (primalsAndOpts.pop() as { hasAux?: boolean }).hasAux ?? false;
  }
  const primals = primalsAndOpts;
  const api = 'vjp(f, *primals)';
  return tidy(() => {
    const trace = new Trace();
    const [out, aux] = splitAux(api, trace.call(f, primals, primals.map((_, i) => i), api), hasAux);
    const outs = outputList(api, out);
    const nested = trace.needsGraph(outs);
    // Seeding points: every output with history (outputs without history get no gradient).
    const seeded = outs.map((o) => (o.gradFn !== null ? pointOf(o) : null));
    const shapes = outs.map((o) => [...o.shape]);
    const roots = nodesOf(outs);
    const points = trace.points;
    let freed = false;
    const vjpFn: VjpFn = (cotangents, o = {}) => {
      if (freed) throw new RuntimeError('vjp_fn: the graph of this vjp was freed by a call with retainGraph: false');
      const cts = Array.isArray(cotangents) ? cotangents : [cotangents];
      if (cts.length !== shapes.length) {
        throw new RuntimeError(`Expected pytree structure of cotangents to be the same as pytree structure of outputs to the function. cotangents: ${cts.length} tensors, primal output: ${shapes.length} tensors`);
      }
      cts.forEach((c, i) => {
        if (c.shape.join() !== shapes[i]!.join()) {
          throw new RuntimeError(`Mismatch in shape: grad_output[${i}] has a shape of torch.Size([${c.shape.join(', ')}]) and output[${i}] has a shape of torch.Size([${shapes[i]!.join(', ')}]).`);
        }
      });
      const retain = o.retainGraph ?? true;
      const idx = seeded.map((s, i) => (s ? i : -1)).filter((i) => i >= 0);
      const grads = gradBetween(idx.map((i) => seeded[i]!), points, idx.map((i) => cts[i]!), {
        createGraph: nested || cts.some((c) => c.requiresGrad),
        retainGraph: retain || nested,
      });
      const result = fill(grads, points);
      if (!retain && !nested) {
        freed = true;
        trace.finish(roots, result);
      }
      return result;
    };
    const value = Array.isArray(out) ? outs.map((t) => Trace.result(t, nested)) : Trace.result(outs[0]!, nested);
    return (hasAux ? [value, vjpFn, detachAux(aux, nested)] : [value, vjpFn]) as [Tensor | Tensor[], VjpFn];
  });
}
