/**
 * EfficientNet B0-B7 (Tan & Le, 2019) and V2 S/M/L (2021): MBConv blocks (expand, depthwise,
 * squeeze-excitation with SiLU, project) and V2's FusedMBConv (one full conv for expand+depthwise),
 * with stochastic depth on the residual, width/depth scaling and torchvision's keys.
 */
import { ValueError, tidy } from '@torchts/core';
import type { Tensor } from '@torchts/core';
import { AdaptiveAvgPool2d, BatchNorm2d, Dropout, Linear, Module, Sequential, SiLU, init } from '@torchts/nn';
import { checkPositiveInt, featuresPoolClassify, makeDivisible, withWeights } from './common.js';
import type { BuilderOptions } from './common.js';
import { initConvBnLinear } from './init.js';
import { Conv2dNormActivation, batchNorm2d } from './layers/conv-norm-activation.js';
import type { NormLayer } from './layers/conv-norm-activation.js';
import { SqueezeExcitation } from './layers/squeeze-excitation.js';
import { StochasticDepth } from './layers/stochastic-depth.js';

/** One stage of MBConv (or FusedMBConv) blocks, channels and depth already scaled (torchvision's MBConvConfig / FusedMBConvConfig). */
export interface MBConvConfig {
  block: 'mbconv' | 'fused';
  expandRatio: number;
  kernel: number;
  stride: number;
  inputChannels: number;
  outChannels: number;
  numLayers: number;
}

/** A stage from the paper's table scaled by `widthMult` (channels, multiples of 8) and `depthMult` (layers, rounded up). */
export function mbConvConfig(
  expandRatio: number, kernel: number, stride: number, inputChannels: number, outChannels: number, numLayers: number,
  widthMult = 1, depthMult = 1,
): MBConvConfig {
  return {
    block: 'mbconv', expandRatio, kernel, stride,
    inputChannels: makeDivisible(inputChannels * widthMult, 8),
    outChannels: makeDivisible(outChannels * widthMult, 8),
    numLayers: Math.ceil(numLayers * depthMult),
  };
}

/** A FusedMBConv stage from the V2 table (channels are used as given). */
export function fusedMBConvConfig(expandRatio: number, kernel: number, stride: number, inputChannels: number, outChannels: number, numLayers: number): MBConvConfig {
  return { block: 'fused', expandRatio, kernel, stride, inputChannels, outChannels, numLayers };
}

/** What both blocks share: the stride check, the residual with stochastic depth, field order. */
abstract class ResidualBlock extends Module {
  declare useResConnect: boolean;
  declare block: Sequential;
  declare stochastic_depth: StochasticDepth;
  declare outChannels: number;

  /** `layers(expanded)` builds the block's layers given the expanded width. */
  constructor(cnf: MBConvConfig, stochasticDepthProb: number, layers: (expanded: number) => Module[]) {
    super();
    if (!(cnf.stride >= 1 && cnf.stride <= 2)) throw new ValueError('illegal stride value');
    this.useResConnect = cnf.stride === 1 && cnf.inputChannels === cnf.outChannels;
    this.block = new Sequential(...layers(makeDivisible(cnf.inputChannels * cnf.expandRatio, 8)));
    this.stochastic_depth = new StochasticDepth(stochasticDepthProb, 'row');
    this.outChannels = cnf.outChannels;
  }

  forward(x: Tensor): Tensor {
    return tidy(() => {
      const out = this.block.call(x) as Tensor;
      if (!this.useResConnect) return out;
      return this.stochastic_depth.call(out).add_(x);
    });
  }
}

/** Expand 1x1 (when the ratio is not 1), depthwise kxk, squeeze-excitation, project 1x1. */
export class MBConv extends ResidualBlock {
  constructor(cnf: MBConvConfig, stochasticDepthProb: number, normLayer: NormLayer) {
    super(cnf, stochasticDepthProb, (expanded) => [
      ...(expanded !== cnf.inputChannels ? [new Conv2dNormActivation(cnf.inputChannels, expanded, { kernelSize: 1, normLayer, activationLayer: SiLU })] : []),
      new Conv2dNormActivation(expanded, expanded, { kernelSize: cnf.kernel, stride: cnf.stride, groups: expanded, normLayer, activationLayer: SiLU }),
      new SqueezeExcitation(expanded, Math.max(1, Math.floor(cnf.inputChannels / 4)), { activation: () => new SiLU({ inplace: true }) }),
      new Conv2dNormActivation(expanded, cnf.outChannels, { kernelSize: 1, normLayer, activationLayer: null }),
    ]);
  }
}

