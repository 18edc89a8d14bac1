/** The `weights` argument: state dicts, checkpoint bytes and files (no downloads), with PyTorch's load errors. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import '@torchts/backend-cpu';
import '@torchts/autograd';
import { manualSeed, randn } from '@torchts/core';
import type { Tensor } from '@torchts/core';
import { save, saveFile } from '@torchts/nn';
import type { Module } from '@torchts/nn';
import * as models from '../../src/models/index.js';

const dir = mkdtempSync(join(tmpdir(), 'torchts-models-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function expectSameWeights(a: Module, b: Module): void {
  const sa = a.stateDict();
  const sb = b.stateDict();
  expect([...sb.keys()]).toEqual([...sa.keys()]);
  for (const [k, t] of sa) expect(sb.get(k)!.equal(t), k).toBe(true);
}

describe('weights', () => {
  manualSeed(3);
  const source = models.lenet5();
  const sd = source.stateDict();

  it('takes a state dict (Map or plain object)', () => {
    manualSeed(99);
    expectSameWeights(source, models.lenet5({ weights: sd }));
    expectSameWeights(source, models.lenet5({ weights: Object.fromEntries(sd) }));
  });

  it('takes safetensors or PyTorch .pt bytes', () => {
    expectSameWeights(source, models.lenet5({ weights: save(sd) }));
    expectSameWeights(source, models.lenet5({ weights: save(sd, { format: 'pt' }) }));
  });

  it('takes a file path', async () => {
    const st = join(dir, 'lenet.safetensors');
    const pt = join(dir, 'lenet.pt');
    await saveFile(st, sd);
    await saveFile(pt, sd);
    expectSameWeights(source, models.lenet5({ weights: st }));
    expectSameWeights(source, models.lenet5({ weights: pt }));
    expect(() => models.lenet5({ weights: join(dir, 'missing.pt') })).toThrow(/ENOENT/);
  });

  it('loads strictly, with PyTorch\'s messages', () => {
    expect(() => models.lenet5({ numClasses: 5, weights: sd })).toThrow(
      'size mismatch for fc3.weight: copying a param with shape [10, 84] from checkpoint, the shape in current model is [5, 84].',
    );
    const partial = new Map([...sd].filter(([k]) => !k.startsWith('fc3')));
    expect(() => models.lenet5({ weights: partial })).toThrow('Missing key(s) in state_dict: "fc3.weight", "fc3.bias".');
    const extra = new Map([...sd, ['fc4.weight', randn([2])] as [string, Tensor]]);
    expect(() => models.lenet5({ weights: extra })).toThrow('Unexpected key(s) in state_dict: "fc4.weight".');
  });

  it('refuses a checkpoint that is not a state dict, and other values', () => {
    expect(() => models.lenet5({ weights: save(randn([3])) })).toThrow('the checkpoint does not hold a state dict');
    expect(() => models.lenet5({ weights: 42 as unknown as string })).toThrow('weights must be a state dict, checkpoint bytes or a file path, but got number');
  });

  it('maps pre-0.12 ViT MLP keys (mlp.linear_1/2) to the current ones', () => {
    const opts = { imageSize: 16, patchSize: 8, numLayers: 1, numHeads: 2, hiddenDim: 8, mlpDim: 16 };
    manualSeed(1);
    const vit = new models.VisionTransformer(opts);
    const legacy = new Map([...vit.stateDict()].map(([k, t]) => [k.replace('.mlp.0.', '.mlp.linear_1.').replace('.mlp.3.', '.mlp.linear_2.'), t]));
    expect([...legacy.keys()]).toContain('encoder.layers.encoder_layer_0.mlp.linear_1.weight');
    manualSeed(2);
    const fresh = new models.VisionTransformer(opts);
    expect(() => fresh.loadStateDict(legacy)).toThrow('Missing key(s)');
    expectSameWeights(vit, models.loadWeights(fresh, legacy, models.renameLegacyVitKey));
  });
});

describe('GoogLeNet', () => {
  it('returns auxiliary logits in training; with weights, drops the auxiliary heads unless asked', () => {
    manualSeed(0);
    const full = new models.GoogLeNet({ numClasses: 4, initWeights: false }); // truncNormal_'s erfinv is slow on 6.6M values
    const out = full.call(randn([2, 3, 32, 32])) as models.GoogLeNetOutputs;
    expect([out.logits.shape, out.auxLogits1!.shape, out.auxLogits2!.shape]).toEqual([[2, 4], [2, 4], [2, 4]]);
    const sd = full.stateDict();
    const pretrained = models.googlenet({ numClasses: 4, weights: sd });
    expect(pretrained.aux1).toBeNull();
    expect(pretrained.transformInput).toBe(true);
    expect([...pretrained.stateDict().keys()].some((k) => k.startsWith('aux'))).toBe(false);
    expect(models.googlenet({ numClasses: 4, weights: sd, auxLogits: true }).aux2).not.toBeNull();
    expect(() => full.call(randn([1, 1, 48, 48]))).toThrow('GoogLeNet expects [N, 3, H, W] input, got [1, 1, 48, 48]');
  });
});

describe('legacy DenseNet keys', () => {
  it('maps torchvision\'s published names (norm.1) to the module\'s (norm1), as torchvision does on load', () => {
    expect(models.renameLegacyDenseNetKey('features.denseblock1.denselayer1.norm.1.running_var')).toBe('features.denseblock1.denselayer1.norm1.running_var');
    expect(models.renameLegacyDenseNetKey('features.denseblock2.denselayer3.conv.2.weight')).toBe('features.denseblock2.denselayer3.conv2.weight');
    expect(models.renameLegacyDenseNetKey('features.transition1.norm.weight')).toBe('features.transition1.norm.weight');
  });
});

describe('argument checks', () => {
  it('names what was wrong', () => {
    expect(() => models.lenet5({ numClasses: 0 })).toThrow('numClasses must be a positive integer, but got 0');
    expect(() => new models.BasicBlock(64, 64, { groups: 2 })).toThrow('BasicBlock only supports groups=1 and base_width=64');
    expect(() => new models.BasicBlock(64, 64, { dilation: 2 })).toThrow('Dilation > 1 not supported in BasicBlock');
    expect(() => models.resnet18({ replaceStrideWithDilation: [true, true, true] })).toThrow('Dilation > 1 not supported in BasicBlock');
    expect(() => new models.InvertedResidual(8, 8, 3, 6)).toThrow('stride should be 1 or 2 instead of 3');
    expect(() => models.mobilenetV2({ invertedResidualSetting: [] })).toThrow('inverted_residual_setting should be non-empty');
    expect(() => new models.VisionTransformer({ imageSize: 30, patchSize: 8, numLayers: 1, numHeads: 1, hiddenDim: 8, mlpDim: 8 })).toThrow(
      'Input shape indivisible by patch size!',
    );
    const vit = new models.VisionTransformer({ imageSize: 16, patchSize: 8, numLayers: 1, numHeads: 2, hiddenDim: 8, mlpDim: 8 });
    expect(() => vit.call(randn([1, 3, 16, 24]))).toThrow('Wrong image width! Expected 16 but got 24!');
    expect(() => vit.call(randn([3, 16, 16]))).toThrow('Expected a 4-D input [N, 3, H, W], got [3, 16, 16]');
    expect(() => new models.ShuffleUnit(24, 48, 1)).toThrow('Invalid combination of stride 1, inp 24 and oup 48 values.');
    expect(() => new models.ShuffleNetV2([4, 8], [24, 48, 96, 192, 1024])).toThrow('expected stages_repeats as list of 3 positive ints');
    expect(() => new models.SqueezeNet('2_0' as '1_0')).toThrow('Unsupported SqueezeNet version 2_0: 1_0 or 1_1 expected');
  });
});
