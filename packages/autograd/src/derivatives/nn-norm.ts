/**
 * Derivatives of native_layer_norm / native_batch_norm / native_group_norm (their statistics
 * outputs carry no gradient). Plain backward (grad mode off: the normal case) is one call of the
 * op's backward op. With createGraph the gradient is written with differentiable ops instead,
 * recomputing the statistics from the input, so double backward differentiates through them:
 *   xhat = (x - mean) rstd, gh = dy w,  dx = rstd (gh - E[gh] - xhat E[gh xhat]),
 *   dw = sum(dy xhat), db = sum(dy), E and sums over the normalised set / the other dims.
 */
import {
  nativeBatchNormBackward, nativeGroupNormBackward, nativeLayerNormBackward, tidy,
} from '@torchts/core';
import type { Tensor } from '@torchts/core';
import { isGradEnabled } from '../grad-mode.js';
import { defineDerivative } from '../registry.js';
import { forTensors } from './util.js';

type Opt = Tensor | null;

/** needsInputGrad of [input, weight, bias] (null operands take no slot). */
function mask(needs: boolean[], w: Opt, b: Opt): boolean[] {
  let i = 1;
  const nw = w ? needs[i++]! : false;
  const nb = b ? needs[i]! : false;
  return [needs[0]!, nw, nb];
}

/** The composite gradient of normalising x over `dims` (xhat given), for an incoming gh = dy w. */
function normInputGrad(gh: Tensor, xhat: Tensor, rstd: Tensor, dims: number[]): Tensor {
  const m1 = gh.mean(dims, { keepdim: true });
  const m2 = gh.mul(xhat).mean(dims, { keepdim: true });
  return gh.sub(m1).sub(xhat.mul(m2)).mul(rstd);
}

function statistics(x: Tensor, dims: number[], eps: number): { xhat: Tensor; rstd: Tensor } {
  const mean = x.mean(dims, { keepdim: true });
  const rstd = x.var(dims, { correction: 0, keepdim: true }).add(eps).rsqrt();
  return { xhat: x.sub(mean).mul(rstd), rstd };
}

const range = (a: number, b: number): number[] => Array.from({ length: b - a }, (_, i) => a + i);

// native_layer_norm(input, normalizedShape, weight, bias, eps) -> [out, mean, rstd]
defineDerivative('native_layer_norm', {
  differentiableOutputs: [0],
  save: (args, result) => ({ x: args[0], ns: args[1], w: args[2], b: args[3], eps: args[4], mean: (result as Tensor[])[1], rstd: (result as Tensor[])[2] }),
  backward: ([g], { saved, needsInputGrad }) => {
    const x = saved.x as Tensor, w = saved.w as Opt, b = saved.b as Opt, ns = saved.ns as number[];
    const want = mask(needsInputGrad, w, b);
    if (!isGradEnabled()) {
      const [dx, dw, db] = nativeLayerNormBackward(g!, x, ns, saved.mean as Tensor, saved.rstd as Tensor, w, b, want);
      return forTensors([x, () => dx], [w, () => dw], [b, () => db]);
    }
    return tidy(() => {
      const dims = range(x.ndim - ns.length, x.ndim), lead = range(0, x.ndim - ns.length);
      const { xhat, rstd } = statistics(x, dims, saved.eps as number);
      const sumLead = (t: Tensor): Tensor => (lead.length ? t.sum(lead) : t);
      return forTensors(
        [x, () => (want[0] ? normInputGrad(w ? g!.mul(w) : g!, xhat, rstd, dims) : null)],
        [w, () => (want[1] ? sumLead(g!.mul(xhat)) : null)],
        [b, () => (want[2] ? sumLead(g!) : null)],
      );
    });
  },
});

