/**
 * Indexing behaviour the PyTorch fixtures cannot express: basic indexing returns views (writes
 * show in the base), advanced indexing copies, argument forms of the subscript API, memory.
 */
import { describe, expect, it } from 'vitest';
import * as torch from '../src/index.js';

const arange = (n: number, shape: number[]) => torch.tensor(Array.from({ length: n }, (_, i) => i)).reshape(shape);
const long = (data: torch.NestedArray) => torch.tensor(data, { dtype: 'int64' });

function expectNoLeak(fn: () => unknown): void {
  const before = torch.memory().liveTensors;
  torch.dispose(fn());
  expect(torch.memory().liveTensors).toBe(before);
}

describe('x.index(...): views and copies', () => {
  it('basic indices (int, slice, null, ellipsis) return views that write through', () => {
    torch.tidy(() => {
      const x = arange(12, [3, 4]);
      const row = x.index(1);
      const block = x.index(torch.slice(0, 2), '1:3');
      const col = x.index('...', null, 3);
      expect(row._storage).toBe(x._storage);
      expect(col.shape).toEqual([3, 1]);
      row.fill_(-1);
      block.fill_(100);
      col.fill_(7);
      expect(x.tolist()).toEqual([[0, 100, 100, 7], [-1, 100, 100, 7], [8, 9, 10, 7]]);
    });
  });

  it('an empty index and a lone ellipsis give a new view (PyTorch alias)', () => {
    torch.tidy(() => {
      const x = arange(3, [3]);
      for (const v of [x.index(), x.index('...'), torch.index(x, [])]) {
        expect(v).not.toBe(x);
        expect(v._storage).toBe(x._storage);
      }
    });
  });

  it('0-d integer tensors select (a view); 1-D index tensors copy', () => {
    torch.tidy(() => {
      const x = arange(6, [3, 2]);
      expect(x.index(long([1]).reshape([])).tolist()).toEqual([2, 3]);
      expect(x.index(long([1]).reshape([]))._storage).toBe(x._storage);
      const adv = x.index([1]);
      expect(adv._storage).not.toBe(x._storage);
      adv.fill_(0);
      expect(x.tolist()).toEqual([[0, 1], [2, 3], [4, 5]]);
    });
  });

  it('masks, booleans and masks mixed with slices are advanced (copies)', () => {
    torch.tidy(() => {
      const x = arange(6, [2, 3]);
      expect(x.index(x.gt(2)).tolist()).toEqual([3, 4, 5]);
      expect(x.index(true).shape).toEqual([1, 2, 3]);
      expect(x.index(false).shape).toEqual([0, 2, 3]);
      expect(x.index(':', [true, false, true]).tolist()).toEqual([[0, 2], [3, 5]]);
    });
  });

  it('string form parses Python index expressions', () => {
    torch.tidy(() => {
      const x = arange(24, [2, 3, 4]);
      expect(x.index('1, 1:3, None, ::2').tolist()).toEqual(x.index(1, torch.slice(1, 3), null, torch.slice(null, null, 2)).tolist());
      expect(x.index('[0, 1], :, [3, 0]').tolist()).toEqual(x.index([0, 1], ':', [3, 0]).tolist());
      expect(x.index('-1').tolist()).toEqual(x.index(-1).tolist());
      expect(torch.parseIndex('0, :, ..., None, True')).toEqual([0, { start: null, stop: null, step: null }, '...', null, true]);
      expect(torch.parseIndex('')).toEqual([]);
    });
  });

  it('torch.slice follows Python slice(): one argument is the stop', () => {
    expect(torch.slice(2)).toEqual({ start: null, stop: 2, step: null });
    expect(torch.slice(1, null, 2)).toEqual({ start: 1, stop: null, step: 2 });
    torch.tidy(() => {
      const x = arange(5, [5]);
      expect(x.index(torch.slice(2)).tolist()).toEqual([0, 1]);
      expect(x.index({ start: 3 }).tolist()).toEqual([3, 4]);
      expect(x.index({ step: 2 }).tolist()).toEqual([0, 2, 4]);
    });
  });

  it('rejects what Python rejects, with its errors', () => {
    torch.tidy(() => {
      const x = arange(6, [2, 3]);
      expect(() => x.index(1.5)).toThrow('only integers, slices (`:`), ellipsis (`...`), None and long or byte Variables are valid indices (got float)');
      expect(() => x.index(undefined as never)).toThrow(torch.IndexError);
      expect(() => x.index('::-1')).toThrow('step must be greater than zero');
      expect(() => x.index('1:2:0')).toThrow('slice step cannot be zero');
      expect(() => x.index('foo')).toThrow(torch.ValueError);
      expect(() => x.index({ start: 0.5 })).toThrow(TypeError);
      expect(() => x.index(0, 0, 0)).toThrow('too many indices for tensor of dimension 2');
      expect(() => x.index(torch.tensor([true, false, true]))).toThrow('The shape of the mask [3] at index 0 does not match the shape of the indexed tensor [2, 3] at index 0');
    });
  });
});

