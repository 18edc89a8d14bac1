/** In-place random fills overwrite their tensor: no gradient flows to the old values (PyTorch). */
import { defineDerivative } from '../registry.js';

defineDerivative(['uniform_', 'normal_', 'random_', 'bernoulli_', 'exponential_', 'geometric_', 'cauchy_', 'log_normal_'], {
  selfUnused: true,
  // Probability tensors (bernoulli_) get no gradient either.
  backward: ([g], { needsInputGrad }) => needsInputGrad.map((_, i) => (i === 0 ? g!.mul(0) : null)),
});
