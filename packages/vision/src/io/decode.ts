/**
 * torchvision.io.decode_image / decode_png / decode_jpeg: encoded bytes (a 1-D uint8 tensor) to a
 * uint8 [C, H, W] tensor. Decoding runs in sharp (libvips) off the main thread, so these return
 * Promises. Differences from torchvision 0.14: palette PNGs read UNCHANGED give RGB(A) (torchvision
 * returns the palette indices), 16-bit PNGs are scaled to 8 bits, and decodeImage also reads the
 * other formats sharp knows (WebP, GIF, TIFF, AVIF...), not only PNG and JPEG.
 */
import sharp from 'sharp';
import { RuntimeError, Tensor, fromTypedArray } from '@torchts/core';
import { tensorBytes } from './bytes.js';
import { toPlanes } from './channels.js';
import type { GrayFormula, Pixels } from './channels.js';
import { readMode } from './read-mode.js';
import type { ReadModeOptions } from './read-mode.js';

const PNG_MAGIC = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const isPng = (b: Uint8Array): boolean => PNG_MAGIC.every((v, i) => b[i] === v);
const isJpeg = (b: Uint8Array): boolean => b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff;
const hex = (v: number | undefined): string => `0x${(v ?? 0).toString(16).padStart(2, '0')}`;

/** Decodes with sharp, keeping gray images gray (sharp hands gray out as repeated RGB planes). */
async function decodePixels(bytes: Uint8Array, op: string): Promise<Pixels> {
  try {
    const img = sharp(bytes, { failOn: 'error' });
    const meta = await img.metadata();
    const { data, info } = await img.raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true });
    const gray = meta.space === 'b-w' || meta.space === 'grey16';
    if (!gray || info.channels < 3) return { data, width: info.width, height: info.height, channels: info.channels };
    // Keep the first (gray) plane and alpha, if any.
    const alpha = info.channels === 4;
    const c = alpha ? 2 : 1;
    const n = info.width * info.height;
    const out = new Uint8Array(n * c);
    for (let p = 0; p < n; p++) {
      out[p * c] = data[p * info.channels]!;
      if (alpha) out[p * c + 1] = data[p * info.channels + 3]!;
    }
    return { data: out, width: info.width, height: info.height, channels: c };
  } catch (e) {
    throw new RuntimeError(`${op}(): could not decode the image: ${(e as Error).message}`);
  }
}

async function decode(input: Tensor, opts: ReadModeOptions | undefined, op: string, check: (b: Uint8Array) => GrayFormula): Promise<Tensor> {
  const bytes = tensorBytes(input, op);
  const mode = readMode(opts, op);
  const formula = check(bytes);
  if (formula === 'jpeg' && (mode === 'GRAY_ALPHA' || mode === 'RGB_ALPHA')) {
    throw new RuntimeError('The provided mode is not supported for JPEG files');
  }
  const px = await decodePixels(bytes, op);
  const { data, channels } = toPlanes(px, mode, formula);
  return fromTypedArray(data, [channels, px.height, px.width], { dtype: 'uint8' });
}

/** decode_png(input, { mode }) -> Promise<uint8 [C, H, W]>. */
export function decodePng(input: Tensor, opts?: ReadModeOptions): Promise<Tensor> {
  return decode(input, opts, 'decode_png', (b) => {
    if (!isPng(b)) throw new RuntimeError('Content is not png');
    return 'png';
  });
}

/** decode_jpeg(input, { mode }) -> Promise<uint8 [C, H, W]>; modes UNCHANGED, GRAY and RGB. */
export function decodeJpeg(input: Tensor, opts?: ReadModeOptions): Promise<Tensor> {
  return decode(input, opts, 'decode_jpeg', (b) => {
    if (!isJpeg(b)) throw new RuntimeError(`Not a JPEG file: starts with ${hex(b[0])} ${hex(b[1])}`);
    return 'jpeg';
  });
}

/** decode_image(input, { mode }): PNG, JPEG or any format sharp reads -> Promise<uint8 [C, H, W]>. */
export function decodeImage(input: Tensor, opts?: ReadModeOptions): Promise<Tensor> {
  return decode(input, opts, 'decode_image', (b) => (isJpeg(b) ? 'jpeg' : 'png'));
}
