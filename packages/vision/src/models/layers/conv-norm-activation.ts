/**
 * torchvision's Conv2dNormActivation: Conv2d, then an optional norm layer, then an optional
 * activation, as a Sequential (state-dict keys `0.weight`, `1.running_mean`, ...).
 */
import { BatchNorm2d, Conv2d, Module, ReLU, Sequential } from '@torchts/nn';

/** Builds a norm layer for `numFeatures` channels (torchvision's `norm_layer`). */
export type NormLayer = (numFeatures: number) => Module;
/** An activation class taking `{ inplace }` (ReLU, ReLU6, Hardswish, SiLU, ...). */
export type ActivationLayer = new (opts?: { inplace?: boolean }) => Module;

export interface Conv2dNormActivationOptions {
  kernelSize?: number;
  stride?: number;
  /** Default `(kernelSize - 1) / 2 * dilation` ("same" for odd kernels at stride 1). */
  padding?: number | null;
  groups?: number;
  /** Default BatchNorm2d; null for none. */
  normLayer?: NormLayer | null;
  /** Default ReLU; null for none. */
  activationLayer?: ActivationLayer | null;
  dilation?: number;
  inplace?: boolean;
  /** Default: a bias only when there is no norm layer. */
  bias?: boolean | null;
}

export const batchNorm2d: NormLayer = (c) => new BatchNorm2d(c);

export class Conv2dNormActivation extends Sequential {
  declare outChannels: number;

  constructor(inChannels: number, outChannels: number, opts: Conv2dNormActivationOptions = {}) {
    const k = opts.kernelSize ?? 3;
    const dilation = opts.dilation ?? 1;
    const normLayer = opts.normLayer === undefined ? batchNorm2d : opts.normLayer;
    const activationLayer = opts.activationLayer === undefined ? ReLU : opts.activationLayer;
    const layers: Module[] = [
      new Conv2d(inChannels, outChannels, k, {
        stride: opts.stride ?? 1,
        padding: opts.padding ?? Math.floor((k - 1) / 2) * dilation,
        dilation,
        groups: opts.groups ?? 1,
        bias: opts.bias ?? normLayer === null,
      }),
    ];
    if (normLayer) layers.push(normLayer(outChannels));
    if (activationLayer) layers.push(new activationLayer({ inplace: opts.inplace ?? true }));
    super(...layers);
    this.outChannels = outChannels;
  }
}
