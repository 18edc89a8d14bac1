/** Shape family behaviour the PyTorch fixtures cannot express: views, aliasing, memory. */
import { describe, expect, it } from 'vitest';
import * as torch from '../src/index.js';
import type { Tensor } from '../src/index.js';

const arange = (n: number, shape: number[]) => torch.tensor(Array.from({ length: n }, (_, i) => i)).reshape(shape);

/** Runs `fn`, disposes what it returns, and checks that no tensor it made stays alive. */
function expectNoLeak(fn: () => unknown): void {
  const before = torch.memory().liveTensors;
  torch.dispose(fn());
  expect(torch.memory().liveTensors).toBe(before);
}

describe('split/chunk/unbind/tensorSplit return views', () => {
  it('split pieces share storage with the input', () => {
    torch.tidy(() => {
      const x = arange(6, [3, 2]);
      const [a, b] = x.split(2);
      a!.fill_(7);
      b!.fill_(9);
      expect(x.tolist()).toEqual([[7, 7], [7, 7], [9, 9]]);
      expect(a!._storage).toBe(x._storage);
    });
  });

  it('chunk, unbind and tensorSplit write through to the base', () => {
    torch.tidy(() => {
      const x = arange(6, [2, 3]);
      x.chunk(3, 1)[1]!.fill_(-1);
      x.unbind(0)[1]!.index(0).fill_(5);
      torch.tensorSplit(x, [2], 1)[1]!.fill_(8);
      expect(x.tolist()).toEqual([[0, -1, 8], [5, -1, 8]]);
    });
  });

  it('split of a non-contiguous tensor is still a view', () => {
    torch.tidy(() => {
      const x = arange(6, [2, 3]).t();
      const parts = torch.split(x, [1, 2], 0);
      parts[1]!.fill_(0);
      expect(x.tolist()).toEqual([[0, 3], [0, 0], [0, 0]]);
    });
  });
});

describe('copies are copies', () => {
  it('cat, stack, flip, roll, repeat, tile, tril and pad do not alias their inputs', () => {
    torch.tidy(() => {
      const x = arange(4, [2, 2]);
      const outs: Tensor[] = [
        torch.cat([x]), torch.stack([x]), x.flip(0), x.roll(1), x.repeat(1, 1), x.tile([1]), x.tril(),
        torch.pad(x, [0, 0]), x.rot90(0), x.repeatInterleave(1),
      ];
      for (const o of outs) expect(o._storage).not.toBe(x._storage);
    });
  });

  it('tril_ and triu_ work in place through views', () => {
    torch.tidy(() => {
      const x = torch.ones(2, 3, 3);
      x.index(1).triu_(1);
      expect(x.index(1).tolist()).toEqual([[0, 1, 1], [0, 0, 1], [0, 0, 0]]);
      expect(x.index(0).tolist()).toEqual([[1, 1, 1], [1, 1, 1], [1, 1, 1]]);
    });
  });
});

describe('argument forms', () => {
  it('accepts varargs and arrays for dims and sizes', () => {
    torch.tidy(() => {
      const x = arange(6, [2, 3]);
      expect(x.flip(0, 1).tolist()).toEqual(x.flip([0, 1]).tolist());
      expect(x.repeat(2, 1).tolist()).toEqual(x.repeat([2, 1]).tolist());
      expect(x.tile(2).shape).toEqual([2, 6]);
      expect(torch.roll(x, { shifts: 1, dims: 1 }).tolist()).toEqual([[2, 0, 1], [5, 3, 4]]);
      expect(torch.cat([x, x], { dim: 1 }).shape).toEqual([2, 6]);
      expect((torch.pad(x, [1, 1], 'constant', 9).tolist() as number[][])[0]).toEqual([9, 0, 1, 2, 9]);
      expect(torch.concatenate([x, x]).shape).toEqual([4, 3]);
    });
  });
});

describe('no intermediate tensors leak', () => {
  it('composite shape ops dispose their temporaries', () => {
    const x = arange(24, [2, 3, 4]);
    expectNoLeak(() => torch.stack([x, x], 1));
    expectNoLeak(() => torch.hstack([x, x]));
    const [r0, r1] = [x.index(0, 0), x.index(0, 1)];
    const [m0, m1] = [x.index(0), x.index(1)];
    const reps = torch.tensor([1, 2], { dtype: 'int64' });
    expectNoLeak(() => torch.vstack([r0, r1]));
    expectNoLeak(() => torch.dstack([m0, m1]));
    expectNoLeak(() => x.roll([1, -2], [0, 2]));
    expectNoLeak(() => x.roll(5));
    expectNoLeak(() => x.rot90(1, [1, 2]));
    expectNoLeak(() => x.rot90(3));
    expectNoLeak(() => x.repeat(2, 1, 1, 2));
    expectNoLeak(() => x.tile([2]));
    expectNoLeak(() => x.repeatInterleave(reps, 0));
    expectNoLeak(() => x.repeatInterleave(2));
    expectNoLeak(() => torch.pad(x, [1, -1, 2, 0]));
    expectNoLeak(() => torch.pad(x, [-1, -1]));
    const x4 = x.unsqueeze(0);
    for (const mode of ['reflect', 'replicate', 'circular'] as const) {
      expectNoLeak(() => torch.pad(x4, [1, 2, 1, -1], { mode }));
    }
    expectNoLeak(() => x.split(2, 2));
    torch.dispose([x, x4, r0, r1, m0, m1, reps]);
  });
});
