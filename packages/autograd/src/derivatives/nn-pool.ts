/**
 * Derivatives of the pooling ops. Max pooling sends each output's gradient to its argmax (a
 * scatter-add over the flattened pooled dims, so overlapping windows accumulate); average pooling
 * spreads it evenly over the window (pool_avg_nd_backward), whose own derivative is the average
 * pooling again, so both are twice differentiable.
 */
import { poolAvgBackwardOp, poolAvgOp, tidy, zeros } from '@torchts/core';
import type { PoolWindows, Tensor } from '@torchts/core';
import { defineDerivative } from '../registry.js';
import { operandMeta } from './util.js';
import type { OperandMeta } from './util.js';

// pool_max_nd(input, windows) -> [values, indices]; indices are flat over the pooled dims.
defineDerivative('pool_max_nd', {
  save: (args, result) => ({ in: operandMeta(args[0]), nd: (args[1] as PoolWindows).inSize.length, indices: (result as Tensor[])[1]! }),
  backward: ([g], { saved }) => {
    const meta = saved.in as OperandMeta;
    const idx = saved.indices as Tensor;
    const lead = meta.shape.slice(0, meta.shape.length - (saved.nd as number));
    const plane = meta.shape.slice(lead.length).reduce((a, b) => a * b, 1);
    return tidy(() => {
      // In place into fresh zeros: scatterAdd would first clone them (a copy of the whole input).
      const flat = zeros([...lead, plane], { dtype: g!.dtype, device: g!.device });
      flat.scatterAdd_(lead.length, idx.reshape([...lead, -1]), g!.reshape([...lead, -1]));
      return [flat.reshape([...meta.shape])];
    });
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
