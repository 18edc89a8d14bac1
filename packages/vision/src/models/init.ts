/**
 * The weight-initialisation loops torchvision runs after construction, over `model.modules()` in
 * the same order and with the same draws, so a seeded torchts model equals the PyTorch one.
 */
import { BatchNorm2d, Conv2d, GroupNorm, Linear, init } from '@torchts/nn';
import type { Module } from '@torchts/nn';

export interface InitScheme {
  /** Conv2d weights: kaiming_normal_(mode='fan_out') with this nonlinearity; biases zero. */
  convNonlinearity: 'relu' | 'leaky_relu';
  /** Linear layers (weight and bias); left at their defaults when absent. */
  linear?: (m: Linear) => void;
}

/** Conv2d: kaiming_normal_(fan_out); BatchNorm2d/GroupNorm: weight 1, bias 0; Linear: `scheme.linear`. */
export function initConvBnLinear(model: Module, scheme: InitScheme): void {
  for (const m of model.modules()) {
    if (m instanceof Conv2d) {
      init.kaimingNormal_(m.weight, { mode: 'fan_out', nonlinearity: scheme.convNonlinearity });
      if (m.bias) init.zeros_(m.bias);
    } else if (m instanceof BatchNorm2d || m instanceof GroupNorm) {
      if (m.weight) init.ones_(m.weight);
      if (m.bias) init.zeros_(m.bias);
    } else if (m instanceof Linear && scheme.linear) scheme.linear(m);
  }
}

/** Linear: N(0, 0.01) weights, zero bias (VGG, MobileNet). */
export function normalLinear(m: Linear): void {
  init.normal_(m.weight, 0, 0.01);
  if (m.bias) init.zeros_(m.bias);
}
