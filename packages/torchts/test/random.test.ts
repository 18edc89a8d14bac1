/**
 * Random numbers: PyTorch's seeded streams replayed (fixtures/random/streams.json, written by
 * tooling/fixtures/cases/creation_random.py), generator state bytes, Generator objects,
 * distribution statistics over 100k samples, dtypes and argument errors.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import * as torch from '../src/index.js';
import type { Tensor } from '../src/index.js';
import { decode, runCase } from './harness.js';
import type { Case } from './harness.js';

interface Stream {
  label: string;
  seed: number;
  steps: Case[];
}
interface StateCase {
  label: string;
  seed: number;
  before: Case[];
  state: string;
  after: Case[];
}
const fixtures = JSON.parse(
  readFileSync(join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'random', 'streams.json'), 'utf8'),
) as { cases: Stream[]; states: StateCase[] };

function callStep(c: Case): unknown {
  const args = c.args.map(decode);
  const kwargs = decode(c.kwargs) as Record<string, unknown>;
  const all = Object.keys(kwargs).length ? [...args, kwargs] : args;
  if (c.method) {
    const self = all[0] as Record<string, (...a: unknown[]) => unknown>;
    return self[c.op]!.apply(self, all.slice(1));
  }
  return (torch as unknown as Record<string, (...a: unknown[]) => unknown>)[c.op]!(...all);
}

function numbers(t: Tensor): number[] {
  return Array.from(t.toTypedArray() as ArrayLike<number | bigint>, Number);
}

function stats(xs: ArrayLike<number>): { mean: number; std: number; min: number; max: number } {
  let s = 0;
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < xs.length; i++) {
    s += xs[i]!;
    min = Math.min(min, xs[i]!);
    max = Math.max(max, xs[i]!);
  }
  const mean = s / xs.length;
  let v = 0;
  for (let i = 0; i < xs.length; i++) v += (xs[i]! - mean) ** 2;
  return { mean, std: Math.sqrt(v / (xs.length - 1)), min, max };
}

/** Pearson's chi-square statistic of observed counts against expected probabilities. */
function chiSquare(counts: number[], probs: number[], n: number): number {
  return counts.reduce((acc, c, i) => acc + (c - n * probs[i]!) ** 2 / (n * probs[i]!), 0);
}

function histogram(values: number[], k: number): number[] {
  const counts = new Array<number>(k).fill(0);
  for (const v of values) counts[v]!++;
  return counts;
}

describe('PyTorch seeded streams', () => {
  for (const s of fixtures.cases) {
    it(s.label, () =>
      torch.tidy(() => {
        torch.manualSeed(s.seed);
        s.steps.forEach((step, i) => runCase({ ...step, label: `${s.label} step ${i} (${step.op})` }));
      }));
  }
});

describe('generator state bytes', () => {
  for (const c of fixtures.states) {
    const bytes = Uint8Array.from(Buffer.from(c.state, 'base64'));
    it(`${c.label}: getRngState() equals torch.get_rng_state()`, () =>
      torch.tidy(() => {
        torch.manualSeed(c.seed);
        for (const step of c.before) callStep(step);
        expect(Buffer.from(torch.getRngState()).equals(Buffer.from(bytes))).toBe(true);
      }));
    it(`${c.label}: setRngState(PyTorch's bytes) continues PyTorch's stream`, () =>
      torch.tidy(() => {
        torch.manualSeed(12345);
        torch.randn(3);
        torch.setRngState(bytes);
        expect(torch.initialSeed()).toBe(c.seed);
        c.after.forEach((step, i) => runCase({ ...step, label: `${c.label} after ${i}` }));
      }));
  }
});

