/**
 * torchvision.utils.draw_segmentation_masks: each boolean mask painted in its colour, then blended
 * with the image as image * (1 - alpha) + painted * alpha in float32, truncated to uint8.
 */
import * as torch from '@torchts/core';
import { ValueError, type Tensor } from '@torchts/core';
import { colorsFor, type Color } from './colors.js';

export interface DrawSegmentationMasksOptions {
  /** Opacity of the masks, 0 to 1 (default 0.8). */
  alpha?: number;
  /** One colour per mask, or one colour for all (default: torchvision's palette). */
  colors?: Color | Color[];
}

/** Draws masks (bool [H, W] or [N, H, W]) on a uint8 RGB image [3, H, W] -> a new uint8 image. */
export function drawSegmentationMasks(image: Tensor, masks: Tensor, opts: DrawSegmentationMasksOptions = {}): Tensor {
  if (!torch.isTensor(image)) throw new TypeError(`The image must be a tensor, got ${typeof image}`);
  if (image.dtype !== 'uint8') throw new ValueError(`The image dtype must be uint8, got ${image.dtype}`);
  if (image.dim() !== 3) throw new ValueError('Pass individual images, not batches');
  if (image.shape[0] !== 3) throw new ValueError('Pass an RGB image. Other Image formats are not supported');
  if (!torch.isTensor(masks) || (masks.dim() !== 2 && masks.dim() !== 3)) throw new ValueError('masks must be of shape (H, W) or (batch_size, H, W)');
  if (masks.dtype !== 'bool') throw new ValueError(`The masks must be of dtype bool. Got ${masks.dtype}`);
  const [, h, w] = image.shape as [number, number, number];
  const n = masks.dim() === 2 ? 1 : masks.shape[0]!;
  if (masks.shape[masks.dim() - 2] !== h || masks.shape[masks.dim() - 1] !== w) {
    throw new ValueError('The image and the masks must have the same height and width');
  }
  const { alpha = 0.8 } = opts;
  const colors = colorsFor(opts.colors, n, (k) => `There are more masks (${n}) than colors (${k})`);
  if (n === 0) return image.clone(); // torchvision warns and returns the image
  const painted = torch.toTypedArray(image) as Uint8Array;
  const on = torch.toTypedArray(masks) as Uint8Array;
  const plane = h * w;
  for (let k = 0; k < n; k++) {
    for (let p = 0; p < plane; p++) {
      if (on[k * plane + p]) for (let c = 0; c < 3; c++) painted[c * plane + p] = colors[k]![c]!;
    }
  }
  return torch.tidy(() => {
    const top = torch.fromTypedArray(painted, [3, h, w]);
    return image.mul(1 - alpha).add(top.mul(alpha)).to('uint8');
  });
}