/** A full kxk conv in place of expand + depthwise (then project 1x1 when the ratio is not 1); no squeeze-excitation. */
export class FusedMBConv extends ResidualBlock {
  constructor(cnf: MBConvConfig, stochasticDepthProb: number, normLayer: NormLayer) {
    super(cnf, stochasticDepthProb, (expanded) =>
      expanded !== cnf.inputChannels
        ? [
          new Conv2dNormActivation(cnf.inputChannels, expanded, { kernelSize: cnf.kernel, stride: cnf.stride, normLayer, activationLayer: SiLU }),
          new Conv2dNormActivation(expanded, cnf.outChannels, { kernelSize: 1, normLayer, activationLayer: null }),
        ]
        : [new Conv2dNormActivation(cnf.inputChannels, cnf.outChannels, { kernelSize: cnf.kernel, stride: cnf.stride, normLayer, activationLayer: SiLU })],
    );
  }
}

export interface EfficientNetOptions {
  numClasses?: number;
  /** Highest stochastic-depth probability, reached linearly by the last block (default 0.2). */
  stochasticDepthProb?: number;
  normLayer?: NormLayer;
  lastChannel?: number | null;
}

export class EfficientNet extends Module {
  declare features: Sequential;
  declare avgpool: AdaptiveAvgPool2d;
  declare classifier: Sequential;

  constructor(setting: MBConvConfig[], dropout: number, opts: EfficientNetOptions = {}) {
    super();
    if (setting.length === 0) throw new ValueError('The inverted_residual_setting should not be empty');
    const numClasses = checkPositiveInt('numClasses', opts.numClasses ?? 1000);
    const sdProb = opts.stochasticDepthProb ?? 0.2;
    const normLayer = opts.normLayer ?? batchNorm2d;
    const layers: Module[] = [new Conv2dNormActivation(3, setting[0]!.inputChannels, { stride: 2, normLayer, activationLayer: SiLU })];
    const totalBlocks = setting.reduce((a, c) => a + c.numLayers, 0);
    let blockId = 0;
    for (const cnf of setting) {
      const stage: Module[] = [];
      for (let i = 0; i < cnf.numLayers; i++) {
        // Later blocks of a stage take the stage's output width at stride 1.
        const blockCnf = i === 0 ? cnf : { ...cnf, inputChannels: cnf.outChannels, stride: 1 };
        const Block = cnf.block === 'fused' ? FusedMBConv : MBConv;
        stage.push(new Block(blockCnf, (sdProb * blockId) / totalBlocks, normLayer));
        blockId++;
      }
      layers.push(new Sequential(...stage));
    }
    const lastIn = setting[setting.length - 1]!.outChannels;
    const lastOut = opts.lastChannel ?? 4 * lastIn;
    layers.push(new Conv2dNormActivation(lastIn, lastOut, { kernelSize: 1, normLayer, activationLayer: SiLU }));
    this.features = new Sequential(...layers);
    this.avgpool = new AdaptiveAvgPool2d(1);
    this.classifier = new Sequential(new Dropout(dropout, { inplace: true }), new Linear(lastOut, numClasses));
    initConvBnLinear(this, {
      convNonlinearity: 'leaky_relu',
      linear: (m) => {
        const range = 1 / Math.sqrt(m.outFeatures);
        init.uniform_(m.weight, -range, range);
        if (m.bias) init.zeros_(m.bias);
      },
    });
  }

  forward(x: Tensor): Tensor {
    return featuresPoolClassify(x, this);
  }
}

/** torchvision's B-series table scaled by width and depth. */
export function efficientnetConf(widthMult: number, depthMult: number): MBConvConfig[] {
  const rows: Array<[number, number, number, number, number, number]> = [
    [1, 3, 1, 32, 16, 1], [6, 3, 2, 16, 24, 2], [6, 5, 2, 24, 40, 2], [6, 3, 2, 40, 80, 3],
    [6, 5, 1, 80, 112, 3], [6, 5, 2, 112, 192, 4], [6, 3, 1, 192, 320, 1],
  ];
  return rows.map((r) => mbConvConfig(...r, widthMult, depthMult));
}

type EfficientNetBuilderOptions = BuilderOptions & Omit<EfficientNetOptions, 'lastChannel'> & { dropout?: number };

