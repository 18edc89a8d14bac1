/** Small helpers shared by the update rules. */
import { Tensor, ValueError } from '@torchts/core';
import type { ParamGroup } from './optimizer.js';

/** The gradient to descend along: negated under `maximize` (a temporary freed by the step's tidy). */
export function gradFor(p: Tensor, maximize: unknown): Tensor {
  return maximize ? p.grad!.neg() : p.grad!;
}

/** grad + weightDecay * param (PyTorch's L2 penalty), or grad itself. */
export function withWeightDecay(grad: Tensor, p: Tensor, weightDecay: number): Tensor {
  return weightDecay !== 0 ? grad.add(p, { alpha: weightDecay }) : grad;
}

/** The parameters of `group` that have a gradient, in order. */
export function withGrad(group: ParamGroup): Tensor[] {
  return group.params.filter((p) => p.grad !== null);
}

/** PyTorch's constructor checks: `Invalid <what> value: <v>`-style ValueErrors. */
export function checkNonNegative(value: number, message: string): void {
  if (!(value >= 0)) throw new ValueError(`${message}: ${value}`);
}

export function checkBetas(betas: readonly [number, number]): void {
  betas.forEach((b, i) => {
    if (!(b >= 0 && b < 1)) throw new ValueError(`Invalid beta parameter at index ${i}: ${b}`);
  });
}