describe('Generator', () => {
  it('manualSeed makes runs reproducible and returns the default generator', () =>
    torch.tidy(() => {
      const g = torch.manualSeed(7);
      expect(g).toBe(torch.defaultGenerator);
      const a = numbers(torch.randn(50));
      torch.manualSeed(7);
      expect(numbers(torch.randn(50))).toEqual(a);
      torch.manualSeed(8);
      expect(numbers(torch.randn(50))).not.toEqual(a);
    }));

  it('separate generators are independent of each other and of the default one', () =>
    torch.tidy(() => {
      const g1 = new torch.Generator().manualSeed(3);
      const g2 = new torch.Generator().manualSeed(3);
      torch.manualSeed(99);
      const fromDefault = numbers(torch.rand(5));
      torch.manualSeed(99);
      const a = numbers(torch.rand(5, { generator: g1 }));
      expect(numbers(torch.rand(5))).toEqual(fromDefault); // g1 did not advance the default generator
      expect(numbers(torch.rand(5, { generator: g2 }))).toEqual(a);
      expect(numbers(torch.rand(5, { generator: g1 }))).not.toEqual(a);
      // The same seed on the default generator gives the same stream as a fresh Generator.
      torch.manualSeed(3);
      expect(numbers(torch.rand(5))).toEqual(a);
    }));

  it('accepts generators in every random op', () =>
    torch.tidy(() => {
      const run = (g: torch.Generator) => [
        numbers(torch.randn(4, { generator: g })),
        numbers(torch.randint(0, 9, [4], { generator: g })),
        numbers(torch.randperm(6, { generator: g })),
        numbers(torch.normal(0, 1, [3], { generator: g })),
        numbers(torch.normal(torch.zeros(3), 2, { generator: g })),
        numbers(torch.bernoulli(torch.full([5], 0.5), { generator: g })),
        numbers(torch.multinomial(torch.ones(5), 3, { generator: g })),
        numbers(torch.multinomial(torch.ones(5), 3, true, { generator: g })),
        numbers(torch.zeros(3).uniform_(0, 2, { generator: g })),
        numbers(torch.zeros(3).normal_({ mean: 1, generator: g })),
        numbers(torch.zeros(3, { dtype: 'int64' }).random_(5, { generator: g })),
        numbers(torch.zeros(3).bernoulli_(0.5, { generator: g })),
        numbers(torch.zeros(3).exponential_(1, { generator: g })),
        numbers(torch.randLike(torch.zeros(2), { generator: g })),
        numbers(torch.randnLike(torch.zeros(2), { generator: g })),
        numbers(torch.randintLike(torch.zeros(2), 4, { generator: g })),
      ];
      expect(run(new torch.Generator().manualSeed(11))).toEqual(run(new torch.Generator().manualSeed(11)));
    }));

  it('initialSeed, seed() and negative seeds', () => {
    const g = new torch.Generator();
    expect(g.initialSeed()).toBe(67280421310721);
    g.manualSeed(-1);
    expect(g.initialSeedBigInt()).toBe(2n ** 64n - 1n);
    g.manualSeed(2n ** 63n + 5n);
    expect(g.initialSeedBigInt()).toBe(2n ** 63n + 5n);
    const s = g.seed();
    expect(Number.isSafeInteger(s)).toBe(true);
    expect(g.initialSeed()).toBe(s);
    const s2 = torch.seed();
    expect(torch.initialSeed()).toBe(s2);
    expect(() => g.manualSeed(2n ** 64n)).toThrow('Overflow when unpacking long');
    expect(() => g.manualSeed(-(2n ** 63n) - 1n)).toThrow('Overflow when unpacking long');
    expect(() => g.manualSeed(NaN)).toThrow(TypeError);
  });

  it('getState/setState round-trip, clone, and reject bad states', () =>
    torch.tidy(() => {
      const g = new torch.Generator().manualSeed(21);
      torch.randn(3, { generator: g }); // leaves a cached normal sample in the state
      const state = g.getState();
      expect(state.length).toBe(5056);
      const twin = g.clone();
      const a = numbers(torch.randn(5, { generator: g }));
      expect(numbers(torch.randn(5, { generator: twin }))).toEqual(a);
      g.setState(state);
      expect(numbers(torch.randn(5, { generator: g }))).toEqual(a);
      g.setState(torch.tensor(Array.from(state), { dtype: 'uint8' }));
      expect(numbers(torch.randn(5, { generator: g }))).toEqual(a);
      expect(() => g.setState(new Uint8Array(10))).toThrow(
        'Expected either a CPUGeneratorImplStateLegacy of size 5048 or a CPUGeneratorImplState of size 5056 but found the input RNG state size to be 10',
      );
      expect(() => g.setState(new Uint8Array(5056))).toThrow('Invalid mt19937 state');
      expect(() => g.setState(torch.zeros(5056))).toThrow('RNG state must be a torch.ByteTensor');
    }));
});

