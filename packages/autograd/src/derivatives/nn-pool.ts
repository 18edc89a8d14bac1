/**
 * Derivatives of the pooling ops. Max pooling sends each output's gradient to its argmax (a
 * scatter-add over the flattened pooled dims, so overlapping windows accumulate); average pooling
 * spreads it evenly over the window (pool_avg_nd_backward), whose own derivative is the average
 * pooling again, so both are twice differentiable.
 */
import { poolAvgBackwardOp, poolAvgOp, poolMaxBackwardOp, tidy } from '@torchts/core';
import type { PoolWindows, Tensor } from '@torchts/core';
import { defineDerivative } from '../registry.js';

// pool_max_nd(input, windows) -> [values, indices]; indices are flat over the pooled dims. The
// gradient goes to each window's argmax (pool_max_nd_backward: a scatter-add into zeros).
defineDerivative('pool_max_nd', {
  save: (args, result) => ({ w: args[1], indices: (result as Tensor[])[1]! }),
  backward: ([g], { saved }) => [poolMaxBackwardOp.call(g!, saved.indices as Tensor, saved.w as PoolWindows)],
});

// pool_max_nd_backward(grad, indices, windows) is linear in grad: its transpose gathers the
// incoming gradient at the argmax positions (PyTorch's max_pool_double_backward).
defineDerivative('pool_max_nd_backward', {
  save: (args) => ({ indices: args[1], nd: (args[2] as PoolWindows).inSize.length }),
  backward: ([gg], { saved }) => {
    const idx = saved.indices as Tensor;
    const lead = idx.shape.slice(0, idx.shape.length - (saved.nd as number));
    return [tidy(() => gg!.reshape([...lead, -1]).gather(lead.length, idx.reshape([...lead, -1])).reshape([...idx.shape])), null];
  },
});

// pool_avg_nd(input, windows) -> values
defineDerivative('pool_avg_nd', {
  save: (args) => ({ w: args[1] }),
  backward: ([g], { saved }) => [poolAvgBackwardOp.call(g!, saved.w as PoolWindows)],
});

// pool_avg_nd_backward(grad, windows) -> gradient w.r.t. the pooled input
defineDerivative('pool_avg_nd_backward', {
  save: (args) => ({ w: args[1] }),
  backward: ([g], { saved }) => [poolAvgOp.call(g!, saved.w as PoolWindows)],
});
