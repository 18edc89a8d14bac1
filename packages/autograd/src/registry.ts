/**
 * Derivatives, one definition per op (PyTorch's derivatives.yaml): what to save in forward and
 * how to map output gradients to input gradients. Backward formulas are written with torchts ops,
 * so they are differentiable themselves (higher-order gradients with `createGraph`).
 */
import type { Tensor } from '@torchts/core';

export type Saved = Record<string, unknown>;

export interface BackwardContext {
  /** What `save` returned, with tensors unpacked (version-checked). */
  saved: Saved;
  /** Whether each tensor input (argument order, arrays flattened) needs a gradient. */
  needsInputGrad: boolean[];
}

export interface DerivativeSpec {
  /**
   * Called after the forward with the op's arguments and result; tensors in the returned record
   * (also inside arrays) are saved by alias with version tracking. For in-place ops `args[0]` is
   * a copy of self taken before the op (unless `selfUnused`).
   */
  save?: (args: readonly unknown[], result: unknown) => Saved;
  /**
   * Gradients for the op's tensor inputs in argument order (arrays flattened; null/undefined for
   * none), given the gradients of its differentiable outputs (zeros where no gradient flowed).
   */
  backward: (grads: Tensor[], ctx: BackwardContext) => Array<Tensor | null | undefined>;
  /** In-place forms: backward does not need self's value from before the op. */
  selfUnused?: boolean;
  /** Which outputs are differentiable (default: every floating-point output). */
  differentiableOutputs?: readonly number[];
}

const formulas = new Map<string, DerivativeSpec>();
let version = 0;

/** Bumped by every registration, so per-op caches know to look again. */
export function registryVersion(): number {
  return version;
}

/** Registers the derivative of one op, or of several ops sharing it. */
export function defineDerivative(names: string | readonly string[], spec: DerivativeSpec): void {
  for (const n of typeof names === 'string' ? [names] : names) {
    if (formulas.has(n)) throw new Error(`derivative of '${n}' is defined twice`);
    formulas.set(n, spec);
  }
  version++;
}

export function derivativeOf(name: string): DerivativeSpec | undefined {
  return formulas.get(name);
}

export function definedDerivatives(): string[] {
  return [...formulas.keys()];
}

/** Ops whose outputs never carry gradients (integer/boolean results or detaching). */
export const NON_DIFFERENTIABLE = new Set<string>(['detach']);
