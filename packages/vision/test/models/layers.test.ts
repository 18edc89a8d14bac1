/** The torchvision.ops.misc-style building blocks and helpers the architectures share. */
import { describe, expect, it } from 'vitest';
import '@torchts/backend-cpu';
import '@torchts/autograd';
import { manualSeed, memory, ones, rand, randn, tidy } from '@torchts/core';
import type { Tensor } from '@torchts/core';
import { gradcheck, noGrad } from '@torchts/autograd';
import { BatchNorm2d, Hardswish, ReLU6 } from '@torchts/nn';
import * as models from '../../src/models/index.js';
import { pyRound } from '../../src/models/common.js';
import { readFixture } from './helpers.js';

describe('makeDivisible / pyRound', () => {
  it('rounds like torchvision._make_divisible', () => {
    // Values from torchvision.models._utils._make_divisible.
    expect([32 * 0.35, 16 * 0.35, 1280 * 0.35, 24 * 1.1, 3, 100].map((v) => models.makeDivisible(v, 8))).toEqual([16, 8, 448, 24, 8, 104]);
    expect(models.makeDivisible(10, 8, 16)).toBe(16);
    // Never more than 10% below: 20 -> 24 rather than 16.
    expect(models.makeDivisible(20, 16)).toBe(32);
  });
  it('rounds halves to even as Python', () => {
    expect([0.5, 1.5, 2.5, -2.5, 2.4, 2.6].map(pyRound)).toEqual([0, 2, 2, -2, 2, 3]);
  });
});

describe('Conv2dNormActivation', () => {
  it('pads to keep the size, drops the bias under a norm layer, and names layers 0, 1, 2', () => {
    const m = new models.Conv2dNormActivation(3, 8, { kernelSize: 5, stride: 1, activationLayer: Hardswish });
    expect([...m.stateDict().keys()]).toEqual(['0.weight', '1.weight', '1.bias', '1.running_mean', '1.running_var', '1.num_batches_tracked']);
    const y = m.call(randn([2, 3, 9, 9])) as Tensor;
    expect(y.shape).toEqual([2, 8, 9, 9]);
    expect(String(m)).toContain('(2): Hardswish()');
    const plain = new models.Conv2dNormActivation(3, 4, { normLayer: null, activationLayer: null, dilation: 2 });
    expect([...plain.stateDict().keys()]).toEqual(['0.weight', '0.bias']);
    expect((plain.call(randn([1, 3, 7, 7])) as Tensor).shape).toEqual([1, 4, 7, 7]);
    expect(String(new models.Conv2dNormActivation(3, 4, { activationLayer: ReLU6 }))).toContain('ReLU6(inplace=True)');
  });
});

describe('SqueezeExcitation', () => {
  it('scales channels by a gate in (0, 1) and has torchvision keys', () => {
    const se = new models.SqueezeExcitation(8, 2);
    expect([...se.stateDict().keys()]).toEqual(['fc1.weight', 'fc1.bias', 'fc2.weight', 'fc2.bias']);
    const x = ones([1, 8, 4, 4]);
    const y = se.call(x);
    const ratio = y.div(x);
    expect(ratio.min().item<number>()).toBeGreaterThan(0);
    expect(ratio.max().item<number>()).toBeLessThan(1);
  });
  it('passes gradcheck in float64', () => {
    manualSeed(0);
    const se = new models.SqueezeExcitation(4, 2).to('float64');
    const x = randn([2, 4, 3, 3], { dtype: 'float64', requiresGrad: true });
    expect(gradcheck((t: Tensor) => se.call(t), [x])).toBe(true);
  });
  it('Conv2dNormActivation (train-mode BN, hardswish) passes gradcheck in float64', () => {
    manualSeed(1);
    const block = new models.Conv2dNormActivation(2, 3, { activationLayer: Hardswish, normLayer: (c) => new BatchNorm2d(c, { momentum: 0 }) }).to('float64');
    const x = randn([2, 2, 4, 4], { dtype: 'float64', requiresGrad: true });
    expect(gradcheck((t: Tensor) => block.call(t) as Tensor, [x])).toBe(true);
  });
});

describe('stochasticDepth', () => {
  const cases = readFixture<Array<{ seed: number; p: number; mode: 'row' | 'batch'; shape: number[]; output: number[] }>>('stochastic_depth.json');
  it('draws the same mask as torchvision.ops.stochastic_depth', () => {
    for (const c of cases) {
      manualSeed(c.seed);
      const x = rand(c.shape);
      const y = models.stochasticDepth(x, c.p, c.mode, true);
      const got = y.reshape([-1]).tolist() as number[];
      got.forEach((v, i) => expect(v).toBeCloseTo(c.output[i]!, 5));
    }
  });
  it('is the identity in eval mode or at p = 0, and the module follows train()/eval()', () => {
    const x = rand([3, 2]);
    expect(models.stochasticDepth(x, 0.5, 'row', false)).toBe(x);
    expect(models.stochasticDepth(x, 0, 'row', true)).toBe(x);
    const m = new models.StochasticDepth(0.9, 'batch').eval();
    expect(m.call(x)).toBe(x);
    expect(String(m)).toBe('StochasticDepth(p=0.9, mode=batch)');
  });
  it('rejects a bad probability or mode', () => {
    const x = rand([2, 2]);
    expect(() => models.stochasticDepth(x, 1.5, 'row')).toThrow('drop probability has to be between 0 and 1, but got 1.5');
    expect(() => models.stochasticDepth(x, 0.2, 'col' as 'row')).toThrow("mode has to be either 'batch' or 'row', but got col");
  });
});

describe('forward passes free their intermediates', () => {
  it('leaves only the output (and, while recording, its graph) behind', () => {
    manualSeed(0);
    const model = models.mobilenetV3Small({ numClasses: 5 });
    const x = rand([2, 3, 32, 32]);
    for (const train of [false, true]) {
      model.train(train);
      model.call(x).dispose(); // warm-up
      const before = memory().liveTensors;
      const y = noGrad(() => model.call(x));
      expect(memory().liveTensors).toBe(before + 1);
      y.dispose();
      // With grad: the graph's saved tensors live exactly as long as the output.
      model.call(x).dispose();
      expect(memory().liveTensors).toBe(before);
    }
    const vit = new models.VisionTransformer({ imageSize: 16, patchSize: 8, numLayers: 1, numHeads: 2, hiddenDim: 8, mlpDim: 16 });
    const img = rand([1, 3, 16, 16]);
    const before = memory().liveTensors;
    tidy(() => {
      vit.call(img).sum().backward();
    });
    expect(memory().liveTensors).toBe(before + [...vit.parameters()].length); // the gradients
    model.dispose();
    vit.dispose();
  });
});