// [width, depth, dropout, BatchNorm eps/momentum from torchvision's b5-b7]
const B_SERIES: Array<[number, number, number, boolean]> = [
  [1.0, 1.0, 0.2, false], [1.0, 1.1, 0.2, false], [1.1, 1.2, 0.3, false], [1.2, 1.4, 0.3, false],
  [1.4, 1.8, 0.4, false], [1.6, 2.2, 0.4, true], [1.8, 2.6, 0.5, true], [2.0, 3.1, 0.5, true],
];

function efficientnetB(variant: number, opts: EfficientNetBuilderOptions): EfficientNet {
  const [w, d, dropout, tfNorm] = B_SERIES[variant]!;
  const normLayer = opts.normLayer ?? (tfNorm ? (c: number) => new BatchNorm2d(c, { eps: 0.001, momentum: 0.01 }) : undefined);
  return withWeights(new EfficientNet(efficientnetConf(w, d), opts.dropout ?? dropout, { ...opts, normLayer }), opts.weights);
}

export const efficientnetB0 = (opts: EfficientNetBuilderOptions = {}): EfficientNet => efficientnetB(0, opts);
export const efficientnetB1 = (opts: EfficientNetBuilderOptions = {}): EfficientNet => efficientnetB(1, opts);
export const efficientnetB2 = (opts: EfficientNetBuilderOptions = {}): EfficientNet => efficientnetB(2, opts);
export const efficientnetB3 = (opts: EfficientNetBuilderOptions = {}): EfficientNet => efficientnetB(3, opts);
export const efficientnetB4 = (opts: EfficientNetBuilderOptions = {}): EfficientNet => efficientnetB(4, opts);
export const efficientnetB5 = (opts: EfficientNetBuilderOptions = {}): EfficientNet => efficientnetB(5, opts);
export const efficientnetB6 = (opts: EfficientNetBuilderOptions = {}): EfficientNet => efficientnetB(6, opts);
export const efficientnetB7 = (opts: EfficientNetBuilderOptions = {}): EfficientNet => efficientnetB(7, opts);

/** torchvision's V2 tables: [setting, dropout]; last channel 1280, BatchNorm eps 1e-3. */
function efficientnetV2Conf(arch: 's' | 'm' | 'l'): [MBConvConfig[], number] {
  const f = fusedMBConvConfig;
  const m = (...r: [number, number, number, number, number, number]): MBConvConfig => mbConvConfig(...r);
  switch (arch) {
    case 's': return [[f(1, 3, 1, 24, 24, 2), f(4, 3, 2, 24, 48, 4), f(4, 3, 2, 48, 64, 4), m(4, 3, 2, 64, 128, 6), m(6, 3, 1, 128, 160, 9), m(6, 3, 2, 160, 256, 15)], 0.2];
    case 'm': return [[f(1, 3, 1, 24, 24, 3), f(4, 3, 2, 24, 48, 5), f(4, 3, 2, 48, 80, 5), m(4, 3, 2, 80, 160, 7), m(6, 3, 1, 160, 176, 14), m(6, 3, 2, 176, 304, 18), m(6, 3, 1, 304, 512, 5)], 0.3];
    case 'l': return [[f(1, 3, 1, 32, 32, 4), f(4, 3, 2, 32, 64, 7), f(4, 3, 2, 64, 96, 7), m(4, 3, 2, 96, 192, 10), m(6, 3, 1, 192, 224, 19), m(6, 3, 2, 224, 384, 25), m(6, 3, 1, 384, 640, 7)], 0.4];
  }
}

function efficientnetV2(arch: 's' | 'm' | 'l', opts: EfficientNetBuilderOptions): EfficientNet {
  const [setting, dropout] = efficientnetV2Conf(arch);
  const normLayer = opts.normLayer ?? ((c: number) => new BatchNorm2d(c, { eps: 1e-3 }));
  return withWeights(new EfficientNet(setting, opts.dropout ?? dropout, { ...opts, normLayer, lastChannel: 1280 }), opts.weights);
}

export const efficientnetV2S = (opts: EfficientNetBuilderOptions = {}): EfficientNet => efficientnetV2('s', opts);
export const efficientnetV2M = (opts: EfficientNetBuilderOptions = {}): EfficientNet => efficientnetV2('m', opts);
export const efficientnetV2L = (opts: EfficientNetBuilderOptions = {}): EfficientNet => efficientnetV2('l', opts);
