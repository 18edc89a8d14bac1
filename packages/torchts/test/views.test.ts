import { describe, expect, it } from 'vitest';
import * as torch from '../src/index.js';

describe('views share storage', () => {
  it('writes through views of views reach the base', () => {
    const base = torch.zeros(3, 4);
    const col = base.transpose(0, 1).select(0, 2); // column 2
    col.fill_(7);
    base.narrow(0, 1, 1).view(4).slice(0, null, null, 2).fill_(1);
    expect(base.tolist()).toEqual([
      [0, 0, 7, 0],
      [1, 0, 1, 0],
      [0, 0, 7, 0],
    ]);
  });
  it('views report their base and share the version counter', () => {
    const a = torch.ones(4);
    const v = a.view(2, 2).t();
    expect(v._base).toBe(a);
    const before = a._version;
    v.add_(1);
    expect(a._version).toBe(before + 1);
    expect(a.tolist()).toEqual([2, 2, 2, 2]);
  });
  it('expand views stride 0 and contiguous() copies only when needed', () => {
    const a = torch.tensor([1, 2, 3]);
    const e = a.expand(2, 3);
    expect(e.stride()).toEqual([0, 1]);
    expect(e.isContiguous()).toBe(false);
    const c = e.contiguous();
    expect(c.isContiguous()).toBe(true);
    expect(c.tolist()).toEqual([[1, 2, 3], [1, 2, 3]]);
    expect(a.contiguous()).toBe(a);
  });
  it('reshape views when it can and copies when it must', () => {
    const a = torch.arange(6, { dtype: 'float32' }).view(2, 3);
    const r = a.reshape(3, 2);
    r.fill_(0);
    expect(a.sum().item()).toBe(0);
    const t = torch.arange(6, { dtype: 'float32' }).view(2, 3).t();
    const flat = t.reshape(-1);
    flat.fill_(1);
    expect(t.sum().item()).toBe(15);
  });
  it('views the bytes as another dtype', () => {
    const a = torch.tensor([1], { dtype: 'float32' });
    expect(a.view('int32').item()).toBe(1065353216);
  });
});
