/**
 * What the PyTorch fixtures cannot express for the linalg family: the GEMM kernel against a
 * naive reference over sizes that cross its blocking edges and every operand layout, exact
 * integer arithmetic, aliasing in-place calls, views, memory hygiene and a speed sanity check.
 */
import { describe, expect, it } from 'vitest';
import * as torch from '../src/index.js';
import type { DType, Tensor } from '../src/index.js';

/** Deterministic values in [-2, 2) (a small LCG: no dependence on torch's random ops). */
function values(n: number, seed: number): number[] {
  let s = seed >>> 0 || 1;
  return Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return (s / 2 ** 32) * 4 - 2;
  });
}

function matrix(rows: number, cols: number, seed: number, dtype: DType = 'float64'): Tensor {
  const v = values(rows * cols, seed);
  const data = dtype === 'float64' || dtype === 'float32' ? v : v.map((x) => Math.round(x * 2));
  return torch.tensor(data, { dtype }).reshape(rows, cols);
}

function naive(a: number[][], b: number[][]): number[][] {
  return a.map((row) => b[0]!.map((_, j) => row.reduce((s, x, p) => s + x * b[p]![j]!, 0)));
}

function maxAbsDiff(x: unknown, y: unknown): number {
  const fx = (x as number[][]).flat(4) as number[];
  const fy = (y as number[][]).flat(4) as number[];
  expect(fx.length).toBe(fy.length);
  return fx.reduce((m, v, i) => Math.max(m, Math.abs(v - fy[i]!)), 0);
}

/** The same values as `t` laid out transposed in memory (t.t().contiguous().t()). */
function transposedLayout(t: Tensor): Tensor {
  return t.t().contiguous().t();
}

/** The same values as `t` inside a larger tensor: offset and row/column strides not 1. */
function paddedLayout(t: Tensor): Tensor {
  const [r, c] = t.shape as [number, number];
  const big = torch.zeros([2 * r + 1, 3 * c + 2], { dtype: t.dtype });
  const view = big.slice(0, 1, null, 2).slice(1, 2, null, 3);
  view.copy_(t);
  return view;
}

const layouts: Array<[string, (t: Tensor) => Tensor]> = [
  ['contiguous', (t) => t],
  ['transposed', transposedLayout],
  ['padded', paddedLayout],
];

describe('gemm kernel vs a naive reference', () => {
  const sizes: Array<[number, number, number]> = [
    [1, 1, 1], [1, 7, 5], [6, 1, 5], [3, 4, 5], [4, 4, 4], [5, 9, 3], [17, 33, 9], [6, 260, 5], [5, 3, 260], [9, 300, 11], [20, 20, 20],
  ];
  for (const [m, k, n] of sizes) {
    it(`mm ${m}x${k} @ ${k}x${n} in every layout`, () => torch.tidy(() => {
      const a = matrix(m, k, m * 131 + k);
      const b = matrix(k, n, n * 17 + k);
      const want = naive(a.tolist() as number[][], b.tolist() as number[][]);
      for (const [la, fa] of layouts) {
        for (const [lb, fb] of layouts) {
          const got = torch.mm(fa(a), fb(b)).tolist();
          expect(maxAbsDiff(got, want), `${la} @ ${lb}`).toBeLessThan(1e-9 * k);
        }
      }
    }));
  }

  it('addmm applies alpha and beta across depth blocks into a strided output', () => torch.tidy(() => {
    const a = matrix(7, 300, 1);
    const b = matrix(300, 6, 2);
    const c = matrix(7, 6, 3);
    const prod = naive(a.tolist() as number[][], b.tolist() as number[][]);
    const cl = c.tolist() as number[][];
    const want = prod.map((row, i) => row.map((x, j) => 0.5 * cl[i]![j]! - 2 * x));
    const out = paddedLayout(c);
    out.addmm_(transposedLayout(a), b, { beta: 0.5, alpha: -2 });
    expect(maxAbsDiff(out.tolist(), want)).toBeLessThan(1e-9);
  }));

  it('float32 stays within float32 rounding of the exact product', () => torch.tidy(() => {
    const a = matrix(33, 70, 5).float();
    const b = matrix(70, 21, 6).float();
    const want = naive(a.double().tolist() as number[][], b.double().tolist() as number[][]);
    expect(maxAbsDiff(torch.matmul(a, b).tolist(), want)).toBeLessThan(1e-4);
  }));

  it('bmm over broadcast (stride-0) and permuted batches matches per-matrix mm', () => torch.tidy(() => {
    const a = matrix(3, 4, 7).unsqueeze(0).expand(5, 3, 4);
    const b = torch.tensor(values(5 * 4 * 2, 8), { dtype: 'float64' }).reshape(4, 5, 2).permute(1, 0, 2);
    const got = torch.bmm(a, b);
    for (let i = 0; i < 5; i++) {
      expect(maxAbsDiff(got.select(0, i).tolist(), torch.mm(a.select(0, i), b.select(0, i)).tolist())).toBe(0);
    }
  }));

  it('matmul broadcasts batch dims like per-batch mm', () => torch.tidy(() => {
    const a = torch.tensor(values(2 * 3 * 4, 9), { dtype: 'float64' }).reshape(2, 1, 3, 4);
    const b = torch.tensor(values(5 * 4 * 2, 10), { dtype: 'float64' }).reshape(5, 4, 2);
    const got = torch.matmul(a, b);
    expect(got.shape).toEqual([2, 5, 3, 2]);
    for (let i = 0; i < 2; i++) {
      for (let j = 0; j < 5; j++) {
        const want = torch.mm(a.select(0, i).select(0, 0), b.select(0, j));
        expect(maxAbsDiff(got.select(0, i).select(0, j).tolist(), want.tolist())).toBe(0);
      }
    }
  }));
});

