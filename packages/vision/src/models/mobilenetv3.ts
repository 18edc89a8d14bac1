/**
 * MobileNetV3 Large and Small (Howard et al., 2019): inverted residuals with squeeze-excitation
 * (hard-sigmoid gate) and hard-swish, BatchNorm eps 1e-3 / momentum 0.01, torchvision's keys.
 */
import { ValueError, tidy } from '@torchts/core';
import type { Tensor } from '@torchts/core';
import { AdaptiveAvgPool2d, BatchNorm2d, Dropout, Hardsigmoid, Hardswish, Linear, Module, ReLU, Sequential } from '@torchts/nn';
import { checkPositiveInt, featuresPoolClassify, makeDivisible, withWeights } from './common.js';
import type { BuilderOptions } from './common.js';
import { initConvBnLinear, normalLinear } from './init.js';
import { Conv2dNormActivation } from './layers/conv-norm-activation.js';
import type { NormLayer } from './layers/conv-norm-activation.js';
import { SqueezeExcitation } from './layers/squeeze-excitation.js';

/** One block, channels already scaled by the width multiplier (torchvision's InvertedResidualConfig). */
export interface InvertedResidualConfig {
  inputChannels: number;
  kernel: number;
  expandedChannels: number;
  outChannels: number;
  useSe: boolean;
  /** Hard-swish ('HS') rather than ReLU ('RE'). */
  useHs: boolean;
  stride: number;
  dilation: number;
}

/** A block from the paper's table: channels are scaled by `widthMult` and rounded to multiples of 8. */
export function invertedResidualConfig(
  inputChannels: number, kernel: number, expandedChannels: number, outChannels: number,
  useSe: boolean, activation: 'RE' | 'HS', stride: number, dilation: number, widthMult: number,
): InvertedResidualConfig {
  const adjust = (c: number): number => makeDivisible(c * widthMult, 8);
  return {
    inputChannels: adjust(inputChannels), kernel, expandedChannels: adjust(expandedChannels), outChannels: adjust(outChannels),
    useSe, useHs: activation === 'HS', stride, dilation,
  };
}

/** MobileNetV3's block (named InvertedResidual as in torchvision; exported as MobileNetV3InvertedResidual). */
export class InvertedResidual extends Module {
  declare useResConnect: boolean;
  declare block: Sequential;
  declare outChannels: number;

  constructor(cnf: InvertedResidualConfig, normLayer: NormLayer) {
    super();
    if (!(cnf.stride >= 1 && cnf.stride <= 2)) throw new ValueError('illegal stride value');
    this.useResConnect = cnf.stride === 1 && cnf.inputChannels === cnf.outChannels;
    const activationLayer = cnf.useHs ? Hardswish : ReLU;
    const layers: Module[] = [];
    if (cnf.expandedChannels !== cnf.inputChannels) {
      layers.push(new Conv2dNormActivation(cnf.inputChannels, cnf.expandedChannels, { kernelSize: 1, normLayer, activationLayer }));
    }
    layers.push(new Conv2dNormActivation(cnf.expandedChannels, cnf.expandedChannels, {
      kernelSize: cnf.kernel, stride: cnf.dilation > 1 ? 1 : cnf.stride, dilation: cnf.dilation, groups: cnf.expandedChannels, normLayer, activationLayer,
    }));
    if (cnf.useSe) {
      const squeeze = makeDivisible(Math.floor(cnf.expandedChannels / 4), 8);
      layers.push(new SqueezeExcitation(cnf.expandedChannels, squeeze, { scaleActivation: () => new Hardsigmoid() }));
    }
    layers.push(new Conv2dNormActivation(cnf.expandedChannels, cnf.outChannels, { kernelSize: 1, normLayer, activationLayer: null }));
    this.block = new Sequential(...layers);
    this.outChannels = cnf.outChannels;
  }

  forward(x: Tensor): Tensor {
    return tidy(() => {
      const out = this.block.call(x) as Tensor;
      return this.useResConnect ? out.add_(x) : out;
    });
  }
}

export interface MobileNetV3Options {
  numClasses?: number;
  normLayer?: NormLayer;
  dropout?: number;
}

export class MobileNetV3 extends Module {
  declare features: Sequential;
  declare avgpool: AdaptiveAvgPool2d;
  declare classifier: Sequential;

