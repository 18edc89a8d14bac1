/**
 * RegNet X and Y (Radosavovic et al., 2020): stages of residual bottleneck blocks whose widths
 * follow a quantised linear rule, with squeeze-excitation in the Y models; torchvision's keys
 * (`trunk_output.block1.block1-0.f.a.0.weight`) and initialisation.
 */
import { ValueError, tidy } from '@torchts/core';
import type { Tensor } from '@torchts/core';
import { AdaptiveAvgPool2d, BatchNorm2d, Conv2d, Linear, Module, ReLU, Sequential, init } from '@torchts/nn';
import { callModule, checkPositiveInt, featuresPoolClassify, makeDivisible, pyRound, withWeights } from './common.js';
import type { BuilderOptions } from './common.js';
import { Conv2dNormActivation, batchNorm2d } from './layers/conv-norm-activation.js';
import type { ActivationLayer, NormLayer } from './layers/conv-norm-activation.js';
import { SqueezeExcitation } from './layers/squeeze-excitation.js';

/** Per-stage settings (torchvision's BlockParams). */
export interface BlockParams {
  depths: number[];
  widths: number[];
  groupWidths: number[];
  bottleneckMultipliers: number[];
  strides: number[];
  seRatio: number | null;
}

export interface RegNetInitParams {
  depth: number;
  w0: number;
  wA: number;
  wM: number;
  groupWidth: number;
  bottleneckMultiplier?: number;
  seRatio?: number | null;
}

const f = Math.fround;
/** torch.round on float32: halves to even. */
const roundEven = (x: number): number => pyRound(x);

/**
 * torchvision's `BlockParams.from_init_params`: widths w0 + wA * i quantised in log space with
 * step wM to multiples of 8, grouped into stages of equal width. The arithmetic is done in
 * float32 step by step, as PyTorch does it, so every configuration gets torchvision's widths.
 */
export function blockParamsFromInitParams(p: RegNetInitParams): BlockParams {
  const { depth, w0, wA, wM, groupWidth } = p;
  if (wA < 0 || w0 <= 0 || wM <= 1 || w0 % 8 !== 0) throw new ValueError('Invalid RegNet settings');
  const logWm = f(Math.log(wM));
  const blockWidths = Array.from({ length: depth }, (_, i) => {
    const cont = f(f(f(i) * f(wA)) + f(w0));
    const capacity = roundEven(f(f(Math.log(f(cont / f(w0)))) / logWm));
    return roundEven(f(f(f(w0) * f(Math.pow(f(wM), capacity))) / 8)) * 8;
  });
  // A stage ends where the width changes.
  const stageWidths: number[] = [];
  const stageDepths: number[] = [];
  for (const w of blockWidths) {
    if (stageWidths.length > 0 && stageWidths[stageWidths.length - 1] === w) stageDepths[stageDepths.length - 1]!++;
    else {
      stageWidths.push(w);
      stageDepths.push(1);
    }
  }
  const n = stageWidths.length;
  const b = p.bottleneckMultiplier ?? 1;
  // _adjust_widths_groups_compatibilty: bottleneck widths divisible by the (capped) group width.
  const wBot = stageWidths.map((w) => Math.trunc(w * b));
  const groupWidths = wBot.map((w) => Math.min(groupWidth, w));
  const widths = wBot.map((w, i) => Math.trunc(makeDivisible(w, groupWidths[i]!) / b));
  return {
    depths: stageDepths, widths, groupWidths, bottleneckMultipliers: new Array<number>(n).fill(b),
    strides: new Array<number>(n).fill(2), seRatio: p.seRatio ?? null,
  };
}

/** 1x1, grouped 3x3 (stride), optional squeeze-excitation, 1x1 — a Sequential with children a, b, se, c. */
export class BottleneckTransform extends Sequential {
  constructor(widthIn: number, widthOut: number, stride: number, normLayer: NormLayer, activationLayer: ActivationLayer, groupWidth: number, bottleneckMultiplier: number, seRatio: number | null) {
    const wB = pyRound(widthOut * bottleneckMultiplier);
    const g = Math.floor(wB / groupWidth);
    const layers = new Map<string, Module>();
    layers.set('a', new Conv2dNormActivation(widthIn, wB, { kernelSize: 1, normLayer, activationLayer }));
    layers.set('b', new Conv2dNormActivation(wB, wB, { kernelSize: 3, stride, groups: g, normLayer, activationLayer }));
    if (seRatio) layers.set('se', new SqueezeExcitation(wB, pyRound(seRatio * widthIn), { activation: () => new activationLayer() }));
    layers.set('c', new Conv2dNormActivation(wB, widthOut, { kernelSize: 1, normLayer, activationLayer: null }));
    super(layers);
  }
}

