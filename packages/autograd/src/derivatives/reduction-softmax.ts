/**
 * Derivatives of softmax and log_softmax ((input, dim, dtype)), from their outputs y as PyTorch's
 * _softmax_backward_data / _log_softmax_backward_data: (g - sum(g * y)) * y and
 * g - exp(y) * sum(g). With `dtype` the gradient is cast back to the input's dtype.
 */
import { tidy } from '@torchts/core';
import type { Tensor } from '@torchts/core';
import { defineDerivative } from '../registry.js';
import type { InputMeta } from './reduction-util.js';
import { castTo, inputMeta } from './reduction-util.js';

const saveSoftmax = (args: readonly unknown[], result: unknown) => ({ in: inputMeta(args[0]), y: result, dim: args[1] });

defineDerivative('softmax', {
  save: saveSoftmax,
  backward: ([g], { saved }) => {
    const y = saved.y as Tensor;
    const dim = saved.dim as number;
    return tidy(() => [castTo(g!.sub(g!.mul(y).sum(dim, { keepdim: true })).mul(y), (saved.in as InputMeta).dtype)]);
  },
});

defineDerivative('log_softmax', {
  save: saveSoftmax,
  backward: ([g], { saved }) => {
    const y = saved.y as Tensor;
    const dim = saved.dim as number;
    return tidy(() => [castTo(g!.sub(y.exp().mul(g!.sum(dim, { keepdim: true }))), (saved.in as InputMeta).dtype)]);
  },
});
