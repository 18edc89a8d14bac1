/**
 * `torch.func.vmap`: `vmap(f, { inDims, outDims })(...args)` maps `f` over a batch dim of its
 * inputs. `f` runs once, on batched tensors (batched.ts); while a vmap runs, a dispatcher layer
 * above Autograd routes every op that meets a batched tensor to its batching rule
 * (batching-rules.ts: elementwise ops, reductions, matmul, views, ... computed for the whole batch
 * in one call) or, for ops without a rule, to a loop over the samples (select, run, stack).
 * Autograd records on the physical tensors, so gradients flow through vmap. Function transforms
 * (grad, jacrev, jvp, ...) and custom Functions called on batched tensors run per sample.
 */
import type { AnyFn } from './batched.js';
import { RuntimeError, Tensor, ValueError, registerLayer, tidy } from '@torchts/core';
import type { Layer, Op } from '@torchts/core';
import {
  anyBatched, batchInfo, batchedAware, currentDepth, innermostLevel, perSample, physicalAt, popLevel, pushLevel, wrap, wrapResults,
} from './batched.js';
import type { Level } from './batched.js';
import { FALLBACK, inplaceError, makeContext, ruleFor } from './batching-rules.js';

export { batchedAware };

function handle(op: Op, args: unknown[]): unknown {
  const level = innermostLevel(args)!;
  const rule = ruleFor(op);
  if (rule) {
    const ctx = makeContext(op, args, level);
    const physical = tidy(() => rule(ctx));
    if (physical !== FALLBACK) return rewrap(physical, args, level);
  }
  if (op.info.inplace) {
    // In place, per sample: each sample's slice is written through.
    if (!physicalAt(args[0], level)) throw inplaceError();
    tidy(() => {
      perSampleInPlace(op, args, level);
    });
    return args[0];
  }
  return perSample(level, args, (...slice) => op.call(...slice), `'${op.name}'`);
}

function perSampleInPlace(op: Op, args: unknown[], level: Level): void {
  for (let b = 0; b < level.size; b++) {
    const slice = args.map((a) => {
      const p = physicalAt(a, level);
      if (p) return p.select(0, b);
      if (Array.isArray(a)) return a.map((x) => physicalAt(x, level)?.select(0, b) ?? x);
      return a;
    });
    op.call(...slice);
  }
}

/** Wraps a rule's physical result; an in-place op's result is the wrapper it was called on. */
function rewrap(physical: unknown, args: unknown[], level: Level): unknown {
  const self = physicalAt(args[0], level);
  if (self && physical === self) return args[0];
  return wrapResults(physical, level);
}

const vmapLayer: Layer = {
  name: 'Vmap',
  priority: 150,
  active: (_op, args) => anyBatched(args),
  handle: (op, args) => handle(op, args),
};

let unregister: (() => void) | null = null;

// Data-dependent reads of a batched tensor would see one sample only: refuse them.
const proto = Tensor.prototype as unknown as Record<string, (...a: unknown[]) => unknown>;
for (const [name, message] of [
  ['item', "vmap: It looks like you're calling .item() on a Tensor. We don't support vmap over calling .item() on a Tensor, please try to rewrite what you're doing with other operations."],
  ['tolist', "vmap: It looks like you're calling .tolist() on a Tensor. We don't support vmap over reading a Tensor's values, please try to rewrite what you're doing with other operations."],
] as const) {
  const original = proto[name]!;
  proto[name] = function (this: Tensor, ...a: unknown[]) {
    if (this._meta !== null && batchInfo(this)) throw new RuntimeError(message);
    return original.apply(this, a);
  };
}

export type InDims = number | null | ReadonlyArray<number | null | ReadonlyArray<number | null>>;
export type OutDims = number | readonly number[];

export interface VmapOptions {
  /** The mapped dim of each argument (null: not mapped); one number for all (default 0). */
  inDims?: InDims;
  /** Where the batch dim goes in each output (default 0). */
  outDims?: OutDims;
}

function fname(f: AnyFn): string {
  return f.name || '<lambda>';
}

/**
 * `vmap(f, { inDims, outDims })`: a function that maps `f` over dim `inDims` of its arguments
 * (arrays of tensors are mapped element-wise) and stacks the results along `outDims`.
 */
