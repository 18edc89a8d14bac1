/**
 * Derivatives of softmax and log_softmax ((input, dim, dtype)), from their outputs y: PyTorch's
 * _softmax_backward_data / _log_softmax_backward_data ops, (g - sum(g * y)) * y and
 * g - exp(y) * sum(g), one fused pass. With createGraph (grad mode on during backward) the same
 * formulas are written with differentiable ops, so the gradient can be differentiated again.
 * With `dtype` the gradient is cast back to the input's dtype.
 */
import { logSoftmaxBackwardData, softmaxBackwardData, tidy } from '@torchts/core';
import type { Tensor } from '@torchts/core';
import { isGradEnabled } from '../grad-mode.js';
import { defineDerivative } from '../registry.js';
import type { InputMeta } from './reduction-util.js';
import { castTo, inputMeta } from './reduction-util.js';

const saveSoftmax = (args: readonly unknown[], result: unknown) => ({ in: inputMeta(args[0]), y: result, dim: args[1] });

defineDerivative('softmax', {
  save: saveSoftmax,
  backward: ([g], { saved }) => {
    const y = saved.y as Tensor;
    const dim = saved.dim as number;
    const dtype = (saved.in as InputMeta).dtype;
    if (!isGradEnabled() && g!.dtype === y.dtype) return tidy(() => [castTo(softmaxBackwardData(g!, y, dim, dtype), dtype)]);
    return tidy(() => [castTo(g!.sub(g!.mul(y).sum(dim, { keepdim: true })).mul(y), dtype)]);
  },
});

defineDerivative('log_softmax', {
  save: saveSoftmax,
  backward: ([g], { saved }) => {
    const y = saved.y as Tensor;
    const dim = saved.dim as number;
    const dtype = (saved.in as InputMeta).dtype;
    if (!isGradEnabled() && g!.dtype === y.dtype) return tidy(() => [castTo(logSoftmaxBackwardData(g!, y, dim, dtype), dtype)]);
    return tidy(() => [castTo(g!.sub(y.exp().mul(g!.sum(dim, { keepdim: true }))), dtype)]);
  },
});
