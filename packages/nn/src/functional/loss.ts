/**
 * Loss functions (`nn.functional.*_loss`). nll_loss and cross_entropy with class-index targets
 * run the fused core op nllLossForward (one pass forward, one backward op); the other losses and
 * cross_entropy's label smoothing / probability targets are composites of core ops, so autograd
 * derives their gradients. Each body runs in `tidy`: temporaries are freed, the returned loss is kept
 * (autograd saves its own aliases, so freeing intermediates is safe).
 */
import { RuntimeError, ValueError, nllLossForward, tidy, where, xlogy, zerosLike } from '@torchts/core';
import type { Tensor } from '@torchts/core';
import {
  applyReduction, checkReduction, checkTargetBounds, pySize, requireFloat, requireIndexTarget, sizes,
} from './loss-util.js';
import type { Reduction } from './loss-util.js';
import { pairwiseDistance } from './distance.js';

export type { Reduction } from './loss-util.js';

interface ReductionOpts { reduction?: Reduction }
interface WeightOpts extends ReductionOpts { weight?: Tensor | null }

export function mseLoss(input: Tensor, target: Tensor, opts: ReductionOpts = {}): Tensor {
  return tidy(() => applyReduction(input.sub(target).square(), opts.reduction ?? 'mean'));
}

export function l1Loss(input: Tensor, target: Tensor, opts: ReductionOpts = {}): Tensor {
  return tidy(() => applyReduction(input.sub(target).abs(), opts.reduction ?? 'mean'));
}

export function smoothL1Loss(input: Tensor, target: Tensor, opts: ReductionOpts & { beta?: number } = {}): Tensor {
  const beta = opts.beta ?? 1.0;
  if (beta < 0) throw new RuntimeError('smooth_l1_loss does not support negative values for beta.');
  if (beta === 0) return l1Loss(input, target, opts);
  return tidy(() => {
    const z = input.sub(target).abs();
    return applyReduction(where(z.lt(beta), z.square().mul(0.5 / beta), z.sub(0.5 * beta)), opts.reduction ?? 'mean');
  });
}

export function huberLoss(input: Tensor, target: Tensor, opts: ReductionOpts & { delta?: number } = {}): Tensor {
  const delta = opts.delta ?? 1.0;
  if (!(delta > 0)) throw new RuntimeError('huber_loss does not support non-positive values for delta.');
  return tidy(() => {
    const z = input.sub(target).abs();
    return applyReduction(where(z.lt(delta), z.square().mul(0.5), z.sub(0.5 * delta).mul(delta)), opts.reduction ?? 'mean');
  });
}

// ---------------------------------------------------------------- classification

interface NllOpts extends WeightOpts { ignoreIndex?: number }

function checkWeight(weight: Tensor | null | undefined, n: number): void {
  if (weight && (weight.ndim !== 1 || weight.numel() !== n)) {
    throw new RuntimeError(`weight tensor should be defined either for all ${n} classes or no classes but got weight tensor of shape: ${sizes(weight)}`);
  }
}

/** nll_loss_nd's shape checks: input (C) with target (), (N, C) with (N), (N, C, d1...) with (N, d1...). */
function checkNllShapes(input: Tensor, target: Tensor): void {
  if (input.ndim < 1) throw new ValueError(`Expected 1 or more dimensions (got ${input.ndim})`);
  if (input.ndim !== 1 && input.shape[0] !== target.shape[0]) {
    throw new ValueError(`Expected input batch_size (${input.shape[0]}) to match target batch_size (${target.shape[0]}).`);
  }
  if (input.ndim <= 2) {
    if (target.ndim > 1) throw new RuntimeError('0D or 1D target tensor expected, multi-target not supported');
    if (input.ndim === 1 && target.ndim !== 0) {
      throw new RuntimeError(`Expected input batch_size (1) to match target batch_size (${target.shape[0]}).`);
    }
  } else {
    const expected = [input.shape[0]!, ...input.shape.slice(2)];
    const mismatch = target.ndim !== expected.length || target.shape.some((s, i) => s !== expected[i]);
    if (input.ndim === 4 && mismatch) {
      // nll_loss2d's own message (PyTorch routes 4-d input there).
      throw new RuntimeError(`size mismatch (got input: ${sizes(input)} , target: ${sizes(target)}`);
    }
    if (mismatch) {
      throw new RuntimeError(`Expected target size [${expected.join(', ')}], got ${sizes(target)}`);
    }
  }
}

