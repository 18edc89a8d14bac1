/**
 * Derivatives of the shape family's ops: cat, flip, tril/triu (and tril_/triu_) and
 * constant_pad_nd. stack, split, chunk, repeat, tile, roll, rot90, the other pad modes... are
 * composites of these, of views and of index_select: they need nothing.
 */
import { constantPadNdOp, wrapDim, zeros } from '@torchts/core';
import type { Tensor } from '@torchts/core';
import { defineDerivative } from '../registry.js';
import { operandMeta, reduceTo } from './util.js';
import type { OperandMeta } from './util.js';

/** cat's legacy rule: 1-D tensors of size 0 take no part (their gradient is empty). */
const skipped = (m: OperandMeta): boolean => m.shape.length === 1 && m.shape[0] === 0;

// Each input gets its slice of the gradient along `dim`, cast back to its dtype (cat promotes).
defineDerivative('cat', {
  save: (args) => ({ inputs: (args[0] as Tensor[]).map(operandMeta), dim: args[1] }),
  backward: ([g], { saved, needsInputGrad }) => {
    const inputs = saved.inputs as OperandMeta[];
    const ref = inputs.find((m) => !skipped(m));
    const d = ref ? wrapDim(saved.dim as number, ref.shape.length) : 0;
    let offset = 0;
    return inputs.map((m, i) => {
      if (skipped(m)) return needsInputGrad[i] ? zeros([0], { dtype: m.dtype, device: g!.device }) : null;
      const size = m.shape[d]!;
      const start = offset;
      offset += size;
      return needsInputGrad[i] ? reduceTo(m, g!.narrow(d, start, size)) : null;
    });
  },
});

defineDerivative('flip', {
  save: (args) => ({ dims: args[1] }),
  backward: ([g], { saved }) => [g!.flip(saved.dims as number[])],
});

// tril_/triu_ reuse these (their op info names the base op); self's old value is not needed.
defineDerivative('tril', {
  save: (args) => ({ diagonal: args[1] ?? 0 }),
  selfUnused: true,
  backward: ([g], { saved }) => [g!.tril(saved.diagonal as number)],
});

defineDerivative('triu', {
  save: (args) => ({ diagonal: args[1] ?? 0 }),
  selfUnused: true,
  backward: ([g], { saved }) => [g!.triu(saved.diagonal as number)],
});

// Padding by `pad` is undone by padding the gradient by `-pad` (crops become zero padding).
defineDerivative('constant_pad_nd', {
  save: (args) => ({ pad: args[1] }),
  backward: ([g], { saved }) => [constantPadNdOp.call(g!, (saved.pad as number[]).map((p) => (p === 0 ? 0 : -p)), 0)],
});
