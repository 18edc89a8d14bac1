/** Shared by the serialization tests: fixture manifests (written by tooling/fixtures/cases/serialization*.py) and comparisons. */
import { expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { Tensor, ValueError, readNumbers } from '@torchts/core';
import { load } from '../src/index.js';

export interface Desc { dtype: string; shape: number[]; stride: number[]; offset: number; values: number[]; requiresGrad: boolean; storage: number | null }
export type Manifest = Record<string, Record<string, Desc>>;

export const readManifest = (path: string): Manifest => JSON.parse(readFileSync(path, 'utf8')) as Manifest;

/** Every tensor in a loaded object under its '.'-joined path (Map keys, array indices, object keys). */
export function flat(obj: unknown, prefix = ''): Map<string, Tensor> {
  const out = new Map<string, Tensor>();
  const walk = (v: unknown, p: string) => {
    if (v instanceof Tensor) out.set(p, v);
    else if (v instanceof Map) for (const [k, x] of v) walk(x, p ? `${p}.${String(k)}` : String(k));
    else if (Array.isArray(v)) v.forEach((x, k) => walk(x, p ? `${p}.${k}` : String(k)));
    else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) walk(x, p ? `${p}.${k}` : k);
  };
  walk(obj, prefix);
  return out;
}

/** Values, dtypes and shapes; with `layout`, strides, offsets and which tensors share a storage too. */
export function expectMatches(got: Map<string, Tensor>, want: Record<string, Desc>, layout: boolean) {
  expect([...got.keys()].sort()).toEqual(Object.keys(want).sort());
  const storages = new Map<number, unknown>();
  for (const [k, d] of Object.entries(want)) {
    const t = got.get(k)!;
    expect(t.dtype, k).toBe(d.dtype);
    expect([...t.shape], k).toEqual(d.shape);
    expect(Array.from(readNumbers(t)), k).toEqual(d.values);
    expect(t.requiresGrad, k).toBe(d.requiresGrad);
    if (!layout) continue;
    expect([...t._strides], k).toEqual(d.stride);
    expect(t._offset, k).toBe(d.offset);
    if (d.storage !== null) {
      // Tensors that shared a storage in PyTorch share one here, and only those.
      if (storages.has(d.storage)) expect(t._storage, k).toBe(storages.get(d.storage));
      else {
        expect([...storages.values()], k).not.toContain(t._storage);
        storages.set(d.storage, t._storage);
      }
    }
  }
}

/**
 * Feeds every truncation of `good` (about 150 cut points) and `mutations` random byte edits to
 * `load`: each must load or throw a ValueError that says something, never crash, hang or allocate
 * hugely. `rand` is a seeded generator so failures reproduce.
 */
export function fuzzLoad(good: Uint8Array, name: string, rand: () => number, mutations = 300) {
  const step = Math.max(1, Math.floor(good.length / 150));
  for (let n = 0; n < good.length; n += step) tryLoad(good.subarray(0, n), `${name} truncated to ${n}`);
  for (let k = 0; k < mutations; k++) {
    const b = good.slice();
    const edits = 1 + Math.floor(rand() * 4);
    for (let e = 0; e < edits; e++) {
      const at = Math.floor(rand() * b.length);
      b[at] = rand() < 0.5 ? Math.floor(rand() * 256) : b[at]! ^ (1 << Math.floor(rand() * 8));
    }
    tryLoad(b, `${name} mutation ${k}`);
  }
}

export function tryLoad(b: Uint8Array, what: string) {
  try {
    const out = load(b);
    for (const t of flat(out).values()) if (!t.isDisposed) t.dispose();
  } catch (e) {
    if (!(e instanceof ValueError)) throw new Error(`${what}: not a clean ValueError: ${String(e)}`, { cause: e });
    expect((e as Error).message.length).toBeGreaterThan(10);
  }
}

/** A seeded LCG in [0, 1]. */
export function seededRandom(seed: number): () => number {
  return () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
}
