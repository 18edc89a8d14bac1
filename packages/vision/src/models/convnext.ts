/**
 * ConvNeXt (Liu et al., 2022): stages of CNBlocks (7x7 depthwise conv, channels-last LayerNorm,
 * MLP with GELU, learned layer scale, stochastic depth), LayerNorm + 2x2 stride-2 downsampling.
 */
import { ValueError, tidy } from '@torchts/core';
import type { Tensor } from '@torchts/core';
import * as core from '@torchts/core';
import { AdaptiveAvgPool2d, Conv2d, Flatten, GELU, LayerNorm, Linear, Module, Parameter, Sequential, functional as F, init } from '@torchts/nn';
import { callModule, checkPositiveInt, withWeights } from './common.js';
import type { BuilderOptions } from './common.js';
import { Conv2dNormActivation } from './layers/conv-norm-activation.js';
import { Permute } from './layers/permute.js';
import { StochasticDepth } from './layers/stochastic-depth.js';

/** LayerNorm over the channels of an NCHW tensor (normalises channels-last, permutes back). */
export class LayerNorm2d extends LayerNorm {
  override forward(x: Tensor): Tensor {
    return tidy(() => F.layerNorm(x.permute([0, 2, 3, 1]), this.normalizedShape, { weight: this.weight, bias: this.bias, eps: this.eps }).permute([0, 3, 1, 2]));
  }
}

type NormLayer = (dim: number) => Module;

export class CNBlock extends Module {
  declare block: Sequential;
  declare layer_scale: Tensor;
  declare stochastic_depth: StochasticDepth;

  constructor(dim: number, layerScale: number, stochasticDepthProb: number, normLayer: NormLayer = (d) => new LayerNorm(d, { eps: 1e-6 })) {
    super();
    this.block = new Sequential(
      new Conv2d(dim, dim, 7, { padding: 3, groups: dim }),
      new Permute([0, 2, 3, 1]),
      normLayer(dim),
      new Linear(dim, 4 * dim),
      new GELU(),
      new Linear(4 * dim, dim),
      new Permute([0, 3, 1, 2]),
    );
    this.layer_scale = Parameter(core.full([dim, 1, 1], layerScale));
    this.stochastic_depth = new StochasticDepth(stochasticDepthProb, 'row');
  }

  forward(input: Tensor): Tensor {
    return tidy(() => this.stochastic_depth.call(this.layer_scale.mul(callModule(this.block, input))).add_(input));
  }
}

/** One stage: `numLayers` blocks of `inputChannels`, then downsampling to `outChannels` (null for the last stage). */
export interface CNBlockConfig {
  inputChannels: number;
  outChannels: number | null;
  numLayers: number;
}

export interface ConvNeXtOptions {
  stochasticDepthProb?: number;
  layerScale?: number;
  numClasses?: number;
  normLayer?: NormLayer;
}

export class ConvNeXt extends Module {
  declare features: Sequential;
  declare avgpool: AdaptiveAvgPool2d;
  declare classifier: Sequential;

  constructor(blockSetting: CNBlockConfig[], opts: ConvNeXtOptions = {}) {
    super();
    if (blockSetting.length === 0) throw new ValueError('The block_setting should not be empty');
    const numClasses = checkPositiveInt('numClasses', opts.numClasses ?? 1000);
    const sdProb = opts.stochasticDepthProb ?? 0;
    const layerScale = opts.layerScale ?? 1e-6;
    const norm = opts.normLayer ?? ((d: number) => new LayerNorm2d(d, { eps: 1e-6 }));
    const layers: Module[] = [
      new Conv2dNormActivation(3, blockSetting[0]!.inputChannels, { kernelSize: 4, stride: 4, padding: 0, normLayer: norm, activationLayer: null, bias: true }),
    ];
    const totalBlocks = blockSetting.reduce((a, c) => a + c.numLayers, 0);
    let blockId = 0;
    for (const cnf of blockSetting) {
      const stage: Module[] = [];
      for (let i = 0; i < cnf.numLayers; i++) {
        // torchvision divides by (total - 1): the last block gets the full probability.
        stage.push(new CNBlock(cnf.inputChannels, layerScale, (sdProb * blockId) / (totalBlocks - 1)));
        blockId++;
      }
      layers.push(new Sequential(...stage));
      if (cnf.outChannels !== null) layers.push(new Sequential(norm(cnf.inputChannels), new Conv2d(cnf.inputChannels, cnf.outChannels, 2, { stride: 2 })));
    }
    this.features = new Sequential(...layers);
    this.avgpool = new AdaptiveAvgPool2d(1);
    const last = blockSetting[blockSetting.length - 1]!;
    const lastChannels = last.outChannels ?? last.inputChannels;
    this.classifier = new Sequential(norm(lastChannels), new Flatten(1), new Linear(lastChannels, numClasses));
    for (const m of this.modules()) {
      if (!(m instanceof Conv2d || m instanceof Linear)) continue;
      init.truncNormal_(m.weight, 0, 0.02);
      if (m.bias) init.zeros_(m.bias);
    }
  }

  /** The classifier normalises the pooled [N, C, 1, 1] map before flattening it. */
  forward(x: Tensor): Tensor {
    return tidy(() => callModule(this.classifier, callModule(this.avgpool, callModule(this.features, x))));
  }
}

type ConvNeXtBuilderOptions = BuilderOptions & Omit<ConvNeXtOptions, 'normLayer'>;

const convnext = (channels: [number, number, number, number], depths: [number, number, number, number], sdProb: number) =>
  (opts: ConvNeXtBuilderOptions = {}): ConvNeXt => {
    const setting = channels.map((c, i) => ({ inputChannels: c, outChannels: i < 3 ? channels[i + 1]! : null, numLayers: depths[i]! }));
    return withWeights(new ConvNeXt(setting, { stochasticDepthProb: sdProb, ...opts }), opts.weights);
  };

export const convnextTiny = convnext([96, 192, 384, 768], [3, 3, 9, 3], 0.1);
export const convnextSmall = convnext([96, 192, 384, 768], [3, 3, 27, 3], 0.4);
export const convnextBase = convnext([128, 256, 512, 1024], [3, 3, 27, 3], 0.5);
export const convnextLarge = convnext([192, 384, 768, 1536], [3, 3, 27, 3], 0.5);
