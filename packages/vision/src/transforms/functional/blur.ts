/** gaussianBlur and adjustSharpness: depthwise conv2d with torchvision's kernels. */
import { Tensor, ValueError, full, pad as torchPad, tensor, tidy } from '@torchts/core';
import { functional as nnF } from '@torchts/nn';
import { checkChannels, checkImage, getDimensions, onBatch } from './image.js';
import { blend } from './color.js';

/** The normalised 1-D Gaussian of `size` taps. */
export function gaussianKernel1d(size: number, sigma: number): number[] {
  const half = (size - 1) * 0.5;
  const pdf = Array.from({ length: size }, (_, i) => Math.exp(-0.5 * ((size === 1 ? 0 : -half + (2 * half * i) / (size - 1)) / sigma) ** 2));
  const sum = pdf.reduce((a, b) => a + b, 0);
  return pdf.map((v) => v / sum);
}

/**
 * gaussianBlur(img, kernelSize [kx, ky] or k, sigma [sx, sy] or s; default sigma = 0.3 * ((k - 1) * 0.5 - 1) + 0.8).
 * Borders reflect.
 */
export function gaussianBlur(img: Tensor, kernelSize: number | readonly number[], sigma?: number | readonly number[] | null): Tensor {
  checkImage(img, 'gaussian_blur');
  const k = typeof kernelSize === 'number' ? [kernelSize, kernelSize] : kernelSize.length === 1 ? [kernelSize[0]!, kernelSize[0]!] : [...kernelSize];
  if (k.length !== 2) throw new ValueError(`gaussian_blur(): if kernel_size is a sequence its length should be 2. Got ${k.length}`);
  for (const v of k) {
    if (!Number.isInteger(v) || v <= 0 || v % 2 === 0) throw new ValueError(`gaussian_blur(): kernel_size should have odd and positive integers. Got [${k.join(', ')}]`);
  }
  const s = sigma === undefined || sigma === null ? k.map((v) => 0.3 * ((v - 1) * 0.5 - 1) + 0.8)
    : typeof sigma === 'number' ? [sigma, sigma] : sigma.length === 1 ? [sigma[0]!, sigma[0]!] : [...sigma];
  if (s.length !== 2) throw new ValueError(`gaussian_blur(): if sigma is a sequence, its length should be 2. Got ${s.length}`);
  if (!s.every((v) => v > 0)) throw new ValueError(`gaussian_blur(): sigma should have positive values. Got [${s.join(', ')}]`);
  const kx = gaussianKernel1d(k[0]!, s[0]!);
  const ky = gaussianKernel1d(k[1]!, s[1]!);
  const [c] = getDimensions(img);
  return onBatch(img, (x) => {
    const kernel2d = tensor(ky.map((a) => kx.map((b) => a * b)), { dtype: x.dtype, device: x.device }).expand([c, 1, ky.length, kx.length]);
    const padded = torchPad(x, [k[0]! >> 1, k[0]! >> 1, k[1]! >> 1, k[1]! >> 1], 'reflect');
    return nnF.conv2d(padded, kernel2d, null, 1, 0, 1, c);
  });
}

/** adjustSharpness(img, factor): blends with a smoothed image (interior pixels only); 0 blurs, 1 keeps, 2 sharpens. */
export function adjustSharpness(img: Tensor, sharpnessFactor: number): Tensor {
  checkImage(img, 'adjust_sharpness', 3);
  if (!(sharpnessFactor >= 0)) throw new ValueError(`adjust_sharpness(): sharpness_factor (${sharpnessFactor}) is not non-negative.`);
  checkChannels(img, [1, 3], 'adjust_sharpness');
  const [c, h, w] = getDimensions(img);
  if (h <= 2 || w <= 2) return img.clone();
  return tidy(() => {
    const smooth = onBatch(img, (x) => {
      const kernel = full([3, 3], 1 / 13, { dtype: x.dtype, device: x.device });
      kernel.narrow(0, 1, 1).narrow(1, 1, 1).fill_(5 / 13);
      return nnF.conv2d(x, kernel.expand([c, 1, 3, 3]), null, 1, 0, 1, c);
    });
    const degenerate = img.clone();
    degenerate.narrow(-2, 1, h - 2).narrow(-1, 1, w - 2).copy_(smooth);
    return blend(img, degenerate, sharpnessFactor);
  });
}
