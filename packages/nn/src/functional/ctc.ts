/**
 * Connectionist Temporal Classification loss: the forward (alpha) recursion in log space over the
 * blank-extended label sequence, as a composite of core ops so autograd differentiates it.
 * Impossible paths carry a large negative sentinel instead of -inf: log-sum-exp of sentinels stays
 * finite, so their gradient is an exact 0 rather than NaN (exp(-inf - -inf)).
 */
import { RuntimeError, Tensor, cat, maximum, tensor, tidy, where } from '@torchts/core';
import { checkReduction, sizes } from './loss-util.js';
import type { Reduction } from './loss-util.js';

const NEG = -1e30;

export interface CtcOptions {
  blank?: number;
  reduction?: Reduction;
  zeroInfinity?: boolean;
}

function lengths(name: string, v: Tensor | number | number[], batch: number): number[] {
  const list = typeof v === 'number' ? [v] : Array.isArray(v) ? v : tidy(() => v.reshape(-1).tolist() as number[]);
  if (list.length !== batch) throw new RuntimeError(`${name} must be of size batch_size`);
  return list;
}

/** Padded per-sample targets from (N, S) or concatenated 1-d targets. */
function targetRows(targets: Tensor, targetLengths: number[], batched: boolean): number[][] {
  const flat = tidy(() => targets.reshape(-1).tolist() as number[]);
  const rows: number[][] = [];
  if (batched && targets.ndim === 2) {
    const s = targets.shape[1]!;
    targetLengths.forEach((len, n) => {
      if (len > s) throw new RuntimeError(`Expected tensor to have size at least ${len} at dimension 1, but got size ${s} for argument #2 'targets' (while checking arguments for ctc_loss_cpu)`);
      rows.push(flat.slice(n * s, n * s + len));
    });
  } else {
    let at = 0;
    for (const len of targetLengths) {
      rows.push(flat.slice(at, at + len));
      at += len;
    }
  }
  return rows;
}

/** log(e^a + e^b + e^c) with a detached max shift: finite values in, finite gradient out. */
function logSumExp3(a: Tensor, b: Tensor, c: Tensor): Tensor {
  const m = maximum(maximum(a, b), c).detach();
  return a.sub(m).exp().add(b.sub(m).exp()).add(c.sub(m).exp()).log().add(m);
}

/** Shifts each row right by k along dim 1, filling with the sentinel. */
function shiftRight(x: Tensor, k: number): Tensor {
  const fill = x.narrow(1, 0, k).mul(0).add(NEG);
  return cat([fill, x.narrow(1, 0, x.shape[1]! - k)], 1);
}

export function ctcLoss(
  logProbs: Tensor, targets: Tensor, inputLengths: Tensor | number | number[], targetLengths: Tensor | number | number[],
  opts: CtcOptions = {},
): Tensor {
  const blank = opts.blank ?? 0;
  const reduction = opts.reduction ?? 'mean';
  checkReduction(reduction);
  if (logProbs.ndim !== 2 && logProbs.ndim !== 3) {
    throw new RuntimeError(`ctc_loss: expected log_probs of shape (T, N, C) or (T, C), got ${sizes(logProbs)}`);
  }
  if (!logProbs.isFloatingPoint()) throw new RuntimeError(`ctc_loss: expected floating point log_probs, got ${logProbs.dtype}`);
  const batched = logProbs.ndim === 3;
  const [T, N, C] = batched ? (logProbs.shape as [number, number, number]) : [logProbs.shape[0]!, 1, logProbs.shape[1]!];
  if (blank < 0 || blank >= C) throw new RuntimeError('blank must be in label range');
  const inLens = lengths('input_lengths', inputLengths, N);
  const tgLens = lengths('target_lengths', targetLengths, N);
  for (const len of inLens) {
    if (len > T) throw new RuntimeError(`Expected input_lengths to have value at most ${T}, but got value ${len} (while checking arguments for ctc_loss_cpu)`);
  }
  const rows = targetRows(targets, tgLens, batched);
  const L = 2 * Math.max(0, ...tgLens) + 1;
  // Extended labels (blank, l1, blank, l2, ..., blank), padded with blank; skip transitions s-2 -> s.
  const ext: number[] = [];
  const skip: boolean[] = [];
  for (const row of rows) {
    for (let s = 0; s < L; s++) {
      const label = s % 2 === 1 && (s - 1) / 2 < row.length ? row[(s - 1) / 2]! : blank;
      ext.push(label);
      skip.push(s % 2 === 1 && s >= 2 && (s - 1) / 2 < row.length && label !== row[(s - 3) / 2]);
    }
  }
  return tidy(() => {
    const lp = batched ? logProbs : logProbs.unsqueeze(1);
    const extT = tensor(ext, { dtype: 'int64' }).reshape([N, L]);
    const skipT = tensor(skip, { dtype: 'bool' }).reshape([N, L]);
    const position = tensor(Array.from({ length: L }, (_, s) => s), { dtype: 'int64' }).reshape([1, L]);
    const emission = (t: number): Tensor => lp.select(0, t).gather(1, extT);
    // alpha_0: only the first blank and the first label are reachable.
    let alpha = where(position.lt(2), emission(0), NEG);
    for (let t = 1; t < T; t++) {
      const active = tensor(inLens.map((len) => t < len), { dtype: 'bool' }).reshape([N, 1]);
      const step = logSumExp3(alpha, shiftRight(alpha, 1), where(skipT, L > 2 ? shiftRight(alpha, 2) : NEG, NEG)).add(emission(t));
      alpha = where(active, step, alpha);
    }
    // log p(target) = logaddexp(alpha[L_n - 1], alpha[L_n - 2]).
    const last = tensor(tgLens.map((s) => 2 * s), { dtype: 'int64' }).reshape([N, 1]);
    const prev = tensor(tgLens.map((s) => Math.max(2 * s - 1, 0)), { dtype: 'int64' }).reshape([N, 1]);
    const hasPrev = tensor(tgLens.map((s) => s > 0), { dtype: 'bool' }).reshape([N, 1]);
    const a = alpha.gather(1, last);
    const b = where(hasPrev, alpha.gather(1, prev), NEG);
    const m = maximum(a, b).detach();
    const logLikelihood = a.sub(m).exp().add(b.sub(m).exp()).log().add(m).squeeze(1);
    const nll = logLikelihood.neg();
    // Sentinel-level likelihoods are impossible alignments: +inf, or 0 with zeroInfinity.
    const impossible = nll.gt(-NEG / 2);
    let loss = where(impossible, opts.zeroInfinity ? 0 : Infinity, nll);
    if (reduction === 'mean') {
      const denom = tensor(tgLens.map((s) => Math.max(s, 1)), { dtype: loss.dtype });
      return loss.div(denom).mean();
    }
    if (reduction === 'sum') return loss.sum();
    if (!batched) loss = loss.squeeze(0);
    return loss;
  });
}