  constructor(setting: InvertedResidualConfig[], lastChannel: number, opts: MobileNetV3Options = {}) {
    super();
    if (setting.length === 0) throw new ValueError('The inverted_residual_setting should not be empty');
    const numClasses = checkPositiveInt('numClasses', opts.numClasses ?? 1000);
    const normLayer = opts.normLayer ?? ((c: number) => new BatchNorm2d(c, { eps: 0.001, momentum: 0.01 }));
    const layers: Module[] = [new Conv2dNormActivation(3, setting[0]!.inputChannels, { stride: 2, normLayer, activationLayer: Hardswish })];
    for (const cnf of setting) layers.push(new InvertedResidual(cnf, normLayer));
    const lastIn = setting[setting.length - 1]!.outChannels;
    layers.push(new Conv2dNormActivation(lastIn, 6 * lastIn, { kernelSize: 1, normLayer, activationLayer: Hardswish }));
    this.features = new Sequential(...layers);
    this.avgpool = new AdaptiveAvgPool2d(1);
    this.classifier = new Sequential(
      new Linear(6 * lastIn, lastChannel),
      new Hardswish({ inplace: true }),
      new Dropout(opts.dropout ?? 0.2, { inplace: true }),
      new Linear(lastChannel, numClasses),
    );
    initConvBnLinear(this, { convNonlinearity: 'leaky_relu', linear: normalLinear });
  }

  forward(x: Tensor): Tensor {
    return featuresPoolClassify(x, this);
  }
}

export interface MobileNetV3ConfOptions {
  widthMult?: number;
  /** Halves the channels of the last stage (for detection backbones). */
  reducedTail?: boolean;
  /** Dilation 2 instead of stride in the last stage. */
  dilated?: boolean;
}

type Row = [number, number, number, number, boolean, 'RE' | 'HS', number, number];

/** torchvision's `_mobilenet_v3_conf`: the block table and last channel of 'large' or 'small'. */
export function mobilenetV3Conf(arch: 'large' | 'small', opts: MobileNetV3ConfOptions = {}): [InvertedResidualConfig[], number] {
  const w = opts.widthMult ?? 1;
  const r = opts.reducedTail ? 2 : 1;
  const d = opts.dilated ? 2 : 1;
  let rows: Row[];
  let last: number;
  if (arch === 'large') {
    rows = [
      [16, 3, 16, 16, false, 'RE', 1, 1], [16, 3, 64, 24, false, 'RE', 2, 1], [24, 3, 72, 24, false, 'RE', 1, 1],
      [24, 5, 72, 40, true, 'RE', 2, 1], [40, 5, 120, 40, true, 'RE', 1, 1], [40, 5, 120, 40, true, 'RE', 1, 1],
      [40, 3, 240, 80, false, 'HS', 2, 1], [80, 3, 200, 80, false, 'HS', 1, 1], [80, 3, 184, 80, false, 'HS', 1, 1],
      [80, 3, 184, 80, false, 'HS', 1, 1], [80, 3, 480, 112, true, 'HS', 1, 1], [112, 3, 672, 112, true, 'HS', 1, 1],
      [112, 5, 672, 160 / r, true, 'HS', 2, d], [160 / r, 5, 960 / r, 160 / r, true, 'HS', 1, d], [160 / r, 5, 960 / r, 160 / r, true, 'HS', 1, d],
    ];
    last = 1280 / r;
  } else if (arch === 'small') {
    rows = [
      [16, 3, 16, 16, true, 'RE', 2, 1], [16, 3, 72, 24, false, 'RE', 2, 1], [24, 3, 88, 24, false, 'RE', 1, 1],
      [24, 5, 96, 40, true, 'HS', 2, 1], [40, 5, 240, 40, true, 'HS', 1, 1], [40, 5, 240, 40, true, 'HS', 1, 1],
      [40, 5, 120, 48, true, 'HS', 1, 1], [48, 5, 144, 48, true, 'HS', 1, 1], [48, 5, 288, 96 / r, true, 'HS', 2, d],
      [96 / r, 5, 576 / r, 96 / r, true, 'HS', 1, d], [96 / r, 5, 576 / r, 96 / r, true, 'HS', 1, d],
    ];
    last = 1024 / r;
  } else throw new ValueError(`Unsupported model type ${String(arch)}`);
  return [rows.map((row) => invertedResidualConfig(...row, w)), makeDivisible(last * w, 8)];
}

type MobileNetV3BuilderOptions = BuilderOptions & MobileNetV3Options & MobileNetV3ConfOptions;

function mobilenetV3(arch: 'large' | 'small', opts: MobileNetV3BuilderOptions): MobileNetV3 {
  const [setting, last] = mobilenetV3Conf(arch, opts);
  return withWeights(new MobileNetV3(setting, last, opts), opts.weights);
}

export const mobilenetV3Large = (opts: MobileNetV3BuilderOptions = {}): MobileNetV3 => mobilenetV3('large', opts);
export const mobilenetV3Small = (opts: MobileNetV3BuilderOptions = {}): MobileNetV3 => mobilenetV3('small', opts);
