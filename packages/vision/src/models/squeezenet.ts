/** SqueezeNet 1.0 and 1.1 (Iandola et al., 2016): Fire modules (squeeze 1x1, expand 1x1 + 3x3), a conv classifier. */
import { ValueError, cat, tidy } from '@torchts/core';
import type { Tensor } from '@torchts/core';
import { AdaptiveAvgPool2d, Conv2d, Dropout, MaxPool2d, Module, ReLU, Sequential, init } from '@torchts/nn';
import { checkPositiveInt, withWeights } from './common.js';
import type { BuilderOptions } from './common.js';

export class Fire extends Module {
  declare inplanes: number;
  declare squeeze: Conv2d;
  declare squeeze_activation: ReLU;
  declare expand1x1: Conv2d;
  declare expand1x1_activation: ReLU;
  declare expand3x3: Conv2d;
  declare expand3x3_activation: ReLU;

  constructor(inplanes: number, squeezePlanes: number, expand1x1Planes: number, expand3x3Planes: number) {
    super();
    this.inplanes = inplanes;
    this.squeeze = new Conv2d(inplanes, squeezePlanes, 1);
    this.squeeze_activation = new ReLU({ inplace: true });
    this.expand1x1 = new Conv2d(squeezePlanes, expand1x1Planes, 1);
    this.expand1x1_activation = new ReLU({ inplace: true });
    this.expand3x3 = new Conv2d(squeezePlanes, expand3x3Planes, 3, { padding: 1 });
    this.expand3x3_activation = new ReLU({ inplace: true });
  }

  forward(x: Tensor): Tensor {
    return tidy(() => {
      const s = this.squeeze_activation.call(this.squeeze.call(x));
      return cat([this.expand1x1_activation.call(this.expand1x1.call(s)), this.expand3x3_activation.call(this.expand3x3.call(s))], 1);
    });
  }
}

export type SqueezeNetVersion = '1_0' | '1_1';

export interface SqueezeNetOptions {
  numClasses?: number;
  dropout?: number;
}

export class SqueezeNet extends Module {
  declare numClasses: number;
  declare features: Sequential;
  declare classifier: Sequential;

  constructor(version: SqueezeNetVersion = '1_0', opts: SqueezeNetOptions = {}) {
    super();
    this.numClasses = checkPositiveInt('numClasses', opts.numClasses ?? 1000);
    const relu = (): ReLU => new ReLU({ inplace: true });
    const pool = (): MaxPool2d => new MaxPool2d(3, { stride: 2, ceilMode: true });
    if (version === '1_0') {
      this.features = new Sequential(
        new Conv2d(3, 96, 7, { stride: 2 }), relu(), pool(),
        new Fire(96, 16, 64, 64), new Fire(128, 16, 64, 64), new Fire(128, 32, 128, 128), pool(),
        new Fire(256, 32, 128, 128), new Fire(256, 48, 192, 192), new Fire(384, 48, 192, 192), new Fire(384, 64, 256, 256), pool(),
        new Fire(512, 64, 256, 256),
      );
    } else if (version === '1_1') {
      this.features = new Sequential(
        new Conv2d(3, 64, 3, { stride: 2 }), relu(), pool(),
        new Fire(64, 16, 64, 64), new Fire(128, 16, 64, 64), pool(),
        new Fire(128, 32, 128, 128), new Fire(256, 32, 128, 128), pool(),
        new Fire(256, 48, 192, 192), new Fire(384, 48, 192, 192), new Fire(384, 64, 256, 256), new Fire(512, 64, 256, 256),
      );
    } else throw new ValueError(`Unsupported SqueezeNet version ${String(version)}: 1_0 or 1_1 expected`);
    const finalConv = new Conv2d(512, this.numClasses, 1);
    this.classifier = new Sequential(new Dropout(opts.dropout ?? 0.5), finalConv, relu(), new AdaptiveAvgPool2d([1, 1]));
    for (const m of this.modules()) {
      if (!(m instanceof Conv2d)) continue;
      if (m === finalConv) init.normal_(m.weight, 0, 0.01);
      else init.kaimingUniform_(m.weight);
      if (m.bias) init.zeros_(m.bias);
    }
  }

  forward(x: Tensor): Tensor {
    return tidy(() => (this.classifier.call(this.features.call(x)) as Tensor).flatten(1));
  }
}

export const squeezenet1_0 = (opts: BuilderOptions & SqueezeNetOptions = {}): SqueezeNet => withWeights(new SqueezeNet('1_0', opts), opts.weights);
export const squeezenet1_1 = (opts: BuilderOptions & SqueezeNetOptions = {}): SqueezeNet => withWeights(new SqueezeNet('1_1', opts), opts.weights);
