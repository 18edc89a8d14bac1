/**
 * Checkpoint interop with PyTorch (CNN): a CNN trained in PyTorch 1.13 (tooling/fixtures/cases/nn_interop.py)
 * loads from .pt and .safetensors into the same torchts architecture and reproduces PyTorch's eval
 * output; a torchts-written .pt loads back into PyTorch (checked when /usr/bin/python3 has torch).
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
  numBatchesTracked: number;
  input: { shape: number[]; data: number[] };
  output: { shape: number[]; data: number[] };
}
const spec = JSON.parse(readFileSync(join(FIX, 'cnn.json'), 'utf8')) as Spec;

/** The fixture's architecture, as nn.Sequential so state-dict keys are "0.weight", "1.running_mean", ... */
function makeCnn(): nn.Sequential {
  return new nn.Sequential(
    new nn.Conv2d(1, 4, 3, { padding: 1 }),
    new nn.BatchNorm2d(4),
    new nn.ReLU(),
    new nn.MaxPool2d(2),
    new nn.Conv2d(4, 8, 3),
    new nn.ReLU(),
    new nn.AdaptiveAvgPool2d(1),
    new nn.Flatten(),
    new nn.Linear(8, 10),
  );
}


/** Eval forward on the fixed input, compared with PyTorch's output within float32 tolerance. */
function expectPytorchOutput(model: nn.Sequential): void {
  tidy(() => {
    const x = tensor(spec.input.data).reshape(spec.input.shape);
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
    expect([...t.shape], k).toEqual(spec.shapes[k]);
    expect(t.dtype, k).toBe(spec.dtypes[k]);
  }
}

async function loadInto(file: string, orderedKeys: boolean): Promise<nn.Sequential> {
  const sd = (await nn.loadFile(join(FIX, file))) as Map<string, Tensor>;
  expect(sd).toBeInstanceOf(Map);
  if (orderedKeys) expect([...sd.keys()]).toEqual(spec.keys);
  else expect([...sd.keys()].sort()).toEqual([...spec.keys].sort());
  expectSpecStateDict(sd);
  const model = makeCnn();
  const res = model.loadStateDict(sd, { strict: true });
  expect(res).toEqual({ missingKeys: [], unexpectedKeys: [] });
  disposeAll(sd);
  model.eval();
  return model;
}

describe('CNN checkpoint interop with PyTorch', () => {
  it('the torchts architecture has exactly PyTorch\'s state-dict keys, in order, shapes and dtypes', () => {
    const model = makeCnn();
    const sd = model.stateDict();
    expect([...sd.keys()]).toEqual(spec.keys);
    expectSpecStateDict(sd);
    disposeAll(sd);
    model.dispose();
  });

  it('loads torch.save\'s .pt (zip) into the model and reproduces PyTorch\'s eval output', async () => {
    const model = await loadInto('cnn.pt', true);
    const bn = model.stateDict().get('1.num_batches_tracked')!;
    expect(Array.from(readNumbers(bn))).toEqual([spec.numBatchesTracked]);
    bn.dispose();
    expectPytorchOutput(model);
    model.dispose();
  });

  it('loads .safetensors into the model and reproduces PyTorch\'s eval output', async () => {
    const model = await loadInto('cnn.safetensors', false);
    expectPytorchOutput(model);
    model.dispose();
  });

  it('both formats give identical tensors', async () => {
    const a = (await nn.loadFile(join(FIX, 'cnn.pt'))) as Map<string, Tensor>;
    const b = (await nn.loadFile(join(FIX, 'cnn.safetensors'))) as Map<string, Tensor>;
    for (const k of spec.keys) expect(Array.from(readNumbers(b.get(k)!)), k).toEqual(Array.from(readNumbers(a.get(k)!)));
    disposeAll(a);
    disposeAll(b);
  });

  it('a torchts model saved as .pt and .safetensors round-trips within torchts', async () => {
    const model = await loadInto('cnn.pt', true);
    try {
      await roundTripThroughFiles(model, spec.keys, () => makeCnn(), expectPytorchOutput);
    } finally {
      model.dispose();
    }
  });
});

describe('PyTorch loads a torchts-written CNN checkpoint', () => {
  it.skipIf(!torchAvailable)('torch.load(weights_only=True) + load_state_dict(strict) reproduces the output', async () => {
    const model = await loadInto('cnn.safetensors', false);
    try {
      await pytorchLoads(model, 'nn_interop.py', 'cnn.json');
    } finally {
      model.dispose();
    }
  }, 180000);
});