describe('distributions (100k samples)', () => {
  const N = 100_000;

  it('rand: U[0, 1) in float32 and float64', () =>
    torch.tidy(() => {
      torch.manualSeed(1);
      for (const dtype of ['float32', 'float64'] as const) {
        const s = stats(numbers(torch.rand(N, { dtype })));
        expect(s.min).toBeGreaterThanOrEqual(0);
        expect(s.max).toBeLessThan(1);
        expect(Math.abs(s.mean - 0.5)).toBeLessThan(0.005);
        expect(Math.abs(s.std - Math.sqrt(1 / 12))).toBeLessThan(0.005);
      }
    }));

  it('uniform_(from, to) stays in [from, to)', () =>
    torch.tidy(() => {
      const s = stats(numbers(torch.empty(N).uniform_(-3, 7)));
      expect(s.min).toBeGreaterThanOrEqual(-3);
      expect(s.max).toBeLessThan(7);
      expect(Math.abs(s.mean - 2)).toBeLessThan(0.05);
    }));

  it('randn: N(0, 1); float64 samples use double precision', () =>
    torch.tidy(() => {
      torch.manualSeed(2);
      for (const dtype of ['float32', 'float64'] as const) {
        const x = numbers(torch.randn(N, { dtype }));
        const s = stats(x);
        expect(Math.abs(s.mean)).toBeLessThan(0.01);
        expect(Math.abs(s.std - 1)).toBeLessThan(0.01);
        if (dtype === 'float64') expect(x.some((v) => Math.fround(v) !== v)).toBe(true);
      }
      // Odd sizes and strided outputs take the one-at-a-time path.
      const odd = stats(numbers(torch.empty(N, 2).t().normal_()));
      expect(Math.abs(odd.mean)).toBeLessThan(0.01);
      expect(Math.abs(odd.std - 1)).toBeLessThan(0.01);
    }));

  it('normal(mean, std) with numbers and tensors', () =>
    torch.tidy(() => {
      const a = stats(numbers(torch.normal(3, 2, [N])));
      expect(Math.abs(a.mean - 3)).toBeLessThan(0.03);
      expect(Math.abs(a.std - 2)).toBeLessThan(0.03);
      const b = stats(numbers(torch.normal(torch.full([N], -1, { dtype: 'float32' }), 0.5)));
      expect(Math.abs(b.mean + 1)).toBeLessThan(0.01);
      expect(Math.abs(b.std - 0.5)).toBeLessThan(0.01);
      const c = stats(numbers(torch.normal(4, torch.full([N], 3, { dtype: 'float32' }))));
      expect(Math.abs(c.mean - 4)).toBeLessThan(0.05);
      expect(Math.abs(c.std - 3)).toBeLessThan(0.05);
    }));

  it('randint: uniform over [low, high) (chi-square)', () =>
    torch.tidy(() => {
      const x = numbers(torch.randint(-3, 7, [N]));
      expect(Math.min(...x)).toBe(-3);
      expect(Math.max(...x)).toBe(6);
      const counts = histogram(x.map((v) => v + 3), 10);
      // 9 degrees of freedom: P(chi2 > 27.9) = 0.001.
      expect(chiSquare(counts, new Array(10).fill(0.1), N)).toBeLessThan(27.9);
    }));

  it('multinomial with replacement follows the probabilities (chi-square)', () =>
    torch.tidy(() => {
      const p = [0.1, 0.2, 0.3, 0.4];
      const x = numbers(torch.multinomial(torch.tensor([1, 2, 3, 4]), N, true));
      expect(chiSquare(histogram(x, 4), p, N)).toBeLessThan(16.3); // 3 dof, P = 0.001
    }));

  it('multinomial without replacement draws distinct categories, favouring heavy ones', () =>
    torch.tidy(() => {
      const rows = 20_000;
      const probs = torch.tensor([1, 2, 3, 4]).expand([rows, 4]).contiguous();
      const x = numbers(torch.multinomial(probs, 2));
      const first = new Array<number>(4).fill(0);
      for (let r = 0; r < rows; r++) {
        expect(x[2 * r]).not.toBe(x[2 * r + 1]);
        first[x[2 * r]!]!++;
      }
      expect(chiSquare(first, [0.1, 0.2, 0.3, 0.4], rows)).toBeLessThan(16.3);
      const all = numbers(torch.multinomial(torch.ones(50), 50));
      expect([...all].sort((a, b) => a - b)).toEqual([...Array(50).keys()]);
    }));

  it('bernoulli, exponential_, geometric_, cauchy_ and logNormal_ have the right centres', () =>
    torch.tidy(() => {
      expect(Math.abs(stats(numbers(torch.bernoulli(torch.full([N], 0.3)))).mean - 0.3)).toBeLessThan(0.01);
      expect(Math.abs(stats(numbers(torch.empty(N, { dtype: 'float64' }).bernoulli_(0.8))).mean - 0.8)).toBeLessThan(0.01);
      expect(Math.abs(stats(numbers(torch.empty(N).exponential_(2))).mean - 0.5)).toBeLessThan(0.01);
      expect(Math.abs(stats(numbers(torch.empty(N).geometric_(0.25))).mean - 4)).toBeLessThan(0.1);
      const cauchy = numbers(torch.empty(N, { dtype: 'float64' }).cauchy_(1, 2)).sort((a, b) => a - b);
      expect(Math.abs(cauchy[N / 2]! - 1)).toBeLessThan(0.05); // the median
      const logs = numbers(torch.empty(N, { dtype: 'float64' }).logNormal_(0.5, 0.25)).map(Math.log);
      expect(Math.abs(stats(logs).mean - 0.5)).toBeLessThan(0.01);
      expect(Math.abs(stats(logs).std - 0.25)).toBeLessThan(0.01);
    }));

  it('randperm is a permutation', () =>
    torch.tidy(() => {
      const p = numbers(torch.randperm(1000));
      expect([...p].sort((a, b) => a - b)).toEqual([...Array(1000).keys()]);
      expect(p).not.toEqual([...Array(1000).keys()]);
    }));
});

