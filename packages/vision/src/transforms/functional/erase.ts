/** erase: overwrite a rectangle of the image with a value (a number or a tensor broadcast over the region). */
import { Tensor, ValueError, tidy } from '@torchts/core';
import { checkImage } from './image.js';

/** erase(img, i, j, h, w, v, inplace = false): img[..., i:i+h, j:j+w] = v. */
export function erase(img: Tensor, i: number, j: number, h: number, w: number, v: Tensor | number, inplace = false): Tensor {
  checkImage(img, 'erase', 3);
  const H = img.shape[img.dim() - 2]!;
  const W = img.shape[img.dim() - 1]!;
  if (![i, j, h, w].every(Number.isInteger) || i < 0 || j < 0 || h < 0 || w < 0 || i + h > H || j + w > W) {
    throw new ValueError(`erase(): the region (i=${i}, j=${j}, h=${h}, w=${w}) does not fit an image of size ${H}x${W}`);
  }
  const out = inplace ? img : img.clone();
  tidy(() => {
    const region = out.narrow(-2, i, h).narrow(-1, j, w);
    if (typeof v === 'number') region.fill_(v);
    else region.copy_(v.expand(region.shape as number[]));
  });
  return out;
}