// native_batch_norm(input, weight, bias, runningMean, runningVar, training, momentum, eps) -> [out, saveMean, saveInvstd]
defineDerivative('native_batch_norm', {
  differentiableOutputs: [0],
  save: (args, result) => {
    const training = args[5] as boolean;
    const r = result as Tensor[];
    return {
      x: args[0], w: args[1], b: args[2], training, eps: args[7], buffers: [args[3], args[4]].filter((t) => t).length,
      rm: training ? null : args[3], rv: training ? null : args[4], sm: training ? r[1] : null, si: training ? r[2] : null,
    };
  },
  backward: ([g], { saved, needsInputGrad }) => {
    const x = saved.x as Tensor, w = saved.w as Opt, b = saved.b as Opt, training = saved.training as boolean, eps = saved.eps as number;
    const rm = saved.rm as Opt, rv = saved.rv as Opt;
    // Running buffers are tensor operands too (after weight and bias), never differentiated.
    const want = mask(needsInputGrad, w, b);
    const extra = Array.from({ length: saved.buffers as number }, (): [object, () => null] => [{}, () => null]);
    if (!isGradEnabled()) {
      const [dx, dw, db] = nativeBatchNormBackward(g!, x, w, rm, rv, saved.sm as Opt, saved.si as Opt, training, eps, want);
      return forTensors([x, () => dx], [w, () => dw], [b, () => db], ...extra);
    }
    return tidy(() => {
      const dims = [0, ...range(2, x.ndim)];
      const shape = x.shape.map((s, i) => (i === 1 ? s : 1));
      let xhat: Tensor, rstd: Tensor;
      if (training) ({ xhat, rstd } = statistics(x, dims, eps));
      else {
        rstd = rv!.reshape(shape).add(eps).rsqrt();
        xhat = x.sub(rm!.reshape(shape)).mul(rstd);
      }
      const gh = w ? g!.mul(w.reshape(shape)) : g!;
      return forTensors(
        [x, () => (want[0] ? (training ? normInputGrad(gh, xhat, rstd, dims) : gh.mul(rstd)) : null)],
        [w, () => (want[1] ? g!.mul(xhat).sum(dims) : null)],
        [b, () => (want[2] ? g!.sum(dims) : null)],
        ...extra,
      );
    });
  },
});

// native_group_norm(input, weight, bias, N, C, HxW, group, eps) -> [out, mean, rstd]
defineDerivative('native_group_norm', {
  differentiableOutputs: [0],
  save: (args, result) => ({
    x: args[0], w: args[1], b: args[2], sizes: args.slice(3, 7), eps: args[7], mean: (result as Tensor[])[1], rstd: (result as Tensor[])[2],
  }),
  backward: ([g], { saved, needsInputGrad }) => {
    const x = saved.x as Tensor, w = saved.w as Opt, b = saved.b as Opt;
    const [N, C, HW, G] = saved.sizes as number[] as [number, number, number, number];
    const want = mask(needsInputGrad, w, b);
    if (!isGradEnabled()) {
      const [dx, dw, db] = nativeGroupNormBackward(g!, x, saved.mean as Tensor, saved.rstd as Tensor, w, N, C, HW, G, want);
      return forTensors([x, () => dx], [w, () => dw], [b, () => db]);
    }
    return tidy(() => {
      const grouped = x.reshape([N, G, -1]);
      const { xhat, rstd } = statistics(grouped, [2], saved.eps as number);
      const dims = [0, ...range(2, x.ndim)];
      const shape = x.shape.map((s, i) => (i === 1 ? s : 1));
      const xhatFull = (): Tensor => xhat.reshape([...x.shape]);
      return forTensors(
        [x, () => {
          if (!want[0]) return null;
          const gh = (w ? g!.mul(w.reshape(shape)) : g!).reshape([N, G, -1]);
          return normInputGrad(gh, xhat, rstd, [2]).reshape([...x.shape]);
        }],
        [w, () => (want[1] ? g!.mul(xhatFull()).sum(dims) : null)],
        [b, () => (want[2] ? g!.sum(dims) : null)],
      );
    });
  },
});
