import '@torchts/backend-cpu';
import { RuntimeError, Tensor, tensor, zeros } from '@torchts/core';
import { describe, expect, it } from 'vitest';
import { defaultCollate, defaultConvert } from '../src/index.js';

const t = (x: unknown) => x as Tensor;

describe('defaultCollate', () => {
  it('stacks tensors along a new first dim', () => {
    const out = t(defaultCollate([tensor([1, 2]), tensor([3, 4]), tensor([5, 6])]));
    expect(out.shape).toEqual([3, 2]);
    expect(out.dtype).toBe('float32');
    expect(out.tolist()).toEqual([[1, 2], [3, 4], [5, 6]]);
  });

  it('turns numbers into int64 (all integers), float64 (otherwise) or bool tensors', () => {
    expect(t(defaultCollate([1, 2, 3])).dtype).toBe('int64');
    const f = t(defaultCollate([1, 2.5]));
    expect([f.dtype, f.tolist()]).toEqual(['float64', [1, 2.5]]);
    const b = t(defaultCollate([true, false]));
    expect([b.dtype, b.tolist()]).toEqual(['bool', [true, false]]);
    // Booleans among numbers count as 0/1, as Python's bools do.
    const m = t(defaultCollate([true, 2]));
    expect([m.dtype, m.tolist()]).toEqual(['int64', [1, 2]]);
    const big = t(defaultCollate([1n, 2n ** 40n]));
    expect([big.dtype, big.tolist()]).toEqual(['int64', [1, 2 ** 40]]);
    expect(t(defaultCollate([2 ** 60, 1])).dtype).toBe('float64'); // not a safe integer
  });

  it('stacks typed arrays into tensors of the matching dtype', () => {
    const u8 = t(defaultCollate([new Uint8Array([1, 2]), new Uint8Array([3, 255])]));
    expect([u8.dtype, u8.shape, u8.tolist()]).toEqual(['uint8', [2, 2], [[1, 2], [3, 255]]]);
    expect(t(defaultCollate([new Float64Array(3), new Float64Array(3)])).dtype).toBe('float64');
    const i64 = t(defaultCollate([new BigInt64Array([5n]), new BigInt64Array([-6n])]));
    expect([i64.dtype, i64.tolist()]).toEqual(['int64', [[5], [-6]]]);
    // Unsigned 32-bit words widen to int64 (no uint32 dtype), through the generic path.
    const u32 = t(defaultCollate([new Uint32Array([4294967295]), new Uint32Array([1])]));
    expect([u32.dtype, u32.tolist()]).toEqual(['int64', [[4294967295], [1]]]);
    // Mixed kinds promote as torch.stack does.
    expect(t(defaultCollate([new Int32Array([1]), new Float32Array([0.5])])).dtype).toBe('float32');
  });

  it('keeps strings as arrays and collates arrays, objects and Maps element-wise', () => {
    expect(defaultCollate(['a', 'b'])).toEqual(['a', 'b']);
    const pairs = defaultCollate([[tensor([1]), 0], [tensor([2]), 1]]) as [Tensor, Tensor];
    expect(pairs[0].tolist()).toEqual([[1], [2]]);
    expect([pairs[1].dtype, pairs[1].tolist()]).toEqual(['int64', [0, 1]]);
    const dict = defaultCollate([{ x: 1.5, label: 'cat', nested: { id: 3 } }, { x: 2, label: 'dog', nested: { id: 4 } }]) as any;
    expect(dict.x.tolist()).toEqual([1.5, 2]);
    expect(dict.label).toEqual(['cat', 'dog']);
    expect(dict.nested.id.tolist()).toEqual([3, 4]);
    const map = defaultCollate([new Map([['a', 1]]), new Map([['a', 2]])]) as Map<string, Tensor>;
    expect(map.get('a')!.tolist()).toEqual([1, 2]);
  });

  it("raises PyTorch's errors when a batch's elements differ", () => {
    expect(() => defaultCollate([zeros(2), zeros(3)])).toThrow(new RuntimeError('stack expects each tensor to be equal size, but got [2] at entry 0 and [3] at entry 1'));
    expect(() => defaultCollate([new Float32Array(2), new Float32Array(1)])).toThrow('stack expects each tensor to be equal size, but got [2] at entry 0 and [1] at entry 1');
    expect(() => defaultCollate([zeros(2), 1])).toThrow(new TypeError('expected Tensor as element 1 in argument 0, but got number'));
    expect(() => defaultCollate([[1, 2], [3]])).toThrow(new RuntimeError('each element in list of batch should be of equal size'));
    expect(() => defaultCollate([1, 'a'])).toThrow(new TypeError('default_collate: element 1 of the batch is string, but element 0 is a number'));
    expect(() => defaultCollate([{ a: 1 }, { b: 2 }])).toThrow("default_collate: element 1 of the batch has no key 'a'");
    expect(() => defaultCollate([null])).toThrow(new TypeError('default_collate: batch must contain tensors, typed arrays, numbers, dicts or lists; found null'));
    class Point {}
    expect(() => defaultCollate([new Point()])).toThrow('found Point');
    expect(() => defaultCollate([])).toThrow('expected a non-empty array of samples');
  });
});

describe('defaultConvert', () => {
  it('turns typed arrays into tensors and keeps everything else', () => {
    const x = tensor([1]);
    const out = defaultConvert({ a: new Int16Array([1, 2]), b: [x, 3, 's'], c: new Map([['k', new Float32Array([1])]]) }) as any;
    expect([out.a.dtype, out.a.tolist()]).toEqual(['int16', [1, 2]]);
    expect(out.b[0]).toBe(x);
    expect(out.b.slice(1)).toEqual([3, 's']);
    expect(out.c.get('k').dtype).toBe('float32');
  });
});
