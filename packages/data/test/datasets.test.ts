import '@torchts/backend-cpu';
import { Generator, IndexError, ValueError, arange, tensor } from '@torchts/core';
import { describe, expect, it, vi } from 'vitest';
import { ChainDataset, ConcatDataset, Dataset, IterableDataset, Subset, TensorDataset, randomSplit, splitLengths } from '../src/index.js';

class Letters extends Dataset<string> {
  constructor(readonly s: string) {
    super();
  }
  getItem(i: number): string {
    return this.s[i]!;
  }
  get length(): number {
    return this.s.length;
  }
}

class Count extends IterableDataset<number> {
  constructor(readonly from: number, readonly to: number) {
    super();
  }
  *[Symbol.iterator](): Iterator<number> {
    for (let i = this.from; i < this.to; i++) yield i;
  }
  get length(): number {
    return this.to - this.from;
  }
}

class AsyncCount extends IterableDataset<number> {
  async *[Symbol.asyncIterator](): AsyncIterator<number> {
    yield 100;
    yield 101;
  }
}

describe('TensorDataset', () => {
  it('indexes every tensor along dim 0', () => {
    const ds = new TensorDataset(arange(6).reshape(3, 2), tensor([7, 8, 9]));
    expect(ds.length).toBe(3);
    const [x, y] = ds.getItem(1);
    expect([x!.tolist(), y!.tolist()]).toEqual([[2, 3], 8]);
    expect(ds.getItem(-1)[1]!.tolist()).toBe(9);
    expect(() => ds.getItem(3)).toThrow(new IndexError('index 3 is out of range for a dataset of length 3'));
    expect(() => ds.getItem(1.5)).toThrow(TypeError);
  });
  it('checks sizes', () => {
    expect(() => new TensorDataset(arange(3), arange(4))).toThrow(new ValueError('Size mismatch between tensors: tensor 0 has 3 samples, tensor 1 has 4'));
    expect(() => new TensorDataset()).toThrow(ValueError);
    expect(() => new TensorDataset(tensor(1))).toThrow('tensor 0 is 0-d');
  });
});

describe('ConcatDataset, Subset, ChainDataset', () => {
  it('concatenates map-style datasets', () => {
    const ds = new ConcatDataset([new Letters('ab'), new Letters(''), new Letters('cde')]);
    expect(ds.cumulativeSizes).toEqual([2, 2, 5]);
    expect(Array.from({ length: 5 }, (_, i) => ds.getItem(i))).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(ds.getItem(-1)).toBe('e');
    expect(() => ds.getItem(-6)).toThrow(new ValueError('absolute value of index should not exceed dataset length'));
    expect(() => ds.getItem(5)).toThrow(IndexError);
    expect(new Letters('x').concat(new Letters('y')).getItem(1)).toBe('y');
    expect(() => new ConcatDataset([])).toThrow('datasets should not be an empty iterable');
    expect(() => new ConcatDataset([new Count(0, 1) as any])).toThrow('ConcatDataset does not support IterableDataset');
  });
  it('takes a subset in the given order', () => {
    const s = new Subset(new Letters('abcdef'), [5, 0, 2]);
    expect([s.length, s.getItem(0), s.getItem(2), s.getItem(-1)]).toEqual([3, 'f', 'c', 'c']);
    expect(() => s.getItem(3)).toThrow(IndexError);
  });
  it('chains iterable datasets, sync and async', async () => {
    const chain = new ChainDataset([new Count(0, 2), new Count(5, 7)]);
    const it: Iterator<number> = chain[Symbol.iterator]!();
    expect(Array.from({ [Symbol.iterator]: () => it })).toEqual([0, 1, 5, 6]);
    expect(chain.length).toBe(4);
    const mixed = new Count(0, 1).chain(new AsyncCount());
    expect(mixed[Symbol.iterator]).toBeUndefined();
    const got: number[] = [];
    for await (const v of mixed as AsyncIterable<number>) got.push(v);
    expect(got).toEqual([0, 100, 101]);
    expect(() => new ChainDataset([new Letters('a') as any])).toThrow('ChainDataset only supports IterableDataset');
  });
});

describe('randomSplit', () => {
  it('computes lengths from fractions as PyTorch does', () => {
    expect(splitLengths(10, [0.25, 0.25, 0.5])).toEqual([3, 2, 5]);
    expect(splitLengths(7, [0.1, 0.1, 0.8])).toEqual([1, 1, 5]);
    expect(splitLengths(5, [2, 3])).toEqual([2, 3]);
  });
  it('rejects bad lengths with PyTorch messages', () => {
    const ds = new Letters('abcde');
    expect(() => randomSplit(ds, [2, 2])).toThrow(new ValueError('Sum of input lengths does not equal the length of the input dataset!'));
    expect(() => randomSplit(ds, [0.5, 1.5, -1])).toThrow(new ValueError('Fraction at index 1 is not between 0 and 1'));
    expect(() => randomSplit(ds, [2.5, 2.5])).toThrow(/length at index 0 must be a non-negative integer/);
  });
  it('warns about empty splits and partitions the dataset', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const parts = randomSplit(new Letters('abc'), [0.9, 0.1], { generator: new Generator().manualSeed(1) });
    expect(parts.map((p) => p.length)).toEqual([3, 0]);
    expect(warn).toHaveBeenCalledWith('torchts: Length of split at index 1 is 0. This might result in an empty dataset.');
    warn.mockRestore();
    const all = randomSplit(new Letters('abcdefg'), [3, 4], { generator: new Generator().manualSeed(2) }).flatMap((p) => [...p.indices]);
    expect([...all].sort()).toEqual([0, 1, 2, 3, 4, 5, 6]);
  });
});
