/**
 * DenseNet (Huang et al., 2016): dense blocks whose layers see every earlier feature map
 * (BN-ReLU-1x1 bottleneck, BN-ReLU-3x3), transitions that halve channels and resolution.
 * `memoryEfficient` recomputes the bottleneck in backward (activation checkpointing), as torchvision.
 */
import { cat, tidy } from '@torchts/core';
import type { Tensor } from '@torchts/core';
import { checkpoint } from '@torchts/autograd';
import { AvgPool2d, BatchNorm2d, Conv2d, Linear, MaxPool2d, Module, ReLU, Sequential, functional as F, init } from '@torchts/nn';
import { checkPositiveInt, withWeights } from './common.js';
import type { BuilderOptions } from './common.js';

// Class names follow torchvision's private ones (_DenseLayer, ...) so printouts match; exported without the underscore.
class _DenseLayer extends Module {
  declare norm1: BatchNorm2d;
  declare relu1: ReLU;
  declare conv1: Conv2d;
  declare norm2: BatchNorm2d;
  declare relu2: ReLU;
  declare conv2: Conv2d;
  declare dropRate: number;
  declare memoryEfficient: boolean;

  constructor(numInputFeatures: number, growthRate: number, bnSize: number, dropRate: number, memoryEfficient = false) {
    super();
    this.norm1 = new BatchNorm2d(numInputFeatures);
    this.relu1 = new ReLU({ inplace: true });
    this.conv1 = new Conv2d(numInputFeatures, bnSize * growthRate, 1, { bias: false });
    this.norm2 = new BatchNorm2d(bnSize * growthRate);
    this.relu2 = new ReLU({ inplace: true });
    this.conv2 = new Conv2d(bnSize * growthRate, growthRate, 3, { padding: 1, bias: false });
    this.dropRate = dropRate;
    this.memoryEfficient = memoryEfficient;
  }

  private bottleneck(...inputs: Tensor[]): Tensor {
    return tidy(() => this.conv1.call(this.relu1.call(this.norm1.call(cat(inputs, 1)))));
  }

  /** Takes the block's input followed by every earlier layer's output. */
  forward(...features: Tensor[]): Tensor {
    return tidy(() => {
      const b = this.memoryEfficient && features.some((t) => t.requiresGrad)
        ? checkpoint((...xs: Tensor[]) => this.bottleneck(...xs), ...features)
        : this.bottleneck(...features);
      const out = this.conv2.call(this.relu2.call(this.norm2.call(b)));
      return this.dropRate > 0 ? F.dropout(out, { p: this.dropRate, training: this.training }) : out;
    });
  }
}

/** Children `denselayer1`, `denselayer2`, ... (torchvision's _DenseBlock is a ModuleDict with a forward). */
class _DenseBlock extends Module {
  constructor(numLayers: number, numInputFeatures: number, bnSize: number, growthRate: number, dropRate: number, memoryEfficient = false) {
    super();
    for (let i = 0; i < numLayers; i++) {
      this.registerModule(`denselayer${i + 1}`, new _DenseLayer(numInputFeatures + i * growthRate, growthRate, bnSize, dropRate, memoryEfficient));
    }
  }

  forward(initFeatures: Tensor): Tensor {
    return tidy(() => {
      const features = [initFeatures];
      for (const [, layer] of this.namedChildren()) features.push((layer as _DenseLayer).call(...features));
      return cat(features, 1);
    });
  }
}

/** BN, ReLU, 1x1 conv, 2x2 average pool (a Sequential with named children). */
class _Transition extends Sequential {
  constructor(numInputFeatures: number, numOutputFeatures: number) {
    super(new Map<string, Module>([
      ['norm', new BatchNorm2d(numInputFeatures)],
      ['relu', new ReLU({ inplace: true })],
      ['conv', new Conv2d(numInputFeatures, numOutputFeatures, 1, { bias: false })],
      ['pool', new AvgPool2d(2, { stride: 2 })],
    ]));
  }
}

export { _DenseLayer as DenseLayer, _DenseBlock as DenseBlock, _Transition as Transition };

export interface DenseNetOptions {
  growthRate?: number;
  blockConfig?: [number, number, number, number];
  numInitFeatures?: number;
  bnSize?: number;
  dropRate?: number;
  numClasses?: number;
  /** Recompute each layer's bottleneck in backward instead of keeping it (less memory, slower). */
  memoryEfficient?: boolean;
}

export class DenseNet extends Module {
  declare features: Sequential;
  declare classifier: Linear;

  constructor(opts: DenseNetOptions = {}) {
    super();
    const growth = checkPositiveInt('growthRate', opts.growthRate ?? 32);
    const blocks = opts.blockConfig ?? [6, 12, 24, 16];
    const init0 = checkPositiveInt('numInitFeatures', opts.numInitFeatures ?? 64);
    const bnSize = checkPositiveInt('bnSize', opts.bnSize ?? 4);
    const numClasses = checkPositiveInt('numClasses', opts.numClasses ?? 1000);
    const layers = new Map<string, Module>([
      ['conv0', new Conv2d(3, init0, 7, { stride: 2, padding: 3, bias: false })],
      ['norm0', new BatchNorm2d(init0)],
      ['relu0', new ReLU({ inplace: true })],
      ['pool0', new MaxPool2d(3, { stride: 2, padding: 1 })],
    ]);
    let n = init0;
    blocks.forEach((numLayers, i) => {
      layers.set(`denseblock${i + 1}`, new _DenseBlock(numLayers, n, bnSize, growth, opts.dropRate ?? 0, opts.memoryEfficient ?? false));
      n += numLayers * growth;
      if (i !== blocks.length - 1) {
        layers.set(`transition${i + 1}`, new _Transition(n, Math.floor(n / 2)));
        n = Math.floor(n / 2);
      }
    });
    layers.set('norm5', new BatchNorm2d(n));
    this.features = new Sequential(layers);
    this.classifier = new Linear(n, numClasses);
    for (const m of this.modules()) {
      if (m instanceof Conv2d) init.kaimingNormal_(m.weight);
      else if (m instanceof BatchNorm2d) {
        init.ones_(m.weight!);
        init.zeros_(m.bias!);
      } else if (m instanceof Linear && m.bias) init.zeros_(m.bias);
    }
  }

  forward(x: Tensor): Tensor {
    return tidy(() => {
      const f = F.relu(this.features.call(x) as Tensor, { inplace: true });
      return this.classifier.call(F.adaptiveAvgPool2d(f, [1, 1]).flatten(1));
    });
  }
}

/** torchvision's published DenseNet checkpoints name `norm.1` what the model calls `norm1`. */
export function renameLegacyDenseNetKey(key: string): string {
  return key.replace(/^(.*denselayer\d+\.(?:norm|relu|conv))\.((?:[12])\.(?:weight|bias|running_mean|running_var))$/, '$1$2');
}

type DenseNetBuilderOptions = BuilderOptions & Pick<DenseNetOptions, 'dropRate' | 'memoryEfficient'>;

const densenet = (growthRate: number, blockConfig: [number, number, number, number], numInitFeatures: number) =>
  (opts: DenseNetBuilderOptions = {}): DenseNet =>
    withWeights(new DenseNet({ ...opts, growthRate, blockConfig, numInitFeatures }), opts.weights, renameLegacyDenseNetKey);

export const densenet121 = densenet(32, [6, 12, 24, 16], 64);
export const densenet161 = densenet(48, [6, 12, 36, 24], 96);
export const densenet169 = densenet(32, [6, 12, 32, 32], 64);
export const densenet201 = densenet(32, [6, 12, 48, 32], 64);
