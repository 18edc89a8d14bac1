/**
 * Fused SGD and Adam/AdamW steps (core's sgd_step_ / adam_step_): the wasm kernel where it applies
 * (src/wasm/optim.ts), else one strided pass here. Each value is rounded to the dtype (Math.fround
 * for float32) exactly where the composite update's elementwise ops round it, with the scalars
 * core rounded the same way, so the results are the composite's to the bit.
 */
import type { AdamStepScalars, SgdStepScalars, Tensor } from '@torchts/core';
import { forEachRow } from '../iterate.js';
import { simdAdamStep, simdSgdStep } from '../../wasm/optim.js';

type Arr = Float32Array | Float64Array;
const same = (x: number): number => x;

function host(t: Tensor): Arr {
  return t._storage.host(t._dtype) as Arr;
}

export function sgdStepKernel(param: Tensor, grad: Tensor, buf: Tensor | null, s: SgdStepScalars): void {
  if (simdSgdStep(param, grad, buf, s)) return;
  const r = param._dtype === 'float32' ? Math.fround : same;
  const P = host(param), G = host(grad), B = buf ? host(buf) : P;
  const { negLr, weightDecay, momentum, momentumAlpha, keep, maximize, nesterov, firstStep } = s;
  const hasMomentum = buf !== null;
  const strides = [param._strides, grad._strides, (buf ?? param)._strides];
  const starts = [param._offset, grad._offset, (buf ?? param)._offset];
  forEachRow(param._shape, strides, starts, (off, n, st) => {
    for (let i = 0; i < n; i++) {
      const ip = off[0]! + i * st[0]!, ig = off[1]! + i * st[1]!, ib = off[2]! + i * st[2]!;
      const p = P[ip]!;
      let d = maximize ? -G[ig]! : G[ig]!;
      if (weightDecay !== 0) d = r(d + weightDecay * p);
      if (hasMomentum) {
        const b = firstStep ? d : r(r(B[ib]! * momentum) + keep * d);
        B[ib] = b;
        d = nesterov ? r(d + momentumAlpha * b) : b;
      }
      P[ip] = p + negLr * d;
    }
  });
}

export function adamStepKernel(param: Tensor, grad: Tensor, expAvg: Tensor, expAvgSq: Tensor, maxSq: Tensor | null, s: AdamStepScalars): void {
  if (simdAdamStep(param, grad, expAvg, expAvgSq, maxSq, s)) return;
  const r = param._dtype === 'float32' ? Math.fround : same;
  const P = host(param), G = host(grad), M = host(expAvg), V = host(expAvgSq), X = maxSq ? host(maxSq) : V;
  const { decay, weightDecay, beta1, oneMinusBeta1, beta2, oneMinusBeta2, bc2Sqrt, eps, negStepSize, maximize, decoupled } = s;
  const amsgrad = maxSq !== null;
  const strides = [param._strides, grad._strides, expAvg._strides, expAvgSq._strides, (maxSq ?? expAvgSq)._strides];
  const starts = [param._offset, grad._offset, expAvg._offset, expAvgSq._offset, (maxSq ?? expAvgSq)._offset];
  forEachRow(param._shape, strides, starts, (off, n, st) => {
    for (let i = 0; i < n; i++) {
      const ip = off[0]! + i * st[0]!, ig = off[1]! + i * st[1]!, im = off[2]! + i * st[2]!;
      const iv = off[3]! + i * st[3]!, ix = off[4]! + i * st[4]!;
      let p = P[ip]!;
      let g = maximize ? -G[ig]! : G[ig]!;
      if (decoupled) p = r(p * decay);
      else if (weightDecay !== 0) g = r(g + weightDecay * p);
      const m = r(r(M[im]! * beta1) + oneMinusBeta1 * g);
      const v = r(r(V[iv]! * beta2) + r(oneMinusBeta2 * g) * g);
      M[im] = m;
      V[iv] = v;
      let second = v;
      if (amsgrad) X[ix] = second = Math.max(X[ix]!, v);
      const denom = r(r(r(Math.sqrt(second)) / bc2Sqrt) + eps);
      P[ip] = p + r(r(negStepSize * m) / denom);
    }
  });
}
