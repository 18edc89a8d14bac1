/**
 * torchvision's MLP block: for each hidden width but the last, Linear, optional norm, activation,
 * Dropout; then the last Linear and Dropout. A Sequential, so keys are `0.weight`, `3.bias`, ...
 */
import { Dropout, Linear, ReLU, Sequential } from '@torchts/nn';
import type { Module } from '@torchts/nn';

export interface MLPOptions {
  normLayer?: ((numFeatures: number) => Module) | null;
  /** Builds the activation; receives `inplace` (undefined for the layer's own default). Default ReLU. */
  activationLayer?: (inplace: boolean | undefined) => Module;
  inplace?: boolean;
  bias?: boolean;
  dropout?: number;
}

export class MLP extends Sequential {
  constructor(inChannels: number, hiddenChannels: number[], opts: MLPOptions = {}) {
    const activation = opts.activationLayer ?? ((inplace) => new ReLU({ inplace }));
    const dropout = opts.dropout ?? 0;
    const bias = opts.bias ?? true;
    const layers: Module[] = [];
    let inDim = inChannels;
    for (const hidden of hiddenChannels.slice(0, -1)) {
      layers.push(new Linear(inDim, hidden, { bias }));
      if (opts.normLayer) layers.push(opts.normLayer(hidden));
      layers.push(activation(opts.inplace));
      layers.push(new Dropout(dropout, { inplace: opts.inplace }));
      inDim = hidden;
    }
    layers.push(new Linear(inDim, hiddenChannels[hiddenChannels.length - 1]!, { bias }));
    layers.push(new Dropout(dropout, { inplace: opts.inplace }));
    super(...layers);
  }
}
