/**
 * Derivatives of the three-operand elementwise ops: where, lerp, addcmul, addcdiv and clamp
 * (clip is clamp; clampMin/clampMax for one bound). Bounds, weights and factors may be tensors
 * (they get gradients too) or JS numbers.
 */
import { Tensor, div, ge, gt, le, logicalAnd, logicalOr, lt, sub, where } from '@torchts/core';
import { defineDerivative } from '../registry.js';
import type { BackwardContext } from '../registry.js';
import { dropWhere, keepWhere, operand, operandGrads, squared, times } from './elementwise-helpers.js';
import { operandMeta } from './util.js';

const valueOf = (opts: unknown): number => ((opts as { value?: number } | undefined)?.value ?? 1);

// where(condition, a, b): the condition takes no gradient; each branch gets it where chosen.
defineDerivative('where', {
  save: (args) => ({ c: args[0], a: operandMeta(args[1]), b: operandMeta(args[2]) }),
  selfUnused: true,
  backward: ([g], { saved, needsInputGrad }) => {
    const c = saved.c as Tensor;
    return operandGrads(needsInputGrad, [c, () => null], [saved.a, () => keepWhere(c, g!)], [saved.b, () => dropWhere(c, g!)]);
  },
});

// lerp(a, end, w) = a + w (end - a): a' = 1 - w, end' = w, w' = end - a.
defineDerivative('lerp', {
  save: (args) => {
    const weightIsTensor = args[2] instanceof Tensor;
    return { a: weightIsTensor ? args[0] : operandMeta(args[0]), e: weightIsTensor ? args[1] : operandMeta(args[1]), w: args[2] };
  },
  backward: ([g], { saved, needsInputGrad }) => {
    const w = operand(saved.w);
    return operandGrads(
      needsInputGrad,
      [saved.a, () => g!.mul(w instanceof Tensor ? sub(1, w) : 1 - Number(w))],
      [saved.e, () => g!.mul(w)],
      [saved.w, () => g!.mul(sub(operand(saved.e), operand(saved.a)))],
    );
  },
});

// addcmul(x, t1, t2, value) = x + value t1 t2.
defineDerivative('addcmul', {
  save: (args) => ({ x: operandMeta(args[0]), t1: args[1], t2: args[2], value: valueOf(args[3]) }),
  selfUnused: true,
  backward: ([g], { saved, needsInputGrad }) => {
    const value = saved.value as number;
    return operandGrads(
      needsInputGrad,
      [saved.x, () => g!],
      [saved.t1, () => g!.mul(times(operand(saved.t2), value))],
      [saved.t2, () => g!.mul(times(operand(saved.t1), value))],
    );
  },
});

// addcdiv(x, t1, t2, value) = x + value t1 / t2.
defineDerivative('addcdiv', {
  save: (args) => ({ x: operandMeta(args[0]), t1: args[1], t2: args[2], value: valueOf(args[3]) }),
  selfUnused: true,
  backward: ([g], { saved, needsInputGrad }) => {
    const value = saved.value as number;
    const t1 = operand(saved.t1);
    const t2 = operand(saved.t2);
    return operandGrads(
      needsInputGrad,
      [saved.x, () => g!],
      [saved.t1, () => g!.mul(t2 instanceof Tensor ? div(value, t2) : value / Number(t2))],
      [saved.t2, () => g!.neg().mul(value).mul(t1).div(squared(t2))],
    );
  },
});

// clamp(x, lo, hi) = min(max(x, lo), hi). x keeps the gradient inside [lo, hi] (bounds included);
// lo gets it where x < lo (unless lo > hi), hi where x > hi or hi < lo — PyTorch's clamp_backward
// and clamp_backward_min_max.
defineDerivative('clamp', {
  save: (args) => ({ x: args[0], lo: args[1], hi: args[2] }),
  backward: ([g], { saved, needsInputGrad }) => {
    const x = saved.x as Tensor;
    const lo = operand(saved.lo);
    const hi = operand(saved.hi);
    return operandGrads(
      needsInputGrad,
      [x, () => keepWhere(logicalAnd(ge(x, lo), le(x, hi)), g!)],
      [saved.lo, () => keepWhere(logicalAnd(lt(x, lo), lt(lo, hi)), g!)],
      [saved.hi, () => keepWhere(logicalOr(gt(x, hi), lt(hi, lo)), g!)],
    );
  },
});

/** clampMin / clampMax: x keeps the gradient where it is not clamped, the bound where it clamps. */
function oneBound(xKept: typeof ge, boundTakes: typeof lt) {
  return {
    save: (args: readonly unknown[]) => ({ x: args[0], bound: args[1] }),
    backward: ([g]: Tensor[], { saved, needsInputGrad }: BackwardContext) => {
      const x = saved.x as Tensor;
      const bound = operand(saved.bound);
      return operandGrads(needsInputGrad, [x, () => keepWhere(xKept(x, bound), g!)], [saved.bound, () => keepWhere(boundTakes(x, bound), g!)]);
    },
  };
}
defineDerivative('clampMin', oneBound(ge, lt));
defineDerivative('clampMax', oneBound(le, gt));