describe('dtypes, shapes and options', () => {
  it('default dtypes and requested dtypes', () =>
    torch.tidy(() => {
      expect(torch.rand(2).dtype).toBe('float32');
      expect(torch.randn(2, { dtype: 'float64' }).dtype).toBe('float64');
      expect(torch.randint(5, [2]).dtype).toBe('int64');
      expect(torch.randint(5, [2], { dtype: 'int16' }).dtype).toBe('int16');
      expect(torch.randperm(4).dtype).toBe('int64');
      expect(torch.randLike(torch.zeros(2, { dtype: 'float64' })).dtype).toBe('float64');
      expect(torch.randintLike(torch.zeros(2, { dtype: 'int32' }), 3).dtype).toBe('int32');
      expect(torch.bernoulli(torch.full([2], 0.5, { dtype: 'float64' })).dtype).toBe('float64');
      expect(torch.multinomial(torch.ones(3), 2).dtype).toBe('int64');
      expect([...torch.rand([2, 3]).shape]).toEqual([2, 3]);
      expect([...torch.randn(2, 3, 4).shape]).toEqual([2, 3, 4]);
      expect([...torch.randint(0, 4, [3, 1]).shape]).toEqual([3, 1]);
      expect([...torch.multinomial(torch.ones(2, 5), 3).shape]).toEqual([2, 3]);
      const h = numbers(torch.rand(1000, { dtype: 'float16' }));
      expect(h.every((v) => v >= 0 && v < 1)).toBe(true);
      const b = numbers(torch.randint(0, 2, [100], { dtype: 'bool' }));
      expect(b.every((v) => v === 0 || v === 1)).toBe(true);
    }));

  it('requiresGrad', () =>
    torch.tidy(() => {
      expect(torch.rand(2, { requiresGrad: true }).requiresGrad).toBe(true);
      expect(torch.randn(2).requiresGrad).toBe(false);
      expect(torch.normal(0, 1, [2], { requiresGrad: true }).requiresGrad).toBe(true);
      expect(() => torch.randint(3, [2], { requiresGrad: true })).toThrow('only Tensors of floating point');
    }));

  it('randLike keeps a transposed input layout; bernoulli returns contiguous', () =>
    torch.tidy(() => {
      const x = torch.zeros(3, 4).t();
      expect(torch.randLike(x).stride()).toEqual(x.stride());
      expect(torch.bernoulli(x).isContiguous()).toBe(true);
    }));

  it('in-place fills return self and bump the version', () =>
    torch.tidy(() => {
      const x = torch.zeros(4);
      const v = x._version;
      expect(x.uniform_()).toBe(x);
      expect(x.normal_()).toBe(x);
      expect(x.random_(3)).toBe(x);
      expect(x.bernoulli_()).toBe(x);
      expect(x._version).toBe(v + 4);
      const y = torch.zeros(6, 6);
      y.slice(1, 0, null, 2).fill_(1).uniform_(5, 6); // writes through a strided view only
      const vals = numbers(y);
      vals.forEach((val, i) => (i % 2 === 0 ? expect(val).toBeGreaterThanOrEqual(5) : expect(val).toBe(0)));
    }));

  it('random_ forms: (to), (from, to), (from, null), ({to})', () =>
    torch.tidy(() => {
      const a = numbers(torch.zeros(500, { dtype: 'int64' }).random_(4));
      expect(Math.min(...a)).toBe(0);
      expect(Math.max(...a)).toBe(3);
      const b = numbers(torch.zeros(500, { dtype: 'int32' }).random_(-2, 2));
      expect(Math.min(...b)).toBe(-2);
      expect(Math.max(...b)).toBe(1);
      const c = numbers(torch.zeros(2000, { dtype: 'uint8' }).random_(250, null));
      expect(Math.min(...c)).toBe(250);
      expect(Math.max(...c)).toBe(255);
      const d = numbers(torch.zeros(500, { dtype: 'int64' }).random_({ to: 3 }));
      expect(Math.max(...d)).toBe(2);
      const e = torch.zeros(3, { dtype: 'int64' }).random_(-(2 ** 63), null);
      expect((e.toTypedArray() as BigInt64Array).length).toBe(3);
    }));
});

