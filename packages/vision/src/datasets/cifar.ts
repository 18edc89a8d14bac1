/**
 * CIFAR-10 and CIFAR-100 from their binary versions (cifar-10-binary.tar.gz /
 * cifar-100-binary.tar.gz, unpacked). A CIFAR-10 record is one label byte and 3,072 pixel bytes
 * (1,024 red, then green, then blue, rows in order); a CIFAR-100 record has a coarse and a fine
 * label byte first. Files are looked for in `<root>/cifar-10-batches-bin/` (or
 * `<root>/cifar-100-binary/`) and then `<root>/`. Class names come from the archive's text files
 * when present, else from the built-in lists.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RuntimeError, type Tensor } from '@torchts/core';
import { int64Tensor, refuseDownload, rootAndOptions, type VisionDatasetOptions } from './common.js';
import { findFile, readMaybeGzip } from './files.js';
import { InMemoryImageDataset } from './in-memory.js';
import { CIFAR100_COARSE, CIFAR100_FINE } from './cifar100-names.js';

export interface CIFAROptions<I = Tensor, T = number> extends VisionDatasetOptions<I, T> {
  root?: string;
  /** The training set (default) or the test set. */
  train?: boolean;
}

const IMAGE_BYTES = 3 * 32 * 32;

interface Records {
  pixels: Uint8Array;
  /** labels[k][i]: the k-th label byte of record i. */
  labels: Int32Array[];
}

/** Reads fixed-size records from each file: `labelBytes` labels, then one CHW image. */
function readRecords(files: string[], labelBytes: number, labelLimits: number[]): Records {
  const record = labelBytes + IMAGE_BYTES;
  const contents = files.map((f) => {
    const bytes = readMaybeGzip(f);
    if (bytes.length === 0 || bytes.length % record !== 0) {
      throw new RuntimeError(`${f}: invalid CIFAR binary file: ${bytes.length} bytes is not a whole number of ${record}-byte records`);
    }
    return bytes;
  });
  const n = contents.reduce((s, b) => s + b.length / record, 0);
  const pixels = new Uint8Array(n * IMAGE_BYTES);
  const labels = labelLimits.map(() => new Int32Array(n));
  let i = 0;
  contents.forEach((bytes, f) => {
    for (let off = 0; off < bytes.length; off += record, i++) {
      for (let k = 0; k < labelBytes; k++) {
        const y = bytes[off + k]!;
        if (y >= labelLimits[k]!) {
          throw new RuntimeError(`${files[f]}: label ${y} of record ${off / record} is out of range for ${labelLimits[k]} classes`);
        }
        labels[k]![i] = y;
      }
      pixels.set(bytes.subarray(off + labelBytes, off + record), i * IMAGE_BYTES);
    }
  });
  return { pixels, labels };
}

/** Class names from a text file of one name per line, if it exists and has `count` names. */
function namesFile(dirs: string[], name: string, count: number, fallback: readonly string[]): string[] {
  for (const dir of dirs) {
    const path = join(dir, name);
    if (!existsSync(path)) continue;
    const names = readFileSync(path, 'utf8').split(/\r?\n/).map((s) => s.trim()).filter((s) => s.length > 0);
    if (names.length !== count) throw new RuntimeError(`${path}: expected ${count} class names, found ${names.length}`);
    return names;
  }
  return [...fallback];
}

/** The root, search folders, options and split of a CIFAR constructor call. */
function resolveArgs<O extends CIFAROptions<unknown, unknown>>(dataset: string, folder: string, root: string | O, options?: O) {
  const { root: dir, opts } = rootAndOptions(root, options);
  if (dir === undefined) throw new TypeError(`${dataset}: a root directory is required`);
  const dirs = [join(dir, folder), dir];
  if (opts.download) refuseDownload(dataset, `in ${dirs[0]} or ${dir}`);
  return { dir, dirs, opts, train: opts.train ?? true };
}

/** CIFAR-10: 50,000 training and 10,000 test 32x32 RGB images in 10 classes. */
export class CIFAR10<I = Tensor, T = number> extends InMemoryImageDataset<I, T> {
  static readonly classes: readonly string[] = ['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck'];
  readonly root: string;
  readonly train: boolean;

  constructor(root: string | CIFAROptions<I, T>, options?: CIFAROptions<I, T>) {
    const { dir, dirs, opts, train } = resolveArgs('CIFAR10', 'cifar-10-batches-bin', root, options);
    const names = train ? [1, 2, 3, 4, 5].map((k) => `data_batch_${k}.bin`) : ['test_batch.bin'];
    const { pixels, labels } = readRecords(names.map((f) => findFile('CIFAR10', dirs, f)), 1, [10]);
    super({ pixels, imageShape: [3, 32, 32], labels: labels[0]! }, namesFile(dirs, 'batches.meta.txt', 10, CIFAR10.classes), opts);
    this.root = dir;
    this.train = train;
  }
}

/**
 * CIFAR-100: 50,000 training and 10,000 test 32x32 RGB images in 100 fine classes grouped into
 * 20 coarse ones. `targets` are the fine labels (as torchvision); `coarseTargets` and
 * `coarseClasses` give the other labelling.
 */
export class CIFAR100<I = Tensor, T = number> extends InMemoryImageDataset<I, T> {
  static readonly classes: readonly string[] = CIFAR100_FINE;
  static readonly coarseClasses: readonly string[] = CIFAR100_COARSE;
  readonly root: string;
  readonly train: boolean;
  readonly coarseClasses: string[];
  private readonly coarseLabels: Int32Array;
  private cachedCoarse?: Tensor;

  constructor(root: string | CIFAROptions<I, T>, options?: CIFAROptions<I, T>) {
    const { dir, dirs, opts, train } = resolveArgs('CIFAR100', 'cifar-100-binary', root, options);
    const { pixels, labels } = readRecords([findFile('CIFAR100', dirs, train ? 'train.bin' : 'test.bin')], 2, [20, 100]);
    super({ pixels, imageShape: [3, 32, 32], labels: labels[1]! }, namesFile(dirs, 'fine_label_names.txt', 100, CIFAR100_FINE), opts);
    this.coarseLabels = labels[0]!;
    this.coarseClasses = namesFile(dirs, 'coarse_label_names.txt', 20, CIFAR100_COARSE);
    this.root = dir;
    this.train = train;
  }

  /** The coarse (superclass) label of every image, int64 [N]. Cached; `dispose()` frees it. */
  get coarseTargets(): Tensor {
    if (!this.cachedCoarse || this.cachedCoarse.isDisposed) this.cachedCoarse = int64Tensor(this.coarseLabels);
    return this.cachedCoarse;
  }

  override dispose(): void {
    super.dispose();
    this.cachedCoarse?.dispose();
    this.cachedCoarse = undefined;
  }
}
