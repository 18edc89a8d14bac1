import { describe, expect, it } from 'vitest';
import '../src/index.js';
import { tensor, zeros, add, memory, tidy } from '@torchts/core';

describe('cpu basics', () => {
  it('adds with broadcasting and scalars', () => {
    const a = tensor([[1, 2, 3], [4, 5, 6]]);
    const b = tensor([10, 20, 30]);
    expect(add(a, b).tolist()).toEqual([[11, 22, 33], [14, 25, 36]]);
    expect(a.add(1, { alpha: 2 }).tolist()).toEqual([[3, 4, 5], [6, 7, 8]]);
    expect(a.t().add(b.view(3, 1)).tolist()).toEqual([[11, 14], [22, 25], [33, 36]]);
  });
  it('keeps int64 integral with integral scalars', () => {
    const a = tensor([1, 2, 3], { dtype: 'int64' });
    const m = a.mul(2);
    expect(m.dtype).toBe('int64');
    expect(m.tolist()).toEqual([2, 4, 6]);
    expect(a.mul(2.5).dtype).toBe('float32');
    expect(a.div(2).tolist()).toEqual([0.5, 1, 1.5]);
    expect(a.div(2, { roundingMode: 'floor' }).dtype).toBe('int64');
  });
  it('frees memory in tidy', () => {
    const before = memory();
    for (let i = 0; i < 100; i++) tidy(() => { zeros(10).add(1).mul(3); });
    const after = memory();
    expect(after.liveTensors).toBe(before.liveTensors);
    expect(after.devices.cpu!.liveBytes).toBe(before.devices.cpu!.liveBytes);
  });
});
