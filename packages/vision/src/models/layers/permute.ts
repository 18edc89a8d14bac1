/** torchvision's Permute module: `x.permute(dims)` as a layer (a view, no copy). */
import type { Tensor } from '@torchts/core';
import { Module } from '@torchts/nn';

export class Permute extends Module {
  declare dims: number[];

  constructor(dims: number[]) {
    super();
    this.dims = [...dims];
  }

  forward(x: Tensor): Tensor {
    return x.permute(this.dims);
  }
}
