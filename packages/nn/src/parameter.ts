/**
 * `nn.Parameter`: a leaf tensor that requires grad and that a Module registers when it is
 * assigned to one of its fields. It shares the data tensor's storage (no copy).
 */
import { Tensor, makeView, untracked } from '@torchts/core';

const PARAMETER = Symbol.for('torchts.parameter');

export type Parameter = Tensor & { readonly [PARAMETER]: true };

/** Wraps `data` as a parameter (a new leaf over the same storage), `requiresGrad` by default. */
export function Parameter(data: Tensor, requiresGrad = true): Parameter {
  const p = untracked(() => makeView(data, [...data.shape], [...data._strides], data._offset));
  p._base = null;
  Object.defineProperty(p, PARAMETER, { value: true });
  if (requiresGrad) p.requiresGrad = true;
  return p as Parameter;
}

export function isParameter(x: unknown): x is Parameter {
  return x instanceof Tensor && (x as { [PARAMETER]?: boolean })[PARAMETER] === true;
}
