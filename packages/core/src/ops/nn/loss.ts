/**
 * The fused negative log-likelihood ops, PyTorch's aten::nll_loss_forward / nll_loss_backward, for
 * log-probabilities `self` of shape (C) or (N, C) and class-index targets () or (N):
 *
 *   nllLossForward(self, target, weight, reduction, ignoreIndex) -> [output, totalWeight]
 *     output: (N) for 'none', else a scalar; totalWeight: the scalar sum of the weights of the
 *     targets that are not ignored (0 for 'none'). 'mean' divides by it: 0/0 = NaN when every
 *     target is ignored, as PyTorch.
 *   nllLossBackward(gradOutput, self, target, weight, reduction, ignoreIndex, totalWeight) -> gradSelf
 *     -weight[t] * gradOutput (/ totalWeight for 'mean') at each row's target, 0 elsewhere.
 *
 * Higher-dimensional inputs (N, C, d1, ...) are reshaped to 2-D by the caller (nn.functional).
 * Kernel signatures: (output, totalWeight, self, target, weight | null, reduction, ignoreIndex) and
 * (gradSelf, gradOutput, target, weight | null, reduction, ignoreIndex, totalWeight), all contiguous;
 * kernels throw IndexError("Target k is out of bounds.") before writing anything.
 */
import { defineOp } from '../../dispatcher.js';
import { isFloatingPoint } from '../../dtype.js';
import { RuntimeError, ValueError } from '../../errors.js';
import { Tensor, emptyTensor } from '../../tensor.js';
import { contig } from './contig.js';

export type NllReduction = 'none' | 'mean' | 'sum';

const fmt = (s: readonly number[]): string => `[${s.join(', ')}]`;

/** nll_loss_forward's checks; returns the class count. */
function checkNll(name: string, self: Tensor, target: Tensor, weight: Tensor | null, reduction: string): number {
  if (!(self instanceof Tensor) || !(target instanceof Tensor)) throw new TypeError(`${name}(): self and target must be tensors`);
  if (!['none', 'mean', 'sum'].includes(reduction)) throw new ValueError(`${reduction} is not a valid value for reduction`);
  if (!isFloatingPoint(self._dtype)) throw new RuntimeError(`"${name}" not implemented for '${self._dtype}'`);
  const nd = self._shape.length;
  if (nd < 1 || nd > 2) throw new RuntimeError(`input tensor should be 1D or 2D, but got ${nd}D`);
  if (target._shape.length > 1) throw new RuntimeError('0D or 1D target tensor expected, multi-target not supported');
  if (target._dtype !== 'int64' && target._dtype !== 'uint8') {
    throw new RuntimeError(`expected scalar type Long but found ${target._dtype}`);
  }
  // (C) input: one row, so exactly one target (PyTorch would read only the first of several).
  const mismatch = nd === 1 ? target.numel() !== 1 : self._shape[0] !== (target._shape[0] ?? 1);
  if (mismatch) {
    throw new RuntimeError(`size mismatch (got input: ${fmt(self._shape)}, target: ${fmt(target._shape)})`);
  }
  const C = self._shape[nd - 1]!;
  if (weight && (weight._shape.length !== 1 || weight.numel() !== C)) {
    throw new RuntimeError(`weight tensor should be defined either for all ${C} classes or no classes but got weight tensor of shape: ${fmt(weight._shape)}`);
  }
  if (weight && weight._dtype !== self._dtype) {
    throw new RuntimeError(`${name}: expected weight of dtype ${self._dtype} (the input's), but got ${weight._dtype}`);
  }
  return C;
}

export const nllLossForwardOp = defineOp('nll_loss_forward', (
  self: Tensor, target: Tensor, weight: Tensor | null, reduction: NllReduction, ignoreIndex: number,
): Tensor[] => {
  checkNll('nll_loss_forward', self, target, weight, reduction);
  const rows = self._shape.length === 1 ? [] : [self._shape[0]!];
  const output = emptyTensor(reduction === 'none' ? rows : [], self._dtype, self.device);
  const totalWeight = emptyTensor([], self._dtype, self.device);
  const keep: Tensor[] = [];
  const c = (t: Tensor): Tensor => contig(t, keep);
  nllLossForwardOp.kernel(self.device)(output, totalWeight, c(self), c(target), weight ? c(weight) : null, reduction, ignoreIndex);
  keep.forEach((t) => t.dispose());
  return [output, totalWeight];
}, { writes: [0, 1] });

export const nllLossBackwardOp = defineOp('nll_loss_backward', (
  gradOutput: Tensor, self: Tensor, target: Tensor, weight: Tensor | null, reduction: NllReduction, ignoreIndex: number, totalWeight: Tensor,
): Tensor => {
  checkNll('nll_loss_backward', self, target, weight, reduction);
  const rows = self._shape.length === 1 ? [] : [self._shape[0]!];
  const want = reduction === 'none' ? rows : [];
  if (!(gradOutput instanceof Tensor) || gradOutput._shape.join() !== want.join() || gradOutput._dtype !== self._dtype) {
    throw new RuntimeError(`nll_loss_backward: expected grad_output of size ${fmt(want)} and dtype ${self._dtype}, but got ${gradOutput instanceof Tensor ? `${fmt(gradOutput._shape)} ${gradOutput._dtype}` : String(gradOutput)}`);
  }
  if (!(totalWeight instanceof Tensor) || totalWeight.numel() !== 1) {
    throw new RuntimeError('nll_loss_backward: expected total_weight to be a single element tensor');
  }
  const gradSelf = emptyTensor([...self._shape], self._dtype, self.device);
  const keep: Tensor[] = [];
  const c = (t: Tensor): Tensor => contig(t, keep);
  nllLossBackwardOp.kernel(self.device)(gradSelf, c(gradOutput), c(target), weight ? c(weight) : null, reduction, ignoreIndex, c(totalWeight));
  keep.forEach((t) => t.dispose());
  return gradSelf;
});

export function nllLossForward(self: Tensor, target: Tensor, weight: Tensor | null | undefined, reduction: NllReduction, ignoreIndex: number): Tensor[] {
  return nllLossForwardOp.call(self, target, weight ?? null, reduction, ignoreIndex);
}

export function nllLossBackward(
  gradOutput: Tensor, self: Tensor, target: Tensor, weight: Tensor | null | undefined, reduction: NllReduction, ignoreIndex: number, totalWeight: Tensor,
): Tensor {
  return nllLossBackwardOp.call(gradOutput, self, target, weight ?? null, reduction, ignoreIndex, totalWeight);
}
