/**
 * Read-mode conversions of decoded pixels (interleaved HWC bytes) into CHW planes, done the way
 * the decoders behind torchvision do them, so results match torchvision.io:
 * - PNG (libpng's png_set_rgb_to_gray with its default coefficients 6968/23434/2366 of 32768,
 *   without rounding; gray pixels are kept as they are),
 * - JPEG (libjpeg's YCbCr luma, 0.299 R + 0.587 G + 0.114 B, rounded; approximate, as libjpeg
 *   takes Y from the file before colour conversion).
 * Missing alpha becomes 255; gray expands to RGB by repeating the plane.
 */
import type { ImageReadMode } from './read-mode.js';

export type GrayFormula = 'png' | 'jpeg';

/** Decoded pixels: `data` is HWC with `channels` in {1, 2, 3, 4} (gray, gray+alpha, RGB, RGBA). */
export interface Pixels {
  data: Uint8Array;
  width: number;
  height: number;
  channels: number;
}

function grayOf(formula: GrayFormula): (r: number, g: number, b: number) => number {
  if (formula === 'png') return (r, g, b) => (r === g && r === b ? r : (9798 * r + 19235 * g + 3735 * b) >> 15);
  return (r, g, b) => Math.min(255, Math.round(0.299 * r + 0.587 * g + 0.114 * b));
}

const OUT_CHANNELS: Record<Exclude<ImageReadMode, 'UNCHANGED'>, number> = { GRAY: 1, GRAY_ALPHA: 2, RGB: 3, RGB_ALPHA: 4 };

/** Converts `px` to `mode`, returning CHW bytes and the channel count. */
export function toPlanes(px: Pixels, mode: ImageReadMode, formula: GrayFormula): { data: Uint8Array; channels: number } {
  const { data, width, height, channels: inC } = px;
  const outC = mode === 'UNCHANGED' ? inC : OUT_CHANNELS[mode];
  const plane = width * height;
  const out = new Uint8Array(outC * plane);
  const inColor = inC >= 3;
  const inAlpha = inC === 2 || inC === 4;
  const outColor = outC >= 3;
  const gray = grayOf(formula);
  for (let p = 0; p < plane; p++) {
    const s = p * inC;
    if (outColor) {
      out[p] = data[s]!;
      out[plane + p] = data[s + (inColor ? 1 : 0)]!;
      out[2 * plane + p] = data[s + (inColor ? 2 : 0)]!;
    } else {
      out[p] = inColor ? gray(data[s]!, data[s + 1]!, data[s + 2]!) : data[s]!;
    }
    if (outC === 2 || outC === 4) out[(outC - 1) * plane + p] = inAlpha ? data[s + inC - 1]! : 255;
  }
  return { data: out, channels: outC };
}
