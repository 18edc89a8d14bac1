/** hflip / vflip: mirror the last (W) or second-to-last (H) dim. */
import type { Tensor } from '@torchts/core';
import { checkImage } from './image.js';

export function hflip(img: Tensor): Tensor {
  checkImage(img, 'hflip');
  return img.flip([-1]);
}

export function vflip(img: Tensor): Tensor {
  checkImage(img, 'vflip');
  return img.flip([-2]);
}