/**
 * The weighted negative log-likelihood per element of `target` (shape of target; 0 where ignored)
 * and the per-element weights (0 where ignored), from log-probabilities with classes on dim 1.
 */
function nllTerms(logp: Tensor, target: Tensor, weight: Tensor | null | undefined, ignoreIndex: number): [Tensor, Tensor] {
  const batched = logp.ndim === 1 ? logp.unsqueeze(0) : logp;
  const tgt = logp.ndim === 1 ? target.unsqueeze(0) : target;
  const n = batched.shape[1]!;
  const ignored = tgt.eq(ignoreIndex);
  checkTargetBounds(tgt, n, ignored.logicalNot());
  const safe = where(ignored, 0, tgt);
  const picked = batched.gather(1, safe.unsqueeze(1)).squeeze(1);
  const wMasked = weight
    ? where(ignored, 0, weight.to(logp.dtype).gather(0, safe.reshape(-1)).reshape(safe.shape as number[]))
    : ignored.logicalNot().to(logp.dtype);
  let loss = picked.mul(wMasked).neg();
  let weights = wMasked;
  if (logp.ndim === 1) {
    loss = loss.squeeze(0);
    weights = weights.squeeze(0);
  }
  return [loss, weights];
}

/**
 * num / den, NaN where den is 0 (every target ignored) with a zero gradient there, as PyTorch's
 * nll_loss backward gives (a plain division would send inf * 0 = NaN back).
 */
function weightedMean(num: Tensor, den: Tensor): Tensor {
  const empty = den.eq(0);
  return where(empty, NaN, num.div(where(empty, 1, den)));
}

function reduceNll(loss: Tensor, weights: Tensor, reduction: string): Tensor {
  if (reduction === 'none') return loss;
  if (reduction === 'sum') return loss.sum();
  return weightedMean(loss.sum(), weights.sum());
}

/**
 * The fused nll_loss of checked operands: (C) and (N, C) directly, (N, C, d1, ...) as the 2-d
 * problem of its (N * d1 * ..., C) rows ('none' reshaped back to the target's shape).
 */
function fusedNll(logp: Tensor, target: Tensor, weight: Tensor | null | undefined, reduction: Reduction, ignoreIndex: number): Tensor {
  return tidy(() => {
    const w = weight ? weight.to(logp.dtype) : null;
    if (logp.ndim <= 2) return nllLossForward(logp, target, w, reduction, ignoreIndex)[0]!;
    const rows = logp.movedim(1, -1).reshape([-1, logp.shape[1]!]);
    const loss = nllLossForward(rows, target.reshape(-1), w, reduction, ignoreIndex)[0]!;
    return reduction === 'none' ? loss.reshape([...target.shape]) : loss;
  });
}

export function nllLoss(input: Tensor, target: Tensor, opts: NllOpts = {}): Tensor {
  const reduction = opts.reduction ?? 'mean';
  checkReduction(reduction);
  checkNllShapes(input, target);
  requireIndexTarget(target);
  const n = input.ndim === 1 ? input.shape[0]! : input.shape[1]!;
  checkWeight(opts.weight, n);
  return fusedNll(input, target, opts.weight, reduction, opts.ignoreIndex ?? -100);
}

interface CrossEntropyOpts extends NllOpts { labelSmoothing?: number }

/** Reshapes a per-class weight (C) to broadcast against (N, C, d1, ...) / (C). */
function classView(weight: Tensor, input: Tensor): Tensor {
  if (input.ndim === 1) return weight;
  return weight.reshape([1, weight.numel(), ...new Array<number>(input.ndim - 2).fill(1)]);
}

