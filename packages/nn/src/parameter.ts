/**
 * `nn.Parameter`: a leaf tensor that requires grad and that a Module registers when it is
 * assigned to one of its fields. It never copies data.
 */
import { Tensor, keep, makeView, untracked } from '@torchts/core';

const PARAMETER = Symbol.for('torchts.parameter');

export type Parameter = Tensor & { readonly [PARAMETER]: true };

/**
 * Makes `data` a parameter, `requiresGrad` by default. A plain tensor (a leaf that is not a view
 * and does not require grad, e.g. a fresh `torch.empty(...)`) is adopted: it becomes the parameter
 * itself, so no second tensor object is left to free. Anything else (a view, a tensor with history
 * or already requiring grad) is aliased by a new leaf over the same storage, as in PyTorch.
 * Parameters belong to their module, not to any `tidy` scope.
 */
export function Parameter(data: Tensor, requiresGrad = true): Parameter {
  const adopt = data._base === null && data.gradFn === null && !data.requiresGrad && !isParameter(data);
  const p = adopt ? keep(data) : untracked(() => makeView(data, [...data.shape], [...data._strides], data._offset));
  p._base = null;
  Object.defineProperty(p, PARAMETER, { value: true });
  if (requiresGrad) p.requiresGrad = true;
  return p as Parameter;
}

export function isParameter(x: unknown): x is Parameter {
  return x instanceof Tensor && (x as { [PARAMETER]?: boolean })[PARAMETER] === true;
}
