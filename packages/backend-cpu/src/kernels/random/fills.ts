/** CPU kernels of the in-place random fills (validation happened in the op definitions). */
import { RuntimeError, samplers } from '@torchts/core';
import type { Generator, RandomSpec, Tensor } from '@torchts/core';
import { memoryOrder, readSequence, sampleInto, writeInt64Sequence, writeSequence } from './order.js';

// PyTorch's bernoulli_distribution check, word for word.
const BERNOULLI_P_MESSAGE =
  'Expected p_in >= 0 && p_in <= 1 to be true, but got false.  (Could this error message be improved?  If so, please report an enhancement request to PyTorch.)';

const {
  bernoulliDraw, cauchyDouble, exponentialDouble, fillNormalBlocks, fillRandomDefault, fillRandomFromTo,
  fillRandomInt64, fillUniform, geometricDouble, normalDouble, random64, roundTo,
} = samplers;

export function uniformKernel(self: Tensor, from: number, to: number, g: Generator): void {
  sampleInto(self, (out, off, n) => fillUniform(g, self._dtype, from, to, out, off, n));
}

/** Contiguous tensors of 16+ elements take PyTorch's blockwise Box-Muller; others one double sample each. */
export function normalKernel(self: Tensor, mean: number, std: number, g: Generator): void {
  const n = self.numel();
  if (n >= 16 && self.isContiguous()) {
    sampleInto(self, (out, off, count) => fillNormalBlocks(g, self._dtype, mean, std, out, off, count));
  } else {
    sampleInto(self, (out, off, count) => {
      for (let i = 0; i < count; i++) out[off + i] = normalDouble(g, mean, std);
    });
  }
}

const TWO32 = 2 ** 32;

export function randomKernel(self: Tensor, spec: RandomSpec, g: Generator): void {
  const dtype = self._dtype;
  const n = self.numel();
  if (dtype === 'int64') {
    // Numbers are exact below 2^53; larger draws go through bigints into the int64 words.
    const small = spec.mode === 'fromTo' && spec.range < BigInt(TWO32) && spec.base < 2n ** 52n && spec.base > -(2n ** 52n);
    if (!small) {
      const values = new BigInt64Array(n);
      if (spec.mode === 'fromTo') fillRandomInt64(g, 'fromTo', spec.range, spec.base, values, n);
      else fillRandomInt64(g, spec.mode, 0n, 0n, values, n);
      writeInt64Sequence(self, values);
      return;
    }
  }
  if (spec.mode === 'full') {
    const round = roundTo(dtype);
    sampleInto(self, (out, off, count) => {
      for (let i = 0; i < count; i++) out[off + i] = round(Number(BigInt.asIntN(64, random64(g))));
    });
    return;
  }
  if (spec.mode === 'default') {
    sampleInto(self, (out, off, count) => fillRandomDefault(g, dtype, out, off, count));
    return;
  }
  const range = Number(spec.range);
  const base = Number(spec.base);
  if (spec.range >= 2n ** 53n) {
    // Ranges past 2^53 only occur for float dtypes here; draw exactly, then round.
    sampleInto(self, (out, off, count) => {
      for (let i = 0; i < count; i++) out[off + i] = Number((random64(g) % spec.range) + spec.base);
    });
    return;
  }
  sampleInto(self, (out, off, count) => fillRandomFromTo(g, dtype, range, base, out, off, count));
}

/** Scalar p: one double uniform per element. Tensor p (expanded to self): double draws for float64 p, float draws otherwise. */
export function bernoulliKernel(self: Tensor, p: number | Tensor, g: Generator): void {
  if (typeof p === 'number') {
    sampleInto(self, (out, off, n) => {
      for (let i = 0; i < n; i++) out[off + i] = bernoulliDraw(g, p, true);
    });
    return;
  }
  const probs = readSequence(p, memoryOrder(self));
  const double = p._dtype === 'float64';
  const values = new Float64Array(probs.length);
  let failed = -1;
  for (let i = 0; i < probs.length; i++) {
    const pi = probs[i]!;
    if (!(pi >= 0 && pi <= 1)) {
      failed = i;
      break;
    }
    values[i] = bernoulliDraw(g, double ? pi : Math.fround(pi), double);
  }
  if (failed >= 0) throw new RuntimeError(BERNOULLI_P_MESSAGE);
  writeSequence(self, values);
}

function perElement(self: Tensor, draw: () => number): void {
  const round = roundTo(self._dtype);
  sampleInto(self, (out, off, n) => {
    for (let i = 0; i < n; i++) out[off + i] = round(draw());
  });
}

export function exponentialKernel(self: Tensor, lambd: number, g: Generator): void {
  perElement(self, () => exponentialDouble(g, lambd));
}

export function geometricKernel(self: Tensor, p: number, g: Generator): void {
  perElement(self, () => geometricDouble(g, p));
}

export function cauchyKernel(self: Tensor, median: number, sigma: number, g: Generator): void {
  perElement(self, () => cauchyDouble(g, median, sigma));
}

export function logNormalKernel(self: Tensor, mean: number, std: number, g: Generator): void {
  perElement(self, () => Math.exp(normalDouble(g, mean, std)));
}
