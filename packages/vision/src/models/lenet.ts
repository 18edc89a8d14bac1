/**
 * LeNet-5 as issue #5 defines it for 28x28 inputs (not in torchvision): conv 1->6 5x5, ReLU,
 * max-pool 2, conv 6->16 5x5, ReLU, max-pool 2, then fully connected 256 -> 120 -> 84 -> classes.
 * Keys: conv1, conv2, fc1, fc2, fc3. Initialisation is each layer's PyTorch default.
 */
import { tidy } from '@torchts/core';
import type { Tensor } from '@torchts/core';
import { Conv2d, Linear, MaxPool2d, Module } from '@torchts/nn';
import { checkPositiveInt, withWeights } from './common.js';
import type { BuilderOptions } from './common.js';

export class LeNet5 extends Module {
  declare conv1: Conv2d;
  declare conv2: Conv2d;
  declare pool: MaxPool2d;
  declare fc1: Linear;
  declare fc2: Linear;
  declare fc3: Linear;

  constructor(opts: { numClasses?: number } = {}) {
    super();
    const numClasses = checkPositiveInt('numClasses', opts.numClasses ?? 10);
    this.conv1 = new Conv2d(1, 6, 5);
    this.conv2 = new Conv2d(6, 16, 5);
    this.pool = new MaxPool2d(2);
    this.fc1 = new Linear(16 * 4 * 4, 120);
    this.fc2 = new Linear(120, 84);
    this.fc3 = new Linear(84, numClasses);
  }

  forward(x: Tensor): Tensor {
    return tidy(() => {
      let h = this.pool.call(this.conv1.call(x).relu_()) as Tensor;
      h = this.pool.call(this.conv2.call(h).relu_()) as Tensor;
      h = h.flatten(1);
      h = this.fc1.call(h).relu_();
      h = this.fc2.call(h).relu_();
      return this.fc3.call(h);
    });
  }
}

/** LeNet-5 for 1x28x28 inputs; `numClasses` defaults to 10. */
export function lenet5(opts: BuilderOptions = {}): LeNet5 {
  return withWeights(new LeNet5({ numClasses: opts.numClasses }), opts.weights);
}
