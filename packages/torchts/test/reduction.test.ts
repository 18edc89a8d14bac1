/**
 * Reduction-family checks that PyTorch fixtures cannot express: namedtuple-style results, option
 * parsing, memory (no leaked intermediates), randomized layouts against a naive reference,
 * invariants on inputs too big for fixtures, precision and speed.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import * as torch from '../src/index.js';
import type { Tensor } from '../src/index.js';

/** A deterministic generator (mulberry32), so failures reproduce. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function flat(t: Tensor): number[] {
  return (t.reshape(-1).tolist() as Array<number | boolean>).map(Number);
}

describe('results read like PyTorch namedtuples', () => {
  it('max/min/sort/topk/kthvalue/median/mode/cummax give [values, indices] with names', () => {
    torch.tidy(() => {
      const x = torch.tensor([[3, 1, 2], [0, 5, 4]]);
      for (const r of [x.max(1), x.min(1), x.sort(1), x.topk(2), x.kthvalue(1, 1), x.median(1), x.mode(1), x.cummax(1), x.cummin(1), x.nanmedian(1)]) {
        const [values, indices] = r;
        expect(r.values).toBe(values);
        expect(r.indices).toBe(indices);
        expect(indices.dtype).toBe('int64');
      }
      const mm = torch.aminmax(x, { dim: 1 });
      expect(flat(mm.min)).toEqual([1, 0]);
      expect(flat(mm.max)).toEqual([3, 5]);
      const [v, i] = x.max(1, { keepdim: true });
      expect(v.shape).toEqual([2, 1]);
      expect(flat(i)).toEqual([0, 1]);
    });
  });
});

describe('argument forms', () => {
  it('accepts positional dims, lists, keepdim and one trailing options object', () => {
    torch.tidy(() => {
      const x = torch.tensor([[1, 2, 3], [4, 5, 6]]);
      expect(flat(x.sum(1))).toEqual([6, 15]);
      expect(x.sum(1, true).shape).toEqual([2, 1]);
      expect(x.sum(1, { keepdim: true }).shape).toEqual([2, 1]);
      expect(x.sum({ dim: [0, 1], keepdim: true }).shape).toEqual([1, 1]);
      expect(x.sum([0, -1]).item()).toBe(21);
      expect(x.sum({ dtype: 'float64' }).dtype).toBe('float64');
      expect(torch.sum(x, -2).shape).toEqual([3]);
      expect(torch.mean(x, { dim: null }).item()).toBe(3.5);
      expect(x.var({ dim: 1, correction: 0 }).shape).toEqual([2]);
      expect(x.std(1, false, true).shape).toEqual([2, 1]);
      expect(x.norm({ p: 1 }).item()).toBe(21);
      expect(x.softmax({ dim: 0 }).shape).toEqual([2, 3]);
      expect(x.cumsum({ dim: 1, dtype: 'float64' }).dtype).toBe('float64');
      expect(flat(x.topk({ k: 1, dim: 0 }).values)).toEqual([4, 5, 6]);
    });
  });

  it('rejects unknown options, repeated arguments and wrong types with TypeErrors', () => {
    torch.tidy(() => {
      const x = torch.tensor([[1, 2], [3, 4]]);
      expect(() => x.sum({ keepDim: true } as never)).toThrow(TypeError);
      expect(() => x.sum(1, true, { keepdim: true })).toThrow(TypeError);
      expect(() => x.sum('1' as never)).toThrow(TypeError);
      expect(() => x.sum([0, 1.5])).toThrow(TypeError);
      expect(() => x.sum(1, 'yes' as never)).toThrow(TypeError);
      expect(() => x.var(1, { unbiased: false, correction: 1 })).toThrow(TypeError);
      expect(() => x.var(1, { correction: 0.5 })).toThrow(TypeError);
      expect(() => x.softmax(undefined as never)).toThrow(TypeError);
      expect(() => torch.sum(42 as never)).toThrow(TypeError);
    });
  });

  it('max/min with a tensor argument are elementwise maximum/minimum', () => {
    torch.tidy(() => {
      const a = torch.tensor([1, 5, 3]);
      const b = torch.tensor([4, 2, 3]);
      expect(flat(a.max(b))).toEqual([4, 5, 3]);
      expect(flat(torch.min(a, b))).toEqual([1, 2, 3]);
    });
  });
});

describe('memory', () => {
  let before = 0;
  beforeEach(() => {
    before = torch.memory().liveTensors;
  });
  afterEach(() => {
    expect(torch.memory().liveTensors).toBe(before);
  });

  it('every op frees its intermediates (dtype casts, discarded outputs)', () => {
    const x = torch.tensor([[3, 1, 2], [0, 5, 4]]);
    const xi = torch.tensor([[3, 1, 2], [0, 5, 4]], { dtype: 'int32' });
    const results: unknown[] = [
      x.sum(), x.sum(1, { dtype: 'int64' }), xi.mean({ dtype: 'float64' }), x.prod(1, { dtype: 'float64' }), x.nansum(0),
      x.nanmean(), x.amax(0), x.amin([0, 1]), x.max(), x.max(1), x.argmax(), x.argmin(1), torch.aminmax(x), x.all(), x.any(1),
      x.countNonzero(), x.var(), x.std(1), torch.varMean(x, 1), torch.stdMean(x), x.norm(), x.norm(2, 1, false, { dtype: 'float64' }),
      x.logsumexp(1), x.cumsum(1), xi.cumsum(0, { dtype: 'float32' }), x.cumprod(0), x.cummax(1), x.cummin(0), x.logcumsumexp(1),
      x.softmax(1), xi.logSoftmax(1, { dtype: 'float32' }), x.sort(), x.argsort(1), x.msort(), x.topk(2), x.kthvalue(2),
      x.median(), x.median(0), x.nanmedian(), x.mode(1), x.unique(), x.unique({ returnInverse: true }), x.unique({ dim: 1, returnCounts: true }),
      x.uniqueConsecutive({ returnCounts: true }), xi.cumsum_(1),
    ];
    torch.dispose(results);
    x.dispose();
    xi.dispose();
  });

  it('failed calls leak nothing', () => {
    const x = torch.tensor([1, 2], { dtype: 'int64' });
    expect(() => x.mean()).toThrow();
    expect(() => x.softmax(0)).toThrow();
    const empty = torch.zeros(0);
    expect(() => empty.max()).toThrow();
    x.dispose();
    empty.dispose();
  });
});

// ---- randomized layouts against a naive reference ------------------------------------------

interface Case {
  shape: number[];
  perm: number[];
  dims: number[];
}

function randomCase(r: () => number): Case {
  const nd = 1 + Math.floor(r() * 4);
  const shape = Array.from({ length: nd }, () => 1 + Math.floor(r() * 5));
  const perm = [...shape.keys()].sort(() => r() - 0.5);
  const dims = [...shape.keys()].filter(() => r() < 0.5);
  return { shape, perm, dims: dims.length ? dims : [Math.floor(r() * nd)] };
}

/** Reduces nested `values` (row-major of `shape`) over `dims` with `f` on each group. */
function naive(values: number[], shape: number[], dims: number[], f: (xs: number[]) => number): number[] {
  const kept = shape.map((_, d) => d).filter((d) => !dims.includes(d));
  const groups = new Map<string, number[]>();
  const order: string[] = [];
  const idx = new Array<number>(shape.length).fill(0);
  for (let i = 0; i < values.length; i++) {
    const key = kept.map((d) => idx[d]).join(',');
    if (!groups.has(key)) {
      groups.set(key, []);
      order.push(key);
    }
    groups.get(key)!.push(values[i]!);
    for (let d = shape.length - 1; d >= 0; d--) {
      if (++idx[d]! < shape[d]!) break;
      idx[d] = 0;
    }
  }
  return order.map((k) => f(groups.get(k)!));
}

