/**
 * Checkpoint interop with PyTorch (LSTM): an Embedding + 2-layer bidirectional LSTM + Linear model trained in
 * PyTorch 1.13 (tooling/fixtures/cases/nn_interop_lstm.py) loads from .pt and .safetensors into the same
 * torchts architecture and reproduces PyTorch's eval output; a torchts-written .pt loads back into PyTorch
 * (checked when /usr/bin/python3 has torch).
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import '@torchts/backend-cpu';
import '@torchts/autograd';
import { Tensor, readNumbers, tensor, tidy } from '@torchts/core';
import * as nn from '../src/index.js';
import { FIX, disposeAll, pytorchLoads, roundTripThroughFiles, torchAvailable } from './interop-helpers.js';

interface Spec {
  keys: string[];
  shapes: Record<string, number[]>;
  dtypes: Record<string, string>;
  input: { shape: number[]; data: number[] };
  output: { shape: number[]; data: number[] };
}
const spec = JSON.parse(readFileSync(join(FIX, 'lstm.json'), 'utf8')) as Spec;

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


/** Eval forward on the fixed int64 tokens, compared with PyTorch's output within float32 tolerance. */
function expectPytorchOutput(model: LstmNet): void {
  tidy(() => {
    const x = tensor(spec.input.data, { dtype: 'int64' }).reshape(spec.input.shape);
    const y = model.call(x) as Tensor;
    expect([...y.shape]).toEqual(spec.output.shape);
    expect(y.dtype).toBe('float32');
    const got = Array.from(readNumbers(y));
    got.forEach((v, i) => expect(Math.abs(v - spec.output.data[i]!), `output[${i}]: ${v} vs ${spec.output.data[i]}`).toBeLessThanOrEqual(1e-5 + 1e-5 * Math.abs(spec.output.data[i]!)));
  });
}

function expectSpecStateDict(sd: Map<string, Tensor>): void {
  for (const k of spec.keys) {
    const t = sd.get(k)!;
    expect(t, k).toBeDefined();
    expect([...t.shape], k).toEqual(spec.shapes[k]);
    expect(t.dtype, k).toBe(spec.dtypes[k]);
  }
}

async function loadInto(file: string, orderedKeys: boolean): Promise<LstmNet> {
  const sd = (await nn.loadFile(join(FIX, file))) as Map<string, Tensor>;
  expect(sd).toBeInstanceOf(Map);
  if (orderedKeys) expect([...sd.keys()]).toEqual(spec.keys);
  else expect([...sd.keys()].sort()).toEqual([...spec.keys].sort());
  expectSpecStateDict(sd);
  const model = new LstmNet();
  const res = model.loadStateDict(sd, { strict: true });
  expect(res).toEqual({ missingKeys: [], unexpectedKeys: [] });
  disposeAll(sd);
  model.eval();
  return model;
}

describe('LSTM checkpoint interop with PyTorch', () => {
  it('the torchts architecture has exactly PyTorch\'s state-dict keys, in order, shapes and dtypes', () => {
    const model = new LstmNet();
    const sd = model.stateDict();
    expect([...sd.keys()]).toEqual(spec.keys);
    expectSpecStateDict(sd);
    disposeAll(sd);
    model.dispose();
  });

  it('loads torch.save\'s .pt (zip) into the model and reproduces PyTorch\'s eval output', async () => {
    const model = await loadInto('lstm.pt', true);
    expectPytorchOutput(model);
    model.dispose();
  });

  it('loads .safetensors into the model and reproduces PyTorch\'s eval output', async () => {
    const model = await loadInto('lstm.safetensors', false);
    expectPytorchOutput(model);
    model.dispose();
  });

  it('both formats give identical tensors', async () => {
    const a = (await nn.loadFile(join(FIX, 'lstm.pt'))) as Map<string, Tensor>;
    const b = (await nn.loadFile(join(FIX, 'lstm.safetensors'))) as Map<string, Tensor>;
    for (const k of spec.keys) expect(Array.from(readNumbers(b.get(k)!)), k).toEqual(Array.from(readNumbers(a.get(k)!)));
    disposeAll(a);
    disposeAll(b);
  });

  it('a freshly initialised model differs from the trained one (the load is what gives the match)', () => {
    const model = new LstmNet();
    model.eval();
    tidy(() => {
      const x = tensor(spec.input.data, { dtype: 'int64' }).reshape(spec.input.shape);
      const got = Array.from(readNumbers(model.call(x) as Tensor));
      expect(got.some((v, i) => Math.abs(v - spec.output.data[i]!) > 1e-3)).toBe(true);
    });
    model.dispose();
  });

  it('a torchts model saved as .pt and .safetensors round-trips within torchts', async () => {
    const model = await loadInto('lstm.pt', true);
    try {
      await roundTripThroughFiles(model, spec.keys, () => new LstmNet(), expectPytorchOutput);
    } finally {
      model.dispose();
    }
  });
});

describe('PyTorch loads a torchts-written LSTM checkpoint', () => {
  it.skipIf(!torchAvailable)('torch.load(weights_only=True) + load_state_dict(strict) reproduces the output', async () => {
    const model = await loadInto('lstm.safetensors', false);
    try {
      await pytorchLoads(model, 'nn_interop_lstm.py', 'lstm.json');
    } finally {
      model.dispose();
    }
  }, 180000);
});
