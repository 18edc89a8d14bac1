// The loader frees what getItem and collation create and the batch does not hold.
import '@torchts/backend-cpu';
import { Tensor, arange, keep, memory, rand, tensor } from '@torchts/core';
import { expect, it } from 'vitest';
import { DataLoader, Dataset, TensorDataset } from '../src/index.js';

const live = () => memory().liveTensors;

class Noisy extends Dataset<Tensor> {
  cache = new Map<number, Tensor>();
  get length(): number {
    return 10;
  }
  getItem(i: number): Tensor {
    // A kept lazy cache survives; the intermediate `rand` and the returned sample are freed.
    if (!this.cache.has(i % 2)) this.cache.set(i % 2, keep(tensor([i % 2])));
    return rand(3).mul(this.cache.get(i % 2)!);
  }
}

it('frees samples and intermediates once the batch is collated', async () => {
  const ds = new Noisy();
  const before = live();
  for (const batch of new DataLoader(ds, { batchSize: 4 })) {
    expect(batch.shape[1]).toBe(3);
    batch.dispose();
  }
  expect(live() - before).toBe(2); // the two cached tensors
  for await (const batch of new DataLoader(ds, { batchSize: 4 })) batch.dispose();
  expect(live() - before).toBe(2);
  expect(ds.cache.get(1)!.tolist()).toEqual([1]);
});

it('leaves the tensors a dataset holds alone', () => {
  const x = arange(6).reshape(3, 2);
  const ds = new TensorDataset(x);
  const before = live();
  for (const [b] of new DataLoader(ds, { batchSize: 2 })) b!.dispose();
  expect(live()).toBe(before);
  expect(x.isDisposed).toBe(false);
  expect(x.sum().item()).toBe(15);
});
