/**
 * float64 gradcheck of the recurrent layers and cells: gradients w.r.t. the input, the initial
 * states and every parameter, for multi-layer, bidirectional, projected (LSTM projSize) and packed
 * variants. Sizes stay tiny: each parameter element costs two forward passes.
 */
import { describe, expect, it } from 'vitest';
import '@torchts/backend-cpu';
import { grad, gradcheck } from '@torchts/autograd';
import * as torch from '@torchts/core';
import { Tensor } from '@torchts/core';
import * as nn from '../src/index.js';

const dtype = 'float64' as const;
const r = (...shape: number[]): Tensor => torch.randn(shape, { dtype }).requiresGrad_(true);

/** Runs `fn` with the module's parameters replaced by `values` (in namedParameters order), then restores them. */
function withParameters<T>(module: nn.Module, values: Tensor[], fn: () => T): T {
  const fields = module as unknown as Record<string, Tensor>;
  const names = [...module.namedParameters()].map(([n]) => n);
  const saved = names.map((n) => fields[n]!);
  names.forEach((n, k) => (fields[n] = values[k]!));
  try {
    return fn();
  } finally {
    names.forEach((n, k) => (fields[n] = saved[k]!));
  }
}

/** Gradchecks `run(inputs...)` w.r.t. `inputs` and every parameter of `module`. */
function check(module: nn.Module, inputs: Tensor[], run: (...inputs: Tensor[]) => Tensor[]): void {
  const params = [...module.parameters()].map((p) => p.detach().clone().requiresGrad_(true));
  const n = inputs.length;
  const f = (...a: Tensor[]): Tensor[] => withParameters(module, a.slice(n), () => run(...a.slice(0, n)));
  // The substituted parameters must be the ones used: each gets a gradient (else both Jacobians would be 0).
  const all = [...inputs, ...params];
  const outs = f(...all);
  const used = grad([outs.reduce((s, o) => s.add(o.sum()), torch.zeros([], { dtype }))], all, undefined, { allowUnused: true });
  used.forEach((g, k) => expect(g, `input ${k} reaches the outputs`).not.toBeNull());
  expect(gradcheck(f, all)).toBe(true);
}

describe('recurrent layers: gradcheck (float64)', () => {
  const T = 3;
  const N = 2;
  it('RNN tanh, 2 layers, bidirectional, with h0', () => {
    torch.tidy(() => {
      torch.manualSeed(0);
      const rnn = new nn.RNN(2, 2, { numLayers: 2, bidirectional: true, dtype });
      check(rnn, [r(T, N, 2), r(4, N, 2)], (x, h0) => {
        const [out, hN] = rnn.call(x!, h0!);
        return [out, hN];
      });
    });
  });
  it('RNN relu, batchFirst, no bias', () => {
    torch.tidy(() => {
      torch.manualSeed(1);
      const rnn = new nn.RNN(3, 2, { nonlinearity: 'relu', batchFirst: true, bias: false, dtype });
      check(rnn, [r(N, T, 3)], (x) => rnn.call(x!));
    });
  });
  it('LSTM with projSize, 2 layers, bidirectional, with (h0, c0)', () => {
    torch.tidy(() => {
      torch.manualSeed(2);
      const lstm = new nn.LSTM(2, 2, { numLayers: 2, bidirectional: true, projSize: 1, dtype });
      check(lstm, [r(T, N, 2), r(4, N, 1), r(4, N, 2)], (x, h0, c0) => {
        const [out, [hN, cN]] = lstm.call(x!, [h0!, c0!]);
        return [out, hN, cN];
      });
    });
  });
  it('GRU, 2 layers, bidirectional', () => {
    torch.tidy(() => {
      torch.manualSeed(3);
      const gru = new nn.GRU(2, 2, { numLayers: 2, bidirectional: true, dtype });
      check(gru, [r(T, N, 2), r(4, N, 2)], (x, h0) => gru.call(x!, h0!));
    });
  });

  // Packed: unsorted lengths, so sorting, per-step batch sizes and unsorting are all differentiated.
  const lengths = [2, 3, 1];
  const packed = (x: Tensor) => nn.packPaddedSequence(x, lengths, { enforceSorted: false });
  const unpack = (p: nn.PackedSequence) => nn.padPackedSequence(p)[0];
  it('packed LSTM with projSize, bidirectional, with (h0, c0)', () => {
    torch.tidy(() => {
      torch.manualSeed(4);
      const lstm = new nn.LSTM(2, 2, { bidirectional: true, projSize: 1, dtype });
      check(lstm, [r(T, 3, 2), r(2, 3, 1), r(2, 3, 2)], (x, h0, c0) => {
        const [out, [hN, cN]] = lstm.call(packed(x!), [h0!, c0!]);
        return [unpack(out), hN, cN];
      });
    });
  });
  it('packed GRU, 2 layers', () => {
    torch.tidy(() => {
      torch.manualSeed(5);
      const gru = new nn.GRU(2, 2, { numLayers: 2, dtype });
      check(gru, [r(T, 3, 2)], (x) => {
        const [out, hN] = gru.call(packed(x!));
        return [unpack(out), hN];
      });
    });
  });
  it('packed RNN, bidirectional, batchFirst', () => {
    torch.tidy(() => {
      torch.manualSeed(6);
      const rnn = new nn.RNN(2, 2, { bidirectional: true, batchFirst: true, dtype });
      check(rnn, [r(3, T, 2)], (x) => {
        const [out, hN] = rnn.call(nn.packPaddedSequence(x!, lengths, { batchFirst: true, enforceSorted: false }));
        return [nn.padPackedSequence(out, { batchFirst: true })[0], hN];
      });
    });
  });
});

describe('recurrent cells: gradcheck (float64)', () => {
  it('RNNCell tanh and relu', () => {
    torch.tidy(() => {
      torch.manualSeed(7);
      for (const nonlinearity of ['tanh', 'relu'] as const) {
        const cell = new nn.RNNCell(3, 2, { nonlinearity, dtype });
        check(cell, [r(2, 3), r(2, 2)], (x, h) => [cell.call(x!, h!)]);
      }
    });
  });
  it('LSTMCell (batched and unbatched)', () => {
    torch.tidy(() => {
      torch.manualSeed(8);
      const cell = new nn.LSTMCell(3, 2, { dtype });
      check(cell, [r(2, 3), r(2, 2), r(2, 2)], (x, h, c) => cell.call(x!, [h!, c!]));
      check(cell, [r(3), r(2), r(2)], (x, h, c) => cell.call(x!, [h!, c!]));
    });
  });
  it('GRUCell, without bias', () => {
    torch.tidy(() => {
      torch.manualSeed(9);
      const cell = new nn.GRUCell(3, 2, { bias: false, dtype });
      check(cell, [r(2, 3), r(2, 2)], (x, h) => [cell.call(x!, h!)]);
    });
  });
});
