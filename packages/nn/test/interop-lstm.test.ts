/**
 * Checkpoint interop with PyTorch (LSTM): an Embedding + 2-layer bidirectional LSTM + Linear model trained in
 * PyTorch 1.13 (tooling/fixtures/cases/nn_interop_lstm.py) loads from .pt and .safetensors into the same
 * torchts architecture and reproduces PyTorch's eval output; a torchts-written .pt loads back into PyTorch
 * (checked when /usr/bin/python3 has torch).
 */
import { expect, it } from 'vitest';
import '@torchts/backend-cpu';
import '@torchts/autograd';
import { Tensor, readNumbers, tidy } from '@torchts/core';
import * as nn from '../src/index.js';
import { describeInterop, interopFixture } from './interop-helpers.js';

/** The fixture's architecture: fields emb, lstm, fc give keys "emb.weight", "lstm.weight_ih_l0", ..., "fc.bias". */
class LstmNet extends nn.Module {
  declare emb: nn.Embedding;
  declare lstm: nn.LSTM;
  declare fc: nn.Linear;
  constructor() {
    super();
    this.emb = new nn.Embedding(20, 6);
    this.lstm = new nn.LSTM(6, 8, { numLayers: 2, batchFirst: true, bidirectional: true });
    this.fc = new nn.Linear(16, 3);
  }
  forward(x: Tensor): Tensor {
    const [out] = this.lstm.call(this.emb.call(x) as Tensor) as [Tensor, [Tensor, Tensor]];
    return this.fc.call(out.select(1, -1)) as Tensor;
  }
}

const fx = interopFixture('lstm', () => new LstmNet(), 'int64');

describeInterop('LSTM', 'lstm', 'nn_interop_lstm.py', () => new LstmNet(), fx, {
  more: () => {
    it('a freshly initialised model differs from the trained one (the load is what gives the match)', () => {
      const model = new LstmNet();
      model.eval();
      tidy(() => {
        const got = Array.from(readNumbers(model.call(fx.input()) as Tensor));
        expect(got.some((v, i) => Math.abs(v - fx.spec.output.data[i]!) > 1e-3)).toBe(true);
      });
      model.dispose();
    });
  },
});
