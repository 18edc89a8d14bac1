/** affine, rotate and perspective: torchvision's geometric warps of tensor images. */
import { ValueError, tidy } from '@torchts/core';
import type { Tensor } from '@torchts/core';
import { affineOutputSize, inverseAffineMatrix } from './affine-matrix.js';
import { affineGrid, applyGridTransform, checkFill, perspectiveGrid } from './grid-transform.js';
import type { Fill } from './grid-transform.js';
import { checkImage, getDimensions, workDtype } from './image.js';
import { checkInterpolation } from './interpolation.js';
import type { InterpolationMode } from './interpolation.js';

export interface WarpOptions {
  /** 'nearest' (default) or 'bilinear'. */
  interpolation?: InterpolationMode;
  /** Value(s) for pixels that map outside the input (default 0). */
  fill?: Fill;
}

export interface RotateOptions extends WarpOptions {
  /** Grow the output to hold the whole rotated image. */
  expand?: boolean;
  /** Centre of rotation [x, y] from the top-left corner (default the image centre). */
  center?: readonly number[] | null;
}

export interface AffineOptions extends WarpOptions {
  center?: readonly number[] | null;
}

const warpMode = (opts: WarpOptions, op: string): 'nearest' | 'bilinear' =>
  checkInterpolation(opts.interpolation ?? 'nearest', op, ['nearest', 'bilinear']) as 'nearest' | 'bilinear';

/** Centre relative to the image centre, as torchvision's tensor path wants it. */
function centerOffset(center: readonly number[] | null | undefined, w: number, h: number, op: string): [number, number] {
  if (center === null || center === undefined) return [0, 0];
  if (center.length !== 2) throw new ValueError(`${op}(): center should be a sequence of length 2, got ${center.length}`);
  return [center[0]! - w * 0.5, center[1]! - h * 0.5];
}

function warp(img: Tensor, matrix: number[], ow: number, oh: number, mode: 'nearest' | 'bilinear', fill: Fill, op: string): Tensor {
  const [c, h, w] = getDimensions(img);
  const f = checkFill(fill, c, op);
  return tidy(() => applyGridTransform(img, affineGrid(matrix, w, h, ow, oh, workDtype(img), img.device), mode, f));
}

/** rotate(img, angle in degrees counter-clockwise, { interpolation, expand, center, fill }). */
export function rotate(img: Tensor, angle: number, opts: RotateOptions = {}): Tensor {
  checkImage(img, 'rotate');
  if (typeof angle !== 'number' || !Number.isFinite(angle)) throw new TypeError(`rotate(): angle should be a finite number, got ${String(angle)}`);
  const mode = warpMode(opts, 'rotate');
  const [, h, w] = getDimensions(img);
  const matrix = inverseAffineMatrix(centerOffset(opts.center, w, h, 'rotate'), -angle, [0, 0], 1, [0, 0]);
  const [ow, oh] = opts.expand ? affineOutputSize(matrix, w, h) : [w, h];
  return warp(img, matrix, ow, oh, mode, opts.fill, 'rotate');
}

/** Shear as torchvision takes it: a number (x shear) or [x] or [x, y], in degrees. */
export function parseShear(shear: number | readonly number[], op = 'affine'): [number, number] {
  const s = typeof shear === 'number' ? [shear, 0] : shear.length === 1 ? [shear[0]!, shear[0]!] : [...shear];
  if (s.length !== 2) throw new ValueError(`${op}(): shear should be a sequence containing two values. Got [${s.join(', ')}]`);
  return [s[0]!, s[1]!];
}

/** affine(img, angle, translate [tx, ty], scale, shear, { interpolation, fill, center }), keeping the centre fixed. */
export function affine(
  img: Tensor, angle: number, translate: readonly number[], scale: number, shear: number | readonly number[], opts: AffineOptions = {},
): Tensor {
  checkImage(img, 'affine');
  if (typeof angle !== 'number') throw new TypeError('affine(): argument angle should be int or float');
  if (translate.length !== 2) throw new ValueError('affine(): argument translate should be a sequence of length 2');
  if (!(scale > 0)) throw new ValueError('affine(): argument scale should be positive');
  const mode = warpMode(opts, 'affine');
  const [, h, w] = getDimensions(img);
  const matrix = inverseAffineMatrix(centerOffset(opts.center, w, h, 'affine'), angle, translate, scale, parseShear(shear));
  return warp(img, matrix, w, h, mode, opts.fill, 'affine');
}

/** Solves the 8x8 system mapping `endpoints` to `startpoints` (torchvision's _get_perspective_coeffs). */
export function perspectiveCoeffs(startpoints: readonly (readonly number[])[], endpoints: readonly (readonly number[])[]): number[] {
  if (startpoints.length !== 4 || endpoints.length !== 4) {
    throw new ValueError(`perspective(): startpoints and endpoints should have 4 points each, got ${startpoints.length} and ${endpoints.length}`);
  }
  const a: number[][] = [];
  const b: number[] = [];
  for (let i = 0; i < 4; i++) {
    const [x, y] = endpoints[i] as [number, number];
    const [u, v] = startpoints[i] as [number, number];
    a.push([x, y, 1, 0, 0, 0, -u * x, -u * y]);
    a.push([0, 0, 0, x, y, 1, -v * x, -v * y]);
    b.push(u, v);
  }
  // Gaussian elimination with partial pivoting.
  for (let col = 0; col < 8; col++) {
    let piv = col;
    for (let r = col + 1; r < 8; r++) if (Math.abs(a[r]![col]!) > Math.abs(a[piv]![col]!)) piv = r;
    if (Math.abs(a[piv]![col]!) < 1e-12) throw new ValueError('perspective(): the points are degenerate (three of them are collinear)');
    [a[col], a[piv]] = [a[piv]!, a[col]!];
    [b[col], b[piv]] = [b[piv]!, b[col]!];
    for (let r = col + 1; r < 8; r++) {
      const k = a[r]![col]! / a[col]![col]!;
      for (let j = col; j < 8; j++) a[r]![j]! -= k * a[col]![j]!;
      b[r]! -= k * b[col]!;
    }
  }
  const out = Array<number>(8).fill(0);
  for (let r = 7; r >= 0; r--) {
    let s = b[r]!;
    for (let j = r + 1; j < 8; j++) s -= a[r]![j]! * out[j]!;
    out[r] = s / a[r]![r]!;
  }
  return out;
}

/** perspective(img, startpoints, endpoints, { interpolation = 'bilinear', fill }): four [x, y] corners each. */
export function perspective(
  img: Tensor, startpoints: readonly (readonly number[])[], endpoints: readonly (readonly number[])[], opts: WarpOptions = {},
): Tensor {
  checkImage(img, 'perspective');
  const mode = checkInterpolation(opts.interpolation ?? 'bilinear', 'perspective', ['nearest', 'bilinear']) as 'nearest' | 'bilinear';
  const coeffs = perspectiveCoeffs(startpoints, endpoints);
  const [c, h, w] = getDimensions(img);
  const f = checkFill(opts.fill, c, 'perspective');
  return tidy(() => applyGridTransform(img, perspectiveGrid(coeffs, w, h, workDtype(img), img.device), mode, f));
}
