/**
 * Batching rules: how an op runs on physical tensors (batch dim first) so one call computes the
 * whole batch, without a loop. A rule gets the op's arguments as the op received them (wrappers
 * included) and returns the physical result, or FALLBACK to run the op once per sample.
 *
 * Covered without a loop: every elementwise op (unary, binary, ternary, their in-place forms),
 * the dim reductions and scans (sum, mean, prod, var/std, norm, logsumexp, amax/amin, max/min/
 * median with a dim, argmax/argmin, cumsum/cumprod, softmax/log_softmax, sort/topk/kthvalue...),
 * full max/min/median, matrix products (mm, bmm, mv, dot, so matmul), the view ops, copies,
 * cat/stack, flip, tril/triu, constant_pad_nd, index_select and gather.
 */
import { RuntimeError, Tensor, getOp, isFloatingPoint, matmul, wrapDim } from '@torchts/core';
import type { Op } from '@torchts/core';
import { batchInfo, physicalAt } from './batched.js';
import type { Level } from './batched.js';

export const FALLBACK = Symbol('vmap fallback');

export interface RuleContext {
  op: Op;
  args: unknown[];
  level: Level;
  /** The physical tensor at this level, or null (not batched here). */
  phys(t: unknown): Tensor | null;
  /** Physical tensor with a batch dim: expanded to the batch size when `t` is not batched. */
  batched(t: Tensor): Tensor;
}

type Rule = (ctx: RuleContext) => unknown;

const rules = new Map<string, Rule>();

const ELEMENTWISE = new Set(['unary', 'binary', 'ternary']);

export function ruleFor(op: Op): Rule | undefined {
  const r = rules.get(op.name);
  if (r) return r;
  const family = op.info.family ?? (op.info.inplace ? safeOp(String(op.info.base ?? op.name.replace(/_$/, '')))?.info.family : undefined);
  return typeof family === 'string' && ELEMENTWISE.has(family) ? elementwise : undefined;
}

function safeOp(name: string): Op | undefined {
  try {
    return getOp(name);
  } catch {
    return undefined;
  }
}

/** The logical rank: a wrapper's shape is one sample's. */
const rank = (t: Tensor): number => t.ndim;

/** `p` (batch first) with size-1 dims inserted after the batch dim up to logical rank `r`. */
function padRank(p: Tensor, logical: number, r: number): Tensor {
  let out = p;
  for (let i = logical; i < r; i++) out = out.unsqueeze(1);
  return out;
}

/**
 * Elementwise ops broadcast like the logical shapes: each batched operand gets its logical rank
 * raised to the highest rank among the operands (just after the batch dim), so unbatched
 * operands broadcast against the sample dims and the batch dim stays first.
 */
const elementwise: Rule = ({ op, args, phys }) => {
  const tensors = args.filter((a): a is Tensor => a instanceof Tensor);
  const batchedZeroDim = tensors.some((t) => phys(t) !== null && t.ndim === 0);
  // A 0-d operand counts less in type promotion than a dimensioned one; physically it has a
  // batch dim, so mixed dtypes with 0-d batched operands are computed per sample.
  if (batchedZeroDim && new Set(tensors.map((t) => t.dtype)).size > 1) return FALLBACK;
  if (op.info.inplace && phys(args[0]) === null) throw inplaceError();
  const r = op.info.inplace ? rank(args[0] as Tensor) : Math.max(...tensors.map(rank));
  const physArgs = args.map((a) => {
    const p = phys(a);
    return p ? padRank(p, rank(a as Tensor), Math.max(r, rank(a as Tensor))) : a;
  });
  return op.call(...physArgs);
};

export function inplaceError(): RuntimeError {
  return new RuntimeError(
    'vmap: inplace arithmetic(self, *extra_args) is not possible because there exists a Tensor `other` in extra_args that has more elements than `self`. This happened due to `other` being vmapped over but `self` not being vmapped over in a vmap. Please try to use out-of-place operators instead of inplace arithmetic.',
  );
}

/** Rules for ops whose only batched tensor is the first argument, given a dim-shifting step. */
function selfRule(names: string[], make: (p: Tensor, nd: number, ctx: RuleContext) => unknown): void {
  const rule: Rule = (ctx) => {
    const self = ctx.args[0];
    const p = ctx.phys(self);
    if (!p) return FALLBACK;
    for (let i = 1; i < ctx.args.length; i++) if (ctx.phys(ctx.args[i]) || batchInfo(ctx.args[i])) return FALLBACK;
    return make(p, rank(self as Tensor), ctx);
  };
  for (const n of names) rules.set(n, rule);
}

