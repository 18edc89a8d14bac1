// Sampler, randomSplit and DataLoader orders against PyTorch 1.13 (tooling/fixtures/cases/data_samplers.py).
import '@torchts/backend-cpu';
import { readFileSync } from 'node:fs';
import { Generator, manualSeed, rand } from '@torchts/core';
import { describe, expect, it } from 'vitest';
import {
  BatchSampler, DataLoader, DistributedSampler, RandomSampler, SubsetRandomSampler, WeightedRandomSampler, randomSplit,
} from '../src/index.js';
import { Range } from './range.js';

const fx = JSON.parse(readFileSync(new URL('./fixtures/samplers.json', import.meta.url), 'utf8'));

const gen = (seed: number) => new Generator().manualSeed(seed);

describe('samplers match PyTorch', () => {
  it.each<[string, any]>(fx.randomSampler.map((c: any) => [JSON.stringify({ ...c, epochs: undefined }), c]))('RandomSampler %s', (_: string, c: any) => {
    if (c.manualSeed !== undefined) manualSeed(c.manualSeed);
    const s = new RandomSampler(new Range(c.n), { replacement: c.replacement, numSamples: c.numSamples ?? undefined, generator: c.seed === null ? undefined : gen(c.seed) });
    expect(s.length).toBe(c.epochs[0].length);
    for (const epoch of c.epochs) expect([...s]).toEqual(epoch);
  });

  it.each<[string, any]>(fx.subsetRandomSampler.map((c: any) => [String(c.seed), c]))('SubsetRandomSampler seed %s', (_: string, c: any) => {
    if (c.manualSeed !== undefined) manualSeed(c.manualSeed);
    const s = new SubsetRandomSampler(c.indices, c.seed === null ? undefined : gen(c.seed));
    for (const epoch of c.epochs) expect([...s]).toEqual(epoch);
  });

  it.each<[string, any]>(fx.weightedRandomSampler.map((c: any) => [JSON.stringify(c.weights) + (c.replacement ? ' with' : ' without') + ' replacement', c]))('WeightedRandomSampler %s', (_: string, c: any) => {
    const s = new WeightedRandomSampler(c.weights, c.numSamples, { replacement: c.replacement, generator: gen(c.seed) });
    expect(s.length).toBe(c.numSamples);
    for (const epoch of c.epochs) expect([...s]).toEqual(epoch);
  });

  it.each<[string, any]>(fx.distributedSampler.map((c: any) => [JSON.stringify({ ...c, ranks: undefined }), c]))('DistributedSampler %s', (_: string, c: any) => {
    c.ranks.forEach((expected: any, rank: number) => {
      const s = new DistributedSampler(new Range(c.n), { numReplicas: c.numReplicas, rank, shuffle: c.shuffle, seed: c.seed, dropLast: c.dropLast });
      s.setEpoch(c.epoch);
      expect(s.length).toBe(expected.len);
      expect([...s]).toEqual(expected.indices);
    });
  });

  it('BatchSampler over a seeded RandomSampler', () => {
    const c = fx.dataLoader.find((x: any) => x.batchSampler);
    const bs = new BatchSampler(new RandomSampler(new Range(c.n), { generator: gen(c.seed) }), c.batchSize, c.dropLast);
    expect([...bs]).toEqual(c.epochs[0]);
    expect(bs.length).toBe(c.epochs[0].length);
  });
});

describe('randomSplit matches PyTorch', () => {
  it.each<[string, any]>(fx.randomSplit.map((c: any) => [`n=${c.n} ${JSON.stringify(c.lengths)}`, c]))('%s', (_: string, c: any) => {
    if (c.manualSeed !== undefined) manualSeed(c.manualSeed);
    const parts = randomSplit(new Range(c.n), c.lengths, c.seed === null ? {} : { generator: gen(c.seed) });
    expect(parts.map((p) => [...p.indices])).toEqual(c.splits);
    parts.forEach((p, k) => {
      expect(p.length).toBe(c.splits[k].length);
      if (p.length > 0) expect(p.getItem(0)).toBe(c.splits[k][0]);
    });
  });
});

describe('DataLoader shuffle order matches PyTorch', () => {
  const cases = fx.dataLoader.filter((x: any) => !x.batchSampler);
  it.each<[string, any]>(cases.map((c: any) => [JSON.stringify({ ...c, epochs: undefined, after: undefined }), c]))('%s', (_: string, c: any) => {
    if (c.manualSeed !== undefined) manualSeed(c.manualSeed);
    const loader = new DataLoader(new Range(c.n), { batchSize: c.batchSize, shuffle: true, dropLast: c.dropLast, generator: c.seed === null ? undefined : gen(c.seed) });
    expect(loader.length).toBe(c.epochs[0].length);
    for (const epoch of c.epochs) expect([...loader].map((b) => b.tolist())).toEqual(epoch);
    // The default generator advanced exactly as PyTorch's did (base seeds + sampler seeds).
    if (c.after) expect(Array.from(rand(3, { dtype: 'float64' }).tolist() as number[])).toEqual(c.after);
  });

  it('the async iterator draws the same order', async () => {
    const c = fx.dataLoader[0];
    const loader = new DataLoader(new Range(c.n), { batchSize: c.batchSize, shuffle: true, dropLast: c.dropLast, generator: gen(c.seed) });
    for (const epoch of c.epochs) {
      const got: number[][] = [];
      for await (const b of loader) got.push(b.tolist() as number[]);
      expect(got).toEqual(epoch);
    }
  });
});
