/** equalize: torchvision's per-channel histogram equalisation of uint8 images (a small host kernel over the bytes). */
import { fromTypedArray, tidy, toTypedArray } from '@torchts/core';
import type { Tensor } from '@torchts/core';
import { checkChannels, checkImage, requireDims, requireUint8 } from './image.js';

/** Equalises one channel's bytes in place: the lookup table of torchvision's _scale_channel. */
function scaleChannel(px: Uint8Array): void {
  const hist = new Float64Array(256);
  for (let i = 0; i < px.length; i++) hist[px[i]!]!++;
  // The step leaves the last non-empty bin out.
  let last = 255;
  while (last >= 0 && hist[last] === 0) last--;
  let total = 0;
  for (let i = 0; i < last; i++) total += hist[i]!;
  const step = Math.floor(total / 255);
  if (step === 0) return;
  const lut = new Uint8Array(256);
  let cum = 0;
  for (let i = 0; i < 256; i++) {
    // lut is shifted right by one: entry i uses the cumulative count below i.
    lut[i] = Math.min(Math.max(Math.floor((cum + Math.floor(step / 2)) / step), 0), 255);
    cum += hist[i]!;
  }
  for (let i = 0; i < px.length; i++) px[i] = lut[px[i]!]!;
}

/** equalize(img uint8 [..., 1 | 3, H, W]). */
export function equalize(img: Tensor): Tensor {
  checkImage(img, 'equalize', 3);
  requireDims(img, 'equalize', 3);
  requireUint8(img, 'equalize');
  checkChannels(img, [1, 3], 'equalize');
  return tidy(() => {
    const data = toTypedArray(img) as Uint8Array;
    const plane = img.shape[img.dim() - 1]! * img.shape[img.dim() - 2]!;
    for (let off = 0; off < data.length; off += plane) scaleChannel(data.subarray(off, off + plane));
    return fromTypedArray(data, [...img.shape], { dtype: 'uint8', device: img.device });
  });
}
