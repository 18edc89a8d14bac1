// argmax/argmin and max/min along a dim with indices through the wasm row kernels
// (assembly/argmax.ts): the same positions and values as the TS loop, i.e. PyTorch's first
// maximum / minimum, a NaN's first position, -0 equal to +0.
import { describe, expect, it } from 'vitest';
import { argmax, argmin, manualSeed, randn, tensor } from '@torchts/core';
import type { DType, Tensor } from '@torchts/core';
import { expectSameAsTs, flat } from './helpers.js';

function rows(dtype: DType, n: number, fill: (row: number[], r: number) => void): Tensor {
  const data: number[][] = [];
  for (let r = 0; r < 12; r++) {
    const row = flat(randn([n]).mul(2).round()); // small integers: many ties
    fill(row, r);
    data.push(row);
  }
  return tensor(data, { dtype });
}

describe('argmax/argmin row kernels', () => {
  it('ties, NaN anywhere, signed zeros and infinities, every row length, both dtypes', () => {
    manualSeed(31);
    for (const dtype of ['float32', 'float64'] as DType[]) {
      for (const n of [32, 33, 35, 40, 64, 67, 130, 1000]) {
        const x = rows(dtype, n, (row, r) => {
          if (r === 1) row[0] = NaN; // first vector
          if (r === 2) row[n - 1] = NaN; // tail
          if (r === 3) { row[17] = NaN; row[20] = NaN; } // middle, two NaNs
          if (r === 4) row.fill(-Infinity);
          if (r === 5) { row.fill(-0); row[9] = 0; row[30] = 0; }
          if (r === 6) { row[5] = Infinity; row[n - 2] = Infinity; row[12] = -Infinity; }
          if (r === 7) row.fill(3);
        });
        expectSameAsTs(`${dtype} n=${n} argmax`, () => argmax(x, 1));
        expectSameAsTs(`${dtype} n=${n} argmin`, () => argmin(x, 1));
        expectSameAsTs(`${dtype} n=${n} argmax all`, () => argmax(x));
        expectSameAsTs(`${dtype} n=${n} max(dim)`, () => { const r = x.max(1); return [r.values, r.indices]; });
        expectSameAsTs(`${dtype} n=${n} min(dim)`, () => { const r = x.min(1); return [r.values, r.indices]; });
      }
    }
  });

  it('known answers', () => {
    const x = tensor([[...new Array<number>(40).fill(1), 5, 5, NaN, 5], [...new Array<number>(43).fill(-1), -2]]);
    expect(argmax(x, 1).tolist()).toEqual([42, 0]);
    expect(argmin(x, 1).tolist()).toEqual([42, 43]);
  });
});