export function crossEntropy(input: Tensor, target: Tensor, opts: CrossEntropyOpts = {}): Tensor {
  const reduction = opts.reduction ?? 'mean';
  const ls = opts.labelSmoothing ?? 0;
  const ignoreIndex = opts.ignoreIndex ?? -100;
  checkReduction(reduction);
  if (ls < 0 || ls > 1) throw new RuntimeError(`label_smoothing must be between 0.0 and 1.0. Got: ${ls}`);
  if (input.ndim < 1) throw new ValueError(`Expected 1 or more dimensions (got ${input.ndim})`);
  requireFloat('cross_entropy', input);
  const classDim = input.ndim === 1 ? 0 : 1;
  const n = input.shape[classDim]!;
  checkWeight(opts.weight, n);
  const probabilities = input.ndim === target.ndim && input.shape.every((s, i) => s === target.shape[i]);
  if (probabilities) {
    if (!target.isFloatingPoint()) {
      throw new RuntimeError(`Expected floating point type for target with class probabilities, got ${target.dtype}`);
    }
    if (ignoreIndex >= 0) throw new RuntimeError('ignore_index is not supported for floating point target');
    return tidy(() => {
      const logp = input.logSoftmax(classDim);
      const probs = ls > 0 ? target.mul(1 - ls).add(ls / n) : target;
      const weighted = opts.weight ? logp.mul(classView(opts.weight, input)) : logp;
      const loss = weighted.mul(probs).sum(classDim).neg();
      if (reduction === 'none') return loss;
      if (reduction === 'sum') return loss.sum();
      return loss.sum().div(input.numel() / n);
    });
  }
  checkNllShapes(input, target);
  requireIndexTarget(target);
  if (ls === 0) return tidy(() => fusedNll(input.logSoftmax(classDim), target, opts.weight, reduction, ignoreIndex));
  return tidy(() => {
    const logp = input.logSoftmax(classDim);
    const [nll, weights] = nllTerms(logp, target, opts.weight, ignoreIndex);
    const nllReduced = reduceNll(nll, weights, reduction);
    // Label smoothing: the uniform part -sum_c w_c log p_c, zero where ignored, normalised like nll.
    const weighted = opts.weight ? logp.mul(classView(opts.weight, input)) : logp;
    const smooth = where(target.eq(ignoreIndex), 0, weighted.sum(classDim).neg());
    let smoothReduced: Tensor;
    if (reduction === 'none') smoothReduced = smooth;
    else if (reduction === 'sum') smoothReduced = smooth.sum();
    else if (opts.weight) smoothReduced = weightedMean(smooth.sum(), weights.sum());
    else smoothReduced = weightedMean(smooth.sum(), target.ne(ignoreIndex).sum());
    return nllReduced.mul(1 - ls).add(smoothReduced.mul(ls / n));
  });
}

export function binaryCrossEntropy(input: Tensor, target: Tensor, opts: WeightOpts = {}): Tensor {
  const reduction = opts.reduction ?? 'mean';
  checkReduction(reduction);
  if (input.ndim !== target.ndim || input.shape.some((s, i) => s !== target.shape[i])) {
    throw new ValueError(`Using a target size (${pySize(target)}) that is different to the input size (${pySize(input)}) is deprecated. Please ensure they have the same size.`);
  }
  requireFloat('binary_cross_entropy', input);
  return tidy(() => {
    const values = input.detach();
    if (values.numel() > 0 && (values.lt(0).any().item() || values.gt(1).any().item())) {
      throw new RuntimeError('all elements of input should be between 0 and 1');
    }
    // log(max(x, tiny)) clamped at -100 as PyTorch: the inner clamp keeps the gradient finite at 0.
    const tiny = 1e-44;
    const logX = input.clampMin(tiny).log().clampMin(-100);
    const log1mX = input.neg().add(1).clampMin(tiny).log().clampMin(-100);
    let loss = target.mul(logX).add(target.neg().add(1).mul(log1mX)).neg();
    if (opts.weight) loss = loss.mul(opts.weight);
    return applyReduction(loss, reduction);
  });
}

/** softplus(x) = log(1 + e^x) without overflow; the threshold keeps full precision in float64. */
function softplus(x: Tensor): Tensor {
  return x.softplus({ beta: 1, threshold: x.dtype === 'float64' ? 40 : 20 });
}