describe('writes: set / indexPut_', () => {
  it('set writes through views into the base', () => {
    torch.tidy(() => {
      const base = torch.zeros(3, 4);
      const view = base.index('1:');
      view.set([0, ':'], 5);
      view.set([[1], [0, 3]], torch.tensor([8, 9]));
      expect(base.tolist()).toEqual([[0, 0, 0, 0], [5, 5, 5, 5], [8, 0, 0, 9]]);
    });
  });

  it('writes into the base are seen through earlier views', () => {
    torch.tidy(() => {
      const base = torch.zeros(2, 3);
      const col = base.index(':', 1);
      base.set([[0, 1], 1], torch.tensor([3, 4]));
      base.set('1, 2', 6);
      expect(col.tolist()).toEqual([3, 4]);
      expect(base.index(1, 2).item()).toBe(6);
    });
  });

  it('a single non-array item may be passed bare; arrays are the index tuple', () => {
    torch.tidy(() => {
      const x = torch.zeros(3, 3);
      x.set(1, 1);
      x.set([0, 2], 2);
      x.set([[0, 2]], 3);
      expect(x.tolist()).toEqual([[3, 3, 3], [1, 1, 1], [3, 3, 3]]);
    });
  });

  it('accumulate sums duplicate advanced indices and adds into basic views', () => {
    torch.tidy(() => {
      const x = torch.zeros(4);
      x.indexPut_([[0, 0, 3]], torch.tensor([1, 2, 5]), { accumulate: true });
      x.indexPut_([long([1, 1])], torch.tensor([1, 1]), true);
      x.set('2:', 10, { accumulate: true });
      expect(x.tolist()).toEqual([3, 2, 10, 15]);
    });
  });

  it("PyTorch's indices form treats null as a whole dim", () => {
    torch.tidy(() => {
      const x = torch.zeros(2, 3);
      x.indexPut_([null, long([0, 2])], torch.tensor(1));
      expect(x.tolist()).toEqual([[1, 0, 1], [1, 0, 1]]);
      const y = torch.zeros(2, 3);
      y.indexPut_([long([1]), null], torch.tensor([4, 5, 6]));
      expect(y.tolist()).toEqual([[0, 0, 0], [4, 5, 6]]);
    });
  });

  it('indexPut (out of place) leaves the input alone; in-place writes bump the version', () => {
    torch.tidy(() => {
      const x = torch.zeros(3);
      const y = x.indexPut([[1]], 2);
      expect(x.tolist()).toEqual([0, 0, 0]);
      expect(y.tolist()).toEqual([0, 2, 0]);
      const v = x._version;
      x.set([[1]], 1);
      expect(x._version).toBeGreaterThan(v);
      expect(torch.indexPut(x, [long([0])], torch.tensor([9])).tolist()).toEqual([9, 1, 0]);
    });
  });

  it('a value aliasing the target is read before it is overwritten', () => {
    torch.tidy(() => {
      const x = arange(5, [5]);
      x.set([[1, 2, 3, 4]], x.index([0, 1, 2, 3]));
      expect(x.tolist()).toEqual([0, 0, 1, 2, 3]);
      const y = arange(5, [5]);
      y.set('1:', y.index(':4'));
      expect(y.tolist()).toEqual([0, 0, 1, 2, 3]);
    });
  });
});

