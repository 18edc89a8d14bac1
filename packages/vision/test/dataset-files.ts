// Writers of small dataset files in the real formats, for the dataset tests.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';

export function tempRoot(): string {
  return mkdtempSync(join(tmpdir(), 'torchts-vision-'));
}

export function write(path: string, bytes: Uint8Array): string {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, bytes);
  return path;
}

/** An IDX file: header (dtype code, dims) then big-endian values. */
export function idx(code: number, shape: number[], values: ArrayLike<number>): Uint8Array {
  const size = { 8: 1, 9: 1, 11: 2, 12: 4, 13: 4, 14: 8 }[code] ?? 1;
  const header = 4 + 4 * shape.length;
  const out = new Uint8Array(header + values.length * size);
  const v = new DataView(out.buffer);
  out[2] = code;
  out[3] = shape.length;
  shape.forEach((d, i) => v.setUint32(4 + 4 * i, d, false));
  for (let i = 0; i < values.length; i++) {
    const at = header + i * size;
    const x = values[i]!;
    if (code === 8) v.setUint8(at, x);
    else if (code === 9) v.setInt8(at, x);
    else if (code === 11) v.setInt16(at, x, false);
    else if (code === 12) v.setInt32(at, x, false);
    else if (code === 13) v.setFloat32(at, x, false);
    else v.setFloat64(at, x, false);
  }
  return out;
}

/** `n` images of h x w with pixel (i, p) = (7 i + p) mod 256, and labels i mod classes. */
export function digits(n: number, h: number, w: number, classes: number, labelOffset = 0): { images: Uint8Array; labels: Uint8Array } {
  const px = Uint8Array.from({ length: n * h * w }, (_, k) => (7 * Math.floor(k / (h * w)) + (k % (h * w))) % 256);
  const labels = Uint8Array.from({ length: n }, (_, i) => (i % classes) + labelOffset);
  return { images: idx(8, [n, h, w], px), labels: idx(8, [n], labels) };
}

export const gz = (b: Uint8Array): Buffer => gzipSync(b);
