/** multinomial and randperm on the CPU, drawing as PyTorch's CPU kernels do. */
import { RuntimeError, samplers } from '@torchts/core';
import type { Generator, Tensor } from '@torchts/core';
import { isDense, readSequence, rowMajorIndicesInMemoryOrder, sampleInto, writeSequence } from './order.js';

const { exponentialDouble, roundTo, uniformDouble } = samplers;

/**
 * Without replacement (or one sample): the exponential-race trick PyTorch uses, q = p / Exp(1) and
 * the top `numSamples` of q per row. With replacement: inverse-CDF draws on the normalised
 * cumulative sums (computed in the input dtype), one double uniform per sample.
 */
export function multinomialKernel(out: Tensor, probs: Tensor, numSamples: number, replacement: boolean, g: Generator): void {
  const nd = probs._shape.length;
  const cats = probs._shape[nd - 1]!;
  const rows = nd === 1 ? 1 : probs._shape[0]!;
  const p = readSequence(probs, [...Array(nd).keys()]);
  const round = roundTo(probs._dtype);
  const result = new Float64Array(rows * numSamples);
  if (!replacement || numSamples === 1) {
    for (let i = 0; i < p.length; i++) {
      if (!(p[i]! >= 0 && p[i]! < Infinity)) throw new RuntimeError('probability tensor contains either `inf`, `nan` or element < 0');
    }
    for (let r = 0; r < rows; r++) {
      let sum = 0;
      for (let j = 0; j < cats; j++) sum += p[r * cats + j]!;
      if (sum === 0) throw new RuntimeError('invalid multinomial distribution (sum of probabilities <= 0)');
    }
    // q = empty_like(probs).exponential_(): the draws follow probs' memory order when it is dense.
    const q = new Float64Array(p.length);
    const order = isDense(probs) ? rowMajorIndicesInMemoryOrder(probs) : null;
    for (let k = 0; k < p.length; k++) q[order ? order[k]! : k] = round(exponentialDouble(g, 1));
    for (let i = 0; i < p.length; i++) q[i] = round(p[i]! / q[i]!);
    for (let r = 0; r < rows; r++) {
      const base = r * cats;
      if (numSamples === 1) {
        let best = 0;
        for (let j = 1; j < cats; j++) if (q[base + j]! > q[base + best]!) best = j;
        result[r] = best;
      } else {
        const idx = Array.from({ length: cats }, (_, j) => j);
        idx.sort((a, b) => q[base + b]! - q[base + a]! || a - b);
        for (let s = 0; s < numSamples; s++) result[r * numSamples + s] = idx[s]!;
      }
    }
  } else {
    const cum = new Float64Array(cats);
    for (let r = 0; r < rows; r++) {
      let sum = 0;
      for (let j = 0; j < cats; j++) {
        const v = p[r * cats + j]!;
        if (!(v >= 0)) throw new RuntimeError('invalid multinomial distribution (encountering probability entry < 0)');
        if (!Number.isFinite(v)) throw new RuntimeError('invalid multinomial distribution (encountering probability entry = infinity or NaN)');
        sum = round(sum + v);
        cum[j] = sum;
      }
      if (!(sum > 0)) throw new RuntimeError('invalid multinomial distribution (sum of probabilities <= 0)');
      for (let j = 0; j < cats; j++) cum[j] = round(cum[j]! / sum);
      cum[cats - 1] = 1;
      for (let s = 0; s < numSamples; s++) {
        const u = uniformDouble(g);
        let left = 0;
        let right = cats;
        while (right - left > 0) {
          const mid = left + ((right - left) >> 1);
          if (cum[mid]! < u) left = mid + 1;
          else right = mid;
        }
        result[r * numSamples + s] = left;
      }
    }
  }
  writeSequence(out, result);
}

/** PyTorch's CPU randperm: identity, then a forward Fisher-Yates with `word % (n - i)`. */
export function randpermKernel(out: Tensor, n: number, g: Generator): void {
  sampleInto(out, (r, off) => {
    for (let i = 0; i < n; i++) r[off + i] = i;
    for (let i = 0; i < n - 1; i++) {
      const z = g.engine.nextU32() % (n - i);
      const t = r[off + i]!;
      r[off + i] = r[off + z + i]!;
      r[off + z + i] = t;
    }
  });
}
