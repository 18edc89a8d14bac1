/**
 * ResNet (He et al., 2015) with torchvision's BasicBlock/Bottleneck (stride on the 3x3 conv, "V1.5"),
 * zero-initialised residual option, grouped/wide bottlenecks (ResNeXt, Wide ResNet) and dilation.
 */
import { NotImplementedError, ValueError, tidy } from '@torchts/core';
import type { Tensor } from '@torchts/core';
import { AdaptiveAvgPool2d, Conv2d, Linear, MaxPool2d, Module, ReLU, Sequential, init } from '@torchts/nn';
import { callModule, checkPositiveInt, withWeights } from './common.js';
import type { BuilderOptions } from './common.js';
import { initConvBnLinear } from './init.js';
import { batchNorm2d } from './layers/conv-norm-activation.js';
import type { NormLayer } from './layers/conv-norm-activation.js';

const conv3x3 = (inPlanes: number, outPlanes: number, stride = 1, groups = 1, dilation = 1): Conv2d =>
  new Conv2d(inPlanes, outPlanes, 3, { stride, padding: dilation, groups, bias: false, dilation });
const conv1x1 = (inPlanes: number, outPlanes: number, stride = 1): Conv2d => new Conv2d(inPlanes, outPlanes, 1, { stride, bias: false });

export interface BlockOptions {
  stride?: number;
  downsample?: Module | null;
  groups?: number;
  baseWidth?: number;
  dilation?: number;
  normLayer?: NormLayer;
}

/** Adds the (possibly downsampled) input to the residual branch, then ReLU, in place as torchvision. */
function residual(out: Tensor, x: Tensor, downsample: Module | null, relu: ReLU): Tensor {
  const identity = downsample ? callModule(downsample, x) : x;
  out.add_(identity);
  return relu.call(out);
}

export class BasicBlock extends Module {
  static readonly expansion = 1;
  declare conv1: Conv2d;
  declare bn1: Module;
  declare relu: ReLU;
  declare conv2: Conv2d;
  declare bn2: Module & { weight?: Tensor | null };
  declare downsample: Module | null;
  declare stride: number;

  constructor(inplanes: number, planes: number, opts: BlockOptions = {}) {
    super();
    const norm = opts.normLayer ?? batchNorm2d;
    if ((opts.groups ?? 1) !== 1 || (opts.baseWidth ?? 64) !== 64) throw new ValueError('BasicBlock only supports groups=1 and base_width=64');
    if ((opts.dilation ?? 1) > 1) throw new NotImplementedError('Dilation > 1 not supported in BasicBlock');
    const stride = opts.stride ?? 1;
    this.conv1 = conv3x3(inplanes, planes, stride);
    this.bn1 = norm(planes);
    this.relu = new ReLU({ inplace: true });
    this.conv2 = conv3x3(planes, planes);
    this.bn2 = norm(planes);
    this.downsample = opts.downsample ?? null;
    this.stride = stride;
  }

  forward(x: Tensor): Tensor {
    return tidy(() => {
      let out = this.relu.call(callModule(this.bn1, this.conv1.call(x)));
      out = callModule(this.bn2, this.conv2.call(out));
      return residual(out, x, this.downsample, this.relu);
    });
  }
}

export class Bottleneck extends Module {
  static readonly expansion = 4;
  declare conv1: Conv2d;
  declare bn1: Module;
  declare conv2: Conv2d;
  declare bn2: Module;
  declare conv3: Conv2d;
  declare bn3: Module & { weight?: Tensor | null };
  declare relu: ReLU;
  declare downsample: Module | null;
  declare stride: number;

  constructor(inplanes: number, planes: number, opts: BlockOptions = {}) {
    super();
    const norm = opts.normLayer ?? batchNorm2d;
    const groups = opts.groups ?? 1;
    const stride = opts.stride ?? 1;
    const width = Math.trunc(planes * ((opts.baseWidth ?? 64) / 64)) * groups;
    this.conv1 = conv1x1(inplanes, width);
    this.bn1 = norm(width);
    this.conv2 = conv3x3(width, width, stride, groups, opts.dilation ?? 1);
    this.bn2 = norm(width);
    this.conv3 = conv1x1(width, planes * Bottleneck.expansion);
    this.bn3 = norm(planes * Bottleneck.expansion);
    this.relu = new ReLU({ inplace: true });
    this.downsample = opts.downsample ?? null;
    this.stride = stride;
  }

  forward(x: Tensor): Tensor {
    return tidy(() => {
      let out = this.relu.call(callModule(this.bn1, this.conv1.call(x)));
      out = this.relu.call(callModule(this.bn2, this.conv2.call(out)));
      out = callModule(this.bn3, this.conv3.call(out));
      return residual(out, x, this.downsample, this.relu);
    });
  }
}

export type ResNetBlock = typeof BasicBlock | typeof Bottleneck;

export interface ResNetOptions {
  numClasses?: number;
  /** Zero the last BN weight of each residual branch, so every block starts as the identity. */
  zeroInitResidual?: boolean;
  groups?: number;
  widthPerGroup?: number;
  /** Per stage 2-4: replace the stride-2 with dilation (for dense prediction). */
  replaceStrideWithDilation?: [boolean, boolean, boolean] | null;
  normLayer?: NormLayer;
}

export class ResNet extends Module {
  declare conv1: Conv2d;
  declare bn1: Module;
  declare relu: ReLU;
  declare maxpool: MaxPool2d;
  declare layer1: Sequential;
  declare layer2: Sequential;
  declare layer3: Sequential;
  declare layer4: Sequential;
  declare avgpool: AdaptiveAvgPool2d;
  declare fc: Linear;
  // Construction state (torchvision's self.inplanes / self.dilation), not parameters.
  declare private _inplanes: number;
  declare private _dilation: number;
  declare private _groups: number;
  declare private _baseWidth: number;
  declare private _norm: NormLayer;

