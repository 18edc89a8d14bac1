/**
 * Checkpoint interop with PyTorch (CNN): a CNN trained in PyTorch 1.13 (tooling/fixtures/cases/nn_interop.py)
 * loads from .pt and .safetensors into the same torchts architecture and reproduces PyTorch's eval
 * output; a torchts-written .pt loads back into PyTorch (checked when /usr/bin/python3 has torch).
 */
import { expect } from 'vitest';
import '@torchts/backend-cpu';
import '@torchts/autograd';
import { readNumbers } from '@torchts/core';
import * as nn from '../src/index.js';
import { describeInterop, interopFixture } from './interop-helpers.js';

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

const fx = interopFixture('cnn', makeCnn);

describeInterop('CNN', 'cnn', 'nn_interop.py', makeCnn, fx, {
  afterPtLoad: (model) => {
    const bn = model.stateDict().get('1.num_batches_tracked')!;
    expect(Array.from(readNumbers(bn))).toEqual([fx.spec.numBatchesTracked]);
    bn.dispose();
  },
});
