/**
 * torchvision's SqueezeExcitation (Hu et al., 2018): global average pool, 1x1 conv down, activation,
 * 1x1 conv up, scale activation, and the input multiplied by that per-channel scale.
 */
import { tidy } from '@torchts/core';
import type { Tensor } from '@torchts/core';
import { AdaptiveAvgPool2d, Conv2d, Module, ReLU, Sigmoid } from '@torchts/nn';
import { callModule } from '../common.js';

export interface SqueezeExcitationOptions {
  /** Default ReLU. */
  activation?: () => Module;
  /** Default Sigmoid (MobileNetV3 uses Hardsigmoid). */
  scaleActivation?: () => Module;
}

export class SqueezeExcitation extends Module {
  declare avgpool: AdaptiveAvgPool2d;
  declare fc1: Conv2d;
  declare fc2: Conv2d;
  declare activation: Module;
  declare scale_activation: Module;

  constructor(inputChannels: number, squeezeChannels: number, opts: SqueezeExcitationOptions = {}) {
    super();
    this.avgpool = new AdaptiveAvgPool2d(1);
    this.fc1 = new Conv2d(inputChannels, squeezeChannels, 1);
    this.fc2 = new Conv2d(squeezeChannels, inputChannels, 1);
    this.activation = opts.activation ? opts.activation() : new ReLU();
    this.scale_activation = opts.scaleActivation ? opts.scaleActivation() : new Sigmoid();
  }

  forward(input: Tensor): Tensor {
    return tidy(() => {
      let s = this.avgpool.call(input);
      s = this.fc1.call(s);
      s = callModule(this.activation, s);
      s = this.fc2.call(s);
      s = callModule(this.scale_activation, s);
      return s.mul(input);
    });
  }
}
