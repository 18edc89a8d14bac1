import '@torchts/backend-cpu';
import { Generator, NotImplementedError, ValueError, arange, manualSeed, tensor, zeros } from '@torchts/core';
import type { Tensor } from '@torchts/core';
import { describe, expect, it } from 'vitest';
import {
  BatchSampler, DataLoader, Dataset, DistributedSampler, IterableDataset, RandomSampler, SequentialSampler, TensorDataset, WeightedRandomSampler,
} from '../src/index.js';
import { Range } from './range.js';

class AsyncRange extends Dataset<number> {
  constructor(readonly n: number) {
    super();
  }
  get length(): number {
    return this.n;
  }
  getItem(i: number): Promise<number> {
    return new Promise((resolve) => setTimeout(() => resolve(i * 10), (5 - (i % 5)) * 2));
  }
}

class Count extends IterableDataset<number> {
  constructor(readonly n: number, readonly withLength = true) {
    super();
  }
  *[Symbol.iterator](): Iterator<number> {
    for (let i = 0; i < this.n; i++) yield i;
  }
  get length(): number | undefined {
    return this.withLength ? this.n : undefined;
  }
}

const lists = (loader: Iterable<unknown>) => [...loader].map((b) => (b as Tensor).tolist());

describe('DataLoader on the main thread', () => {
  it('batches a TensorDataset (the MNIST-style loop) with a length', () => {
    const x = arange(20).reshape(10, 2).to('float32');
    const y = arange(10);
    const loader = new DataLoader(new TensorDataset(x, y), { batchSize: 4, shuffle: true, generator: new Generator().manualSeed(0) });
    expect(loader.length).toBe(3);
    const seen: number[] = [];
    for (const [xb, yb] of loader) {
      expect(xb!.shape[1]).toBe(2);
      expect(xb!.dtype).toBe('float32');
      seen.push(...(yb!.tolist() as number[]));
    }
    expect(seen.sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('keeps or drops the last batch', () => {
    expect(lists(new DataLoader(new Range(5), { batchSize: 2 }))).toEqual([[0, 1], [2, 3], [4]]);
    const dropped = new DataLoader(new Range(5), { batchSize: 2, dropLast: true });
    expect([dropped.length, lists(dropped)]).toEqual([2, [[0, 1], [2, 3]]]);
    expect(lists(new DataLoader(new Range(3)))).toEqual([[0], [1], [2]]);
  });

  it('yields single converted samples when batchSize is null', () => {
    const loader = new DataLoader(new Range(3), { batchSize: null });
    expect([loader.length, [...loader]]).toEqual([3, [0, 1, 2]]);
  });

  it('takes samplers, batch samplers and collate functions', () => {
    expect(lists(new DataLoader(new Range(6), { batchSize: 2, sampler: [5, 3, 1] }))).toEqual([[5, 3], [1]]);
    const bs = new BatchSampler(new SequentialSampler(new Range(5)), 3, false);
    const loader = new DataLoader(new Range(5), { batchSampler: bs });
    expect([loader.length, loader.batchSize, lists(loader)]).toEqual([2, null, [[0, 1, 2], [3, 4]]]);
    const joined = new DataLoader(new Range(4), { batchSize: 3, collateFn: (b: number[]) => b.join(',') });
    const batches: string[] = [...joined];
    expect(batches).toEqual(['0,1,2', '3']);
    const weighted = new DataLoader(new Range(3), { batchSize: 4, sampler: new WeightedRandomSampler([0, 0, 1], 4, { generator: new Generator() }) });
    expect(lists(weighted)).toEqual([[2, 2, 2, 2]]);
  });

  it('draws the shuffle from the default generator when none is given', () => {
    const loader = new DataLoader(new Range(30), { batchSize: 30, shuffle: true });
    manualSeed(11);
    const a = lists(loader);
    const b = lists(loader);
    manualSeed(11);
    expect(lists(loader)).toEqual(a);
    expect(lists(loader)).toEqual(b);
    expect(a).not.toEqual(b);
  });

  it('loads async datasets with for await, in order, and refuses them in the sync iterator', async () => {
    const loader = new DataLoader(new AsyncRange(7), { batchSize: 3 });
    const got: unknown[] = [];
    for await (const b of loader) got.push((b as Tensor).tolist());
    expect(got).toEqual([[0, 10, 20], [30, 40, 50], [60]]);
    expect(() => [...loader]).toThrow(
      'DataLoader: AsyncRange.getItem(0) returned a Promise; the synchronous iterator needs a synchronous getItem. Iterate with `for await (const batch of loader)` instead',
    );
  });

  it('propagates getItem errors unchanged', () => {
    class Broken extends Range {
      override getItem(i: number): number {
        if (i === 2) throw new ValueError('bad sample');
        return i;
      }
    }
    expect(() => [...new DataLoader(new Broken(4), { batchSize: 2 })]).toThrow(new ValueError('bad sample'));
  });

  it('streams iterable datasets', async () => {
    const loader = new DataLoader(new Count(5), { batchSize: 2 });
    expect([loader.length, lists(loader)]).toEqual([3, [[0, 1], [2, 3], [4]]]);
    const dropped = new DataLoader(new Count(5), { batchSize: 2, dropLast: true });
    expect([dropped.length, lists(dropped)]).toEqual([2, [[0, 1], [2, 3]]]);
    const single = new DataLoader(new Count(2), { batchSize: null });
    expect([...single]).toEqual([0, 1]);
    const got: unknown[] = [];
    for await (const b of new DataLoader(new Count(3), { batchSize: 2 })) got.push((b as Tensor).tolist());
    expect(got).toEqual([[0, 1], [2]]);
    expect(() => new DataLoader(new Count(3, false)).length).toThrow(new TypeError("object of type 'Count' has no len()"));
  });

  it('checks its options with PyTorch messages', () => {
    const ds = new Range(4);
    expect(() => new DataLoader(ds, { numWorkers: -1 })).toThrow(new ValueError('num_workers option should be non-negative; use num_workers=0 to disable multiprocessing.'));
    expect(() => new DataLoader(ds, { timeout: -1 })).toThrow(new ValueError('timeout option should be non-negative'));
    expect(() => new DataLoader(ds, { prefetchFactor: 4 })).toThrow(/prefetch_factor option could only be specified in multiprocessing/);
    expect(() => new DataLoader(ds, { persistentWorkers: true })).toThrow(new ValueError('persistent_workers option needs num_workers > 0'));
    expect(() => new DataLoader(ds, { sampler: [0], shuffle: true })).toThrow(new ValueError('sampler option is mutually exclusive with shuffle'));
    expect(() => new DataLoader(ds, { batchSampler: [[0]], batchSize: 2 })).toThrow(new ValueError('batch_sampler option is mutually exclusive with batch_size, shuffle, sampler, and drop_last'));
    expect(() => new DataLoader(ds, { batchSize: null, dropLast: true })).toThrow(new ValueError('batch_size=None option disables auto-batching and is mutually exclusive with drop_last'));
    expect(() => new DataLoader(ds, { batchSize: 0 })).toThrow(new ValueError('batch_size should be a positive integer value, but got batch_size=0'));
    expect(() => new DataLoader(new Count(2), { shuffle: true })).toThrow(new ValueError('DataLoader with IterableDataset: expected unspecified shuffle option, but got shuffle=true'));
    expect(() => new DataLoader(new Count(2), { sampler: [0] })).toThrow(/expected unspecified sampler option/);
    expect(() => new DataLoader(ds, { pinMemory: true } as any)).toThrow(NotImplementedError);
    expect(() => new DataLoader(ds, { batchsize: 2 } as any)).toThrow(new TypeError("DataLoader got an unexpected option 'batchsize'"));
    expect(() => new DataLoader({} as any)).toThrow(/needs a getItem\(index\) method/);
    expect(() => new DataLoader(ds, { sampler: (function* () { yield 0; })() }).length).toThrow("has no len()");
  });
});

describe('sampler checks', () => {
  it('use PyTorch messages', () => {
    expect(() => new RandomSampler(new Range(0))).toThrow(new ValueError('num_samples should be a positive integer value, but got num_samples=0'));
    expect(() => new RandomSampler(new Range(3), { replacement: 1 as any })).toThrow(new TypeError('replacement should be a boolean value, but got replacement=1'));
    expect(() => new BatchSampler([0], 0, false)).toThrow(new ValueError('batch_size should be a positive integer value, but got batch_size=0'));
    expect(() => new BatchSampler([0], 2, 'no' as any)).toThrow(new ValueError('drop_last should be a boolean value, but got drop_last=no'));
    expect(() => new WeightedRandomSampler(zeros(2, 2), 1)).toThrow(new ValueError('weights should be a 1d sequence but given weights have shape (2, 2)'));
    expect(() => new WeightedRandomSampler([1], 1.5)).toThrow('num_samples should be a positive integer value, but got num_samples=1.5');
    expect(() => new DistributedSampler(new Range(3), { numReplicas: 2, rank: 2 })).toThrow(new ValueError('Invalid rank 2, rank should be in the interval [0, 1]'));
    expect(() => new DistributedSampler(new Range(3), {} as any)).toThrow(/numReplicas and rank are required/);
    expect([...new WeightedRandomSampler(tensor([0, 1]), 3, { generator: new Generator() })]).toEqual([1, 1, 1]);
    for (const replacement of [false, true]) {
      expect(() => [...new RandomSampler(new Range(0), { numSamples: 5, replacement })]).toThrow(new ValueError('RandomSampler: cannot draw 5 samples from an empty dataset'));
    }
  });
});
