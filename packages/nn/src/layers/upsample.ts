/** Upsample, UpsamplingNearest2d, UpsamplingBilinear2d, PixelShuffle and PixelUnshuffle modules. */
import type { Tensor } from '@torchts/core';
import { Module } from '../module.js';
import { interpolate, pixelShuffle, pixelUnshuffle } from '../functional/interpolate.js';
import type { InterpolateMode, SizeArg } from '../functional/interpolate.js';
import { pyFloat } from './repr.js';

export interface UpsampleOptions {
  size?: SizeArg | null;
  scaleFactor?: number | readonly number[] | null;
  mode?: InterpolateMode;
  alignCorners?: boolean | null;
  recomputeScaleFactor?: boolean | null;
}

const pyTuple = (v: readonly string[]): string => `(${v.join(', ')}${v.length === 1 ? ',' : ''})`;

/** Upsample(size?, scaleFactor?, mode = 'nearest', alignCorners?, recomputeScaleFactor?) or Upsample(options). */
export class Upsample extends Module {
  declare size: SizeArg | null;
  declare scaleFactor: number | readonly number[] | null;
  declare mode: InterpolateMode;
  declare alignCorners: boolean | null;
  declare recomputeScaleFactor: boolean | null;
  constructor(
    sizeOrOptions: SizeArg | null | UpsampleOptions = null,
    scaleFactor: number | readonly number[] | null = null,
    mode: InterpolateMode = 'nearest',
    alignCorners: boolean | null = null,
    recomputeScaleFactor: boolean | null = null,
  ) {
    super();
    const o: UpsampleOptions =
      sizeOrOptions !== null && typeof sizeOrOptions === 'object' && !Array.isArray(sizeOrOptions)
        ? (sizeOrOptions as UpsampleOptions)
        : { size: sizeOrOptions as SizeArg | null, scaleFactor, mode, alignCorners, recomputeScaleFactor };
    this.size = o.size ?? null;
    this.scaleFactor = o.scaleFactor ?? null;
    this.mode = o.mode ?? 'nearest';
    this.alignCorners = o.alignCorners ?? null;
    this.recomputeScaleFactor = o.recomputeScaleFactor ?? null;
  }
  forward(input: Tensor): Tensor {
    return interpolate(input, {
      size: this.size,
      scaleFactor: this.scaleFactor,
      mode: this.mode,
      alignCorners: this.alignCorners,
      recomputeScaleFactor: this.recomputeScaleFactor,
    });
  }
  override extraRepr(): string {
    let info: string;
    if (this.scaleFactor !== null) {
      const s = this.scaleFactor;
      info = `scale_factor=${typeof s === 'number' ? pyFloat(s) : pyTuple(s.map(pyFloat))}`;
    } else {
      const s = this.size;
      info = `size=${s === null ? 'None' : typeof s === 'number' ? String(s) : pyTuple(s.map(String))}`;
    }
    return `${info}, mode=${this.mode}`;
  }
}

/** UpsamplingNearest2d(size?, scaleFactor?): Upsample with mode 'nearest'. */
export class UpsamplingNearest2d extends Upsample {
  constructor(sizeOrOptions: SizeArg | null | { size?: SizeArg | null; scaleFactor?: number | readonly number[] | null } = null, scaleFactor: number | readonly number[] | null = null) {
    const o = sizeOrOptions !== null && typeof sizeOrOptions === 'object' && !Array.isArray(sizeOrOptions)
      ? (sizeOrOptions as UpsampleOptions)
      : { size: sizeOrOptions as SizeArg | null, scaleFactor };
    super({ size: o.size ?? null, scaleFactor: o.scaleFactor ?? null, mode: 'nearest' });
  }
}

/** UpsamplingBilinear2d(size?, scaleFactor?): Upsample with mode 'bilinear' and alignCorners true. */
export class UpsamplingBilinear2d extends Upsample {
  constructor(sizeOrOptions: SizeArg | null | { size?: SizeArg | null; scaleFactor?: number | readonly number[] | null } = null, scaleFactor: number | readonly number[] | null = null) {
    const o = sizeOrOptions !== null && typeof sizeOrOptions === 'object' && !Array.isArray(sizeOrOptions)
      ? (sizeOrOptions as UpsampleOptions)
      : { size: sizeOrOptions as SizeArg | null, scaleFactor };
    super({ size: o.size ?? null, scaleFactor: o.scaleFactor ?? null, mode: 'bilinear', alignCorners: true });
  }
}

export class PixelShuffle extends Module {
  declare upscaleFactor: number;
  constructor(upscaleFactor: number) {
    super();
    this.upscaleFactor = upscaleFactor;
  }
  forward(input: Tensor): Tensor {
    return pixelShuffle(input, this.upscaleFactor);
  }
  override extraRepr(): string {
    return `upscale_factor=${this.upscaleFactor}`;
  }
}

export class PixelUnshuffle extends Module {
  declare downscaleFactor: number;
  constructor(downscaleFactor: number) {
    super();
    this.downscaleFactor = downscaleFactor;
  }
  forward(input: Tensor): Tensor {
    return pixelUnshuffle(input, this.downscaleFactor);
  }
  override extraRepr(): string {
    return `downscale_factor=${this.downscaleFactor}`;
  }
}

