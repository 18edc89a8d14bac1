/**
 * GoogLeNet / Inception v1 (Szegedy et al., 2014) in torchvision's BatchNorm variant: BasicConv2d
 * (conv, BN eps 1e-3, ReLU), Inception blocks of four branches, two auxiliary classifiers used in
 * training, and the optional ImageNet input re-normalisation of torchvision's pretrained weights.
 */
import { ValueError, cat, tidy } from '@torchts/core';
import type { Tensor } from '@torchts/core';
import { AdaptiveAvgPool2d, BatchNorm2d, Conv2d, Dropout, Linear, MaxPool2d, Module, Sequential, functional as F, init } from '@torchts/nn';
import type { ConvLayerOptions } from '@torchts/nn';
import { callModule, checkPositiveInt, withWeights } from './common.js';
import type { BuilderOptions } from './common.js';

export class BasicConv2d extends Module {
  declare conv: Conv2d;
  declare bn: BatchNorm2d;

  constructor(inChannels: number, outChannels: number, kernelSize: number, opts: Omit<ConvLayerOptions, 'bias'> = {}, eps = 0.001) {
    super();
    this.conv = new Conv2d(inChannels, outChannels, kernelSize, { ...opts, bias: false });
    this.bn = new BatchNorm2d(outChannels, { eps });
  }

  forward(x: Tensor): Tensor {
    return tidy(() => F.relu(this.bn.call(this.conv.call(x)), { inplace: true }));
  }
}

export class Inception extends Module {
  declare branch1: BasicConv2d;
  declare branch2: Sequential;
  declare branch3: Sequential;
  declare branch4: Sequential;

  constructor(inChannels: number, ch1x1: number, ch3x3red: number, ch3x3: number, ch5x5red: number, ch5x5: number, poolProj: number) {
    super();
    this.branch1 = new BasicConv2d(inChannels, ch1x1, 1);
    this.branch2 = new Sequential(new BasicConv2d(inChannels, ch3x3red, 1), new BasicConv2d(ch3x3red, ch3x3, 3, { padding: 1 }));
    // torchvision's "5x5" branch uses a 3x3 conv (kept for its pretrained weights).
    this.branch3 = new Sequential(new BasicConv2d(inChannels, ch5x5red, 1), new BasicConv2d(ch5x5red, ch5x5, 3, { padding: 1 }));
    this.branch4 = new Sequential(new MaxPool2d(3, { stride: 1, padding: 1, ceilMode: true }), new BasicConv2d(inChannels, poolProj, 1));
  }

  forward(x: Tensor): Tensor {
    return tidy(() => cat([this.branch1, this.branch2, this.branch3, this.branch4].map((b) => callModule(b, x)), 1));
  }
}

export class InceptionAux extends Module {
  declare conv: BasicConv2d;
  declare fc1: Linear;
  declare fc2: Linear;
  declare dropout: Dropout;

  constructor(inChannels: number, numClasses: number, dropout = 0.7) {
    super();
    this.conv = new BasicConv2d(inChannels, 128, 1);
    this.fc1 = new Linear(2048, 1024);
    this.fc2 = new Linear(1024, numClasses);
    this.dropout = new Dropout(dropout);
  }

  forward(x: Tensor): Tensor {
    return tidy(() => {
      const h = this.conv.call(F.adaptiveAvgPool2d(x, [4, 4])).flatten(1);
      return this.fc2.call(this.dropout.call(F.relu(this.fc1.call(h), { inplace: true })));
    });
  }
}

/** GoogLeNet's training-mode output with auxiliary classifiers (torchvision's GoogLeNetOutputs). */
export interface GoogLeNetOutputs {
  logits: Tensor;
  auxLogits2: Tensor | null;
  auxLogits1: Tensor | null;
}

export interface GoogLeNetOptions {
  numClasses?: number;
  /** Two auxiliary classifiers, returned alongside the logits in training mode (default true). */
  auxLogits?: boolean;
  /** Re-normalise inputs from ImageNet's mean/std to [-1, 1] (what the pretrained weights expect). */
  transformInput?: boolean;
  initWeights?: boolean;
  dropout?: number;
  dropoutAux?: number;
}

export class GoogLeNet extends Module {
  declare auxLogits: boolean;
  declare transformInput: boolean;
  declare conv1: BasicConv2d;
  declare maxpool1: MaxPool2d;
  declare conv2: BasicConv2d;
  declare conv3: BasicConv2d;
  declare maxpool2: MaxPool2d;
  declare inception3a: Inception;
  declare inception3b: Inception;
  declare maxpool3: MaxPool2d;
  declare inception4a: Inception;
  declare inception4b: Inception;
  declare inception4c: Inception;
  declare inception4d: Inception;
  declare inception4e: Inception;
  declare maxpool4: MaxPool2d;
  declare inception5a: Inception;
  declare inception5b: Inception;
  declare aux1: InceptionAux | null;
  declare aux2: InceptionAux | null;
  declare avgpool: AdaptiveAvgPool2d;
  declare dropout: Dropout;
  declare fc: Linear;

