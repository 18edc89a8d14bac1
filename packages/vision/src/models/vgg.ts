/** VGG (Simonyan & Zisserman, 2014): configurations A/B/D/E (VGG-11/13/16/19), with or without BatchNorm. */
import { ValueError } from '@torchts/core';
import type { Tensor } from '@torchts/core';
import { AdaptiveAvgPool2d, BatchNorm2d, Conv2d, Dropout, Linear, MaxPool2d, Module, ReLU, Sequential } from '@torchts/nn';
import { checkPositiveInt, featuresPoolClassify, withWeights } from './common.js';
import type { BuilderOptions } from './common.js';
import { initConvBnLinear, normalLinear } from './init.js';

/** Conv widths with 'M' for a 2x2 max-pool, per configuration. */
export const VGG_CONFIGS = {
  A: [64, 'M', 128, 'M', 256, 256, 'M', 512, 512, 'M', 512, 512, 'M'],
  B: [64, 64, 'M', 128, 128, 'M', 256, 256, 'M', 512, 512, 'M', 512, 512, 'M'],
  D: [64, 64, 'M', 128, 128, 'M', 256, 256, 256, 'M', 512, 512, 512, 'M', 512, 512, 512, 'M'],
  E: [64, 64, 'M', 128, 128, 'M', 256, 256, 256, 256, 'M', 512, 512, 512, 512, 'M', 512, 512, 512, 512, 'M'],
} as const satisfies Record<string, ReadonlyArray<number | 'M'>>;

/** torchvision's `make_layers`: 3x3 convs (padding 1), optional BatchNorm, in-place ReLU, max-pools. */
export function makeVggLayers(cfg: ReadonlyArray<number | 'M'>, batchNorm = false): Sequential {
  const layers: Module[] = [];
  let inChannels = 3;
  for (const v of cfg) {
    if (v === 'M') {
      layers.push(new MaxPool2d(2, { stride: 2 }));
      continue;
    }
    layers.push(new Conv2d(inChannels, v, 3, { padding: 1 }));
    if (batchNorm) layers.push(new BatchNorm2d(v));
    layers.push(new ReLU({ inplace: true }));
    inChannels = v;
  }
  return new Sequential(...layers);
}

export interface VGGOptions {
  numClasses?: number;
  initWeights?: boolean;
  dropout?: number;
}

export class VGG extends Module {
  declare features: Sequential;
  declare avgpool: AdaptiveAvgPool2d;
  declare classifier: Sequential;

  /** `features` must end with 512 channels (every configuration does). */
  constructor(features: Sequential, opts: VGGOptions = {}) {
    super();
    const numClasses = checkPositiveInt('numClasses', opts.numClasses ?? 1000);
    const p = opts.dropout ?? 0.5;
    this.features = features;
    this.avgpool = new AdaptiveAvgPool2d([7, 7]);
    this.classifier = new Sequential(
      new Linear(512 * 7 * 7, 4096), new ReLU({ inplace: true }), new Dropout(p),
      new Linear(4096, 4096), new ReLU({ inplace: true }), new Dropout(p),
      new Linear(4096, numClasses),
    );
    if (opts.initWeights ?? true) initConvBnLinear(this, { convNonlinearity: 'relu', linear: normalLinear });
  }

  forward(x: Tensor): Tensor {
    return featuresPoolClassify(x, this);
  }
}

export type VGGConfig = keyof typeof VGG_CONFIGS;

function vgg(cfg: VGGConfig, batchNorm: boolean, opts: BuilderOptions & VGGOptions): VGG {
  if (!(cfg in VGG_CONFIGS)) throw new ValueError(`unknown VGG configuration '${String(cfg)}' (expected A, B, D or E)`);
  return withWeights(new VGG(makeVggLayers(VGG_CONFIGS[cfg], batchNorm), opts), opts.weights);
}

type VGGBuilderOptions = BuilderOptions & Omit<VGGOptions, 'initWeights'>;
export const vgg11 = (opts: VGGBuilderOptions = {}): VGG => vgg('A', false, opts);
export const vgg11Bn = (opts: VGGBuilderOptions = {}): VGG => vgg('A', true, opts);
export const vgg13 = (opts: VGGBuilderOptions = {}): VGG => vgg('B', false, opts);
export const vgg13Bn = (opts: VGGBuilderOptions = {}): VGG => vgg('B', true, opts);
export const vgg16 = (opts: VGGBuilderOptions = {}): VGG => vgg('D', false, opts);
export const vgg16Bn = (opts: VGGBuilderOptions = {}): VGG => vgg('D', true, opts);
export const vgg19 = (opts: VGGBuilderOptions = {}): VGG => vgg('E', false, opts);
export const vgg19Bn = (opts: VGGBuilderOptions = {}): VGG => vgg('E', true, opts);
