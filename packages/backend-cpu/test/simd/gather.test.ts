// The WebAssembly gather / scatter / scatter_add (both builds) against the TS kernels: identical
// results (duplicate indices add in the same order) over random shapes, dims and strided views of
// the index, source and target; out-of-range indices give TS's error and leave the target alone.
import { describe, expect, it } from 'vitest';
import { gather, manualSeed, randint, randn, scatter, scatterAdd, scatterReduce, tensor, zeros } from '@torchts/core';
import { BUILDS, expectIdentical, expectSameAsTs, lcg, withKernels } from './helpers.js';

const compare = expectSameAsTs;

describe('wasm gather/scatter vs TS', () => {
  it('random shapes, dims, dtypes and strided operands', () => {
    manualSeed(3);
    const rnd = lcg(9);
    for (let trial = 0; trial < 40; trial++) {
      const nd = 1 + (trial % 3);
      const shape = Array.from({ length: nd }, () => 1 + rnd(6));
      const dim = rnd(nd);
      const dtype = trial % 2 === 0 ? 'float32' : 'float64';
      const idxShape = shape.map((n, d) => (d === dim ? 1 + rnd(8) : 1 + rnd(n)));
      const index = randint(0, shape[dim]!, idxShape);
      const self = randn(shape, { dtype });
      const src = randn(idxShape, { dtype }).mul(1e3); // large values: float32 rounding per addition shows
      const tag = `trial ${trial} [${shape}] dim ${dim} index [${idxShape}] ${dtype}`;
      compare(`gather ${tag}`, () => gather(self, dim, index));
      compare(`scatter ${tag}`, () => scatter(self, dim, index, src));
      compare(`scatterAdd ${tag}`, () => scatterAdd(self, dim, index, src));
      if (nd >= 2) {
        const it = index.transpose(0, nd - 1).contiguous().transpose(0, nd - 1); // same values, strided
        const st = src.transpose(0, nd - 1).contiguous().transpose(0, nd - 1);
        compare(`gather strided ${tag}`, () => gather(self.transpose(0, nd - 1).contiguous().transpose(0, nd - 1), dim, it));
        compare(`scatterAdd strided ${tag}`, () => scatterAdd(self, dim, it, st));
      }
    }
  });

  it('max pooling backward shape: many duplicates along the last dim', () => {
    manualSeed(4);
    const index = randint(0, 4, [6, 50]);
    const src = randn([6, 50]);
    compare('scatterAdd [6, 4] <- [6, 50]', () => scatterAdd(zeros([6, 4]), 1, index, src));
    compare('scatterAdd float64', () => scatterAdd(zeros([6, 4], { dtype: 'float64' }), 1, index, src.double()));
  });

  it('cases that stay in TS still agree: scatter_reduce, scalar sources, int64 values', () => {
    const self = randn([3, 5]);
    const index = tensor([[0, 1, 2, 3, 4], [4, 3, 2, 1, 0]]).long();
    const src = randn([2, 5]);
    compare('scatter_reduce amax', () => scatterReduce(self, 1, index, src, 'amax'));
    compare('scatter_reduce sum include_self false', () => scatterReduce(self, 1, index, src, 'sum', { includeSelf: false }));
    compare('scatter scalar', () => scatter(self, 1, index, 2.5));
    compare('gather int64 values', () => gather(self.long(), 1, index).double());
  });

  it('out-of-range indices: the TS error, the target untouched', () => {
    const self = randn([3, 4]);
    for (const bad of [4, -1, 2 ** 40]) {
      const index = tensor([[0, 1], [2, bad]]).long();
      const src = randn([2, 2]);
      for (const build of BUILDS) {
        withKernels(build, () => {
          expect(() => gather(self, 1, index)).toThrow(`index ${bad} is out of bounds for dimension 1 with size 4`);
          const target = self.clone();
          expect(() => target.scatterAdd_(1, index, src)).toThrow(`index ${bad} is out of bounds for dimension 1 with size 4`);
          expectIdentical(target, self, `target after a bad scatter (${build})`);
        });
      }
    }
  });
});