  constructor(opts: GoogLeNetOptions = {}) {
    super();
    const numClasses = checkPositiveInt('numClasses', opts.numClasses ?? 1000);
    this.auxLogits = opts.auxLogits ?? true;
    this.transformInput = opts.transformInput ?? false;
    const pool = (k: number): MaxPool2d => new MaxPool2d(k, { stride: 2, ceilMode: true });
    this.conv1 = new BasicConv2d(3, 64, 7, { stride: 2, padding: 3 });
    this.maxpool1 = pool(3);
    this.conv2 = new BasicConv2d(64, 64, 1);
    this.conv3 = new BasicConv2d(64, 192, 3, { padding: 1 });
    this.maxpool2 = pool(3);
    this.inception3a = new Inception(192, 64, 96, 128, 16, 32, 32);
    this.inception3b = new Inception(256, 128, 128, 192, 32, 96, 64);
    this.maxpool3 = pool(3);
    this.inception4a = new Inception(480, 192, 96, 208, 16, 48, 64);
    this.inception4b = new Inception(512, 160, 112, 224, 24, 64, 64);
    this.inception4c = new Inception(512, 128, 128, 256, 24, 64, 64);
    this.inception4d = new Inception(512, 112, 144, 288, 32, 64, 64);
    this.inception4e = new Inception(528, 256, 160, 320, 32, 128, 128);
    this.maxpool4 = pool(2);
    this.inception5a = new Inception(832, 256, 160, 320, 32, 128, 128);
    this.inception5b = new Inception(832, 384, 192, 384, 48, 128, 128);
    this.aux1 = this.auxLogits ? new InceptionAux(512, numClasses, opts.dropoutAux ?? 0.7) : null;
    this.aux2 = this.auxLogits ? new InceptionAux(528, numClasses, opts.dropoutAux ?? 0.7) : null;
    this.avgpool = new AdaptiveAvgPool2d([1, 1]);
    this.dropout = new Dropout(opts.dropout ?? 0.2);
    this.fc = new Linear(1024, numClasses);
    if (opts.initWeights ?? true) {
      for (const m of this.modules()) {
        if (m instanceof Conv2d || m instanceof Linear) init.truncNormal_(m.weight, 0, 0.01, -2, 2);
        else if (m instanceof BatchNorm2d) {
          init.ones_(m.weight!);
          init.zeros_(m.bias!);
        }
      }
    }
  }

  /** Logits; in training mode with auxiliary classifiers, `{ logits, auxLogits2, auxLogits1 }`. */
  forward(x: Tensor): Tensor | GoogLeNetOutputs {
    if (x.ndim !== 4 || x.shape[1] !== 3) throw new ValueError(`GoogLeNet expects [N, 3, H, W] input, got [${x.shape.join(', ')}]`);
    return tidy(() => {
      let h = this.transformInput ? imagenetToUnitRange(x) : x;
      const run = (...ms: Module[]): void => {
        for (const m of ms) h = callModule(m, h);
      };
      run(this.conv1, this.maxpool1, this.conv2, this.conv3, this.maxpool2, this.inception3a, this.inception3b, this.maxpool3, this.inception4a);
      const aux1 = this.aux1 && this.training ? this.aux1.call(h) : null;
      run(this.inception4b, this.inception4c, this.inception4d);
      const aux2 = this.aux2 && this.training ? this.aux2.call(h) : null;
      run(this.inception4e, this.maxpool4, this.inception5a, this.inception5b);
      const logits = this.fc.call(this.dropout.call(this.avgpool.call(h).flatten(1)));
      return this.training && this.auxLogits ? { logits, auxLogits2: aux2, auxLogits1: aux1 } : logits;
    });
  }
}

/** torchvision's `_transform_input`: channel c becomes x * std_c / 0.5 + (mean_c - 0.5) / 0.5. */
function imagenetToUnitRange(x: Tensor): Tensor {
  const mean = [0.485, 0.456, 0.406];
  const std = [0.229, 0.224, 0.225];
  return tidy(() => cat([0, 1, 2].map((c) => x.select(1, c).unsqueeze(1).mul(std[c]! / 0.5).add((mean[c]! - 0.5) / 0.5)), 1));
}

/**
 * GoogLeNet. With `weights` (as torchvision with pretrained weights): inputs are re-normalised
 * unless `transformInput` says otherwise, initialisation is skipped, and the auxiliary classifiers
 * are left out (their checkpoint entries ignored) unless `auxLogits: true`.
 */
export function googlenet(opts: BuilderOptions & GoogLeNetOptions = {}): GoogLeNet {
  if (opts.weights === null || opts.weights === undefined) return new GoogLeNet(opts);
  const auxLogits = opts.auxLogits ?? false;
  const model = new GoogLeNet({ ...opts, auxLogits, transformInput: opts.transformInput ?? true, initWeights: false });
  return withWeights(model, opts.weights, (k) => (!auxLogits && /^aux[12]\./.test(k) ? null : k));
}
