/**
 * Sequential's fusion of a Linear and the activation after it into one `_addmm_activation` op
 * (GEMM onto the bias, then relu/gelu in place: one output, one autograd node instead of two ops
 * and an intermediate). It applies only where nobody could tell the difference:
 * - a plain nn.Linear with a bias (not a subclass, no own `forward`/`call`) and a plain nn.ReLU or
 *   nn.GELU (exact form) after it,
 * - neither has hooks (they would see the intermediate that is no longer made),
 * - the input is a 2-D tensor, which F.linear computes as addmm(bias, x, W^T) too: the values are
 *   those of the two modules one after the other, bit for bit, and so are the gradients.
 */
import * as core from '@torchts/core';
import { Tensor } from '@torchts/core';
import type { Module } from '../module.js';
import { GELU, ReLU } from './activation.js';
import { Linear } from './linear.js';

function plain(m: Module, cls: abstract new (...args: never[]) => Module): boolean {
  return m.constructor === cls && !Object.hasOwn(m, 'forward') && !Object.hasOwn(m, 'call') && !m._hasHooks();
}

/** The fused result of `linear` then `activation` on `input`, or null where they must run one by one. */
export function fusedLinearActivation(linear: Module, activation: Module | undefined, input: unknown): Tensor | null {
  if (!activation || !(input instanceof Tensor) || input.ndim !== 2 || !plain(linear, Linear)) return null;
  const useGelu = plain(activation, GELU) && (activation as GELU).approximate === 'none';
  if (!useGelu && !plain(activation, ReLU)) return null;
  const { weight, bias } = linear as Linear;
  if (!bias || weight.ndim !== 2 || input.shape[1] !== weight.shape[1]) return null;
  const wt = weight.t();
  try {
    return core._addmmActivation(bias, input, wt, { useGelu });
  } finally {
    wt.dispose();
  }
}