export function vmap<F extends AnyFn>(f: F, opts: VmapOptions = {}): (...args: Parameters<F>) => any {
  const inDims = opts.inDims === undefined ? 0 : opts.inDims;
  const outDims = opts.outDims ?? 0;
  const api = `vmap(${fname(f)}, in_dims=${JSON.stringify(inDims)}, ...)(<inputs>)`;
  return (...args: unknown[]) => {
    if (Array.isArray(inDims) && inDims.length !== args.length) {
      throw new ValueError(`${api}: in_dims is not compatible with the structure of \`inputs\`. in_dims has ${inDims.length} entries but inputs has ${args.length}.`);
    }
    const specs = args.map((a, i) => dimSpec(api, a, Array.isArray(inDims) ? inDims[i]! : (inDims as number | null)));
    const sizes = new Set<number>();
    const seen: number[] = [];
    args.forEach((a, i) => forPairs(a, specs[i], (t, d) => {
      seen.push(t.shape[d]!);
      sizes.add(t.shape[d]!);
    }));
    if (sizes.size === 0) throw new ValueError(`${api}: at least one input must be batched (got in_dims with no non-None value over Tensor inputs)`);
    if (sizes.size > 1) {
      throw new ValueError(`${api}: Expected all tensors to have the same size in the mapped dimension, got sizes [${seen.join(', ')}] for the mapped dimension`);
    }
    const size = [...sizes][0]!;
    unregister ??= registerLayer(vmapLayer);
    const level = pushLevel(size);
    try {
      return tidy(() => {
        const wrapped = args.map((a, i) => mapPairs(a, specs[i], (t, d) => wrap(t.movedim(d, 0), level)));
        const out = f(...wrapped);
        return unbatchOutputs(api, out, outDims, level);
      });
    } finally {
      popLevel(level);
      if (currentDepth() === 0 && unregister) {
        unregister();
        unregister = null;
      }
    }
  };
}

type Spec = number | null | Array<number | null>;

/** Validates one argument's in_dim (wrapped to non-negative). */
function dimSpec(api: string, a: unknown, d: unknown): Spec {
  if (d === null || d === undefined) return null;
  if (Array.isArray(d)) {
    if (!Array.isArray(a) || a.length !== d.length) {
      throw new ValueError(`${api}: in_dims is not compatible with the structure of \`inputs\`.`);
    }
    return d.map((x, i) => dimSpec(api, a[i], x) as number | null);
  }
  if (typeof d !== 'number' || !Number.isInteger(d)) throw new ValueError(`${api}: expected in_dims to be int or a (potentially nested) tuple matching the structure of inputs, got: ${typeof d}.`);
  if (Array.isArray(a)) return a.map((x) => dimSpec(api, x, d) as number | null);
  if (!(a instanceof Tensor)) {
    throw new ValueError(`${api}: Got in_dim=${d} for an input but the input is of type ${a === null ? 'NoneType' : typeof a}. We cannot vmap over non-Tensor arguments, please use None as the respective in_dim`);
  }
  if (d < -a.ndim || d >= a.ndim) {
    throw new ValueError(`${api}: Got in_dim=${d} for some input, but that input is a Tensor of dimensionality ${a.ndim} so expected in_dim to satisfy -${a.ndim} <= in_dim < ${a.ndim}.`);
  }
  return d < 0 ? d + a.ndim : d;
}

function forPairs(a: unknown, spec: Spec, f: (t: Tensor, d: number) => void): void {
  if (spec === null) return;
  if (Array.isArray(spec)) (a as unknown[]).forEach((x, i) => forPairs(x, spec[i]!, f));
  else f(a as Tensor, spec);
}

function mapPairs(a: unknown, spec: Spec, f: (t: Tensor, d: number) => Tensor): unknown {
  if (spec === null) return a;
  if (Array.isArray(spec)) return (a as unknown[]).map((x, i) => mapPairs(x, spec[i]!, f));
  return f(a as Tensor, spec);
}

/** Moves each output's batch dim to its out_dim; unbatched outputs are expanded. */
function unbatchOutputs(api: string, out: unknown, outDims: OutDims, level: Level): unknown {
  const convert = (o: unknown, d: number): Tensor => {
    if (!(o instanceof Tensor)) throw new ValueError(`${api}: \`f\` must only return Tensors, got type ${o === null ? 'None' : typeof o}. Did you mean to set out_dims= to None for output?`);
    const p = physicalAt(o, level);
    const nd = o.ndim + 1;
    if (d < -nd || d >= nd) {
      throw new ValueError(`${api}: out_dim=${d} is out of range for an output with ${o.ndim} dims (expected -${nd} <= out_dim < ${nd})`);
    }
    if (p) return p.movedim(0, d);
    // Not batched (it does not depend on the mapped inputs): every sample has the same value.
    return o.unsqueeze(d < 0 ? d + nd : d).expand(insertAt([...o.shape], d < 0 ? d + nd : d, level.size));
  };
  if (Array.isArray(out)) {
    if (Array.isArray(outDims) && outDims.length !== out.length) {
      throw new ValueError(`${api}: out_dims is not compatible with the structure of \`outputs\`. out_dims has ${outDims.length} entries but outputs has ${out.length}.`);
    }
    return out.map((o, i) => convert(o, Array.isArray(outDims) ? outDims[i]! : (outDims as number)));
  }
  if (Array.isArray(outDims)) throw new ValueError(`${api}: out_dims is not compatible with the structure of \`outputs\`.`);
  return convert(out, outDims as number);
}

function insertAt(shape: number[], d: number, n: number): number[] {
  shape.splice(d, 0, n);
  return shape;
}