export class ResBottleneckBlock extends Module {
  declare proj: Conv2dNormActivation | null;
  declare f: BottleneckTransform;
  declare activation: Module;

  constructor(widthIn: number, widthOut: number, stride: number, normLayer: NormLayer, activationLayer: ActivationLayer, groupWidth = 1, bottleneckMultiplier = 1, seRatio: number | null = null) {
    super();
    this.proj = widthIn !== widthOut || stride !== 1
      ? new Conv2dNormActivation(widthIn, widthOut, { kernelSize: 1, stride, normLayer, activationLayer: null })
      : null;
    this.f = new BottleneckTransform(widthIn, widthOut, stride, normLayer, activationLayer, groupWidth, bottleneckMultiplier, seRatio);
    this.activation = new activationLayer({ inplace: true });
  }

  forward(x: Tensor): Tensor {
    return tidy(() => {
      const shortcut = this.proj ? callModule(this.proj, x) : x;
      return callModule(this.activation, shortcut.add(callModule(this.f, x)));
    });
  }
}

/** One stage: blocks named `block{stage}-{i}`. */
export class AnyStage extends Sequential {
  constructor(widthIn: number, widthOut: number, stride: number, depth: number, normLayer: NormLayer, activationLayer: ActivationLayer, groupWidth: number, bottleneckMultiplier: number, seRatio: number | null, stageIndex: number) {
    const blocks = new Map<string, Module>();
    for (let i = 0; i < depth; i++) {
      blocks.set(`block${stageIndex}-${i}`, new ResBottleneckBlock(i === 0 ? widthIn : widthOut, widthOut, i === 0 ? stride : 1, normLayer, activationLayer, groupWidth, bottleneckMultiplier, seRatio));
    }
    super(blocks);
  }
}

/** A stride-2 3x3 Conv2dNormActivation (torchvision's SimpleStemIN). */
export class SimpleStemIN extends Conv2dNormActivation {
  constructor(widthIn: number, widthOut: number, normLayer: NormLayer, activationLayer: ActivationLayer) {
    super(widthIn, widthOut, { kernelSize: 3, stride: 2, normLayer, activationLayer });
  }
}

export interface RegNetOptions {
  numClasses?: number;
  stemWidth?: number;
  normLayer?: NormLayer;
  activation?: ActivationLayer;
}

export class RegNet extends Module {
  declare stem: SimpleStemIN;
  declare trunk_output: Sequential;
  declare avgpool: AdaptiveAvgPool2d;
  declare fc: Linear;

  constructor(params: BlockParams, opts: RegNetOptions = {}) {
    super();
    const numClasses = checkPositiveInt('numClasses', opts.numClasses ?? 1000);
    const stemWidth = checkPositiveInt('stemWidth', opts.stemWidth ?? 32);
    const normLayer = opts.normLayer ?? batchNorm2d;
    const activation = opts.activation ?? ReLU;
    this.stem = new SimpleStemIN(3, stemWidth, normLayer, activation);
    let width = stemWidth;
    const stages = new Map<string, Module>();
    params.widths.forEach((widthOut, i) => {
      stages.set(`block${i + 1}`, new AnyStage(width, widthOut, params.strides[i]!, params.depths[i]!, normLayer, activation, params.groupWidths[i]!, params.bottleneckMultipliers[i]!, params.seRatio, i + 1));
      width = widthOut;
    });
    this.trunk_output = new Sequential(stages);
    this.avgpool = new AdaptiveAvgPool2d([1, 1]);
    this.fc = new Linear(width, numClasses);
    for (const m of this.modules()) {
      if (m instanceof Conv2d) init.normal_(m.weight, 0, Math.sqrt(2 / (m.kernelSize[0]! * m.kernelSize[1]! * m.outChannels)));
      else if (m instanceof BatchNorm2d) {
        init.ones_(m.weight!);
        init.zeros_(m.bias!);
      } else if (m instanceof Linear) {
        init.normal_(m.weight, 0, 0.01);
        if (m.bias) init.zeros_(m.bias);
      }
    }
  }

