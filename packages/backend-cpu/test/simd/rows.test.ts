// The WebAssembly row kernels behind index_select and index_add_ along dim 0 (embedding forward
// and backward), both builds, against the TS kernels: identical results over random shapes,
// dtypes, int64/int32 and strided indices, repeated indices (adds in index order), strided rows,
// thread splits; out-of-range indices give PyTorch's IndexError and change nothing.
import { describe, expect, it } from 'vitest';
import { indexAdd, indexSelect, manualSeed, memory, randint, randn, tensor, zeros } from '@torchts/core';
import type { DType } from '@torchts/core';
import { BUILDS, expectSameAsTs, lcg, withKernels } from './helpers.js';

describe('wasm index_select / index_add_ rows vs TS', () => {
  it('index_select: random shapes, dtypes, index layouts', () => {
    manualSeed(21);
    const rnd = lcg(3);
    const dtypes: DType[] = ['float32', 'float64', 'int64', 'int32', 'float16', 'uint8'];
    for (let trial = 0; trial < 24; trial++) {
      const dtype = dtypes[trial % dtypes.length]!;
      const shape = [1 + rnd(9), 1 + rnd(40), ...(trial % 3 === 0 ? [1 + rnd(4)] : [])];
      const self = randn(shape).mul(100).to(dtype);
      const n = 1 + rnd(30);
      const index = randint(0, shape[0]!, [2 * n], { dtype: trial % 4 === 1 ? 'int32' : 'int64' });
      const tag = `trial ${trial} [${shape}] ${dtype} ${index.dtype}`;
      expectSameAsTs(`select ${tag}`, () => indexSelect(self, 0, index).double());
      expectSameAsTs(`select strided index ${tag}`, () => indexSelect(self, 0, index.slice(0, 0, null, 2)).double());
      const everyOther = randn([2 * shape[0]!, ...shape.slice(1)]).to(dtype).slice(0, 0, null, 2);
      expectSameAsTs(`select every other row ${tag}`, () => indexSelect(everyOther, 0, index).double());
    }
  });

  it('index_add_: repeated indices, alpha, float32/float64, column tails and a thread split', () => {
    manualSeed(22);
    const rnd = lcg(4);
    for (let trial = 0; trial < 16; trial++) {
      const dtype = trial % 2 === 0 ? 'float32' : 'float64';
      const rows = 1 + rnd(6), cols = trial === 15 ? 5000 : 1 + rnd(37);
      const n = trial === 15 ? 40 : 1 + rnd(20);
      const index = randint(0, rows, [n], { dtype: trial % 3 === 2 ? 'int32' : 'int64' });
      const self = randn([rows, cols], { dtype });
      const source = randn([n, cols], { dtype }).mul(1e3); // large values: float32 rounding per addition shows
      const alpha = trial % 4 === 3 ? 0.3 : 1;
      const tag = `trial ${trial} [${rows}, ${cols}] n ${n} ${dtype} ${index.dtype} alpha ${alpha}`;
      expectSameAsTs(`indexAdd ${tag}`, () => indexAdd(self, 0, index, source, { alpha }));
      expectSameAsTs(`indexAdd into zeros ${tag}`, () => zeros([rows, cols], { dtype }).indexAdd_(0, index, source));
      // Sources with non-contiguous rows (copied first): a broadcast gradient and a transpose.
      const row = randn([1, cols], { dtype }), transposed = randn([cols, n], { dtype }).t();
      expectSameAsTs(`indexAdd broadcast source ${tag}`, () => indexAdd(self, 0, index, row.expand([n, cols])));
      expectSameAsTs(`indexAdd transposed source ${tag}`, () => indexAdd(self, 0, index, transposed));
    }
  });

  it('index_add_ of a broadcast source leaves no temporary behind', () => {
    const self = zeros([10, 64]), src = randn([1, 64]).expand([30, 64]), index = randint(0, 10, [30]);
    indexAdd(self, 0, index, src).dispose();
    const before = memory().liveTensors;
    indexAdd(self, 0, index, src).dispose();
    expect(memory().liveTensors).toBe(before);
  });

  it('out-of-range indices: the IndexError, nothing written', () => {
    const self = randn([4, 8]);
    for (const bad of [4, -1, 2 ** 40]) {
      const index = tensor([0, 2, bad, 1]).long();
      for (const build of BUILDS) {
        withKernels(build, () => {
          expect(() => indexSelect(self, 0, index), `select ${bad} ${build}`).toThrow('index out of range in self');
          const target = zeros([4, 8]);
          expect(() => target.indexAdd_(0, index, randn([4, 8])), `add ${bad} ${build}`).toThrow('index out of range in self');
          expect((target.abs().sum().item() as number), 'target untouched').toBe(0);
        });
      }
    }
  });
});