describe('integer products', () => {
  it('int32 wraps modulo 2^32 exactly, even when products exceed 2^53', () => torch.tidy(() => {
    const av = [2147483647, -2147483648, 123456789, -987654321];
    const bv = [2147483647, 3, -2147483647, 1999999999];
    const a = torch.tensor(av, { dtype: 'int32' }).reshape(1, 4);
    const b = torch.tensor(bv, { dtype: 'int32' }).reshape(4, 1);
    const exact = av.reduce((s, x, i) => s + BigInt(x) * BigInt(bv[i]!), 0n);
    expect(torch.mm(a, b).item()).toBe(Number(BigInt.asIntN(32, exact)));
  }));

  it('int64 is exact while sums stay below 2^53', () => torch.tidy(() => {
    const a = torch.tensor([[2 ** 26, 2 ** 26, 3]], { dtype: 'int64' });
    const b = torch.tensor([[2 ** 26], [2 ** 25], [-7]], { dtype: 'int64' });
    expect(torch.mm(a, b).item()).toBe(2 ** 52 + 2 ** 51 - 21);
  }));

  it('int8 results wrap without touching the neighbours of a strided output', () => torch.tidy(() => {
    const base = torch.full([4, 6], 7, { dtype: 'int8' });
    const out = base.slice(1, 0, null, 2);
    out.addmm_(torch.full([4, 3], 100, { dtype: 'int8' }), torch.full([3, 3], 2, { dtype: 'int8' }), { beta: 0 });
    expect(out.tolist()).toEqual(Array(4).fill([88, 88, 88]));
    expect(base.slice(1, 1, null, 2).tolist()).toEqual(Array(4).fill([7, 7, 7]));
  }));
});

describe('in-place products', () => {
  it('x.addmm_(x, x) reads x before writing it', () => torch.tidy(() => {
    const x = matrix(4, 4, 11);
    const want = torch.addmm(x, x, x, { beta: 2, alpha: 0.5 }).tolist();
    const r = x.addmm_(x, x, { beta: 2, alpha: 0.5 });
    expect(r).toBe(x);
    expect(maxAbsDiff(x.tolist(), want)).toBe(0);
  }));

  it('baddbmm_ with an operand viewing self, and addmv_ on a view', () => torch.tidy(() => {
    const x = torch.tensor(values(2 * 3 * 3, 12), { dtype: 'float64' }).reshape(2, 3, 3);
    const want = torch.baddbmm(x, x.transpose(1, 2), x).tolist();
    x.baddbmm_(x.transpose(1, 2), x);
    expect(maxAbsDiff(x.tolist(), want)).toBe(0);
    const m = matrix(3, 3, 13);
    const col = m.select(1, 0);
    const wantCol = torch.addmv(col, m, m.select(0, 1)).tolist();
    col.addmv_(m, m.select(0, 1));
    expect(maxAbsDiff(m.select(1, 0).tolist(), wantCol)).toBe(0);
  }));

  it('in-place forms bump the version counter', () => torch.tidy(() => {
    const x = torch.zeros(2, 2);
    const v = x._version;
    x.addmm_(torch.ones(2, 3), torch.ones(3, 2));
    expect(x._version).toBeGreaterThan(v);
  }));
});

