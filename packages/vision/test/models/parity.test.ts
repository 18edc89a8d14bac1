/**
 * Numerical parity with torchvision 0.14 (fixtures: tooling/fixtures/cases/vision_models.py).
 * Each case seeds torch's generator, builds the architecture — which must draw exactly
 * torchvision's initial weights (checked per tensor) — applies the fixture's seeded BatchNorm
 * statistics, and compares the output on a seeded input with PyTorch's. No weights are committed.
 */
import { describe, expect, it } from 'vitest';
import '@torchts/backend-cpu';
import '@torchts/autograd';
import { manualSeed, tidy } from '@torchts/core';
import { noGrad } from '@torchts/autograd';
import type { Tensor } from '@torchts/core';
import { BatchNorm2d } from '@torchts/nn';
import type { Module } from '@torchts/nn';
import * as models from '../../src/models/index.js';
import { initConvBnLinear, normalLinear } from '../../src/models/init.js';
import { expectClose, expectInitStats, expectStat, perturb, readFixture, seededInput } from './helpers.js';
import type { CaseSpec } from './helpers.js';

const SMALL_DENSENET = { growthRate: 8, blockConfig: [2, 2, 2, 2] as [number, number, number, number], numInitFeatures: 16, bnSize: 2, numClasses: 10 };

const CASES: Record<string, () => Module> = {
  resnet18: () => models.resnet18(),
  lenet5: () => models.lenet5(),
  alexnet: () => models.alexnet({ numClasses: 10 }),
  vgg_features: () => {
    const f = models.makeVggLayers([16, 'M', 32, 'M', 32, 32, 'M'], true);
    initConvBnLinear(f, { convNonlinearity: 'relu', linear: normalLinear });
    return f;
  },
  resnet_bottleneck_train: () => new models.ResNet(models.Bottleneck, [1, 1, 1, 1], { numClasses: 10, groups: 2, widthPerGroup: 32, zeroInitResidual: true }),
  resnet_dilated: () => new models.ResNet(models.Bottleneck, [1, 1, 1, 1], { numClasses: 10, widthPerGroup: 16, replaceStrideWithDilation: [false, true, true] }),
  mobilenet_v2: () => models.mobilenetV2({ numClasses: 10 }),
  mobilenet_v2_w035: () => models.mobilenetV2({ numClasses: 10, widthMult: 0.35 }),
  mobilenet_v3_small: () => models.mobilenetV3Small({ numClasses: 10 }),
  mobilenet_v3_large: () => models.mobilenetV3Large({ numClasses: 10 }),
  efficientnet_b0: () => models.efficientnetB0({ numClasses: 10 }),
  efficientnet_v2_train: () =>
    new models.EfficientNet(
      [models.fusedMBConvConfig(1, 3, 1, 16, 16, 2), models.fusedMBConvConfig(4, 3, 2, 16, 24, 2), models.mbConvConfig(4, 3, 2, 24, 32, 2)],
      0,
      { stochasticDepthProb: 0.5, numClasses: 10, lastChannel: 128, normLayer: (c) => new BatchNorm2d(c, { eps: 1e-3 }) },
    ),
  squeezenet1_1: () => models.squeezenet1_1({ numClasses: 10 }),
  shufflenet_v2_x0_5: () => models.shufflenetV2X0_5({ numClasses: 10 }),
  densenet_small: () => new models.DenseNet(SMALL_DENSENET),
  densenet_small_checkpointed_train: () => new models.DenseNet({ ...SMALL_DENSENET, memoryEfficient: true }),
  convnext_small_train: () =>
    new models.ConvNeXt(
      [{ inputChannels: 16, outChannels: 32, numLayers: 1 }, { inputChannels: 32, outChannels: null, numLayers: 2 }],
      { stochasticDepthProb: 0.5, layerScale: 0.5, numClasses: 10 },
    ),
  mnasnet0_5: () => models.mnasnet0_5({ numClasses: 10 }),
  googlenet: () => new models.GoogLeNet({ numClasses: 10, transformInput: true }),
  regnet_small: () => new models.RegNet(models.blockParamsFromInitParams({ depth: 5, w0: 16, wA: 8.5, wM: 2, groupWidth: 8, seRatio: 0.25 }), { numClasses: 10, stemWidth: 16 }),
  swin_small_train: () =>
    new models.SwinTransformer({ patchSize: [4, 4], embedDim: 16, depths: [2, 2], numHeads: [2, 4], windowSize: [4, 4], stochasticDepthProb: 0.3, numClasses: 10 }),
  swin_v2_small_train: () =>
    new models.SwinTransformer({ patchSize: [4, 4], embedDim: 16, depths: [2, 2], numHeads: [2, 4], windowSize: [4, 4], stochasticDepthProb: 0.3, numClasses: 10, version: 2 }),
  vit_small: () => new models.VisionTransformer({ imageSize: 32, patchSize: 8, numLayers: 2, numHeads: 4, hiddenDim: 64, mlpDim: 128, numClasses: 10 }),
};

describe('torchvision parity: seeded initialisation and forward', () => {
  for (const [name, build] of Object.entries(CASES)) {
    it(name, () => {
      const spec = readFixture<CaseSpec>(`${name}.json`);
      manualSeed(spec.seed);
      const model = build();
      try {
        expectInitStats(model, spec.init);
        if (spec.perturbSeed !== null) perturb(model, spec.perturbSeed, spec.heads);
        const x = seededInput(spec);
        model.train(spec.train);
        if (!spec.grads) {
          const y = noGrad(() => model.call(x) as Tensor);
          expectClose(y, spec.output);
          y.dispose();
        } else {
          const params = new Map(model.namedParameters());
          tidy(() => {
            const y = model.call(x) as Tensor;
            expectClose(y, spec.output);
            y.pow(2).sum().backward();
          });
          for (const [k, want] of Object.entries(spec.grads)) expectStat(params.get(k)!.grad!, want, `grad of ${k}`);
        }
        if (spec.runningMeanAfter) {
          const sd = model.stateDict();
          for (const [k, want] of Object.entries(spec.runningMeanAfter)) expectClose(sd.get(k)!, { shape: [want.length], data: want });
          for (const t of sd.values()) t.dispose();
        }
        x.dispose();
      } finally {
        model.dispose();
      }
      expect(true).toBe(true);
    });
  }
});
