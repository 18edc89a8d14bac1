/**
 * DatasetFolder and ImageFolder: one sub-directory per class under `root` (`root/dog/xxx.png`,
 * `root/cat/nsdf3.png`). Classes are the sub-directory names sorted; files are found recursively
 * (symlinks followed), in sorted order, and kept when their extension matches (case-insensitive)
 * or when `isValidFile` accepts them, exactly as torchvision's make_dataset. Items load lazily:
 * `getItem` returns a Promise, since decoding (sharp) is asynchronous.
 */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Dataset } from '@torchts/data';
import { RuntimeError, ValueError, type Tensor } from '@torchts/core';
import { ImageReadMode, readImage } from '../io/index.js';
import { applyTransform, checkIndex, int64Tensor, type TransformLike } from './common.js';

/** The image extensions ImageFolder accepts by default (torchvision's IMG_EXTENSIONS). */
export const IMG_EXTENSIONS: readonly string[] = ['.jpg', '.jpeg', '.png', '.ppm', '.bmp', '.pgm', '.tif', '.tiff', '.webp'];

export function hasFileAllowedExtension(filename: string, extensions: readonly string[]): boolean {
  const lower = filename.toLowerCase();
  return extensions.some((e) => lower.endsWith(e.toLowerCase()));
}

export function isImageFile(filename: string): boolean {
  return hasFileAllowedExtension(filename, IMG_EXTENSIONS);
}

/** The class folders of `directory`, sorted, and their indices. */
export function findClasses(directory: string): { classes: string[]; classToIdx: Record<string, number> } {
  const classes = readdirSync(directory, { withFileTypes: true })
    .filter((e) => e.isDirectory() || (e.isSymbolicLink() && statSync(join(directory, e.name)).isDirectory()))
    .map((e) => e.name)
    .sort(byCodePoint);
  if (classes.length === 0) throw new RuntimeError(`Couldn't find any class folder in ${directory}.`);
  const classToIdx: Record<string, number> = {};
  classes.forEach((c, i) => (classToIdx[c] = i));
  return { classes, classToIdx };
}

// Python's sorted() compares code points; JS's default sort compares UTF-16 units.
function byCodePoint(a: string, b: string): number {
  const x = [...a];
  const y = [...b];
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const d = x[i]!.codePointAt(0)! - y[i]!.codePointAt(0)!;
    if (d !== 0) return d;
  }
  return x.length - y.length;
}

/** Every directory under `dir` (itself included, symlinks followed), sorted by path, with its files sorted. */
function walk(dir: string, out: Array<{ dir: string; files: string[] }> = [], seen = new Set<string>()): typeof out {
  const real = statSync(dir);
  const key = `${real.dev}:${real.ino}`;
  if (seen.has(key)) return out; // a symlink cycle
  seen.add(key);
  const files: string[] = [];
  const subdirs: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, e.name);
    const isDir = e.isDirectory() || (e.isSymbolicLink() && safeIsDir(path));
    (isDir ? subdirs : files).push(e.name);
  }
  out.push({ dir, files: files.sort(byCodePoint) });
  for (const s of subdirs) walk(join(dir, s), out, seen);
  return out;
}

function safeIsDir(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false; // a dangling link
  }
}

/** `[path, classIndex]` for every accepted file, in torchvision's order. */
export function makeDataset(
  directory: string,
  classToIdx: Record<string, number>,
  extensions?: readonly string[],
  isValidFile?: (path: string) => boolean,
): Array<[string, number]> {
  if ((extensions === undefined) === (isValidFile === undefined)) {
    throw new ValueError('Both extensions and is_valid_file cannot be None or not None at the same time');
  }
  const accept = isValidFile ?? ((p: string) => hasFileAllowedExtension(p, extensions!));
  const samples: Array<[string, number]> = [];
  const empty: string[] = [];
  for (const cls of Object.keys(classToIdx).sort(byCodePoint)) {
    const before = samples.length;
    const dirs = walk(join(directory, cls)).sort((a, b) => byCodePoint(a.dir, b.dir));
    for (const { dir, files } of dirs) {
      for (const f of files) {
        const path = join(dir, f);
        if (accept(path)) samples.push([path, classToIdx[cls]!]);
      }
    }
    if (samples.length === before) empty.push(cls);
  }
  if (empty.length > 0) {
    let msg = `Found no valid file for the classes ${empty.sort(byCodePoint).join(', ')}. `;
    if (extensions !== undefined) msg += `Supported extensions are: ${extensions.join(', ')}`;
    throw new RuntimeError(msg);
  }
  return samples;
}

