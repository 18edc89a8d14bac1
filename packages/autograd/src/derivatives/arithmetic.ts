/** Derivatives of add, sub, mul, div, neg, abs. */
import { Tensor } from '@torchts/core';
import type { TensorOrScalar } from '@torchts/core';
import { defineDerivative } from '../registry.js';
import { forTensors, operandMeta, reduceTo } from './util.js';

const alphaOf = (args: readonly unknown[]): number => ((args[2] as { alpha?: number } | undefined)?.alpha ?? 1);

// add/sub need only the operands' shapes and dtypes (nothing is kept alive).
defineDerivative('add', {
  save: (args) => ({ a: operandMeta(args[0]), b: operandMeta(args[1]), alpha: alphaOf(args) }),
  selfUnused: true,
  backward: ([g], { saved: { a, b, alpha } }) =>
    forTensors([a, () => reduceTo(a, g!)], [b, () => reduceTo(b, alpha === 1 ? g! : g!.mul(alpha as number))]),
});

defineDerivative('sub', {
  save: (args) => ({ a: operandMeta(args[0]), b: operandMeta(args[1]), alpha: alphaOf(args) }),
  selfUnused: true,
  backward: ([g], { saved: { a, b, alpha } }) => forTensors([a, () => reduceTo(a, g!)], [b, () => reduceTo(b, g!.mul(-(alpha as number)))]),
});

defineDerivative('mul', {
  save: (args) => ({ a: args[0], b: args[1] }),
  backward: ([g], { saved: { a, b } }) =>
    forTensors([a, () => reduceTo(a, g!.mul(b as TensorOrScalar))], [b, () => reduceTo(b, g!.mul(a as TensorOrScalar))]),
});

defineDerivative('div', {
  save: (args) => ({ a: args[0], b: args[1], mode: (args[2] as { roundingMode?: string } | undefined)?.roundingMode ?? null }),
  backward: ([g], { saved: { a, b, mode } }) => {
    // Rounded division is piecewise constant: zero gradients, as in PyTorch.
    if (mode !== null) return forTensors([a, () => reduceTo(a, g!.mul(0))], [b, () => reduceTo(b, g!.mul(0))]);
    return forTensors(
      [a, () => reduceTo(a, g!.div(b as TensorOrScalar))],
      // d(a/b)/db = -a / b^2
      [b, () => reduceTo(b, g!.mul(a as TensorOrScalar).div((b as Tensor).mul(b as Tensor)).neg())],
    );
  },
});

defineDerivative('neg', { selfUnused: true, backward: ([g]) => [g!.neg()] });

defineDerivative('abs', {
  save: (args) => ({ x: args[0] }),
  backward: ([g], { saved: { x } }) => [g!.mul((x as Tensor).sign())],
});
