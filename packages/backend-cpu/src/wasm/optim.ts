/**
 * Fused SGD and Adam/AdamW steps through the WebAssembly kernels (assembly/optim.ts): every tensor
 * float32 or float64 and contiguous (core checked dtype, shape and overlap). Large parameters are
 * split over the thread pool in element ranges; each element is computed by one thread, so the
 * results are the TS kernel's whatever the thread count. Anything else returns false (TS runs).
 */
import type { AdamStepScalars, SgdStepScalars, Tensor } from '@torchts/core';
import { runSplit } from './parallel.js';
import { simd } from './simd.js';

/**
 * Elements per thread below which a hand-off costs more than it saves (~2 ns per element, and a
 * hand-off of tens of microseconds when the other core is busy): LeNet's 48k-element weight, the
 * largest, stays on one thread.
 */
const MIN_PER_THREAD = 65536;

function applies(tensors: (Tensor | null)[]): boolean {
  return tensors.every((t) => t === null || t.isContiguous());
}

function address(t: Tensor | null, start: number): number {
  if (t === null) return 0;
  const size = t._dtype === 'float32' ? 4 : 8;
  return t._storage.ptr + (t._offset + start) * size;
}

export function simdSgdStep(param: Tensor, grad: Tensor, buf: Tensor | null, s: SgdStepScalars): boolean {
  if (!simd() || !applies([param, grad, buf])) return false;
  const flags = (s.maximize ? 1 : 0) | (buf ? 2 : 0) | (s.firstStep ? 4 : 0) | (s.nesterov ? 8 : 0);
  const fn = param._dtype === 'float32' ? 'sgdStepF32' : 'sgdStepF64';
  runSplit(fn, { items: param.numel(), minItems: MIN_PER_THREAD, align: 2 }, (start, end) => [
    end - start, address(param, start), address(grad, start), address(buf, start),
    s.negLr, s.weightDecay, s.momentum, s.momentumAlpha, s.keep, flags,
  ]);
  return true;
}

export function simdAdamStep(param: Tensor, grad: Tensor, expAvg: Tensor, expAvgSq: Tensor, maxSq: Tensor | null, s: AdamStepScalars): boolean {
  if (!simd() || !applies([param, grad, expAvg, expAvgSq, maxSq])) return false;
  const flags = (s.maximize ? 1 : 0) | (maxSq ? 2 : 0) | (s.decoupled ? 4 : 0);
  const fn = param._dtype === 'float32' ? 'adamStepF32' : 'adamStepF64';
  runSplit(fn, { items: param.numel(), minItems: MIN_PER_THREAD, align: 2 }, (start, end) => [
    end - start, address(param, start), address(grad, start), address(expAvg, start), address(expAvgSq, start), address(maxSq, start),
    s.decay, s.weightDecay, s.beta1, s.oneMinusBeta1, s.beta2, s.oneMinusBeta2, s.bc2Sqrt, s.eps, s.negStepSize, flags,
  ]);
  return true;
}
