/**
 * Running `f` under a transform: the differentiated arguments replaced by differentiable
 * aliases, grad recording on, and the bookkeeping to decide afterwards whether the results must
 * stay differentiable for an enclosing transform (createGraph) or the graph can be freed.
 */
import type { AnyFn } from './batched.js';
import { RuntimeError, Tensor } from '@torchts/core';
import { enableGrad, isGradEnabled, noGrad } from '../grad-mode.js';
import { differentiableInput, nextSequenceNr, nodesOf, pointOf, reachesOutside, releaseGraph, tensorsIn } from './graph.js';
import type { GraphPoint } from './graph.js';
import type { Node } from '../node.js';

export type Argnums = number | readonly number[];

/** argnums as a list of non-negative indices, with functorch's errors. */
export function normalizeArgnums(argnums: unknown, nargs: number): number[] {
  const list = typeof argnums === 'number' ? [argnums] : argnums;
  if (!Array.isArray(list) || list.length === 0 || !list.every((a) => Number.isInteger(a))) {
    throw new RuntimeError(`argnums must be int or Tuple[int, ...], got: ${Array.isArray(argnums) ? 'list' : typeof argnums}`);
  }
  return (list as number[]).map((a) => {
    if (a < -nargs || a >= nargs) throw new RuntimeError(`Got argnums=${a}, but only ${nargs} positional inputs`);
    return a < 0 ? a + nargs : a;
  });
}

/** Splits `f`'s result into (output, aux) when hasAux. */
export function splitAux(api: string, result: unknown, hasAux: boolean): [unknown, unknown] {
  if (!hasAux) return [result, undefined];
  if (!Array.isArray(result) || result.length !== 2) {
    throw new RuntimeError(`${api}: output of function f should be a tuple: (output, aux) if has_aux is True`);
  }
  return [result[0], result[1]];
}

/** Tensor outputs as a list (f may return a tensor or an array of tensors). */
export function outputList(api: string, out: unknown): Tensor[] {
  const list = Array.isArray(out) ? out : [out];
  list.forEach((o) => {
    if (!(o instanceof Tensor)) {
      throw new RuntimeError(`${api}: Expected f(*args) to return only tensors, got unsupported type ${o === null ? 'None' : typeof o}`);
    }
  });
  return list as Tensor[];
}

export class Trace {
  /** Grad mode at entry: when on, inputs keep their history (outer differentiation). */
  readonly connect = isGradEnabled();
  readonly since = nextSequenceNr();
  readonly leaves = new Set<Tensor>();
  /** The differentiable aliases of the differentiated arguments and their capture points. */
  inputs: Tensor[] = [];
  points: GraphPoint[] = [];

  /** Calls `f` with the arguments at `argnums` replaced by differentiable aliases. */
  call(f: AnyFn, args: readonly unknown[], argnums: readonly number[], api: string): unknown {
    return enableGrad(() => {
      const replaced = [...args];
      this.inputs = argnums.map((i) => {
        const x = args[i];
        if (!(x instanceof Tensor)) throw new RuntimeError(`${api}: Expected argument ${i} to be a Tensor, got ${x === null ? 'None' : typeof x}`);
        if (!x.isFloatingPoint()) throw new RuntimeError(`${api}: only Tensors of floating point dtype can require gradients (argument ${i} is ${x.dtype})`);
        const d = differentiableInput(x, this.connect, this.leaves);
        replaced[i] = d;
        return d;
      });
      this.points = this.inputs.map(pointOf);
      return f(...replaced);
    });
  }

  /**
   * Whether results must stay differentiable: grad mode was on and gradients from `outputs`
   * reach something this call did not create.
   */
  needsGraph(outputs: Array<Tensor | null>): boolean {
    return this.connect && reachesOutside(nodesOf(outputs), this.since, this.leaves);
  }

  /**
   * Frees the saved tensors of this call's graph (from `roots`) that the returned `results`
   * cannot reach: all of it when the results are detached, the rest when they stay
   * differentiable for an enclosing transform.
   */
  finish(roots: Node[], results: unknown): void {
    releaseGraph(roots, this.since, nodesOf(tensorsIn(results)));
  }

  /** Outputs as returned to the caller: detached unless an enclosing differentiation needs them. */
  static result(t: Tensor, nested: boolean): Tensor {
    return nested ? t : noGrad(() => t.detach());
  }
}

/** Tensors inside arrays/objects of `aux`, detached (aux is returned as plain values). */
export function detachAux(aux: unknown, nested: boolean): unknown {
  if (nested) return aux;
  if (aux instanceof Tensor) return noGrad(() => aux.detach());
  if (Array.isArray(aux)) return aux.map((a) => detachAux(a, nested));
  if (aux !== null && typeof aux === 'object' && Object.getPrototypeOf(aux) === Object.prototype) {
    return Object.fromEntries(Object.entries(aux).map(([k, v]) => [k, detachAux(v, nested)]));
  }
  return aux;
}