export function binaryCrossEntropyWithLogits(
  input: Tensor, target: Tensor, opts: WeightOpts & { posWeight?: Tensor | null } = {},
): Tensor {
  const reduction = opts.reduction ?? 'mean';
  checkReduction(reduction);
  if (input.ndim !== target.ndim || input.shape.some((s, i) => s !== target.shape[i])) {
    throw new ValueError(`Target size (${pySize(target)}) must be the same as input size (${pySize(input)})`);
  }
  return tidy(() => {
    // (1 - t) x + (1 + (pw - 1) t) softplus(-x): stable for large |x|.
    const sp = softplus(input.neg());
    const coef = opts.posWeight ? opts.posWeight.sub(1).mul(target).add(1) : null;
    let loss = target.neg().add(1).mul(input).add(coef ? coef.mul(sp) : sp);
    if (opts.weight) loss = loss.mul(opts.weight);
    return applyReduction(loss, reduction);
  });
}

export function klDiv(
  input: Tensor, target: Tensor, opts: { reduction?: Reduction | 'batchmean'; logTarget?: boolean } = {},
): Tensor {
  const reduction = opts.reduction ?? 'mean';
  checkReduction(reduction, ['none', 'mean', 'sum', 'batchmean']);
  return tidy(() => {
    const loss = opts.logTarget ? target.exp().mul(target.sub(input)) : xlogy(target, target).sub(target.mul(input));
    if (reduction === 'batchmean') return input.ndim === 0 ? loss.sum() : loss.sum().div(input.shape[0]!);
    return applyReduction(loss, reduction);
  });
}

export function poissonNllLoss(
  input: Tensor, target: Tensor, opts: ReductionOpts & { logInput?: boolean; full?: boolean; eps?: number } = {},
): Tensor {
  const reduction = opts.reduction ?? 'mean';
  checkReduction(reduction);
  const eps = opts.eps ?? 1e-8;
  return tidy(() => {
    let loss = (opts.logInput ?? true) ? input.exp().sub(target.mul(input)) : input.sub(target.mul(input.add(eps).log()));
    if (opts.full) {
      // Stirling's approximation of log(target!), applied where target > 1.
      const t = target.detach();
      const stirling = t.mul(t.log()).sub(t).add(t.mul(2 * Math.PI).log().mul(0.5));
      loss = loss.add(where(t.gt(1), stirling, 0));
    }
    return applyReduction(loss, reduction);
  });
}

export function gaussianNllLoss(
  input: Tensor, target: Tensor, variance: Tensor, opts: ReductionOpts & { full?: boolean; eps?: number } = {},
): Tensor {
  const reduction = opts.reduction ?? 'mean';
  const eps = opts.eps ?? 1e-6;
  const same = (a: readonly number[], b: readonly number[]): boolean => a.length === b.length && a.every((s, i) => s === b[i]);
  let unsqueeze = false;
  if (!same(variance.shape, input.shape)) {
    if (same(input.shape.slice(0, -1), variance.shape)) unsqueeze = true;
    else if (!(same(input.shape.slice(0, -1), variance.shape.slice(0, -1)) && variance.shape[variance.ndim - 1] === 1)) {
      throw new ValueError('var is of incorrect size');
    }
  }
  if (!['none', 'mean', 'sum'].includes(reduction)) throw new ValueError(`${reduction} is not valid`);
  return tidy(() => {
    const v = unsqueeze ? variance.unsqueeze(-1) : variance;
    if (v.detach().lt(0).any().item()) throw new ValueError('var has negative entry/entries');
    // PyTorch clamps a copy of var under no_grad: the gradient passes as if unclamped.
    const clamped = v.add(v.detach().clampMin(eps).sub(v.detach()));
    let loss = clamped.log().add(input.sub(target).square().div(clamped)).mul(0.5);
    if (opts.full) loss = loss.add(0.5 * Math.log(2 * Math.PI));
    return applyReduction(loss, reduction);
  });
}

// ---------------------------------------------------------------- embeddings and margins