describe('indexing ops: views and forms', () => {
  it('nonzero({ asTuple: true }) returns one index tensor per dim', () => {
    torch.tidy(() => {
      const x = torch.tensor([[0, 1], [2, 0]]);
      const [r, c] = x.nonzero({ asTuple: true });
      expect(r!.tolist()).toEqual([0, 1]);
      expect(c!.tolist()).toEqual([1, 0]);
      expect(x.index(r!, c!).tolist()).toEqual([1, 2]);
    });
  });

  it('in-place ops return self and modify views of a base', () => {
    torch.tidy(() => {
      const base = torch.zeros(2, 4);
      const right = base.index(':', '2:');
      expect(right.indexFill_(1, long([1]), 3)).toBe(right);
      right.maskedFill_(torch.tensor([true, false]), 1);
      right.scatter_(1, long([[1], [0]]), 5);
      right.indexAdd_(0, long([0]), torch.ones(1, 2));
      expect(base.tolist()).toEqual([[0, 0, 2, 6], [0, 0, 5, 3]]);
    });
  });

  it('scatter accepts value and reduce in an options object', () => {
    torch.tidy(() => {
      const x = torch.ones(2, 2);
      expect(x.scatter(1, long([[0], [1]]), 3, { reduce: 'multiply' }).tolist()).toEqual([[3, 1], [1, 3]]);
      expect(torch.scatterReduce(x, 1, long([[0, 0]]), torch.tensor([[2, 4]]), 'amax', { includeSelf: false }).tolist()).toEqual([[4, 1], [1, 1]]);
    });
  });
});

describe('no intermediate tensors leak', () => {
  it('indexing ops and the subscript API dispose their temporaries', () => {
    const x = arange(24, [2, 3, 4]);
    const idx = long([1, 0]);
    const mask = x.gt(10);
    const row = torch.tensor([true, false, true]);
    const col = row.reshape([3, 1]);
    const twos = torch.full([1, 3, 4], 2, { dtype: 'float32' });
    const one = torch.tensor(1);
    const along = long([[[0]]]);
    const flat = long([5, 0]);
    const sorted = torch.tensor([1, 2]);
    const red = long([[[0, 0]]]);
    expectNoLeak(() => x.index(0, '1:', null, -1));
    expectNoLeak(() => x.index([1, 0], ':', [3, 2]));
    expectNoLeak(() => x.index(mask));
    expectNoLeak(() => x.index(':', row, idx));
    expectNoLeak(() => x.index(true, 0));
    expectNoLeak(() => x.index('[0, 1], ..., 2'));
    expectNoLeak(() => x.clone().set(['...', [0, 3]], 1));
    expectNoLeak(() => x.clone().set([mask], 0));
    expectNoLeak(() => x.clone().set([[0, 0]], twos));
    expectNoLeak(() => x.clone().indexPut_([idx, null, idx], one, true));
    expectNoLeak(() => torch.nonzero(mask, { asTuple: true }));
    expectNoLeak(() => x.takeAlongDim(along, 2));
    expectNoLeak(() => x.takeAlongDim(flat));
    expectNoLeak(() => x.maskedFill(col, 0));
    expectNoLeak(() => x.maskedScatter(mask, x));
    expectNoLeak(() => x.maskedSelect(mask));
    expectNoLeak(() => torch.searchsorted(sorted, 3));
    expectNoLeak(() => x.scatterReduce(2, red, x, 'mean'));
    expectNoLeak(() => torch.bucketize(x, sorted));
    // Failing calls free what they made too.
    const fails = (fn: () => unknown) => () => expect(fn).toThrow();
    expectNoLeak(fails(() => x.index(0, 1, 9)));
    expectNoLeak(fails(() => x.index(0, [0, 9])));
    expectNoLeak(fails(() => x.index('1:', [0, 1], [0, 1, 2])));
    const badIndex = long([[[7]]]);
    expectNoLeak(fails(() => x.gather(2, badIndex)));
    const target = x.clone();
    const five = torch.ones(5);
    expectNoLeak(fails(() => target.set([[0], 0], five)));
    expectNoLeak(fails(() => target.set([0, '1:'], five)));
    expectNoLeak(fails(() => torch.pad(x, [-3, -3])));
    torch.dispose([x, idx, mask, row, col, twos, one, along, flat, sorted, red, target, five, badIndex]);
  });
});
