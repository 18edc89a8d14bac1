/**
 * torchvision.io.encode_jpeg / encode_png / write_jpeg / write_png: uint8 [C, H, W] tensors to
 * encoded bytes (a 1-D uint8 tensor) or files. Encoding runs in sharp, so these return Promises.
 * encodePng also takes 2 (gray + alpha) and 4 (RGBA) channels, which torchvision 0.14 refuses.
 */
import sharp from 'sharp';
import { RuntimeError, Tensor, ValueError, contiguousBytes } from '@torchts/core';
import { bytesTensor } from './bytes.js';
import { writeFile } from './file.js';

export interface EncodeJpegOptions {
  /** 1..100, default 75 (torchvision's). */
  quality?: number;
}

export interface EncodePngOptions {
  /** zlib level 0..9, default 6. */
  compressionLevel?: number;
}

/** sharp over the HWC bytes of a checked uint8 [C, H, W] tensor. */
function rawImage(input: Tensor, op: string, channels: readonly number[]): ReturnType<typeof sharp> {
  if (!(input instanceof Tensor)) throw new TypeError(`${op}(): argument 'input' must be Tensor, not ${typeof input}`);
  if (input.dtype !== 'uint8') throw new RuntimeError(`${op}(): input tensor dtype should be uint8, got ${input.dtype}`);
  if (input.dim() !== 3) {
    throw new RuntimeError(`${op}(): input data should be a 3-dimensional [C, H, W] tensor, got ${input.dim()} dimensions [${input.shape.join(', ')}]`);
  }
  const [c, h, w] = input.shape as [number, number, number];
  if (!channels.includes(c)) throw new RuntimeError(`${op}(): the number of channels should be ${channels.join(' or ')}, got: ${c}`);
  if (h === 0 || w === 0) throw new RuntimeError(`${op}(): cannot encode an empty image of size [${input.shape.join(', ')}]`);
  const hwc = input.permute([1, 2, 0]);
  try {
    const bytes = contiguousBytes(hwc);
    const img = sharp(bytes, { raw: { width: w, height: h, channels: c as 1 | 2 | 3 | 4 } });
    // Without this, sharp writes gray (+ alpha) images as RGB(A).
    return c <= 2 ? img.toColourspace('b-w') : img;
  } finally {
    hwc.dispose();
  }
}

/** encode_jpeg(input uint8 [1 | 3, H, W], { quality }) -> Promise<uint8 bytes>. */
export async function encodeJpeg(input: Tensor, opts: EncodeJpegOptions = {}): Promise<Tensor> {
  const quality = opts.quality ?? 75;
  if (!Number.isInteger(quality) || quality < 1 || quality > 100) {
    throw new ValueError(`encode_jpeg(): image quality should be an integer between 1 and 100, got ${quality}`);
  }
  const img = rawImage(input, 'encode_jpeg', [1, 3]);
  return bytesTensor(await img.jpeg({ quality, chromaSubsampling: '4:2:0' }).toBuffer());
}

/** encode_png(input uint8 [1 | 2 | 3 | 4, H, W], { compressionLevel }) -> Promise<uint8 bytes>. */
export async function encodePng(input: Tensor, opts: EncodePngOptions = {}): Promise<Tensor> {
  const level = opts.compressionLevel ?? 6;
  if (!Number.isInteger(level) || level < 0 || level > 9) {
    throw new ValueError(`encode_png(): compression level should be an integer between 0 and 9, got ${level}`);
  }
  const img = rawImage(input, 'encode_png', [1, 2, 3, 4]);
  return bytesTensor(await img.png({ compressionLevel: level, palette: false }).toBuffer());
}

/** Writes encoded bytes to a file, freeing them after. */
async function writeEncoded(encoded: Promise<Tensor>, filename: string): Promise<void> {
  const bytes = await encoded;
  try {
    await writeFile(filename, bytes);
  } finally {
    bytes.dispose();
  }
}

/** write_jpeg(input, filename, { quality }). */
export function writeJpeg(input: Tensor, filename: string, opts: EncodeJpegOptions = {}): Promise<void> {
  return writeEncoded(encodeJpeg(input, opts), filename);
}

/** write_png(input, filename, { compressionLevel }). */
export function writePng(input: Tensor, filename: string, opts: EncodePngOptions = {}): Promise<void> {
  return writeEncoded(encodePng(input, opts), filename);
}
