/** Conversions and normalisation: ToTensor, ToImage, PILToTensor, ToDtype, ConvertImageDtype, Normalize. */
import { Module } from '@torchts/nn';
import type { DType, Tensor } from '@torchts/core';
import * as F from './functional/index.js';
import type { ImageLike, ToTensorOptions } from './functional/index.js';
import { Transform } from './transform.js';

/** ToTensor(): uint8 HWC tensors or sharp raw buffers -> float32 CHW in 0..1 (`{ layout: 'CHW' }` for CHW tensors). */
export class ToTensor extends Module {
  constructor(readonly opts: ToTensorOptions = {}) {
    super();
  }
  forward(pic: ImageLike): Tensor {
    return F.toTensor(pic, this.opts);
  }
}

/** ToImage(): sharp raw buffers (HWC) and tensors -> CHW tensors, values unchanged. */
export class ToImage extends Module {
  constructor(readonly opts: ToTensorOptions = {}) {
    super();
  }
  forward(pic: ImageLike): Tensor {
    return F.toImage(pic, this.opts);
  }
}

/** ToDtype(dtype, { scale }): a cast, rescaling values to the new dtype's range with `scale`. */
export class ToDtype extends Transform {
  readonly scale: boolean;
  constructor(readonly dtype: DType, opts: { scale?: boolean } = {}) {
    super();
    this.scale = opts.scale ?? false;
  }
  forward(img: Tensor): Tensor {
    return F.toDtype(img, this.dtype, this.scale);
  }
  override extraRepr(): string {
    return `dtype=${this.dtype}, scale=${this.scale}`;
  }
}

/** ConvertImageDtype(dtype): ToDtype with scale. */
export class ConvertImageDtype extends Transform {
  constructor(readonly dtype: DType) {
    super();
  }
  forward(img: Tensor): Tensor {
    return F.convertImageDtype(img, this.dtype);
  }
}

/** Normalize(mean, std, inplace = false): (img - mean) / std per channel. */
export class Normalize extends Transform {
  constructor(readonly mean: readonly number[], readonly std: readonly number[], readonly inplace = false) {
    super();
  }
  forward(img: Tensor): Tensor {
    return F.normalize(img, this.mean, this.std, this.inplace);
  }
  override extraRepr(): string {
    return `mean=[${this.mean.join(', ')}], std=[${this.std.join(', ')}]`;
  }
}
