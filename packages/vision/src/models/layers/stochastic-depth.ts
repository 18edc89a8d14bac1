/**
 * Stochastic depth (Huang et al., 2016), torchvision's `stochastic_depth`: in training, zeroes the
 * whole input ("batch") or whole rows of the batch ("row") with probability p and scales survivors
 * by 1 / (1 - p). The noise is drawn with bernoulli_ as torchvision does, so seeded runs match.
 */
import { ValueError, empty, tidy } from '@torchts/core';
import type { Tensor } from '@torchts/core';
import { Module } from '@torchts/nn';

export type StochasticDepthMode = 'batch' | 'row';

export function stochasticDepth(input: Tensor, p: number, mode: StochasticDepthMode, training = true): Tensor {
  if (!(p >= 0 && p <= 1)) throw new ValueError(`drop probability has to be between 0 and 1, but got ${p}`);
  if (mode !== 'batch' && mode !== 'row') throw new ValueError(`mode has to be either 'batch' or 'row', but got ${String(mode)}`);
  if (!training || p === 0) return input;
  const survival = 1 - p;
  const size = mode === 'row' ? [input.shape[0]!, ...new Array<number>(input.ndim - 1).fill(1)] : new Array<number>(input.ndim).fill(1);
  return tidy(() => {
    const noise = empty(size, { dtype: input.dtype, device: input.device }).bernoulli_(survival);
    if (survival > 0) noise.div_(survival);
    return input.mul(noise);
  });
}

export class StochasticDepth extends Module {
  declare p: number;
  declare mode: StochasticDepthMode;

  constructor(p: number, mode: StochasticDepthMode) {
    super();
    this.p = p;
    this.mode = mode;
  }

  forward(input: Tensor): Tensor {
    return stochasticDepth(input, this.p, this.mode, this.training);
  }

  override toString(): string {
    // p is a Python float there: 0 prints as 0.0.
    return `StochasticDepth(p=${Number.isInteger(this.p) ? this.p.toFixed(1) : this.p}, mode=${this.mode})`;
  }
}
