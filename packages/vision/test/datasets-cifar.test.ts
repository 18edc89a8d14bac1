import { describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import '@torchts/backend-cpu';
import { CIFAR10, CIFAR100 } from '../src/datasets/index.js';
import { gz, tempRoot, write } from './dataset-files.js';

/** Records of `labels.length` label bytes each + a 3x32x32 image with pixel (r, c, p) = (r + 3c + p) mod 256. */
function records(labelRows: number[][]): Uint8Array {
  const size = labelRows[0]!.length + 3072;
  const out = new Uint8Array(labelRows.length * size);
  labelRows.forEach((labels, r) => {
    out.set(labels, r * size);
    for (let k = 0; k < 3072; k++) out[r * size + labels.length + k] = (r + 3 * Math.floor(k / 1024) + k) % 256;
  });
  return out;
}
const pixel = (r: number, c: number, y: number, x: number): number => (r + 3 * c + c * 1024 + y * 32 + x) % 256;

describe('CIFAR10 (binary version)', () => {
  const root = tempRoot();
  const dir = join(root, 'cifar-10-batches-bin');
  for (let b = 1; b <= 5; b++) write(join(dir, `data_batch_${b}.bin`), records([[b], [9 - b]]));
  write(join(root, 'test_batch.bin.gz'), gz(records([[3], [7], [0]])));

  it('reads five training batches in order, items CHW, data HWC as torchvision', () => {
    const ds = new CIFAR10(root);
    expect(ds.length).toBe(10);
    expect(ds.targets.tolist()).toEqual([1, 8, 2, 7, 3, 6, 4, 5, 5, 4]);
    expect(ds.classes[0]).toBe('airplane');
    const [x, y] = ds.getItem(3); // batch 2, record 1
    expect(y).toBe(7);
    expect(x.shape).toEqual([3, 32, 32]);
    expect(x.dtype).toBe('uint8');
    expect(x.select(0, 2).select(0, 5).narrow(0, 0, 3).tolist()).toEqual([0, 1, 2].map((c) => pixel(1, 2, 5, c)));
    expect(ds.data.shape).toEqual([10, 32, 32, 3]);
    expect(ds.data.select(0, 3).select(0, 5).select(0, 1).tolist()).toEqual([0, 1, 2].map((c) => pixel(1, c, 5, 1)));
  });

  it('reads the test batch (gzipped, from the root) and class names from batches.meta.txt', () => {
    write(join(dir, 'batches.meta.txt'), new TextEncoder().encode('a\nb\nc\nd\ne\nf\ng\nh\ni\nj\n\n'));
    const ds = new CIFAR10({ root, train: false });
    expect(ds.targets.tolist()).toEqual([3, 7, 0]);
    expect(ds.classes).toEqual([...'abcdefghij']);
    expect(ds.classToIdx.j).toBe(9);
  });

  it('rejects truncated files, bad labels and download', () => {
    const bad = tempRoot();
    for (let b = 1; b <= 5; b++) write(join(bad, `data_batch_${b}.bin`), records([[0]]));
    writeFileSync(join(bad, 'data_batch_3.bin'), records([[0]]).subarray(0, 3000));
    expect(() => new CIFAR10(bad)).toThrow(`${join(bad, 'data_batch_3.bin')}: invalid CIFAR binary file: 3000 bytes is not a whole number of 3073-byte records`);
    write(join(bad, 'data_batch_3.bin'), records([[0], [10]]));
    expect(() => new CIFAR10(bad)).toThrow(`${join(bad, 'data_batch_3.bin')}: label 10 of record 1 is out of range for 10 classes`);
    expect(() => new CIFAR10(bad, { train: false })).toThrow(/CIFAR10: dataset file 'test_batch.bin' not found/);
    expect(() => new CIFAR10(bad, { download: true })).toThrow(/torchts never downloads/);
  });
});

describe('CIFAR100 (binary version)', () => {
  it('reads coarse and fine labels; targets are the fine ones', () => {
    const root = tempRoot();
    write(join(root, 'cifar-100-binary', 'train.bin'), records([[19, 99], [0, 0], [4, 57]]));
    const ds = new CIFAR100(root);
    expect(ds.targets.tolist()).toEqual([99, 0, 57]);
    expect(ds.coarseTargets.tolist()).toEqual([19, 0, 4]);
    expect(ds.getItem(2)[1]).toBe(57);
    expect(ds.classes.length).toBe(100);
    expect(ds.classes[57]).toBe('pear');
    expect(ds.coarseClasses[4]).toBe('fruit_and_vegetables');
    // Both built-in lists are alphabetical, as the archive's files.
    expect([...ds.classes].sort()).toEqual(ds.classes);
    expect([...ds.coarseClasses].sort()).toEqual(ds.coarseClasses);
    expect(ds.coarseClasses.length).toBe(20);
    expect(ds.getItem(1)[0].select(0, 1).select(0, 0).narrow(0, 0, 2).tolist()).toEqual([pixel(1, 1, 0, 0), pixel(1, 1, 0, 1)]);
    ds.dispose();
  });

  it('checks both label ranges and the record size', () => {
    const root = tempRoot();
    write(join(root, 'test.bin'), records([[20, 0]]));
    expect(() => new CIFAR100(root, { train: false })).toThrow('label 20 of record 0 is out of range for 20 classes');
    write(join(root, 'test.bin'), records([[1, 100]]));
    expect(() => new CIFAR100(root, { train: false })).toThrow('label 100 of record 0 is out of range for 100 classes');
    write(join(root, 'test.bin'), records([[1]]));
    expect(() => new CIFAR100(root, { train: false })).toThrow('3073 bytes is not a whole number of 3074-byte records');
  });
});
