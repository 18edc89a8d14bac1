/** AlexNet (Krizhevsky et al., 2012) in torchvision's single-tower form, with its state-dict keys. */
import type { Tensor } from '@torchts/core';
import { AdaptiveAvgPool2d, Conv2d, Dropout, Linear, MaxPool2d, Module, ReLU, Sequential } from '@torchts/nn';
import { checkPositiveInt, featuresPoolClassify, withWeights } from './common.js';
import type { BuilderOptions } from './common.js';

export interface AlexNetOptions {
  numClasses?: number;
  dropout?: number;
}

export class AlexNet extends Module {
  declare features: Sequential;
  declare avgpool: AdaptiveAvgPool2d;
  declare classifier: Sequential;

  constructor(opts: AlexNetOptions = {}) {
    super();
    const numClasses = checkPositiveInt('numClasses', opts.numClasses ?? 1000);
    const p = opts.dropout ?? 0.5;
    const relu = (): ReLU => new ReLU({ inplace: true });
    this.features = new Sequential(
      new Conv2d(3, 64, 11, { stride: 4, padding: 2 }), relu(), new MaxPool2d(3, { stride: 2 }),
      new Conv2d(64, 192, 5, { padding: 2 }), relu(), new MaxPool2d(3, { stride: 2 }),
      new Conv2d(192, 384, 3, { padding: 1 }), relu(),
      new Conv2d(384, 256, 3, { padding: 1 }), relu(),
      new Conv2d(256, 256, 3, { padding: 1 }), relu(), new MaxPool2d(3, { stride: 2 }),
    );
    this.avgpool = new AdaptiveAvgPool2d([6, 6]);
    this.classifier = new Sequential(
      new Dropout(p), new Linear(256 * 6 * 6, 4096), relu(),
      new Dropout(p), new Linear(4096, 4096), relu(),
      new Linear(4096, numClasses),
    );
  }

  forward(x: Tensor): Tensor {
    return featuresPoolClassify(x, this);
  }
}

export function alexnet(opts: BuilderOptions & AlexNetOptions = {}): AlexNet {
  return withWeights(new AlexNet(opts), opts.weights);
}