const shift = (d: number, nd: number): number => wrapDim(d, nd) + 1;

/**
 * Calls the op with the physical self and argument `k` (a dim, or a list) shifted past the batch
 * dim. `zeroDim`: the op reduces a 0-d sample with dims [] (reducing nothing is the same).
 */
function dimAt(k: number, nullMeansAll = false, zeroDim = false): (p: Tensor, nd: number, ctx: RuleContext) => unknown {
  return (p, nd, { op, args }) => {
    const a = [p, ...args.slice(1)];
    const d = args[k];
    if (nd === 0) {
      if (zeroDim && Array.isArray(d) && d.length === 0) return op.call(...a);
      return FALLBACK;
    }
    if (d === null || d === undefined) {
      if (!nullMeansAll) return FALLBACK;
      a[k] = [...Array(nd).keys()].map((i) => i + 1);
    } else if (Array.isArray(d)) {
      if (d.length === 0) return FALLBACK;
      a[k] = d.map((x: number) => shift(x, nd));
    } else a[k] = shift(d as number, nd);
    return op.call(...a);
  };
}

// Reductions and scans.
selfRule(['sum', 'nansum', 'mean', 'nanmean', 'prod', 'all', 'any', 'logsumexp'], dimAt(1, false, true));
selfRule(['count_nonzero', 'var', 'std', 'var_mean', 'std_mean'], dimAt(1));
selfRule(['amax', 'amin'], dimAt(1, true, true));
selfRule(['norm'], dimAt(2, false, true));
selfRule(
  ['max.dim', 'min.dim', 'median.dim', 'nanmedian.dim', 'mode', 'cumsum', 'cumprod', 'cumsum_', 'cumprod_', 'cummax', 'cummin', 'logcumsumexp', 'softmax', 'log_softmax', 'sort', 'argmax', 'argmin', 'aminmax'],
  dimAt(1),
);
selfRule(['topk', 'kthvalue'], dimAt(2));
selfRule(['flip'], dimAt(1));
selfRule(['index_select'], dimAt(1));

// Whole-tensor max/min/median: the same reduction over the flattened sample.
selfRule(['max', 'min'], (p, nd, { op }) => {
  if (nd === 0) return FALLBACK;
  return getOp(op.name === 'max' ? 'amax' : 'amin').call(p.reshape([p.shape[0]!, -1]), [1], false);
});
selfRule(['median', 'nanmedian'], (p, nd, { op }) => {
  if (nd === 0) return FALLBACK;
  const [values, indices] = getOp(`${op.name}.dim`).call(p.reshape([p.shape[0]!, -1]), 1, false) as Tensor[];
  indices!.dispose();
  return values;
});

// Views.
selfRule(['view'], (p, _nd, { op, args }) => {
  const shape = [p.shape[0]!, ...(args[1] as number[])];
  try {
    return op.call(p, shape);
  } catch (e) {
    // Only the batch dim's layout may forbid a view the sample's layout allows (checked on the
    // sample's geometry): then the batch is copied.
    op.impl(args[0] as Tensor, args[1] as number[]).dispose();
    void e;
    return p.reshape(shape);
  }
});
selfRule(['permute'], (p, nd, { args }) => p.permute([0, ...(args[1] as number[]).map((d) => shift(d, nd))]));
selfRule(['transpose'], (p, nd, { args }) => (nd === 0 ? FALLBACK : p.transpose(shift(args[1] as number, nd), shift(args[2] as number, nd))));
selfRule(['expand'], (p, nd, { args }) => {
  const sizes = args[1] as number[];
  if (sizes.length < nd) return FALLBACK;
  return padRank(p, nd, sizes.length).expand([p.shape[0]!, ...sizes]);
});
selfRule(['narrow', 'slice', 'select', 'unfold'], (p, nd, ctx) => (nd === 0 ? FALLBACK : dimAt(1)(p, nd, ctx)));
selfRule(['unsqueeze'], (p, nd, { args }) => p.unsqueeze(wrapDim(args[1] as number, nd + 1) + 1));
selfRule(['squeeze'], (p, nd, { args }) => {
  const dims = args[1] as number[] | undefined;
  if (nd === 0) return FALLBACK;
  const logical = p.shape.slice(1);
  const list = dims === undefined ? logical.map((_, i) => i).filter((i) => logical[i] === 1) : dims.map((d) => wrapDim(d, nd));
  return getOp('squeeze').call(p, list.map((d) => d + 1));
});
selfRule(['diagonal'], (p, nd, { args }) => {
  if (nd < 2) return FALLBACK;
  return p.diagonal((args[1] as number | undefined) ?? 0, shift((args[2] as number | undefined) ?? 0, nd), shift((args[3] as number | undefined) ?? 1, nd));
});
selfRule(['detach'], (p) => p.detach());
selfRule(['_to_copy'], (p, _nd, { op, args }) => op.call(p, ...args.slice(1)));
selfRule(['tril', 'triu', 'tril_', 'triu_'], (p, nd, { op, args }) => (nd < 2 ? FALLBACK : op.call(p, ...args.slice(1))));
selfRule(['constant_pad_nd'], (p, nd, { op, args }) => ((args[1] as number[]).length / 2 > nd ? FALLBACK : op.call(p, ...args.slice(1))));
selfRule(['fill_'], (p, _nd, { op, args }) => op.call(p, ...args.slice(1)));