describe('randomized layouts match a naive reference', () => {
  const reducers: Array<[string, (t: Tensor, dims: number[]) => Tensor, (xs: number[]) => number]> = [
    ['sum', (t, d) => t.sum(d), (xs) => xs.reduce((a, b) => a + b, 0)],
    ['mean', (t, d) => t.mean(d), (xs) => xs.reduce((a, b) => a + b, 0) / xs.length],
    ['prod', (t, d) => (d.length === 1 ? t.prod(d[0]!) : t.prod()), (xs) => xs.reduce((a, b) => a * b, 1)],
    ['amax', (t, d) => t.amax(d), (xs) => Math.max(...xs)],
    ['amin', (t, d) => t.amin(d), (xs) => Math.min(...xs)],
    ['countNonzero', (t, d) => t.countNonzero(d), (xs) => xs.filter((v) => v !== 0).length],
    ['any', (t, d) => t.any(d), (xs) => (xs.some((v) => v !== 0) ? 1 : 0)],
    ['logsumexp', (t, d) => t.logsumexp(d), (xs) => Math.log(xs.reduce((a, b) => a + Math.exp(b), 0))],
    ['var', (t, d) => t.var(d, { correction: 0 }), (xs) => {
      const m = xs.reduce((a, b) => a + b, 0) / xs.length;
      return xs.reduce((a, b) => a + (b - m) ** 2, 0) / xs.length;
    }],
  ];
  for (const [name, op, ref] of reducers) {
    it(name, () => {
      const r = rng(name.length * 7919);
      for (let trial = 0; trial < 60; trial++) {
        torch.tidy(() => {
          const c = randomCase(r);
          const n = c.shape.reduce((a, b) => a * b, 1);
          const data = Array.from({ length: n }, () => Math.round((r() * 4 - 2) * 4) / 4);
          // The same logical values laid out permuted in memory.
          const base = torch.tensor(data, { dtype: 'float64' }).reshape(c.shape);
          const inv = c.perm.map((_, i) => c.perm.indexOf(i));
          const strided = base.permute(c.perm).contiguous().permute(inv);
          const dims = name === 'prod' && c.dims.length > 1 ? c.shape.map((_, d) => d) : c.dims;
          const want = naive(data, c.shape, dims, ref);
          for (const t of [base, strided]) {
            const got = flat(op(t, dims));
            expect(got.length, `${name} ${JSON.stringify(c)}`).toBe(want.length);
            got.forEach((g, i) => expect(g, `${name} ${JSON.stringify(c)} [${i}]`).toBeCloseTo(want[i]!, 9));
          }
        });
      }
    });
  }

  it('argmax over every dim of a permuted tensor is the flat row-major index', () => {
    const r = rng(5);
    for (let trial = 0; trial < 40; trial++) {
      torch.tidy(() => {
        const c = randomCase(r);
        const n = c.shape.reduce((a, b) => a * b, 1);
        const data = Array.from({ length: n }, () => Math.floor(r() * 5));
        const base = torch.tensor(data).reshape(c.shape);
        const inv = c.perm.map((_, i) => c.perm.indexOf(i));
        const strided = base.permute(c.perm).contiguous().permute(inv);
        expect(strided.argmax().item()).toBe(data.indexOf(Math.max(...data)));
        expect(strided.argmin().item()).toBe(data.indexOf(Math.min(...data)));
      });
    }
  });
});

