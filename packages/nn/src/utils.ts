/** nn.utils: gradient clipping, parameter <-> vector conversion, parametrize and parametrizations. */
import * as core from '@torchts/core';
import { RuntimeError, Tensor } from '@torchts/core';
import { noGrad } from '@torchts/autograd';

export * as parametrize from './parametrize.js';
export * as parametrizations from './parametrizations.js';
export { weightNorm, removeWeightNorm, spectralNorm, removeSpectralNorm } from './classic-norms.js';

function asList(parameters: Tensor | Iterable<Tensor>): Tensor[] {
  return parameters instanceof Tensor ? [parameters] : [...parameters];
}

/**
 * Scales the gradients so their total `normType` norm is at most maxNorm (in place); returns the
 * total norm (before clipping). Non-finite totals throw with `errorIfNonfinite`.
 */
export function clipGradNorm_(parameters: Tensor | Iterable<Tensor>, maxNorm: number, normType = 2, opts: { errorIfNonfinite?: boolean } = {}): Tensor {
  const grads = asList(parameters).flatMap((p) => (p.grad ? [p.grad] : []));
  return noGrad(() => {
    if (grads.length === 0) return core.tensor(0);
    const norms = grads.map((g) => core.norm(g, normType) as Tensor);
    const stacked = core.stack(norms);
    const total = normType === Infinity ? stacked.max() : (core.norm(stacked, normType) as Tensor);
    for (const n of norms) n.dispose();
    stacked.dispose();
    const value = total.item<number>();
    if ((opts.errorIfNonfinite ?? false) && !Number.isFinite(value)) {
      throw new RuntimeError(
        `The total norm of order ${normType === Infinity ? 'inf' : normType.toFixed(1)} for gradients from \`parameters\` is non-finite, so it cannot be clipped. To disable this error and scale the gradients by the non-finite norm anyway, set \`error_if_nonfinite=False\``,
      );
    }
    const coef = Math.min(maxNorm / (value + 1e-6), 1);
    for (const g of grads) g.mul_(coef);
    return total;
  });
}

/** Clamps every gradient to [-clipValue, clipValue] in place. */
export function clipGradValue_(parameters: Tensor | Iterable<Tensor>, clipValue: number): void {
  noGrad(() => {
    for (const p of asList(parameters)) if (p.grad) p.grad.clamp_(-clipValue, clipValue);
  });
}

/** All parameters flattened and concatenated into one vector. */
export function parametersToVector(parameters: Iterable<Tensor>): Tensor {
  const flat = [...parameters].map((p) => p.reshape([-1]));
  const out = core.cat(flat);
  for (const f of flat) f.dispose();
  return out;
}

/** Copies consecutive slices of `vec` into the parameters (in place). */
export function vectorToParameters(vec: Tensor, parameters: Iterable<Tensor>): void {
  if (!(vec instanceof Tensor)) throw new TypeError(`expected torch.Tensor, but got: ${typeof vec}`);
  noGrad(() => {
    let offset = 0;
    for (const p of parameters) {
      const n = p.numel();
      const slice = vec.narrow(0, offset, n);
      const shaped = slice.reshape([...p.shape]);
      p.copy_(shaped);
      shaped.dispose();
      slice.dispose();
      offset += n;
    }
  });
}

/** `nn.utils.rnn`: packing and padding of variable-length sequences. */
export * as rnn from './rnn-utils.js';
