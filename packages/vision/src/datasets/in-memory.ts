/**
 * The base of the datasets whose images are fixed-size uint8 arrays held in memory (MNIST family,
 * CIFAR): items are `[image, target]`, image a fresh uint8 CHW tensor (what torchvision v2's
 * ToImage gives) before the transform. `data` and `targets` expose the whole set as tensors (built
 * on first use, then cached) so that statistics or normalisation can run over all of it at once.
 */
import { Dataset } from '@torchts/data';
import { isTensor, type Tensor } from '@torchts/core';
import {
  applyTransform, checkIndex, classToIdxOf, int64Tensor, uint8Tensor,
  type TransformLike, type VisionDatasetOptions,
} from './common.js';

export interface InMemoryImages {
  /** Every image, CHW, one after the other. */
  pixels: Uint8Array;
  /** One image's [C, H, W]. */
  imageShape: [number, number, number];
  labels: Int32Array;
}

export abstract class InMemoryImageDataset<I = Tensor, T = number> extends Dataset<[I, T]> {
  readonly classes: string[];
  readonly transform?: TransformLike<Tensor, I>;
  readonly targetTransform?: TransformLike<number, T>;
  protected readonly pixels: Uint8Array;
  protected readonly imageShape: [number, number, number];
  protected readonly labels: Int32Array;
  private cachedData?: Tensor;
  private cachedTargets?: Tensor;

  protected constructor(images: InMemoryImages, classes: string[], opts: VisionDatasetOptions<I, T>) {
    super();
    this.pixels = images.pixels;
    this.imageShape = images.imageShape;
    this.labels = images.labels;
    this.classes = classes;
    this.transform = opts.transform;
    this.targetTransform = opts.targetTransform;
  }

  get length(): number {
    return this.labels.length;
  }

  get classToIdx(): Record<string, number> {
    return classToIdxOf(this.classes);
  }

  getItem(index: number): [I, T] {
    const i = checkIndex(index, this.length);
    const [c, h, w] = this.imageShape;
    const size = c * h * w;
    const image = uint8Tensor(this.pixels.subarray(i * size, (i + 1) * size), [c, h, w]);
    const target = this.labels[i]!;
    const x = this.transform ? applyTransform(this.transform, image) : (image as unknown as I);
    // A transform that made a new tensor leaves the raw image unused (a view keeps its storage).
    if (isTensor(x) && x !== image) image.dispose();
    const y = this.targetTransform ? applyTransform(this.targetTransform, target) : (target as unknown as T);
    return [x, y];
  }

  /**
   * Every image as one uint8 tensor laid out as torchvision's `data`: [N, H, W] for one channel,
   * [N, H, W, C] otherwise. Built on first use and cached; `dispose()` frees it.
   */
  get data(): Tensor {
    if (!this.cachedData || this.cachedData.isDisposed) {
      const [c, h, w] = this.imageShape;
      const n = this.length;
      if (c === 1) this.cachedData = uint8Tensor(this.pixels, [n, h, w]);
      else {
        const chw = uint8Tensor(this.pixels, [n, c, h, w]);
        const hwc = chw.permute(0, 2, 3, 1);
        this.cachedData = hwc.contiguous();
        hwc.dispose();
        chw.dispose();
      }
    }
    return this.cachedData;
  }

  /** Every target as an int64 tensor [N]. Built on first use and cached; `dispose()` frees it. */
  get targets(): Tensor {
    if (!this.cachedTargets || this.cachedTargets.isDisposed) this.cachedTargets = int64Tensor(this.labels);
    return this.cachedTargets;
  }

  /** Frees the cached `data` and `targets` tensors (they are rebuilt if used again). */
  dispose(): void {
    this.cachedData?.dispose();
    this.cachedTargets?.dispose();
    this.cachedData = undefined;
    this.cachedTargets = undefined;
  }
}