export interface DatasetFolderOptions<S, I, T> {
  /** Reads one file (may be async). */
  loader: (path: string) => S | Promise<S>;
  /** Accepted extensions (case-insensitive); give this or `isValidFile`. */
  extensions?: readonly string[];
  /** Decides which files to keep; give this or `extensions`. */
  isValidFile?: (path: string) => boolean;
  transform?: TransformLike<S, I | Promise<I>>;
  targetTransform?: TransformLike<number, T>;
}

/** A generic folder-per-class dataset; items are `Promise<[sample, target]>`. */
export class DatasetFolder<S, I = S, T = number> extends Dataset<[I, T]> {
  readonly root: string;
  readonly classes: string[];
  readonly classToIdx: Record<string, number>;
  /** `[path, classIndex]` per item. */
  readonly samples: Array<[string, number]>;
  readonly extensions?: readonly string[];
  readonly loader: (path: string) => S | Promise<S>;
  readonly transform?: TransformLike<S, I | Promise<I>>;
  readonly targetTransform?: TransformLike<number, T>;

  constructor(root: string, options: DatasetFolderOptions<S, I, T>) {
    super();
    const { classes, classToIdx } = findClasses(root);
    this.samples = makeDataset(root, classToIdx, options.extensions, options.isValidFile);
    this.root = root;
    this.classes = classes;
    this.classToIdx = classToIdx;
    this.extensions = options.extensions;
    this.loader = options.loader;
    this.transform = options.transform;
    this.targetTransform = options.targetTransform;
  }

  get length(): number {
    return this.samples.length;
  }

  /** The class index of every sample, in order (torchvision's `targets` list). */
  get targets(): number[] {
    return this.samples.map((s) => s[1]);
  }

  /** The targets as an int64 tensor [N]. */
  targetsTensor(): Tensor {
    return int64Tensor(this.targets);
  }

  async getItem(index: number): Promise<[I, T]> {
    const [path, target] = this.samples[checkIndex(index, this.length)]!;
    const sample = await this.loader(path);
    const x = this.transform ? await applyTransform(this.transform, sample) : (sample as unknown as I);
    const y = this.targetTransform ? applyTransform(this.targetTransform, target) : (target as unknown as T);
    return [x, y];
  }
}

/** torchvision's default loader (PIL, converted to RGB): uint8 [3, H, W]; alpha dropped, grey repeated. */
export function loadRgbImage(path: string): Promise<Tensor> {
  return readImage(path, { mode: ImageReadMode.RGB });
}

export interface ImageFolderOptions<I, T> {
  transform?: TransformLike<Tensor, I | Promise<I>>;
  targetTransform?: TransformLike<number, T>;
  /** Reads one file; by default io.readImage in RGB mode: uint8 [3, H, W]. */
  loader?: (path: string) => Tensor | Promise<Tensor>;
  /** Decides which files to keep (by default: IMG_EXTENSIONS). */
  isValidFile?: (path: string) => boolean;
}

/** A folder-per-class image dataset; items are `Promise<[image, target]>`, image uint8 CHW. */
export class ImageFolder<I = Tensor, T = number> extends DatasetFolder<Tensor, I, T> {
  /** `[path, classIndex]` per image (torchvision's `imgs`, the same list as `samples`). */
  get imgs(): Array<[string, number]> {
    return this.samples;
  }

  constructor(root: string, options: ImageFolderOptions<I, T> = {}) {
    super(root, {
      loader: options.loader ?? loadRgbImage,
      extensions: options.isValidFile ? undefined : IMG_EXTENSIONS,
      isValidFile: options.isValidFile,
      transform: options.transform,
      targetTransform: options.targetTransform,
    });
  }
}
