/**
 * Dropout family. In training, elements (or whole channels) are zeroed with probability p using
 * torch's RNG (bernoulli_) and the rest scaled by 1/(1-p); in eval they pass through unchanged.
 */
import * as core from '@torchts/core';
import { RuntimeError, Tensor, ValueError } from '@torchts/core';
import { noGrad } from '@torchts/autograd';
import { withTemps } from './temps.js';

export interface DropoutOptions {
  p?: number;
  training?: boolean;
  inplace?: boolean;
}

function checkP(p: number): void {
  if (p < 0 || p > 1) throw new ValueError(`dropout probability has to be between 0 and 1, but got ${p}`);
}

/** Multiplies by a keep mask of `maskShape` (broadcast over the input), scaled like PyTorch. */
function applyMask(input: Tensor, p: number, maskShape: number[], inplace: boolean, alpha: boolean): Tensor {
  return withTemps((t) => {
    let y: Tensor;
    if (p === 1) {
      y = input.mul(0);
    } else {
      const noise = t(noGrad(() => core.empty(maskShape, { dtype: input.dtype, device: input.device }).bernoulli_(1 - p)));
      if (alpha) {
        // ATen's alpha dropout: a = 1/sqrt((alpha^2 p + 1)(1 - p)), b = (noise - 1) alpha a + alpha a p.
        const A = 1.7580993408473766;
        const a = 1 / Math.sqrt((A * A * p + 1) * (1 - p));
        const b = t(noGrad(() => t(t(noise.sub(1)).mul(A * a)).add(A * a * p)));
        y = t(input.mul(t(noise.mul(a)))).add(b);
      } else {
        y = input.mul(t(noise.div(1 - p)));
      }
    }
    if (!inplace) return y;
    input.copy_(y);
    t(y);
    return input;
  });
}

export function dropout(input: Tensor, opts: DropoutOptions = {}): Tensor {
  const p = opts.p ?? 0.5;
  checkP(p);
  if (!(opts.training ?? true) || p === 0) return input;
  return applyMask(input, p, [...input.shape], opts.inplace ?? false, false);
}

export function alphaDropout(input: Tensor, opts: DropoutOptions = {}): Tensor {
  const p = opts.p ?? 0.5;
  checkP(p);
  if (!(opts.training ?? false) || p === 0) return input;
  return applyMask(input, p, [...input.shape], opts.inplace ?? false, true);
}

/** Zeroes whole channels: one draw per (batch, channel), broadcast over the spatial dims. */
function featureDropout(name: string, input: Tensor, opts: DropoutOptions, batched: boolean): Tensor {
  const p = opts.p ?? 0.5;
  checkP(p);
  if (!(opts.training ?? true) || p === 0) return input;
  const lead = batched ? 2 : 1;
  const maskShape = [...input.shape.slice(0, lead), ...Array<number>(input.ndim - lead).fill(1)];
  void name;
  return applyMask(input, p, maskShape, opts.inplace ?? false, false);
}

export function dropout1d(input: Tensor, opts: DropoutOptions = {}): Tensor {
  if (input.ndim !== 2 && input.ndim !== 3) {
    throw new RuntimeError(
      `dropout1d: Expected 2D or 3D input, but received a ${input.ndim}D input. Note that dropout1d exists to provide channel-wise dropout on inputs with 1 spatial dimension, a channel dimension, and an optional batch dimension (i.e. 2D or 3D inputs).`,
    );
  }
  return featureDropout('dropout1d', input, opts, input.ndim === 3);
}

/** Channel dropout for (N, C, H, W) input; a 3-D input is taken as (N, C, L), as PyTorch 1.13 does. */
export function dropout2d(input: Tensor, opts: DropoutOptions = {}): Tensor {
  if (input.ndim < 2) throw new RuntimeError(`dropout2d: Expected 3D or 4D input, but received a ${input.ndim}D input.`);
  return featureDropout('dropout2d', input, opts, true);
}
