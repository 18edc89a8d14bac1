import { afterEach, describe, expect, it, vi } from 'vitest';
import '../src/index.js';
import { Storage, registerBackend, registerLayer, tensor, getOp, withLayerExcluded, RuntimeError } from '@torchts/core';
import type { Backend, Layer } from '@torchts/core';

/** A device whose memory is not host-addressable and which has no kernels at all. */
class FakeDevice implements Backend {
  readonly device = 'fake';
  private blocks = new Map<number, Uint8Array>();
  private next = 1;
  allocate(nbytes: number): Storage {
    const id = this.next++;
    this.blocks.set(id, new Uint8Array(nbytes));
    return new Storage(this, nbytes, id, null);
  }
  release(s: Storage): void {
    this.blocks.delete(s.ptr);
  }
  readBytes(s: Storage, off: number, n: number): Uint8Array {
    return this.blocks.get(s.ptr)!.slice(off, off + n);
  }
  writeBytes(s: Storage, off: number, bytes: Uint8Array): void {
    this.blocks.get(s.ptr)!.set(bytes, off);
  }
  stats() {
    return { liveBytes: 0, pooledBytes: 0, heapBytes: 0, liveStorages: this.blocks.size };
  }
}

registerBackend(new FakeDevice());

describe('CPU fallback', () => {
  it('runs ops on a device without kernels through the CPU, warning once per op', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const x = tensor([1, 2, 3]).to('fake');
    expect(x.device).toBe('fake');
    const y = x.add(x).mul(2);
    expect(y.device).toBe('fake');
    expect(y.tolist()).toEqual([4, 8, 12]);
    x.add(1);
    const warned = warn.mock.calls.map((c) => String(c[0]));
    expect(warned.filter((m) => m.includes("'add'")).length).toBe(1);
    expect(warned.some((m) => m.includes("'mul'") && m.includes("'fake'"))).toBe(true);
    warn.mockRestore();
  });
  it('refuses to mix devices', () => {
    const a = tensor([1, 2]).to('fake');
    expect(() => a.add(tensor([1, 2]))).toThrow(/Expected all tensors to be on the same device/);
    // 0-d CPU tensors mix with any device, as in PyTorch.
    expect(a.add(tensor(1)).to('cpu').tolist()).toEqual([2, 3]);
  });
});

describe('layers', () => {
  let remove: (() => void) | null = null;
  afterEach(() => remove?.());

  it('runs the highest active layer first and falls through', () => {
    const seen: string[] = [];
    const mk = (name: string, priority: number): Layer => ({
      name,
      priority,
      active: () => true,
      handle: (op, args, next) => {
        seen.push(`${name}:${op.name}`);
        return next(args);
      },
    });
    const r1 = registerLayer(mk('Autograd', 100));
    const r2 = registerLayer(mk('Profiler', 300));
    remove = () => {
      r1();
      r2();
    };
    const out = tensor([1, 2]).add(1);
    expect(out.tolist()).toEqual([2, 3]);
    // tensor() runs fill-free creation; add dispatches through both layers in priority order.
    expect(seen.filter((s) => s.endsWith(':add'))).toEqual(['Profiler:add', 'Autograd:add']);
  });

  it('excludes a layer while it falls through, so inner ops skip it', () => {
    const seen: string[] = [];
    remove = registerLayer({
      name: 'Trace',
      priority: 300,
      active: () => true,
      handle: (op, args, next) => {
        seen.push(op.name);
        return next(args);
      },
    });
    // _to_copy calls copy_ internally: only the outer op is seen by the layer.
    tensor([1, 2]).double();
    expect(seen.filter((s) => s === '_to_copy' || s === 'copy_')).toEqual(['_to_copy']);
    seen.length = 0;
    withLayerExcluded('Trace', () => tensor([1]).add(1));
    expect(seen).toEqual([]);
  });

  it('skips inactive layers', () => {
    let calls = 0;
    remove = registerLayer({ name: 'Autocast', priority: 200, active: () => false, handle: () => calls++ });
    expect(tensor([1]).add(1).tolist()).toEqual([2]);
    expect(calls).toBe(0);
  });
});

describe('op registry', () => {
  it('names a missing kernel and the device', () => {
    expect(() => getOp('no_such_op')).toThrow(RuntimeError);
  });
});