  constructor(block: ResNetBlock, layers: [number, number, number, number], opts: ResNetOptions = {}) {
    super();
    const numClasses = checkPositiveInt('numClasses', opts.numClasses ?? 1000);
    const dilate = opts.replaceStrideWithDilation ?? [false, false, false];
    if (dilate.length !== 3) throw new ValueError(`replace_stride_with_dilation should be None or a 3-element tuple, got [${dilate.join(', ')}]`);
    if (layers.length !== 4) throw new ValueError(`layers must list the block count of 4 stages, got [${layers.join(', ')}]`);
    this._norm = opts.normLayer ?? batchNorm2d;
    this._inplanes = 64;
    this._dilation = 1;
    this._groups = checkPositiveInt('groups', opts.groups ?? 1);
    this._baseWidth = checkPositiveInt('widthPerGroup', opts.widthPerGroup ?? 64);
    this.conv1 = new Conv2d(3, 64, 7, { stride: 2, padding: 3, bias: false });
    this.bn1 = this._norm(64);
    this.relu = new ReLU({ inplace: true });
    this.maxpool = new MaxPool2d(3, { stride: 2, padding: 1 });
    this.layer1 = this.makeLayer(block, 64, layers[0]);
    this.layer2 = this.makeLayer(block, 128, layers[1], 2, dilate[0]);
    this.layer3 = this.makeLayer(block, 256, layers[2], 2, dilate[1]);
    this.layer4 = this.makeLayer(block, 512, layers[3], 2, dilate[2]);
    this.avgpool = new AdaptiveAvgPool2d([1, 1]);
    this.fc = new Linear(512 * block.expansion, numClasses);
    initConvBnLinear(this, { convNonlinearity: 'relu' });
    if (opts.zeroInitResidual) {
      for (const m of this.modules()) {
        const bn = m instanceof Bottleneck ? m.bn3 : m instanceof BasicBlock ? m.bn2 : null;
        if (bn?.weight) init.zeros_(bn.weight);
      }
    }
  }

  private makeLayer(block: ResNetBlock, planes: number, blocks: number, stride = 1, dilate = false): Sequential {
    const previousDilation = this._dilation;
    if (dilate) {
      this._dilation *= stride;
      stride = 1;
    }
    const out = planes * block.expansion;
    // Built before the first block, as in torchvision (the order of the random draws).
    const downsample = stride !== 1 || this._inplanes !== out ? new Sequential(conv1x1(this._inplanes, out, stride), this._norm(out)) : null;
    const shared = { groups: this._groups, baseWidth: this._baseWidth, normLayer: this._norm };
    const list: Module[] = [new block(this._inplanes, planes, { ...shared, stride, downsample, dilation: previousDilation })];
    this._inplanes = out;
    for (let i = 1; i < blocks; i++) list.push(new block(this._inplanes, planes, { ...shared, dilation: this._dilation }));
    return new Sequential(...list);
  }

  forward(x: Tensor): Tensor {
    return tidy(() => {
      let h = this.maxpool.call(this.relu.call(callModule(this.bn1, this.conv1.call(x)))) as Tensor;
      for (const layer of [this.layer1, this.layer2, this.layer3, this.layer4]) h = layer.call(h) as Tensor;
      return this.fc.call(this.avgpool.call(h).flatten(1));
    });
  }
}

export type ResNetBuilderOptions = BuilderOptions & Omit<ResNetOptions, 'groups' | 'widthPerGroup'>;

function resnet(block: ResNetBlock, layers: [number, number, number, number], opts: BuilderOptions & ResNetOptions): ResNet {
  return withWeights(new ResNet(block, layers, opts), opts.weights);
}

export const resnet18 = (opts: BuilderOptions & ResNetOptions = {}): ResNet => resnet(BasicBlock, [2, 2, 2, 2], opts);
export const resnet34 = (opts: BuilderOptions & ResNetOptions = {}): ResNet => resnet(BasicBlock, [3, 4, 6, 3], opts);
export const resnet50 = (opts: BuilderOptions & ResNetOptions = {}): ResNet => resnet(Bottleneck, [3, 4, 6, 3], opts);
export const resnet101 = (opts: BuilderOptions & ResNetOptions = {}): ResNet => resnet(Bottleneck, [3, 4, 23, 3], opts);
export const resnet152 = (opts: BuilderOptions & ResNetOptions = {}): ResNet => resnet(Bottleneck, [3, 8, 36, 3], opts);
export const resnext50_32x4d = (opts: ResNetBuilderOptions = {}): ResNet => resnet(Bottleneck, [3, 4, 6, 3], { ...opts, groups: 32, widthPerGroup: 4 });
export const resnext101_32x8d = (opts: ResNetBuilderOptions = {}): ResNet => resnet(Bottleneck, [3, 4, 23, 3], { ...opts, groups: 32, widthPerGroup: 8 });
export const resnext101_64x4d = (opts: ResNetBuilderOptions = {}): ResNet => resnet(Bottleneck, [3, 4, 23, 3], { ...opts, groups: 64, widthPerGroup: 4 });
export const wideResnet50_2 = (opts: ResNetBuilderOptions = {}): ResNet => resnet(Bottleneck, [3, 4, 6, 3], { ...opts, widthPerGroup: 128 });
export const wideResnet101_2 = (opts: ResNetBuilderOptions = {}): ResNet => resnet(Bottleneck, [3, 4, 23, 3], { ...opts, widthPerGroup: 128 });
