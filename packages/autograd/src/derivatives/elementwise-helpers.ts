/** Helpers shared by the elementwise derivative files. */
import { Tensor, where, zerosLike } from '@torchts/core';
import type { TensorOrScalar } from '@torchts/core';
import { reduceTo } from './util.js';

/**
 * Gradients for the tensor operands among `pairs` (saved tensors or OperandMeta; JS numbers take
 * no slot), in argument order. A formula runs only when its input needs a gradient; its result
 * (of the broadcast output's shape) is reduced to the operand's shape and cast to its dtype.
 */
export function operandGrads(needs: readonly boolean[], ...pairs: Array<[unknown, () => Tensor | null]>): Array<Tensor | null> {
  const out: Array<Tensor | null> = [];
  for (const [x, formula] of pairs) {
    if (x === null || x === undefined || typeof x !== 'object') continue;
    const g = needs[out.length] === false ? null : formula();
    out.push(g ? reduceTo(x, g) : null);
  }
  return out;
}

/** A saved operand as an op argument: tensors stay, JS booleans become numbers. */
export function operand(x: unknown): TensorOrScalar {
  return typeof x === 'boolean' ? Number(x) : (x as TensorOrScalar);
}

/** `g` where `mask` holds, 0 elsewhere. */
export function keepWhere(mask: Tensor, g: Tensor): Tensor {
  return where(mask, g, 0);
}

/** 0 where `mask` holds, `g` elsewhere. */
export function dropWhere(mask: Tensor, g: Tensor): Tensor {
  return where(mask, 0, g);
}

/** Zeros of the gradient's shape and dtype: piecewise-constant ops (floor, sign...). */
export function zeroGrad(g: Tensor): Tensor {
  return zerosLike(g);
}

/** a * b for tensors or numbers (a number when both are numbers). */
export function times(a: TensorOrScalar, b: TensorOrScalar): TensorOrScalar {
  if (a instanceof Tensor) return a.mul(b);
  if (b instanceof Tensor) return b.mul(a);
  return Number(a) * Number(b);
}

/** a * a for a tensor or a number. */
export function squared(a: TensorOrScalar): TensorOrScalar {
  return times(a, a);
}
