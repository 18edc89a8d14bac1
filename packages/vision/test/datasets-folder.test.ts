import { describe, expect, it } from 'vitest';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import '@torchts/backend-cpu';
import type { Tensor } from '@torchts/core';
import { DataLoader } from '@torchts/data';
import { DatasetFolder, ImageFolder, findClasses, makeDataset } from '../src/datasets/index.js';
import { tempRoot } from './dataset-files.js';

async function png(path: string, w: number, h: number, channels: 1 | 3 | 4, at: (p: number, c: number) => number): Promise<void> {
  const raw = Buffer.from(Uint8Array.from({ length: w * h * channels }, (_, k) => at(Math.floor(k / channels), k % channels)));
  await sharp(raw, { raw: { width: w, height: h, channels } }).png().toFile(path);
}

async function tree(): Promise<string> {
  const root = tempRoot();
  for (const d of ['cat', 'Dog', 'bird/nested', 'bird/a']) mkdirSync(join(root, d), { recursive: true });
  await png(join(root, 'cat', 'b.png'), 4, 2, 3, (p, c) => 10 * p + c);
  await png(join(root, 'cat', 'a.PNG'), 2, 3, 1, (p) => 50 + p); // grey: repeated to RGB
  writeFileSync(join(root, 'cat', 'notes.txt'), 'not an image');
  await png(join(root, 'Dog', 'x.png'), 3, 3, 4, (p, c) => (c === 3 ? 0 : 100 + p + c)); // alpha dropped
  await png(join(root, 'bird', 'nested', 'z.png'), 1, 1, 3, () => 7);
  await png(join(root, 'bird', 'a', 'y.png'), 1, 1, 3, () => 8);
  await png(join(root, 'bird', 'top.png'), 1, 1, 3, () => 9);
  return root;
}

describe('ImageFolder', () => {
  it('sorts classes and files as torchvision, decodes RGB uint8 CHW', async () => {
    const root = await tree();
    const ds = new ImageFolder(root);
    expect(ds.classes).toEqual(['Dog', 'bird', 'cat']);
    expect(ds.classToIdx).toEqual({ Dog: 0, bird: 1, cat: 2 });
    const rel = ds.samples.map(([p, y]) => [p.slice(root.length + 1), y]);
    expect(rel).toEqual([
      ['Dog/x.png', 0], ['bird/top.png', 1], ['bird/a/y.png', 1], ['bird/nested/z.png', 1], ['cat/a.PNG', 2], ['cat/b.png', 2],
    ]);
    expect(ds.targets).toEqual([0, 1, 1, 1, 2, 2]);
    expect(ds.imgs).toBe(ds.samples);
    expect(ds.length).toBe(6);
    const [rgb, y] = await ds.getItem(5);
    expect(y).toBe(2);
    expect(rgb.shape).toEqual([3, 2, 4]);
    expect(rgb.dtype).toBe('uint8');
    expect(rgb.select(0, 1).tolist()).toEqual([[1, 11, 21, 31], [41, 51, 61, 71]]);
    const [grey] = await ds.getItem(4);
    expect(grey.shape).toEqual([3, 3, 2]);
    expect(grey.select(0, 2).tolist()).toEqual(grey.select(0, 0).tolist());
    expect(grey.select(0, 0).reshape(-1).tolist()).toEqual([50, 51, 52, 53, 54, 55]);
    const [rgba] = await ds.getItem(-6);
    expect(rgba.shape).toEqual([3, 3, 3]);
    expect(ds.targetsTensor().tolist()).toEqual([0, 1, 1, 1, 2, 2]);
  });

  it('transforms, isValidFile, and a DataLoader over the async items', async () => {
    const root = await tree();
    const ds = new ImageFolder(root, {
      isValidFile: (p) => p.endsWith('.png') && !p.includes('nested'),
      transform: async (x: Tensor) => x.float().mean().item(),
      targetTransform: { call: (y: number) => y * 10 },
    });
    expect(ds.length).toBe(4);
    expect(await ds.getItem(1)).toEqual([9, 10]);
    const loader = new DataLoader(ds, { batchSize: 4 });
    const batches: Array<[Tensor, Tensor]> = [];
    for await (const b of loader) batches.push(b as [Tensor, Tensor]);
    expect(batches.length).toBe(1);
    expect(batches[0]![1].tolist()).toEqual([0, 10, 10, 20]);
  });

  it('follows symlinked class folders; explains empty and missing classes', async () => {
    const root = await tree();
    symlinkSync(join(root, 'bird'), join(root, 'zlink'));
    expect(new ImageFolder(root).classes).toEqual(['Dog', 'bird', 'cat', 'zlink']);
    mkdirSync(join(root, 'empty'));
    writeFileSync(join(root, 'empty', 'a.txt'), '');
    expect(() => new ImageFolder(root)).toThrow(
      'Found no valid file for the classes empty. Supported extensions are: .jpg, .jpeg, .png, .ppm, .bmp, .pgm, .tif, .tiff, .webp',
    );
    const bare = tempRoot();
    writeFileSync(join(bare, 'x.png'), '');
    expect(() => new ImageFolder(bare)).toThrow(`Couldn't find any class folder in ${bare}.`);
  });

  it('a file that is not an image fails with its path', async () => {
    const root = tempRoot();
    mkdirSync(join(root, 'a'));
    writeFileSync(join(root, 'a', 'broken.png'), 'no png here');
    await expect(new ImageFolder(root).getItem(0)).rejects.toThrow(/could not decode the image/);
  });
});

describe('DatasetFolder', () => {
  it('uses the loader and extensions given', async () => {
    const root = tempRoot();
    for (const [cls, file, text] of [['b', 'one.txt', 'hello'], ['a', 'two.TXT', 'x'], ['a', 'skip.md', 'y']] as const) {
      mkdirSync(join(root, cls), { recursive: true });
      writeFileSync(join(root, cls, file), text);
    }
    const { readFileSync } = await import('node:fs');
    const ds = new DatasetFolder(root, { loader: (p: string) => readFileSync(p, 'utf8'), extensions: ['.txt'], transform: (s: string) => s.length });
    expect(ds.length).toBe(2);
    expect(await ds.getItem(0)).toEqual([1, 0]);
    expect(await ds.getItem(1)).toEqual([5, 1]);
    await expect(ds.getItem(2)).rejects.toThrow(/out of bounds/);
    expect(() => new DatasetFolder(root, { loader: () => 0 })).toThrow('Both extensions and is_valid_file cannot be None or not None at the same time');
    expect(() => makeDataset(root, findClasses(root).classToIdx, ['.txt'], () => true)).toThrow(/Both extensions/);
  });
});
