// CPU kernels of the 'nn' family (convolution, pooling, ...), registered on import.
import { registerKernel } from '@torchts/core';
import { poolAvgBackwardKernel, poolAvgKernel, poolMaxBackwardKernel, poolMaxKernel } from './pool.js';
registerKernel('pool_max_nd', 'cpu', poolMaxKernel);
registerKernel('pool_avg_nd', 'cpu', poolAvgKernel);
registerKernel('pool_avg_nd_backward', 'cpu', poolAvgBackwardKernel);
registerKernel('pool_max_nd_backward', 'cpu', poolMaxBackwardKernel);
import { convolutionKernel } from './conv.js';
registerKernel('convolution', 'cpu', convolutionKernel);
import { convolutionBackwardWeightKernel } from './conv-weight-grad.js';
registerKernel('convolutionBackwardWeight', 'cpu', convolutionBackwardWeightKernel);
import {
  nativeBatchNormBackwardKernel, nativeBatchNormKernel, nativeGroupNormBackwardKernel, nativeGroupNormKernel,
  nativeLayerNormBackwardKernel, nativeLayerNormKernel,
} from './norm.js';
registerKernel('native_layer_norm', 'cpu', nativeLayerNormKernel);
registerKernel('native_layer_norm_backward', 'cpu', nativeLayerNormBackwardKernel);
registerKernel('native_batch_norm', 'cpu', nativeBatchNormKernel);
registerKernel('native_batch_norm_backward', 'cpu', nativeBatchNormBackwardKernel);
registerKernel('native_group_norm', 'cpu', nativeGroupNormKernel);
registerKernel('native_group_norm_backward', 'cpu', nativeGroupNormBackwardKernel);
import { nllLossBackwardKernel, nllLossForwardKernel } from './loss.js';
registerKernel('nll_loss_forward', 'cpu', nllLossForwardKernel);
registerKernel('nll_loss_backward', 'cpu', nllLossBackwardKernel);
