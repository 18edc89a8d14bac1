/** Dropout modules: active in training mode, identity in eval mode. */
import type { Tensor } from '@torchts/core';
import { ValueError } from '@torchts/core';
import { Module } from '../module.js';
import * as F from '../functional/dropout.js';
import { pyBool, pyNumber } from './repr.js';

abstract class DropoutNd extends Module {
  declare p: number;
  declare inplace: boolean;
  constructor(p = 0.5, opts: { inplace?: boolean } = {}) {
    super();
    if (p < 0 || p > 1) throw new ValueError(`dropout probability has to be between 0 and 1, but got ${p}`);
    this.p = p;
    this.inplace = opts.inplace ?? false;
  }
  override extraRepr(): string {
    return `p=${pyNumber(this.p)}, inplace=${pyBool(this.inplace)}`;
  }
}

export class Dropout extends DropoutNd {
  forward(input: Tensor): Tensor {
    return F.dropout(input, { p: this.p, training: this.training, inplace: this.inplace });
  }
}
export class Dropout1d extends DropoutNd {
  forward(input: Tensor): Tensor {
    return F.dropout1d(input, { p: this.p, training: this.training, inplace: this.inplace });
  }
}
export class Dropout2d extends DropoutNd {
  forward(input: Tensor): Tensor {
    return F.dropout2d(input, { p: this.p, training: this.training, inplace: this.inplace });
  }
}
export class AlphaDropout extends DropoutNd {
  forward(input: Tensor): Tensor {
    return F.alphaDropout(input, { p: this.p, training: this.training, inplace: this.inplace });
  }
}
