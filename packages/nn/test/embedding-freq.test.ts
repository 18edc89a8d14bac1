import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import '@torchts/backend-cpu';
import { gradcheck } from '@torchts/autograd';
import * as torch from '@torchts/core';
import { NotImplementedError, Tensor, ValueError } from '@torchts/core';
import * as nn from '../src/index.js';
import { close, f64, i64, ramp } from './fixture-helpers.js';

const F = nn.functional;
const C = JSON.parse(readFileSync(new URL('./fixtures/nn_embedding_freq.json', import.meta.url), 'utf8'));


describe('scaleGradByFreq vs PyTorch 1.13', () => {
  for (const r of C.runs) {
    it(`${r.fn} mode=${r.mode ?? '-'} pad=${r.pad ?? null} psw=${r.psw != null}`, () =>
      torch.tidy(() => {
        const w = f64(C.weight).requiresGrad_();
        const psw = r.psw == null ? null : f64(r.psw).requiresGrad_();
        const out = r.fn === 'embedding'
          ? F.embedding(i64(r.input), w, { paddingIdx: r.pad, scaleGradByFreq: true })
          : r.fn === 'embeddingBag2d'
            ? F.embeddingBag(i64(C.input2), w, { mode: r.mode, scaleGradByFreq: true })
            : F.embeddingBag(i64(C.input), w, { offsets: i64(C.offsets), mode: r.mode, paddingIdx: r.pad, scaleGradByFreq: true, perSampleWeights: psw });
        close(out, r.out);
        out.backward(ramp(out));
        close(w.grad!, r.wgrad);
        if (psw) close(psw.grad!, r.pswgrad);
      }));
  }

  it('modules, errors, gradcheck', () =>
    torch.tidy(() => {
      const emb = nn.Embedding.fromPretrained(f64(C.weight), { freeze: false, scaleGradByFreq: true });
      const run = C.runs.find((r: { fn: string; pad: unknown }) => r.fn === 'embedding' && r.pad === null);
      const y = emb.call(i64(run.input));
      y.backward(ramp(y));
      close(emb.weight.grad!, run.wgrad);
      expect(() => F.embeddingBag(i64(C.input), f64(C.weight), { offsets: i64(C.offsets), mode: 'max', scaleGradByFreq: true })).toThrow(ValueError);
      expect(() => F.embeddingBag(i64(C.input), f64(C.weight), { offsets: i64(C.offsets), mode: 'max', scaleGradByFreq: true })).toThrow(C.maxError);
      expect(() => F.embedding(i64([1]), f64(C.weight), { sparse: true })).toThrow(NotImplementedError);
      expect(() => new nn.EmbeddingBag(4, 2, { sparse: true }).call(i64([[1, 2]]))).toThrow(/no sparse tensors/);
      // The weight's gradient is deliberately not the derivative (it is divided by the counts, checked
      // above against PyTorch); the per-sample weights' gradient is, and stays exact.
      const w = torch.randn([5, 2], { dtype: 'float64' }).requiresGrad_();
      const idx = i64([1, 3, 1, 1, 4, 3]);
      const p = torch.randn([6], { dtype: 'float64' }).requiresGrad_();
      expect(gradcheck((b: Tensor) => F.embeddingBag(idx, w, { offsets: i64([0, 2]), mode: 'sum', perSampleWeights: b, scaleGradByFreq: true }), [p])).toBe(true);
    }));
});
