/** MobileNetV2 (Sandler et al., 2018): inverted residuals with linear bottlenecks, torchvision's keys. */
import { ValueError, tidy } from '@torchts/core';
import type { Tensor } from '@torchts/core';
import { Conv2d, Dropout, Linear, Module, ReLU6, Sequential, functional as F } from '@torchts/nn';
import { checkPositiveInt, makeDivisible, pyRound, withWeights } from './common.js';
import type { BuilderOptions } from './common.js';
import { initConvBnLinear, normalLinear } from './init.js';
import { Conv2dNormActivation, batchNorm2d } from './layers/conv-norm-activation.js';
import type { NormLayer } from './layers/conv-norm-activation.js';

export class InvertedResidual extends Module {
  declare stride: number;
  declare useResConnect: boolean;
  declare conv: Sequential;
  declare outChannels: number;

  constructor(inp: number, oup: number, stride: number, expandRatio: number, normLayer: NormLayer = batchNorm2d) {
    super();
    if (stride !== 1 && stride !== 2) throw new ValueError(`stride should be 1 or 2 instead of ${stride}`);
    const hidden = pyRound(inp * expandRatio);
    this.stride = stride;
    this.useResConnect = stride === 1 && inp === oup;
    const layers: Module[] = [];
    if (expandRatio !== 1) layers.push(new Conv2dNormActivation(inp, hidden, { kernelSize: 1, normLayer, activationLayer: ReLU6 }));
    layers.push(
      new Conv2dNormActivation(hidden, hidden, { stride, groups: hidden, normLayer, activationLayer: ReLU6 }),
      new Conv2d(hidden, oup, 1, { bias: false }),
      normLayer(oup),
    );
    this.conv = new Sequential(...layers);
    this.outChannels = oup;
  }

  forward(x: Tensor): Tensor {
    if (!this.useResConnect) return this.conv.call(x) as Tensor;
    return tidy(() => x.add(this.conv.call(x) as Tensor));
  }
}

/** One stage: expansion factor t, output channels c, repeats n, first stride s. */
export type InvertedResidualSetting = [t: number, c: number, n: number, s: number];

export interface MobileNetV2Options {
  numClasses?: number;
  widthMult?: number;
  invertedResidualSetting?: InvertedResidualSetting[];
  roundNearest?: number;
  normLayer?: NormLayer;
  dropout?: number;
}

const DEFAULT_SETTING: InvertedResidualSetting[] = [
  [1, 16, 1, 1], [6, 24, 2, 2], [6, 32, 3, 2], [6, 64, 4, 2], [6, 96, 3, 1], [6, 160, 3, 2], [6, 320, 1, 1],
];

export class MobileNetV2 extends Module {
  declare lastChannel: number;
  declare features: Sequential;
  declare classifier: Sequential;

  constructor(opts: MobileNetV2Options = {}) {
    super();
    const numClasses = checkPositiveInt('numClasses', opts.numClasses ?? 1000);
    const widthMult = opts.widthMult ?? 1;
    const roundNearest = opts.roundNearest ?? 8;
    const normLayer = opts.normLayer ?? batchNorm2d;
    const setting = opts.invertedResidualSetting ?? DEFAULT_SETTING;
    if (setting.length === 0 || setting.some((s) => s.length !== 4)) {
      throw new ValueError(`inverted_residual_setting should be non-empty or a 4-element list, got ${JSON.stringify(setting)}`);
    }
    let inputChannel = makeDivisible(32 * widthMult, roundNearest);
    this.lastChannel = makeDivisible(1280 * Math.max(1, widthMult), roundNearest);
    const features: Module[] = [new Conv2dNormActivation(3, inputChannel, { stride: 2, normLayer, activationLayer: ReLU6 })];
    for (const [t, c, n, s] of setting) {
      const outputChannel = makeDivisible(c * widthMult, roundNearest);
      for (let i = 0; i < n; i++) {
        features.push(new InvertedResidual(inputChannel, outputChannel, i === 0 ? s : 1, t, normLayer));
        inputChannel = outputChannel;
      }
    }
    features.push(new Conv2dNormActivation(inputChannel, this.lastChannel, { kernelSize: 1, normLayer, activationLayer: ReLU6 }));
    this.features = new Sequential(...features);
    this.classifier = new Sequential(new Dropout(opts.dropout ?? 0.2), new Linear(this.lastChannel, numClasses));
    initConvBnLinear(this, { convNonlinearity: 'leaky_relu', linear: normalLinear });
  }

  forward(x: Tensor): Tensor {
    return tidy(() => {
      const f = F.adaptiveAvgPool2d(this.features.call(x) as Tensor, [1, 1]).flatten(1);
      return this.classifier.call(f) as Tensor;
    });
  }
}

export function mobilenetV2(opts: BuilderOptions & MobileNetV2Options = {}): MobileNetV2 {
  return withWeights(new MobileNetV2(opts), opts.weights);
}