  forward(x: Tensor): Tensor {
    return tidy(() => featuresPoolClassify(callModule(this.stem, x), { features: this.trunk_output, avgpool: this.avgpool, classifier: this.fc }));
  }
}

type RegNetBuilderOptions = BuilderOptions & RegNetOptions;

const regnet = (p: RegNetInitParams) => (opts: RegNetBuilderOptions = {}): RegNet =>
  withWeights(new RegNet(blockParamsFromInitParams(p), opts), opts.weights);

/** torchvision's RegNet configurations, by builder name. */
export const REGNET_CONFIGS = {
  regnet_y_400mf: { depth: 16, w0: 48, wA: 27.89, wM: 2.09, groupWidth: 8, seRatio: 0.25 },
  regnet_y_800mf: { depth: 14, w0: 56, wA: 38.84, wM: 2.4, groupWidth: 16, seRatio: 0.25 },
  regnet_y_1_6gf: { depth: 27, w0: 48, wA: 20.71, wM: 2.65, groupWidth: 24, seRatio: 0.25 },
  regnet_y_3_2gf: { depth: 21, w0: 80, wA: 42.63, wM: 2.66, groupWidth: 24, seRatio: 0.25 },
  regnet_y_8gf: { depth: 17, w0: 192, wA: 76.82, wM: 2.19, groupWidth: 56, seRatio: 0.25 },
  regnet_y_16gf: { depth: 18, w0: 200, wA: 106.23, wM: 2.48, groupWidth: 112, seRatio: 0.25 },
  regnet_y_32gf: { depth: 20, w0: 232, wA: 115.89, wM: 2.53, groupWidth: 232, seRatio: 0.25 },
  regnet_y_128gf: { depth: 27, w0: 456, wA: 160.83, wM: 2.52, groupWidth: 264, seRatio: 0.25 },
  regnet_x_400mf: { depth: 22, w0: 24, wA: 24.48, wM: 2.54, groupWidth: 16 },
  regnet_x_800mf: { depth: 16, w0: 56, wA: 35.73, wM: 2.28, groupWidth: 16 },
  regnet_x_1_6gf: { depth: 18, w0: 80, wA: 34.01, wM: 2.25, groupWidth: 24 },
  regnet_x_3_2gf: { depth: 25, w0: 88, wA: 26.31, wM: 2.25, groupWidth: 48 },
  regnet_x_8gf: { depth: 23, w0: 80, wA: 49.56, wM: 2.88, groupWidth: 120 },
  regnet_x_16gf: { depth: 22, w0: 216, wA: 55.59, wM: 2.1, groupWidth: 128 },
  regnet_x_32gf: { depth: 23, w0: 320, wA: 69.86, wM: 2.0, groupWidth: 168 },
} as const satisfies Record<string, RegNetInitParams>;

export const regnetY400mf = regnet(REGNET_CONFIGS.regnet_y_400mf);
export const regnetY800mf = regnet(REGNET_CONFIGS.regnet_y_800mf);
export const regnetY1_6gf = regnet(REGNET_CONFIGS.regnet_y_1_6gf);
export const regnetY3_2gf = regnet(REGNET_CONFIGS.regnet_y_3_2gf);
export const regnetY8gf = regnet(REGNET_CONFIGS.regnet_y_8gf);
export const regnetY16gf = regnet(REGNET_CONFIGS.regnet_y_16gf);
export const regnetY32gf = regnet(REGNET_CONFIGS.regnet_y_32gf);
export const regnetY128gf = regnet(REGNET_CONFIGS.regnet_y_128gf);
export const regnetX400mf = regnet(REGNET_CONFIGS.regnet_x_400mf);
export const regnetX800mf = regnet(REGNET_CONFIGS.regnet_x_800mf);
export const regnetX1_6gf = regnet(REGNET_CONFIGS.regnet_x_1_6gf);
export const regnetX3_2gf = regnet(REGNET_CONFIGS.regnet_x_3_2gf);
export const regnetX8gf = regnet(REGNET_CONFIGS.regnet_x_8gf);
export const regnetX16gf = regnet(REGNET_CONFIGS.regnet_x_16gf);
export const regnetX32gf = regnet(REGNET_CONFIGS.regnet_x_32gf);
