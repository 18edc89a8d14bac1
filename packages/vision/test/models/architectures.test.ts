/**
 * Every full-size architecture has torchvision's state dict: the same keys in the same order, with
 * the same shapes and dtypes, and most print as PyTorch prints them (fixture:
 * tooling/fixtures/cases/vision_models.py). Random fills are
 * stubbed here so VGG-16 (138M parameters) builds in a moment; the seeded draws themselves are
 * checked in parity.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import '@torchts/backend-cpu';
import '@torchts/autograd';
import { Tensor } from '@torchts/core';
import type { Module } from '@torchts/nn';
import * as models from '../../src/models/index.js';
import { readFixture } from './helpers.js';

const BUILDERS: Record<string, () => Module> = {
  lenet5: () => models.lenet5(),
  alexnet: () => models.alexnet(),
  vgg11: () => models.vgg11(),
  vgg11_bn: () => models.vgg11Bn(),
  vgg16: () => models.vgg16(),
  vgg16_bn: () => models.vgg16Bn(),
  resnet18: () => models.resnet18(),
  resnet34: () => models.resnet34(),
  resnet50: () => models.resnet50(),
  resnext50_32x4d: () => models.resnext50_32x4d(),
  wide_resnet50_2: () => models.wideResnet50_2(),
  mobilenet_v2: () => models.mobilenetV2(),
  mobilenet_v3_small: () => models.mobilenetV3Small(),
  mobilenet_v3_large: () => models.mobilenetV3Large(),
  efficientnet_b0: () => models.efficientnetB0(),
  efficientnet_v2_s: () => models.efficientnetV2S(),
  vit_b_16: () => models.vitB16(),
  squeezenet1_0: () => models.squeezenet1_0(),
  squeezenet1_1: () => models.squeezenet1_1(),
  shufflenet_v2_x1_0: () => models.shufflenetV2X1_0(),
  densenet121: () => models.densenet121(),
  convnext_tiny: () => models.convnextTiny(),
  mnasnet1_0: () => models.mnasnet1_0(),
  googlenet: () => models.googlenet(),
  regnet_y_400mf: () => models.regnetY400mf(),
  regnet_x_400mf: () => models.regnetX400mf(),
  swin_t: () => models.swinT(),
  swin_v2_t: () => models.swinV2T(),
};

/** Random fills become no-ops: construction allocates but draws nothing. */
function stubRandomFills(): void {
  const keep = function (this: Tensor): Tensor {
    return this;
  };
  vi.spyOn(Tensor.prototype, 'uniform_').mockImplementation(keep);
  vi.spyOn(Tensor.prototype, 'normal_').mockImplementation(keep);
}

// Entries are 'key:d0,d1,...' for float32 and 'key:d0,...:dtype' otherwise.
const expected = readFixture<Record<string, string[]>>('architectures.json');
const describeEntry = (key: string, t: Tensor): string => `${key}:${t.shape.join(',')}${t.dtype === 'float32' ? '' : `:${t.dtype}`}`;
const reprs = readFixture<Record<string, string>>('reprs.json');

describe('state dicts equal torchvision 0.14', () => {
  beforeAll(stubRandomFills);
  afterAll(() => vi.restoreAllMocks());

  it('covers every architecture of the fixture', () => {
    expect(Object.keys(BUILDERS).sort()).toEqual(Object.keys(expected).sort());
    expect(Object.keys(reprs).every((k) => k in BUILDERS)).toBe(true);
  });

  for (const [name, build] of Object.entries(BUILDERS)) {
    it(name, () => {
      const model = build();
      try {
        const sd = model.stateDict();
        const actual = [...sd].map(([k, t]) => describeEntry(k, t));
        for (const t of sd.values()) t.dispose();
        expect(actual).toEqual(expected[name]);
        if (reprs[name] !== undefined) expect(String(model)).toBe(reprs[name]);
      } finally {
        model.dispose();
      }
    });
  }
});

describe('RegNet configurations equal torchvision\'s', () => {
  const params = readFixture<Record<string, { depths: number[]; widths: number[]; groupWidths: number[]; numParams: number | null }>>('regnet_params.json');
  const builders: Record<string, () => Module> = {
    regnet_y_400mf: models.regnetY400mf, regnet_y_800mf: models.regnetY800mf, regnet_y_1_6gf: models.regnetY1_6gf,
    regnet_y_3_2gf: models.regnetY3_2gf, regnet_y_8gf: models.regnetY8gf, regnet_y_16gf: models.regnetY16gf,
    regnet_y_32gf: models.regnetY32gf, regnet_y_128gf: models.regnetY128gf, regnet_x_400mf: models.regnetX400mf,
    regnet_x_800mf: models.regnetX800mf, regnet_x_1_6gf: models.regnetX1_6gf, regnet_x_3_2gf: models.regnetX3_2gf,
    regnet_x_8gf: models.regnetX8gf, regnet_x_16gf: models.regnetX16gf, regnet_x_32gf: models.regnetX32gf,
  };
  beforeAll(stubRandomFills);
  afterAll(() => vi.restoreAllMocks());

  it('stage depths, widths and group widths (float32 arithmetic as torch)', () => {
    expect(Object.keys(builders).sort()).toEqual(Object.keys(params).sort());
    for (const [name, want] of Object.entries(params)) {
      const bp = models.blockParamsFromInitParams(models.REGNET_CONFIGS[name as keyof typeof models.REGNET_CONFIGS]);
      expect({ depths: bp.depths, widths: bp.widths, groupWidths: bp.groupWidths }, name).toEqual({ depths: want.depths, widths: want.widths, groupWidths: want.groupWidths });
    }
  });

  it('parameter counts (every model but the 644M-parameter regnet_y_128gf)', () => {
    for (const [name, want] of Object.entries(params)) {
      if (want.numParams === null) continue;
      const model = builders[name]!();
      expect([...model.parameters()].reduce((a, p) => a + p.numel(), 0), name).toBe(want.numParams);
      model.dispose();
    }
  });
});