describe('errors', () => {
  it('PyTorch messages', () =>
    torch.tidy(() => {
      expect(() => torch.randint(5, 5, [3])).toThrow("random_ expects 'from' to be less than 'to', but got from=5 >= to=5");
      expect(() => torch.multinomial(torch.tensor([0.5, -0.1]), 2, true)).toThrow(
        'invalid multinomial distribution (encountering probability entry < 0)',
      );
      expect(() => torch.normal(0, -1, [2])).toThrow('normal expects std >= 0.0, but found std -1');
      expect(() => torch.rand(2, { dtype: 'int32' })).toThrow(`"check_uniform_bounds" not implemented for 'Int'`);
    }));

  it('argument types', () => {
    expect(() => torch.randint(1.5, [2])).toThrow(TypeError);
    expect(() => torch.randint(3)).toThrow(TypeError);
    expect(() => torch.normal(0, 1)).toThrow(TypeError);
    expect(() => torch.randperm(2.5)).toThrow(TypeError);
    expect(() => torch.rand(2, { generator: {} as torch.Generator })).toThrow(TypeError);
    expect(() => torch.zeros(2).uniform_('a' as unknown as number)).toThrow(TypeError);
  });

  it('a failing creation leaks nothing', () => {
    const before = torch.memory().liveTensors;
    expect(() => torch.rand(3, { dtype: 'int64' })).toThrow();
    expect(() => torch.randn(3, { dtype: 'bool' })).toThrow();
    expect(() => torch.multinomial(torch.tensor([-1, 1]), 1)).toThrow();
    expect(() => torch.normal(torch.zeros(2, { dtype: 'int64' }), 1)).toThrow();
    expect(torch.memory().liveTensors).toBe(before + 2); // the two input tensors above
  });
});
