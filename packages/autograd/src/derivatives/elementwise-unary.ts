/**
 * Derivatives of the unary math ops: exponentials and logarithms, roots, trigonometric and
 * hyperbolic functions, the error functions, sigmoid/logit, degree conversions, rounding, sign and
 * nanToNum. Formulas follow PyTorch's derivatives.yaml; those that only need the result keep it
 * (and let in-place forms skip copying self).
 */
import { isfinite, logicalOr, tensor, where } from '@torchts/core';
import type { Tensor } from '@torchts/core';
import { defineDerivative } from '../registry.js';
import type { DerivativeSpec } from '../registry.js';
import { zeroGrad } from './elementwise-helpers.js';

const saveInput = (args: readonly unknown[]) => ({ x: args[0] });
const saveResult = (_args: readonly unknown[], result: unknown) => ({ y: result });

/** d/dx written from the input x. */
function fromInput(formula: (g: Tensor, x: Tensor) => Tensor): DerivativeSpec {
  return { save: saveInput, backward: ([g], { saved }) => [formula(g!, saved.x as Tensor)] };
}

/** d/dx written from the result y (in-place forms need no copy of self). */
function fromResult(formula: (g: Tensor, y: Tensor) => Tensor): DerivativeSpec {
  return { save: saveResult, selfUnused: true, backward: ([g], { saved }) => [formula(g!, saved.y as Tensor)] };
}

/** A constant derivative: nothing saved. */
function constant(formula: (g: Tensor) => Tensor): DerivativeSpec {
  return { selfUnused: true, backward: ([g]) => [formula(g!)] };
}

/** 1 - x * x. */
const oneMinusSquare = (x: Tensor): Tensor => x.mul(x).neg().add(1);

// Exponentials and logarithms.
defineDerivative('exp', fromResult((g, y) => g.mul(y)));
defineDerivative('exp2', fromResult((g, y) => g.mul(y).mul(Math.LN2)));
defineDerivative('expm1', fromResult((g, y) => g.mul(y.add(1))));
defineDerivative('log', fromInput((g, x) => g.div(x)));
defineDerivative('log2', fromInput((g, x) => g.div(x.mul(Math.LN2))));
defineDerivative('log10', fromInput((g, x) => g.div(x.mul(Math.LN10))));
defineDerivative('log1p', fromInput((g, x) => g.div(x.add(1))));

// Roots and reciprocals.
defineDerivative('sqrt', fromResult((g, y) => g.div(y.mul(2))));
defineDerivative('rsqrt', fromResult((g, y) => g.mul(y.mul(y).mul(y)).mul(-0.5)));
defineDerivative('reciprocal', fromResult((g, y) => g.neg().mul(y.mul(y))));

// Trigonometric functions.
defineDerivative('sin', fromInput((g, x) => g.mul(x.cos())));
defineDerivative('cos', fromInput((g, x) => g.mul(x.sin().neg())));
defineDerivative('tan', fromResult((g, y) => g.mul(y.mul(y).add(1))));
defineDerivative('asin', fromInput((g, x) => g.mul(oneMinusSquare(x).rsqrt())));
defineDerivative('acos', fromInput((g, x) => g.mul(oneMinusSquare(x).rsqrt().neg())));
defineDerivative('atan', fromInput((g, x) => g.div(x.mul(x).add(1))));

// Hyperbolic functions.
defineDerivative('sinh', fromInput((g, x) => g.mul(x.cosh())));
defineDerivative('cosh', fromInput((g, x) => g.mul(x.sinh())));
defineDerivative('tanh', fromResult((g, y) => g.mul(oneMinusSquare(y))));
defineDerivative('asinh', fromInput((g, x) => g.mul(x.mul(x).add(1).rsqrt())));
defineDerivative('acosh', fromInput((g, x) => g.mul(x.mul(x).sub(1).rsqrt())));
defineDerivative('atanh', fromInput((g, x) => g.div(oneMinusSquare(x))));

// Error functions: erf' = 2/sqrt(pi) exp(-x^2); erfinv' = sqrt(pi)/2 exp(erfinv(x)^2).
const TWO_OVER_SQRT_PI = 2 / Math.sqrt(Math.PI);
defineDerivative('erf', fromInput((g, x) => g.mul(x.mul(x).neg().exp().mul(TWO_OVER_SQRT_PI))));
defineDerivative('erfc', fromInput((g, x) => g.mul(x.mul(x).neg().exp().mul(-TWO_OVER_SQRT_PI))));
defineDerivative('erfinv', fromResult((g, y) => g.mul(y.mul(y).exp().mul(0.5 * Math.sqrt(Math.PI)))));

defineDerivative('sigmoid', fromResult((g, y) => g.mul(y.neg().add(1)).mul(y)));

// logit: 1 / (x (1 - x)); NaN outside [0, 1] without eps, 0 outside [eps, 1 - eps] with it.
defineDerivative('logit', {
  save: (args) => ({ x: args[0], eps: (args[1] as { eps?: number | null } | undefined)?.eps ?? null }),
  backward: ([g], { saved }) => {
    const x = saved.x as Tensor;
    const eps = saved.eps as number | null;
    const d = g!.div(x.mul(x.neg().add(1)));
    if (eps === null) return [where(logicalOr(x.lt(0), x.gt(1)), NaN, d)];
    // The bounds in x's dtype, as PyTorch's kernel computes them (1 - eps rounded there).
    const lo = tensor(eps, { dtype: x.dtype });
    return [where(logicalOr(x.lt(lo), x.gt(lo.neg().add(1))), 0, d)];
  },
});

defineDerivative('deg2rad', constant((g) => g.mul(Math.PI / 180)));
defineDerivative('rad2deg', constant((g) => g.mul(180 / Math.PI)));

// Piecewise-constant ops (and logicalNot_ on a float tensor) have zero gradients; frac = x - trunc(x) passes the gradient through.
defineDerivative(['floor', 'ceil', 'trunc', 'round', 'sign', 'logicalNot_'], constant(zeroGrad));
defineDerivative('frac', constant((g) => g));

// nanToNum: the gradient where the input was finite (PyTorch's grad * isfinite(self)).
defineDerivative('nanToNum', fromInput((g, x) => g.mul(isfinite(x))));

