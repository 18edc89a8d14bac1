/**
 * Derivatives of the binary math ops: pow (floatPower and square are pow), atan2, hypot, fmod,
 * remainder, minimum/maximum, fmin/fmax, copysign, xlogy, logaddexp(2), and the in-place
 * comparisons on float tensors. Either operand may be a JS number (no gradient slot); the
 * gradients of tensor operands are reduced to their shapes (broadcasting) and dtypes.
 */
import { Tensor, add, div, eq, ge, gt, isnan, le, logicalAnd, logicalOr, lt, pow, sub, where, xlogy, zerosLike } from '@torchts/core';
import type { TensorOrScalar } from '@torchts/core';
import { defineDerivative } from '../registry.js';
import type { BackwardContext } from '../registry.js';
import { dropWhere, keepWhere, operand, operandGrads, squared } from './elementwise-helpers.js';
import { operandMeta } from './util.js';

const saveOperands = (args: readonly unknown[]) => ({ a: args[0], b: args[1] });

// ---- pow ---------------------------------------------------------------------------------------

/** d(a^b)/da = b a^(b-1), and 0 where b is 0 (PyTorch's pow_backward / pow_backward_self). */
function powBaseGrad(g: Tensor, a: Tensor, b: TensorOrScalar): Tensor {
  if (!(b instanceof Tensor)) {
    const e = Number(b);
    return e === 0 ? zerosLike(g) : g.mul(a.pow(e - 1).mul(e));
  }
  return where(b.eq(0), 0, g.mul(b.mul(a.pow(b.sub(1)))));
}

/** d(a^b)/db = a^b log(a), and 0 where a is 0 and b >= 0 (PyTorch's pow_backward_exponent). */
function powExponentGrad(g: Tensor, a: TensorOrScalar, b: Tensor, y: Tensor): Tensor {
  if (a instanceof Tensor) {
    const logA = (a.dtype === y.dtype ? a : a.to(y.dtype)).log();
    return g.mul(where(logicalAnd(a.eq(0), b.ge(0)), 0, y.mul(logA)));
  }
  const base = Number(a);
  if (base === 0) return g.mul(where(b.ge(0), 0, y.mul(-Infinity)));
  return g.mul(y.mul(Math.log(base)));
}

defineDerivative('pow', {
  // The result is needed only for the exponent's gradient.
  save: (args, result) => ({ a: args[0], b: args[1], y: args[1] instanceof Tensor && args[1].requiresGrad ? result : null }),
  backward: ([g], { saved, needsInputGrad }) =>
    operandGrads(
      needsInputGrad,
      [saved.a, () => powBaseGrad(g!, saved.a as Tensor, operand(saved.b))],
      [saved.b, () => powExponentGrad(g!, operand(saved.a), saved.b as Tensor, saved.y as Tensor)],
    ),
});

// ---- trigonometric and norms -----------------------------------------------------------------

// atan2(a, b): a' = b / (a^2 + b^2), b' = -a / (a^2 + b^2).
defineDerivative('atan2', {
  save: saveOperands,
  backward: ([g], { saved, needsInputGrad }) => {
    const a = operand(saved.a);
    const b = operand(saved.b);
    let r: Tensor | null = null;
    const recip = (): Tensor => (r ??= add(squared(a), squared(b)).reciprocal());
    return operandGrads(needsInputGrad, [saved.a, () => g!.mul(b).mul(recip())], [saved.b, () => g!.mul(recip()).mul(a).neg()]);
  },
});

// hypot(a, b) = sqrt(a^2 + b^2): a' = a / result, b' = b / result.
defineDerivative('hypot', {
  save: (args, result) => ({ a: args[0], b: args[1], y: result }),
  backward: ([g], { saved, needsInputGrad }) => {
    const y = saved.y as Tensor;
    return operandGrads(needsInputGrad, [saved.a, () => g!.mul(operand(saved.a)).div(y)], [saved.b, () => g!.mul(operand(saved.b)).div(y)]);
  },
});

// ---- modulo --------------------------------------------------------------------------------------

/** fmod/remainder: a - b * q with q = div(a, b) rounded (trunc / floor): a' = 1, b' = -q. */
function moduloFormula(roundingMode: 'trunc' | 'floor') {
  return {
    // self's value is needed only for the divisor's gradient.
    save: (args: readonly unknown[]) => ({ a: args[1] instanceof Tensor ? args[0] : operandMeta(args[0]), b: args[1] }),
    backward: ([g]: Tensor[], { saved, needsInputGrad }: BackwardContext) =>
      operandGrads(needsInputGrad, [saved.a, () => g!], [saved.b, () => g!.neg().mul(div(operand(saved.a), operand(saved.b), { roundingMode }))]),
  };
}
defineDerivative('fmod', moduloFormula('trunc'));
defineDerivative('remainder', moduloFormula('floor'));