// ---- big inputs: invariants ----------------------------------------------------------------

describe('big inputs', () => {
  it('stable sort keeps equal values in index order; unstable sort is still a sorted permutation', () => {
    torch.tidy(() => {
      const r = rng(11);
      const n = 20000;
      const data = Array.from({ length: n }, () => Math.floor(r() * 50));
      const x = torch.tensor(data);
      for (const descending of [false, true]) {
        const s = x.sort({ stable: true, descending });
        const v = flat(s.values), ix = flat(s.indices);
        let ordered = true;
        let stable = true;
        for (let i = 1; i < n; i++) {
          if (descending ? v[i]! > v[i - 1]! : v[i]! < v[i - 1]!) ordered = false;
          if (v[i] === v[i - 1] && ix[i]! < ix[i - 1]!) stable = false;
        }
        expect(ordered && stable).toBe(true);
        const u = x.sort({ descending });
        const uv = flat(u.values), ui = flat(u.indices);
        expect(uv).toEqual(v);
        expect(new Set(ui).size).toBe(n);
        expect(ui.every((k, i) => data[k] === uv[i])).toBe(true);
      }
    });
  });

  it('topk agrees with sort on values for large inputs (partial_sort and nth_element paths)', () => {
    torch.tidy(() => {
      const r = rng(12);
      const x = torch.tensor(Array.from({ length: 5000 }, () => r()));
      const sorted = flat(x.sort({ descending: true }).values);
      for (const k of [1, 10, 78, 100, 1000]) {
        expect(flat(x.topk(k).values)).toEqual(sorted.slice(0, k));
        const small = x.topk(k, { largest: false });
        expect(flat(small.values)).toEqual(sorted.slice(-k).reverse());
        const xs = flat(x), sv = flat(small.values);
        expect(flat(small.indices).every((i, j) => xs[i] === sv[j])).toBe(true);
      }
    });
  });

  it('median and kthvalue agree with sort', () => {
    torch.tidy(() => {
      const r = rng(13);
      const data = Array.from({ length: 3001 }, () => Math.floor(r() * 100));
      const x = torch.tensor(data, { dtype: 'float64' });
      const sorted = [...data].sort((a, b) => a - b);
      expect(x.median().item()).toBe(sorted[1500]);
      expect(x.kthvalue(77).values.item()).toBe(sorted[76]);
      const m = x.median(0);
      expect(data[m.indices.item()]).toBe(m.values.item());
    });
  });

  it('a float32 sum of 2^20 elements is accurate (float64 accumulation)', () => {
    torch.tidy(() => {
      const n = 1 << 20;
      const data = new Float32Array(n);
      const r = rng(14);
      let exact = 0;
      for (let i = 0; i < n; i++) {
        data[i] = r();
        exact += data[i]!;
      }
      const x = torch.fromTypedArray(data);
      expect(Math.abs(x.sum().item() - exact) / exact).toBeLessThan(1e-7);
      expect(Math.abs(x.mean().item() - exact / n)).toBeLessThan(1e-7);
    });
  });

  it('int64 sums stay exact up to 2^53', () => {
    torch.tidy(() => {
      const big = 2 ** 52;
      const x = torch.tensor([big, 1, -3, big / 2], { dtype: 'int64' });
      expect(x.sum().item()).toBe(big + big / 2 - 2);
      expect(x.cumsum(0).tolist()).toEqual([big, big + 1, big - 2, big + big / 2 - 2]);
    });
  });

});

