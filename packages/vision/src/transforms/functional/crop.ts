/** crop, centerCrop, fiveCrop, tenCrop, resizedCrop: torchvision's crops (zero padding outside the image). */
import { ValueError, tidy } from '@torchts/core';
import type { Tensor } from '@torchts/core';
import { checkImage, getDimensions, roundHalfEven } from './image.js';
import { pad } from './pad.js';
import { resize } from './resize.js';
import type { ResizeOptions, SizeArg } from './resize.js';
import { hflip, vflip } from './flip.js';

/** crop(img, top, left, height, width); parts outside the image are zeros. */
export function crop(img: Tensor, top: number, left: number, height: number, width: number): Tensor {
  checkImage(img, 'crop');
  for (const [k, v] of Object.entries({ top, left, height, width })) {
    if (!Number.isInteger(v)) throw new TypeError(`crop(): ${k} must be an integer, got ${v}`);
  }
  if (height < 0 || width < 0) throw new ValueError(`crop(): height and width must be non-negative, got ${height} and ${width}`);
  const [, h, w] = getDimensions(img);
  const right = left + width;
  const bottom = top + height;
  return tidy(() => {
    const y0 = Math.min(Math.max(top, 0), h);
    const x0 = Math.min(Math.max(left, 0), w);
    const inside = img.narrow(-2, y0, Math.max(Math.min(bottom, h) - y0, 0)).narrow(-1, x0, Math.max(Math.min(right, w) - x0, 0));
    if (left >= 0 && top >= 0 && right <= w && bottom <= h) return inside.clone();
    const ltrb = [
      Math.max(-left + Math.min(0, right), 0),
      Math.max(-top + Math.min(0, bottom), 0),
      Math.max(right - Math.max(w, left), 0),
      Math.max(bottom - Math.max(h, top), 0),
    ];
    return pad(inside, ltrb);
  });
}

/** An int or [s] means a square [s, s]. */
export function pairSize(size: SizeArg, op: string): [number, number] {
  const s = typeof size === 'number' ? [size, size] : size.length === 1 ? [size[0]!, size[0]!] : [...size];
  if (s.length !== 2 || !s.every((v) => Number.isInteger(v) && v > 0)) {
    throw new ValueError(`${op}(): size must be a positive int or a sequence of one or two positive ints, got ${JSON.stringify(size)}`);
  }
  return [s[0]!, s[1]!];
}

/** centerCrop(img, size): pads with zeros when the image is smaller than the crop. */
export function centerCrop(img: Tensor, outputSize: SizeArg): Tensor {
  checkImage(img, 'center_crop');
  const [ch, cw] = pairSize(outputSize, 'center_crop');
  return tidy(() => {
    let x = img;
    let [, h, w] = getDimensions(x);
    if (cw > w || ch > h) {
      const ltrb = [
        cw > w ? Math.floor((cw - w) / 2) : 0,
        ch > h ? Math.floor((ch - h) / 2) : 0,
        cw > w ? Math.floor((cw - w + 1) / 2) : 0,
        ch > h ? Math.floor((ch - h + 1) / 2) : 0,
      ];
      x = pad(x, ltrb);
      [, h, w] = getDimensions(x);
      if (cw === w && ch === h) return x;
    }
    return crop(x, roundHalfEven((h - ch) / 2), roundHalfEven((w - cw) / 2), ch, cw);
  });
}

/** fiveCrop(img, size) -> [topLeft, topRight, bottomLeft, bottomRight, center]. */
export function fiveCrop(img: Tensor, size: SizeArg): Tensor[] {
  checkImage(img, 'five_crop');
  const [ch, cw] = pairSize(size, 'five_crop');
  const [, h, w] = getDimensions(img);
  if (cw > w || ch > h) throw new ValueError(`five_crop(): requested crop size [${ch}, ${cw}] is bigger than input size [${h}, ${w}]`);
  return [crop(img, 0, 0, ch, cw), crop(img, 0, w - cw, ch, cw), crop(img, h - ch, 0, ch, cw), crop(img, h - ch, w - cw, ch, cw), centerCrop(img, [ch, cw])];
}

/** tenCrop(img, size, verticalFlip = false): the five crops of img and of its (horizontal or vertical) flip. */
export function tenCrop(img: Tensor, size: SizeArg, verticalFlip = false): Tensor[] {
  checkImage(img, 'ten_crop');
  const first = fiveCrop(img, size);
  const flipped = verticalFlip ? vflip(img) : hflip(img);
  const second = fiveCrop(flipped, size);
  flipped.dispose();
  return [...first, ...second];
}

/** resizedCrop(img, top, left, height, width, size, resize options). */
export function resizedCrop(img: Tensor, top: number, left: number, height: number, width: number, size: SizeArg, opts: ResizeOptions = {}): Tensor {
  return tidy(() => resize(crop(img, top, left, height, width), size, opts));
}