// copy_(self, src): src broadcasts to self's sample shape.
rules.set('copy_', ({ op, args, phys }) => {
  const self = args[0] as Tensor;
  const src = args[1] as Tensor;
  const p = phys(self);
  if (!p) throw inplaceError();
  const s = phys(src);
  return op.call(p, s ? padRank(s, rank(src), Math.max(rank(self), rank(src))) : src);
});

// cat(tensors, dim): unbatched operands are expanded along the batch dim.
rules.set('cat', ({ op, args, batched }) => {
  const list = args[0] as Tensor[];
  if (list.some((t) => t.ndim === 0 || (t.ndim === 1 && t.shape[0] === 0))) return FALLBACK;
  const nd = rank(list[0]!);
  return op.call(list.map(batched), shift(args[1] as number, nd));
});

// gather(self, dim, index): both operands need the batch dim.
rules.set('gather', ({ op, args, batched }) => {
  const self = args[0] as Tensor;
  if (self.ndim === 0) return FALLBACK;
  return op.call(batched(self), shift(args[1] as number, self.ndim), batched(args[2] as Tensor));
});

// Matrix products, as one batched matmul on the physical tensors.
function sameFloat(a: Tensor, b: Tensor): boolean {
  return a.dtype === b.dtype && isFloatingPoint(a.dtype);
}

rules.set('mm', ({ args, phys }) => {
  const [a, b] = args as [Tensor, Tensor];
  if (rank(a) !== 2 || rank(b) !== 2 || !sameFloat(a, b)) return FALLBACK;
  return matmul(phys(a) ?? a, phys(b) ?? b);
});
rules.set('bmm', ({ args, phys }) => {
  const [a, b] = args as [Tensor, Tensor];
  if (rank(a) !== 3 || rank(b) !== 3 || !sameFloat(a, b)) return FALLBACK;
  return matmul(phys(a) ?? a, phys(b) ?? b);
});
rules.set('mv', ({ args, phys }) => {
  const [m, v] = args as [Tensor, Tensor];
  if (rank(m) !== 2 || rank(v) !== 1 || !sameFloat(m, v)) return FALLBACK;
  const pm = phys(m);
  const pv = phys(v);
  if (pm && !pv) return matmul(pm, v);
  if (!pm && pv) return matmul(pv, m.t());
  return matmul(pm!, pv!.unsqueeze(-1)).squeeze(-1);
});
rules.set('dot', ({ args, phys }) => {
  const [a, b] = args as [Tensor, Tensor];
  if (rank(a) !== 1 || rank(b) !== 1 || !sameFloat(a, b)) return FALLBACK;
  const pa = phys(a);
  const pb = phys(b);
  if (pa && !pb) return matmul(pa, b);
  if (!pa && pb) return matmul(pb, a);
  return matmul(pa!.unsqueeze(1), pb!.unsqueeze(2)).reshape([pa!.shape[0]!]);
});

export function makeContext(op: Op, args: unknown[], level: Level): RuleContext {
  return {
    op,
    args,
    level,
    phys: (t) => physicalAt(t, level),
    batched: (t) => physicalAt(t, level) ?? t.unsqueeze(0).expand([level.size, ...t.shape]),
  };
}