export function cosineEmbeddingLoss(
  input1: Tensor, input2: Tensor, target: Tensor, opts: ReductionOpts & { margin?: number } = {},
): Tensor {
  const reduction = opts.reduction ?? 'mean';
  checkReduction(reduction);
  const targDim = target.ndim;
  if (targDim !== 0 && targDim !== 1) throw new RuntimeError('0D or 1D target tensor expected, multi-target not supported');
  if (targDim === 1 && (input1.ndim !== 2 || input2.ndim !== 2)) {
    throw new RuntimeError(`1D target tensor expects 2D input tensors, but found inputs with sizes ${sizes(input1)} and ${sizes(input2)}.`);
  }
  if (targDim === 0 && (input1.ndim !== 1 || input2.ndim !== 1)) {
    throw new RuntimeError(`0D target tensor expects 1D input tensors, but found inputs with sizes ${sizes(input1)} and ${sizes(input2)}.`);
  }
  return tidy(() => {
    const EPSILON = 1e-12;
    const prod = input1.mul(input2).sum(targDim);
    const mag1 = input1.mul(input1).sum(targDim).add(EPSILON);
    const mag2 = input2.mul(input2).sum(targDim).add(EPSILON);
    const cos = prod.div(mag1.mul(mag2).sqrt());
    const pos = cos.neg().add(1);
    const neg = cos.sub(opts.margin ?? 0).clampMin(0);
    const loss = where(target.eq(1), pos, 0).add(where(target.eq(-1), neg, 0));
    return applyReduction(loss, reduction);
  });
}

export function marginRankingLoss(
  input1: Tensor, input2: Tensor, target: Tensor, opts: ReductionOpts & { margin?: number } = {},
): Tensor {
  const reduction = opts.reduction ?? 'mean';
  checkReduction(reduction);
  if (input1.ndim !== input2.ndim || input1.ndim !== target.ndim) {
    throw new RuntimeError(`margin_ranking_loss : All input tensors should have same dimension but got sizes: input1: ${pySize(input1)}, input2: ${pySize(input2)}, target: ${pySize(target)} `);
  }
  return tidy(() => applyReduction(target.neg().mul(input1.sub(input2)).add(opts.margin ?? 0).clampMin(0), reduction));
}

export function hingeEmbeddingLoss(input: Tensor, target: Tensor, opts: ReductionOpts & { margin?: number } = {}): Tensor {
  const reduction = opts.reduction ?? 'mean';
  checkReduction(reduction);
  return tidy(() => {
    const marginClamp = input.neg().add(opts.margin ?? 1.0).clampMin(0);
    const loss = where(target.ne(1), marginClamp, 0).add(where(target.ne(-1), input, 0));
    return applyReduction(loss, reduction);
  });
}

export function softMarginLoss(input: Tensor, target: Tensor, opts: ReductionOpts = {}): Tensor {
  return tidy(() => applyReduction(softplus(target.neg().mul(input)), opts.reduction ?? 'mean'));
}

export function multilabelSoftMarginLoss(input: Tensor, target: Tensor, opts: WeightOpts = {}): Tensor {
  const reduction = opts.reduction ?? 'mean';
  checkReduction(reduction);
  return tidy(() => {
    // -(t log σ(x) + (1 - t) log σ(-x)) = t softplus(-x) + (1 - t) softplus(x)
    let loss = target.mul(softplus(input.neg())).add(target.neg().add(1).mul(softplus(input)));
    if (opts.weight) loss = loss.mul(opts.weight);
    const classDim = input.ndim - 1;
    return applyReduction(loss.sum(classDim).div(input.shape[classDim]!), reduction);
  });
}

function checkMarginInputs(op: string, input: Tensor, target: Tensor): [number, number] {
  const nframe = input.ndim <= 1 ? 1 : input.shape[0]!;
  const dim = input.ndim <= 1 ? input.numel() : input.shape[1]!;
  if (!(input.ndim <= 2 && input.numel() > 0)) {
    throw new RuntimeError(`Expected non-empty vector or matrix with optional 0-dim batch size, but got: ${sizes(input)}`);
  }
  void op;
  return [nframe, dim];
}