describe('in-place scans', () => {
  it('cumsum_ and cumprod_ write into self, bump the version, and work through views', () => {
    torch.tidy(() => {
      const x = torch.tensor([[1, 2, 3], [4, 5, 6]], { dtype: 'int32' });
      const v0 = x._version;
      expect(x.cumsum_(1)).toBe(x);
      expect(x._version).toBe(v0 + 1);
      expect(x.tolist()).toEqual([[1, 3, 6], [4, 9, 15]]);
      const y = torch.tensor([[1, 2], [3, 4]]);
      y.t().cumprod_(1);
      expect(y.tolist()).toEqual([[1, 2], [3, 8]]);
    });
  });
});

describe('unique (documented differences)', () => {
  it('treats each NaN as its own value, sorted last', () => {
    torch.tidy(() => {
      const [values, inverse, counts] = torch.unique(torch.tensor([1, NaN, 2, NaN, 1]), { returnInverse: true, returnCounts: true }) as Tensor[];
      expect(flat(values!).map((v) => (Number.isNaN(v) ? 'nan' : v))).toEqual([1, 2, 'nan', 'nan']);
      expect(flat(inverse!)).toEqual([0, 2, 1, 3, 0]);
      expect(flat(counts!)).toEqual([2, 1, 1, 1]);
    });
  });

  it('sorted: false still returns sorted values', () => {
    torch.tidy(() => {
      const u = torch.unique(torch.tensor([3, 1, 2, 3, 1], { dtype: 'int64' }), { sorted: false }) as Tensor;
      expect(u.tolist()).toEqual([1, 2, 3]);
    });
  });
});

describe('softmax backward ops (documented difference)', () => {
  it('logSoftmaxBackwardData refuses grad and output of different sizes (PyTorch 1.13 reads past output)', () => {
    const y = torch.logSoftmax(torch.randn([2, 4]), 1);
    expect(() => torch.logSoftmaxBackwardData(torch.randn([3, 4]), y, 1, 'float32')).toThrow(
      "Expected tensor for argument #1 'grad' to have same size as tensor for argument #2 'output'; but [3, 4] does not equal [2, 4] (while checking arguments for log_softmax_backward)",
    );
  });
});