describe('einsum', () => {
  it('returns views where PyTorch does (transpose, diagonal)', () => torch.tidy(() => {
    const a = torch.zeros(3, 3);
    const t = torch.einsum('ij->ji', a);
    const d = torch.einsum('ii->i', a);
    t.fill_(0);
    d.fill_(5);
    expect(a.tolist()).toEqual([[5, 0, 0], [0, 5, 0], [0, 0, 5]]);
  }));

  it("accepts '...' in the sublist format", () => torch.tidy(() => {
    const a = matrix(2, 3, 14).reshape(1, 2, 3);
    const b = matrix(3, 4, 15);
    const got = torch.einsum(a, ['...', 0, 1], b, [1, 2], ['...', 0, 2]);
    expect(maxAbsDiff(got.tolist(), torch.matmul(a, b).tolist())).toBeLessThan(1e-12);
  }));

  it('rejects non-tensor operands with a TypeError', () => {
    expect(() => torch.einsum('i', 3 as unknown as Tensor)).toThrow(TypeError);
  });
});

describe('memory', () => {
  const cases: Array<[string, () => Tensor]> = [
    ['matmul 1-D x 2-D', () => torch.matmul(torch.ones(3), torch.ones(3, 2))],
    ['matmul fold', () => torch.matmul(torch.ones(2, 3, 4), torch.ones(4, 2))],
    ['matmul transposed fold', () => torch.matmul(torch.ones(3, 4), torch.ones(2, 4, 2))],
    ['matmul batched', () => torch.matmul(torch.ones(2, 1, 3, 4), torch.ones(5, 4, 2))],
    ['einsum', () => torch.einsum('bn,anm,bm->ba', torch.ones(2, 3), torch.ones(4, 3, 5), torch.ones(2, 5))],
    ['einsum sums', () => torch.einsum('iij,jk->k', torch.ones(2, 2, 3, { dtype: 'int64' }), torch.ones(3, 1, { dtype: 'int64' }))],
    ['tensordot', () => torch.tensordot(torch.ones(2, 1, 4), torch.ones(3, 4, 5), [[1, 2], [0, 1]])],
    ['kron', () => torch.kron(torch.ones(2, 3), torch.ones(2))],
    ['trace', () => torch.trace(torch.ones(3, 3, { dtype: 'int32' }))],
    ['addbmm', () => torch.addbmm(torch.ones(2), torch.ones(3, 2, 4), torch.ones(3, 4, 2))],
    ['multiDot', () => torch.multiDot([torch.ones(3), torch.ones(3, 4), torch.ones(4, 5), torch.ones(5, 2), torch.ones(2)])],
    ['matrixPower', () => torch.matrixPower(torch.ones(2, 2), 11)],
    ['diag', () => torch.diag(torch.ones(3, 4), 1)],
    ['diagEmbed', () => torch.diagEmbed(torch.ones(2, 3), { offset: 1, dim1: 0, dim2: 2 })],
    ['cross', () => torch.cross(torch.ones(1, 3), torch.ones(2, 3))],
  ];
  for (const [label, run] of cases) {
    it(`${label} leaves only its result alive`, () => {
      const before = torch.memory().liveTensors;
      const out = torch.tidy(run);
      expect(torch.memory().liveTensors).toBe(before + 1);
      out.dispose();
      expect(torch.memory().liveTensors).toBe(before);
    });
  }

  it('failing calls release their temporaries and outputs', () => {
    const a = torch.ones(2, 2, 3);
    const b = torch.ones(2, 4, 5);
    const c = torch.ones(3, 2, { dtype: 'float64' });
    const a0 = a.select(0, 0);
    const ct = c.t();
    const bm = torch.ones(2, 3, { dtype: 'bool' });
    const bv = torch.ones(3, { dtype: 'bool' });
    const bsq = torch.ones(2, 2, { dtype: 'bool' });
    const b32 = torch.ones(3, 2, { dtype: 'bool' });
    const x = torch.ones(2, 2, 5);
    const args = [a, b, c, a0, ct, bm, bv, bsq, b32, x];
    const before = torch.memory().liveTensors;
    expect(() => torch.matmul(a, b)).toThrow(/batch2 tensor/);
    expect(() => torch.einsum('ij,jk', a0, c)).toThrow(/scalar type/);
    expect(() => torch.mm(a0, c)).toThrow(/scalar type/);
    expect(() => torch.addmm(bsq, bm, b32)).toThrow(/not implemented/);
    expect(() => torch.addmv(bv.narrow(0, 0, 2), bm, bv)).toThrow(/not implemented/);
    expect(() => torch.baddbmm(x, a, b)).toThrow(/batch2 tensor/);
    expect(() => torch.addbmm(ct, b, b)).toThrow();
    expect(() => torch.tensordot(a, b, 1)).toThrow(/contracted/);
    expect(torch.memory().liveTensors).toBe(before + 1); // the narrow() view made above
    for (const t of args) t.dispose();
  });
});