// ---- minimum / maximum -----------------------------------------------------------------------

/**
 * minimum/maximum: the gradient goes to the selected operand; ties split it in half, as PyTorch.
 * `aLoses(a, b)` is where a is not selected.
 */
function extremumFormula(aLoses: typeof lt, bLoses: typeof lt) {
  return {
    save: saveOperands,
    backward: ([g]: Tensor[], { saved, needsInputGrad }: BackwardContext) => {
      const a = operand(saved.a);
      const b = operand(saved.b);
      let s: Tensor | null = null;
      const split = (): Tensor => (s ??= where(eq(a, b), g!.div(2), g!));
      return operandGrads(needsInputGrad, [saved.a, () => dropWhere(aLoses(a, b), split())], [saved.b, () => dropWhere(bLoses(a, b), split())]);
    },
  };
}
defineDerivative('maximum', extremumFormula(lt, gt));
defineDerivative('minimum', extremumFormula(gt, lt));

/** fmin/fmax: NaN-ignoring; a takes the whole gradient where it wins, ties or b is NaN. */
function nanIgnoringFormula(aWins: typeof ge) {
  return {
    save: saveOperands,
    backward: ([g]: Tensor[], { saved, needsInputGrad }: BackwardContext) => {
      const a = operand(saved.a);
      const b = operand(saved.b);
      let m: Tensor | null = null;
      const mask = (): Tensor => (m ??= logicalOr(aWins(a, b), b instanceof Tensor ? isnan(b) : Number.isNaN(b)));
      return operandGrads(needsInputGrad, [saved.a, () => keepWhere(mask(), g!)], [saved.b, () => dropWhere(mask(), g!)]);
    },
  };
}
defineDerivative('fmax', nanIgnoringFormula(ge));
defineDerivative('fmin', nanIgnoringFormula(le));

// ---- sign and logarithmic --------------------------------------------------------------------

// copysign: a' = result / a (0 where a is 0); the sign source gets zeros.
defineDerivative('copysign', {
  save: (args, result) => ({ a: args[0], b: operandMeta(args[1]), y: args[0] instanceof Tensor ? result : null }),
  backward: ([g], { saved, needsInputGrad }) =>
    operandGrads(
      needsInputGrad,
      [saved.a, () => g!.mul(where((saved.a as Tensor).eq(0), 0, (saved.y as Tensor).div(saved.a as Tensor)))],
      [saved.b, () => zerosLike(g!)],
    ),
});

// xlogy(a, b) = a log(b): a' = log(b) (as xlogy(grad, b)), 0 where a is 0 and b <= 0; b' = a / b.
defineDerivative('xlogy', {
  save: saveOperands,
  backward: ([g], { saved, needsInputGrad }) => {
    const b = operand(saved.b);
    const aGrad = (): Tensor => {
      const a = saved.a as Tensor;
      const d = xlogy(g!, b);
      if (!(b instanceof Tensor)) return Number(b) > 0 ? d : where(a.eq(0), 0, d);
      return where(logicalAnd(a.eq(0), b.le(0)), 0, d);
    };
    return operandGrads(needsInputGrad, [saved.a, aGrad], [saved.b, () => g!.mul(operand(saved.a)).div(b)]);
  },
});

// logaddexp: a' = 1 / (1 + exp(b - a)); logaddexp2: a' = 1 / (1 + 2^(b - a)).
function logaddexpFormula(expOf: (d: Tensor) => Tensor) {
  return {
    save: saveOperands,
    backward: ([g]: Tensor[], { saved, needsInputGrad }: BackwardContext) => {
      const a = operand(saved.a);
      const b = operand(saved.b);
      return operandGrads(needsInputGrad, [saved.a, () => g!.div(expOf(sub(b, a)).add(1))], [saved.b, () => g!.div(expOf(sub(a, b)).add(1))]);
    },
  };
}
defineDerivative('logaddexp', logaddexpFormula((d) => d.exp()));
defineDerivative('logaddexp2', logaddexpFormula((d) => pow(2, d)));

// In-place comparisons (and logical ops) on float tensors write 0/1: zero gradients, as PyTorch
// gives for the comparisons (it records nothing for the logical ones; see docs/differences.md).
defineDerivative(['eq_', 'ne_', 'lt_', 'le_', 'gt_', 'ge_', 'logicalAnd_', 'logicalOr_', 'logicalXor_'], {
  save: (args) => ({ a: operandMeta(args[0]), b: operandMeta(args[1]) }),
  selfUnused: true,
  backward: ([g], { saved, needsInputGrad }) => operandGrads(needsInputGrad, [saved.a, () => zerosLike(g!)], [saved.b, () => zerosLike(g!)]),
});