export function multiMarginLoss(
  input: Tensor, target: Tensor, opts: WeightOpts & { p?: number; margin?: number } = {},
): Tensor {
  const reduction = opts.reduction ?? 'mean';
  checkReduction(reduction);
  const p = opts.p ?? 1;
  if (p !== 1 && p !== 2) throw new ValueError('only p == 1 and p == 2 supported');
  const [nframe, dim] = checkMarginInputs('multi_margin_loss', input, target);
  const ok = input.ndim <= 1 ? target.ndim <= 1 && target.numel() === nframe : target.ndim === 1 && target.shape[0] === nframe;
  if (!ok) throw new RuntimeError(`inconsistent target size, got: ${sizes(target)}`);
  requireIndexTarget(target);
  if (opts.weight && (opts.weight.ndim !== 1 || opts.weight.numel() !== dim)) {
    throw new RuntimeError(`inconsistent weight size, expected ${dim} but got ${sizes(opts.weight)}`);
  }
  checkTargetBounds(target, dim, null);
  return tidy(() => {
    const x = input.reshape([nframe, dim]);
    const y = target.reshape([nframe, 1]);
    const xy = x.gather(1, y);
    let z = x.sub(xy).add(opts.margin ?? 1).clampMin(0);
    if (p === 2) z = z.square();
    if (opts.weight) z = z.mul(opts.weight.to(input.dtype).gather(0, y.reshape(-1)).unsqueeze(1));
    const isTarget = zerosLike(x, { dtype: 'bool' }).scatter(1, y, true);
    let loss = where(isTarget, 0, z).sum(1).div(dim);
    // PyTorch: 'none' on a single sample is 0-d only when the target is 0-d.
    if (input.ndim <= 1 && target.ndim === 0) loss = loss.reshape([]);
    return applyReduction(loss, reduction);
  });
}

export function multilabelMarginLoss(input: Tensor, target: Tensor, opts: ReductionOpts = {}): Tensor {
  const reduction = opts.reduction ?? 'mean';
  checkReduction(reduction);
  const [nframe, dim] = checkMarginInputs('multilabel_margin_loss', input, target);
  const ok = input.ndim <= 1 ? target.ndim <= 1 && target.numel() === dim : target.ndim === 2 && target.shape[0] === nframe && target.shape[1] === dim;
  if (!ok) throw new RuntimeError(`inconsistent target size: ${sizes(target)} for input of size: ${sizes(input)}`);
  requireIndexTarget(target);
  return tidy(() => {
    const x = input.reshape([nframe, dim]);
    const t = target.reshape([nframe, dim]);
    // Targets are the prefix of each row before the first -1.
    const valid = t.ge(0).to('int64').cumprod(1).to('bool');
    checkTargetBounds(t, dim, valid);
    const safe = where(valid, t, 0);
    const isTarget = zerosLike(x).scatterAdd(1, safe, valid.to(x.dtype)).gt(0);
    const xy = x.gather(1, safe);
    const z = xy.unsqueeze(2).neg().add(x.unsqueeze(1)).add(1).clampMin(0); // [n, target j, class k]
    const mask = valid.unsqueeze(2).logicalAnd(isTarget.logicalNot().unsqueeze(1));
    let loss = where(mask, z, 0).sum([1, 2]).div(dim);
    if (input.ndim <= 1) loss = loss.reshape([]);
    return applyReduction(loss, reduction);
  });
}

export function tripletMarginLoss(
  anchor: Tensor, positive: Tensor, negative: Tensor,
  opts: ReductionOpts & { margin?: number; p?: number; eps?: number; swap?: boolean } = {},
): Tensor {
  const reduction = opts.reduction ?? 'mean';
  checkReduction(reduction);
  const [a, pd, nd] = [anchor.ndim, positive.ndim, negative.ndim];
  if (a !== pd || a !== nd) {
    throw new RuntimeError(`All inputs should have same dimension but got ${a}D, ${pd}D and ${nd}D inputs.`);
  }
  const p = opts.p ?? 2;
  const eps = opts.eps ?? 1e-6;
  return tidy(() => {
    const dPos = pairwiseDistance(anchor, positive, { p, eps });
    let dNeg = pairwiseDistance(anchor, negative, { p, eps });
    if (opts.swap) dNeg = dNeg.minimum(pairwiseDistance(positive, negative, { p, eps }));
    return applyReduction(dPos.sub(dNeg).add(opts.margin ?? 1.0).clampMin(0), reduction);
  });
}
