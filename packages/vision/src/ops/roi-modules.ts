/** torchvision.ops.RoIAlign and RoIPool: the functions as nn Modules (no parameters). */
import { Module } from '@torchts/nn';
import type { Tensor } from '@torchts/core';
import { roiAlign, type RoiAlignOptions } from './roi-align.js';
import { roiPool } from './roi-pool.js';
import type { RoiBoxes } from './roi.js';

const pyBool = (b: boolean): string => (b ? 'True' : 'False');
const sizeRepr = (s: number | readonly number[]): string => (typeof s === 'number' ? String(s) : `(${s.join(', ')})`);
const floatRepr = (x: number): string => (Number.isInteger(x) ? x.toFixed(1) : String(x));

export class RoIAlign extends Module {
  declare outputSize: number | readonly number[];
  declare spatialScale: number;
  declare samplingRatio: number;
  declare aligned: boolean;

  constructor(outputSize: number | readonly number[], spatialScale: number, samplingRatio: number, aligned = false) {
    super();
    this.outputSize = outputSize;
    this.spatialScale = spatialScale;
    this.samplingRatio = samplingRatio;
    this.aligned = aligned;
  }

  forward(input: Tensor, rois: RoiBoxes): Tensor {
    const opts: RoiAlignOptions = { spatialScale: this.spatialScale, samplingRatio: this.samplingRatio, aligned: this.aligned };
    return roiAlign(input, rois, this.outputSize, opts);
  }

  override extraRepr(): string {
    return `output_size=${sizeRepr(this.outputSize)}, spatial_scale=${floatRepr(this.spatialScale)}, sampling_ratio=${this.samplingRatio}, aligned=${pyBool(this.aligned)}`;
  }
}

export class RoIPool extends Module {
  declare outputSize: number | readonly number[];
  declare spatialScale: number;

  constructor(outputSize: number | readonly number[], spatialScale: number) {
    super();
    this.outputSize = outputSize;
    this.spatialScale = spatialScale;
  }

  forward(input: Tensor, rois: RoiBoxes): Tensor {
    return roiPool(input, rois, this.outputSize, this.spatialScale);
  }

  override extraRepr(): string {
    return `output_size=${sizeRepr(this.outputSize)}, spatial_scale=${floatRepr(this.spatialScale)}`;
  }
}
