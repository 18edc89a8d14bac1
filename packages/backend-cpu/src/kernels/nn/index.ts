// CPU kernels of the 'nn' family (convolution, pooling, ...), registered on import.
import { registerKernel } from '@torchts/core';
import { poolAvgBackwardKernel, poolAvgKernel, poolMaxKernel } from './pool.js';
registerKernel('pool_max_nd', 'cpu', poolMaxKernel);
registerKernel('pool_avg_nd', 'cpu', poolAvgKernel);
registerKernel('pool_avg_nd_backward', 'cpu', poolAvgBackwardKernel);
import { convolutionKernel } from './conv.js';
registerKernel('convolution', 'cpu', convolutionKernel);
import { convolutionBackwardWeightKernel } from './conv-weight-grad.js';
registerKernel('convolutionBackwardWeight', 'cpu', convolutionBackwardWeightKernel);
