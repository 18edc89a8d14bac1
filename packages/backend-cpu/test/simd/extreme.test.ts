// max/min with positions in wasm (assembly/extreme.ts): argmax/argmin, max/min(dim) and amax/amin
// along non-last dims (vectorised across the kept columns) and rows with int64 positions written
// in place, against the TS loops: identical values and positions (PyTorch's rules: NaN wins at
// its first position, ties take the first position, -0 equals +0), and the same bytes for 1, 2
// and 3 threads.
import { afterAll, describe, expect, it } from 'vitest';
import { amax, amin, argmax, argmin, manualSeed, randn, tensor } from '@torchts/core';
import type { DType, Tensor } from '@torchts/core';
import { getNumThreads, setNumThreads } from '../../src/index.js';
import { expectIdentical, expectSameAsTs, lcg } from './helpers.js';

const initialThreads = getNumThreads();
afterAll(() => setNumThreads(initialThreads));

/** Small integers (many ties) with NaN, ±inf and ±0 scattered by `rand`. */
function tiedValues(rand: (n: number) => number, shape: number[], dtype: DType): Tensor {
  const x = randn(shape, { dtype: 'float64' }).mul(1.5).round();
  const flat = x.flatten();
  const n = flat.numel();
  const specials = [NaN, Infinity, -Infinity, -0, 0, NaN];
  for (let k = 0; k < Math.max(1, n >> 6); k++) flat.narrow(0, rand(n), 1).fill_(specials[rand(specials.length)]!);
  return x.to(dtype);
}

/** Every op under test along `dim` (or dims for amax/amin) of x, as a list of outputs. */
function all(x: Tensor, dim: number, keepdim: boolean, dims: number[]): Tensor[] {
  const mx = x.max(dim, keepdim), mn = x.min(dim, keepdim);
  return [argmax(x, dim, keepdim), argmin(x, dim, keepdim), mx.values, mx.indices, mn.values, mn.indices,
    amax(x, dims, keepdim), amin(x, dims, keepdim)];
}

describe('max/min with positions along any dim (wasm columns and rows)', () => {
  it('random shapes, dims (negative too), keepdim, strided views, specials, both dtypes', () => {
    manualSeed(61);
    const rand = lcg(61);
    for (const dtype of ['float32', 'float64'] as DType[]) {
      for (let trial = 0; trial < 40; trial++) {
        const nd = 2 + rand(2);
        const shape = Array.from({ length: nd }, () => 1 + rand(trial % 3 === 0 ? 40 : 13));
        let x = tiedValues(rand, shape, dtype);
        if (rand(3) === 0) x = x.transpose(0, nd - 1); // columns become rows and the other way round
        else if (rand(3) === 0) x = x.narrow(nd - 1, 0, Math.max(1, x.shape[nd - 1]! - 1)); // gaps between rows
        const dim = rand(nd) - (rand(2) ? nd : 0);
        const dims = rand(2) ? [dim] : [0, 1];
        const keepdim = rand(2) === 0;
        expectSameAsTs(`${dtype} [${x.shape}] dim ${dim} dims [${dims}]`, () => all(x, dim, keepdim, dims));
      }
    }
  });

  it('every panel width (1..40 columns, past one panel) with NaN first, last and twice, infinities and zeros', () => {
    for (const dtype of ['float32', 'float64'] as DType[]) {
      // 1027 and 2051: more columns than one 1024-column panel holds, and a tail.
      for (const m of [1, 2, 3, 4, 5, 8, 15, 16, 17, 31, 33, 40, 1027, 2051]) {
        const rows = 37;
        const data = Array.from({ length: rows }, (_, r) => Array.from({ length: m }, (_, j) => ((r * 7 + j * 3) % 5) - 2));
        for (let j = 0; j < m; j++) {
          if (j % 6 === 1) data[0]![j] = NaN;
          if (j % 6 === 2) data[rows - 1]![j] = NaN;
          if (j % 6 === 3) { data[5]![j] = NaN; data[9]![j] = NaN; }
          if (j % 6 === 4) for (let r = 0; r < rows; r++) data[r]![j] = r % 2 ? -0 : 0;
          if (j % 6 === 5) { data[3]![j] = Infinity; data[30]![j] = -Infinity; data[31]![j] = Infinity; }
        }
        const x = tensor(data, { dtype });
        expectSameAsTs(`${dtype} m=${m}`, () => all(x, 0, false, [0]));
        expectSameAsTs(`${dtype} m=${m} columns of a 3-d tensor`, () => all(x.reshape([1, rows, m]).expand([2, rows, m]).contiguous(), 1, true, [1]));
      }
    }
  });

  it('known answers: first NaN, first tie, -0 equal to +0', () => {
    const x = tensor([[1, 5, -0, 2], [5, NaN, 0, 2], [5, NaN, -1, 3], ...Array.from({ length: 10 }, () => [0, 0, 0, 0])]);
    expect(argmax(x, 0).tolist()).toEqual([1, 1, 0, 2]);
    expect(argmin(x, 0).tolist()).toEqual([3, 1, 2, 3]);
    expect(Object.is(x.max(0).values.tolist()[2], -0)).toBe(true);
    expect(x.min(0).indices.tolist()).toEqual([3, 1, 2, 3]);
  });

  it('identical bytes for 1, 2 and 3 threads', () => {
    manualSeed(62);
    const rand = lcg(62);
    for (const shape of [[300, 1000], [64, 40, 48], [5000, 40], [40, 5000]]) {
      const x = tiedValues(rand, shape, 'float32');
      const run = () => [...all(x, 0, false, [0]), ...all(x, 1, false, [1])];
      setNumThreads(1);
      const want = run();
      for (const t of [2, 3]) {
        setNumThreads(t);
        run().forEach((g, i) => expectIdentical(g, want[i]!, `[${shape}] output ${i}, ${t} threads`));
      }
    }
  });
});
