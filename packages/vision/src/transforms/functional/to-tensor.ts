/**
 * toTensor / toImage / pilToTensor without PIL: the image objects here are tensors and the raw
 * pixel buffers sharp hands out (`{ data, info: { width, height, channels } }` from
 * `sharp(...).raw().toBuffer({ resolveWithObject: true })`, or `{ data, width, height, channels }`).
 */
import { RuntimeError, Tensor, fromTypedArray, tidy } from '@torchts/core';

/** Interleaved HWC pixels, as sharp's raw output. */
export interface RawImage {
  data: Uint8Array;
  width: number;
  height: number;
  channels: number;
}

export type ImageLike = Tensor | RawImage | { data: Uint8Array; info: { width: number; height: number; channels: number } };

export interface ToTensorOptions {
  /** How a tensor input is laid out: 'HWC' (numpy's, torchvision ToTensor's; default) or 'CHW'. */
  layout?: 'HWC' | 'CHW';
}

function rawOf(x: unknown): RawImage | null {
  if (x === null || typeof x !== 'object' || x instanceof Tensor) return null;
  const o = x as { data?: unknown; info?: RawImage; width?: number };
  const meta = o.info ?? (o as RawImage);
  if (!(o.data instanceof Uint8Array) || typeof meta.width !== 'number') return null;
  return { data: o.data, width: meta.width, height: meta.height, channels: meta.channels };
}

/** An image as a uint8-or-other CHW tensor, without rescaling (torchvision v2's ToImage / pil_to_tensor). */
export function toImage(pic: ImageLike, opts: ToTensorOptions = {}): Tensor {
  const raw = rawOf(pic);
  if (raw) {
    const { data, width, height, channels } = raw;
    if (data.length !== width * height * channels) {
      throw new RuntimeError(`to_image(): a raw image of ${width}x${height}x${channels} needs ${width * height * channels} bytes, got ${data.length}`);
    }
    return tidy(() => fromTypedArray(data, [height, width, channels], { dtype: 'uint8' }).permute([2, 0, 1]).contiguous());
  }
  if (!(pic instanceof Tensor)) throw new TypeError(`to_image(): pic should be a Tensor or a raw image { data, width, height, channels }. Got ${typeof pic}`);
  if (pic.dim() === 2) return pic.unsqueeze(0).contiguous();
  if (pic.dim() !== 3) throw new RuntimeError(`to_image(): pic should be 2 or 3 dimensional, got ${pic.dim()} dimensions [${pic.shape.join(', ')}]`);
  return (opts.layout ?? 'CHW') === 'HWC' ? tidy(() => pic.permute([2, 0, 1]).contiguous()) : pic.clone();
}

/**
 * torchvision's ToTensor without PIL: a uint8 image (HWC tensor or raw buffer; CHW with
 * `layout: 'CHW'`) becomes float32 CHW in 0..1; other dtypes only change layout.
 */
export function toTensor(pic: ImageLike, opts: ToTensorOptions = {}): Tensor {
  const layout = opts.layout ?? 'HWC';
  return tidy(() => {
    const img = toImage(pic, { layout });
    return img.dtype === 'uint8' ? img.to('float32').div(255) : img;
  });
}
