/**
 * Jacobians and Hessians (`torch.func.jacrev`, `jacfwd`, `hessian`).
 *
 * - jacrev: one vjp per output element with a one-hot cotangent (rows of J), stacked.
 * - jacfwd: one jvp per input element with a one-hot tangent (columns of J), stacked. jvp is the
 *   double-vjp trick (jvp.ts): one backward with createGraph, then one cheap backward per column.
 * - hessian: jacrev(jacrev(f)). PyTorch uses jacfwd(jacrev(f)); with jvp built from vjps that
 *   would need third-order graphs, while jacrev twice needs only second-order ones. Same values.
 * Both loop over basis vectors (no vmap inside); the result has shape [...output, ...input].
 */
import type { AnyFn } from './batched.js';
import { Tensor, stack, tidy, zeros } from '@torchts/core';
import { gradBetween, nodesOf, pointOf } from './graph.js';
import { Trace, detachAux, normalizeArgnums, outputList, splitAux } from './trace.js';
import type { Argnums } from './trace.js';
import { Linearization } from './jvp.js';
import { batchedAware } from './vmap.js';


export interface JacobianOptions {
  hasAux?: boolean;
}

function oneHot(shape: readonly number[], k: number, like: Tensor): Tensor {
  const t = zeros([...shape], { dtype: like.dtype, device: like.device });
  t.view(-1).select(0, k).fill_(1);
  return t;
}

/** Stacks per-element slices into [n, ...sliceShape] (zeros when there are none). */
function stackOrZeros(parts: Tensor[], sliceShape: readonly number[], like: Tensor): Tensor {
  if (parts.length === 0) return zeros([0, ...sliceShape], { dtype: like.dtype, device: like.device });
  return stack(parts);
}

/** Results shaped as PyTorch's: per output (array if f returns one), per argnum (array if given one). */
function shapeResult(jac: Tensor[][], outIsArray: boolean, argnums: Argnums): unknown {
  const perOut = jac.map((row) => (Array.isArray(argnums) ? row : row[0]!));
  return outIsArray ? perOut : perOut[0]!;
}

function jacrevImpl(f: AnyFn, argnums: Argnums, opts: JacobianOptions, args: unknown[]): unknown {
  const api = 'jacrev(f, argnums)(*args)';
  const nums = normalizeArgnums(argnums, args.length);
  return tidy(() => {
    const trace = new Trace();
    const [out, aux] = splitAux(api, trace.call(f, args, nums, api), opts.hasAux ?? false);
    const outs = outputList(api, out);
    const nested = trace.needsGraph(outs);
    const xs = trace.inputs;
    const jac = outs.map((o) => {
      const rows: Tensor[][] = xs.map(() => []);
      if (o.gradFn !== null) {
        const point = pointOf(o);
        for (let m = 0; m < o.numel(); m++) {
          const ct = oneHot(o.shape, m, o);
          const gs = gradBetween([point], trace.points, [ct], { createGraph: nested, retainGraph: true });
          gs.forEach((g, a) => rows[a]!.push(g ?? zeros([...xs[a]!.shape], { dtype: xs[a]!.dtype, device: xs[a]!.device })));
        }
      }
      return xs.map((x, a) => {
        if (o.gradFn === null) return zeros([...o.shape, ...x.shape], { dtype: x.dtype, device: x.device });
        return stackOrZeros(rows[a]!, x.shape, x).view([...o.shape, ...x.shape]);
      });
    });
    const result = shapeResult(jac, Array.isArray(out), argnums);
    const full = opts.hasAux ? [result, detachAux(aux, nested)] : result;
    trace.finish(nodesOf(outs), full);
    return full;
  });
}

function jacfwdImpl(f: AnyFn, argnums: Argnums, opts: JacobianOptions, args: unknown[]): unknown {
  const api = 'jacfwd(f, argnums)(*args)';
  const nums = normalizeArgnums(argnums, args.length);
  return tidy(() => {
    const trace = new Trace();
    const [out, aux] = splitAux(api, trace.call(f, args, nums, api), opts.hasAux ?? false);
    const outs = outputList(api, out);
    const nested = trace.needsGraph(outs);
    const xs = trace.inputs;
    const lin = new Linearization(trace, outs);
    // columns[a][o]: J_{o,a} e_j for every element j of input a.
    const columns = xs.map((x, a) => {
      const cols: Tensor[][] = outs.map(() => []);
      for (let j = 0; j < x.numel(); j++) {
        const tangents = xs.map((_, b) => (b === a ? oneHot(x.shape, j, x) : null));
        const jv = lin.apply(tangents, nested);
        outs.forEach((o, oi) => cols[oi]!.push(jv[oi] ?? zeros([...o.shape], { dtype: o.dtype, device: o.device })));
      }
      return cols;
    });
    const jac = outs.map((o, oi) =>
      xs.map((x, a) => {
        const stacked = stackOrZeros(columns[a]![oi]!, o.shape, o); // [numel(x), ...o]
        const nx = x.ndim;
        const no = o.ndim;
        const order = [...Array(no).keys()].map((d) => d + nx).concat([...Array(nx).keys()]);
        return stacked.reshape([...x.shape, ...o.shape]).permute(order).contiguous();
      }),
    );
    const result = shapeResult(jac, Array.isArray(out), argnums);
    const full = opts.hasAux ? [result, detachAux(aux, nested)] : result;
    lin.release(full);
    return full;
  });
}

/**
 * `jacrev(f, argnums = 0, { hasAux })`: a function returning the Jacobian of `f` by reverse mode,
 * shaped [...output.shape, ...input.shape].
 */
export function jacrev(f: AnyFn, argnums: Argnums = 0, opts: JacobianOptions = {}): (...args: any[]) => any {
  return batchedAware((...args: unknown[]) => jacrevImpl(f, argnums, opts, args));
}

/** `jacfwd(f, argnums = 0, { hasAux })`: the Jacobian column by column (jvp per input element). */
export function jacfwd(f: AnyFn, argnums: Argnums = 0, opts: JacobianOptions = {}): (...args: any[]) => any {
  return batchedAware((...args: unknown[]) => jacfwdImpl(f, argnums, opts, args));
}

/** `hessian(f, argnums = 0)`: the second derivatives of a scalar function, jacrev(jacrev(f)). */
export function hessian(f: AnyFn, argnums: Argnums = 0): (...args: any[]) => any {
  return jacrev(jacrev(f, argnums), argnums);
}
