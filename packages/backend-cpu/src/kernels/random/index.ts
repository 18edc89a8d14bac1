// CPU kernels of the 'random' family, registered on import.
import { registerKernel } from '@torchts/core';
import {
  bernoulliKernel, cauchyKernel, exponentialKernel, geometricKernel, logNormalKernel, normalKernel, randomKernel, uniformKernel,
} from './fills.js';
import { multinomialKernel, randpermKernel } from './multinomial.js';

registerKernel('uniform_', 'cpu', uniformKernel);
registerKernel('normal_', 'cpu', normalKernel);
registerKernel('random_', 'cpu', randomKernel);
registerKernel('bernoulli_', 'cpu', bernoulliKernel);
registerKernel('exponential_', 'cpu', exponentialKernel);
registerKernel('geometric_', 'cpu', geometricKernel);
registerKernel('cauchy_', 'cpu', cauchyKernel);
registerKernel('log_normal_', 'cpu', logNormalKernel);
registerKernel('multinomial', 'cpu', multinomialKernel);
registerKernel('randperm', 'cpu', randpermKernel);
