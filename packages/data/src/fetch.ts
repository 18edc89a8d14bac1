/**
 * Fetching one batch from a dataset, shared by the main thread and the workers: map-style datasets
 * by indices, iterable ones by pulling from their iterator.
 *
 * A map-style fetch runs in `tidy`: the tensors getItem and collate create and the batch does not
 * contain (the samples once stacked, a transform's intermediates) are freed as soon as the batch
 * exists, as Python's reference counting frees them in PyTorch. Tensors a dataset creates in getItem
 * to keep (a lazy cache) must be passed to `keep()`. Iterable datasets are not wrapped: their
 * iterators legitimately create state on the first `next()`.
 */
import { tidy } from '@torchts/core';
import type { Dataset } from './dataset.js';

export type CollateFn = (batch: any) => unknown;

/** Index of the sample whose getItem failed, recorded on the error for worker reports. */
export const SAMPLE_INDEX = Symbol('torchts.data.sampleIndex');

function tag(err: unknown, index: number): unknown {
  if (err !== null && typeof err === 'object' && !(SAMPLE_INDEX in err)) {
    Object.defineProperty(err, SAMPLE_INDEX, { value: index, enumerable: false });
  }
  return err;
}

function isThenable(x: unknown): x is PromiseLike<unknown> {
  return x !== null && (typeof x === 'object' || typeof x === 'function') && typeof (x as { then?: unknown }).then === 'function';
}

function getSync(dataset: Dataset<unknown>, index: number): unknown {
  let item: unknown;
  try {
    item = dataset.getItem(index);
  } catch (e) {
    throw tag(e, index);
  }
  if (isThenable(item)) {
    Promise.resolve(item).catch(() => {}); // never an unhandled rejection from a sample we refuse
    throw new TypeError(
      `DataLoader: ${dataset.constructor.name}.getItem(${index}) returned a Promise; the synchronous iterator needs a synchronous getItem. Iterate with \`for await (const batch of loader)\` instead`,
    );
  }
  return item;
}

async function getAsync(dataset: Dataset<unknown>, index: number): Promise<unknown> {
  try {
    return await dataset.getItem(index);
  } catch (e) {
    throw tag(e, index);
  }
}

/** One batch (indices: an array) or one sample (indices: a number, automatic batching off). */
export function fetchMapSync(dataset: Dataset<unknown>, indices: number[] | number, collate: CollateFn): unknown {
  return tidy(() => {
    if (typeof indices === 'number') return collate(getSync(dataset, indices));
    return collate(indices.map((i) => getSync(dataset, i)));
  });
}

/** As fetchMapSync; the samples of a batch are awaited together, so async getItems overlap. */
export function fetchMapAsync(dataset: Dataset<unknown>, indices: number[] | number, collate: CollateFn): Promise<unknown> {
  return tidy(async () => {
    if (typeof indices === 'number') return collate(await getAsync(dataset, indices));
    return collate(await Promise.all(indices.map((i) => getAsync(dataset, i))));
  });
}

export const END = Symbol('torchts.data.end');

/** The next batch of `batchSize` samples (one sample when null), or END when the stream is done. */
export function fetchIterSync(it: Iterator<unknown>, batchSize: number | null, dropLast: boolean, collate: CollateFn): unknown {
  if (batchSize === null) {
    const r = it.next();
    return r.done ? END : collate(r.value);
  }
  const batch: unknown[] = [];
  while (batch.length < batchSize) {
    const r = it.next();
    if (isThenable(r)) throw new TypeError('DataLoader: the dataset iterator returned a Promise; iterate with `for await`');
    if (r.done) break;
    batch.push(r.value);
  }
  if (batch.length === 0 || (dropLast && batch.length < batchSize)) return END;
  return collate(batch);
}

export async function fetchIterAsync(it: Iterator<unknown> | AsyncIterator<unknown>, batchSize: number | null, dropLast: boolean, collate: CollateFn): Promise<unknown> {
  if (batchSize === null) {
    const r = await it.next();
    return r.done ? END : collate(r.value);
  }
  const batch: unknown[] = [];
  while (batch.length < batchSize) {
    const r = await it.next();
    if (r.done) break;
    batch.push(r.value);
  }
  if (batch.length === 0 || (dropLast && batch.length < batchSize)) return END;
  return collate(batch);
}
