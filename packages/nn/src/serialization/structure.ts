/**
 * Flattens nested containers of tensors (Maps, plain objects, arrays) into '.'-joined names, and
 * describes the nesting as JSON so that loading can rebuild the same shape of object. Used by the
 * flat formats (safetensors), which store only name -> tensor.
 */
import { Tensor, ValueError } from '@torchts/core';

export type Structure =
  | { t: string }
  | { m: [string, Structure][] }
  | { o: [string, Structure][] }
  | { a: Structure[] }
  | { v: string | number | boolean | null };

/** A single tensor saved on its own is stored under this name. */
export const ROOT_TENSOR_NAME = 'tensor';

export function flatten(obj: unknown, op: string): { tensors: [string, Tensor][]; structure: Structure } {
  const tensors: [string, Tensor][] = [];
  const names = new Set<string>();
  const active = new Set<unknown>();
  const join = (path: string, k: string) => (path ? `${path}.${k}` : k);
  const walk = (v: unknown, path: string): Structure => {
    if (v instanceof Tensor) {
      const name = path || ROOT_TENSOR_NAME;
      if (names.has(name)) throw new ValueError(`${op}: two tensors would be stored under the name '${name}'`);
      if (v.isDisposed) throw new ValueError(`${op}: the tensor '${name}' has been disposed`);
      names.add(name);
      tensors.push([name, v]);
      return { t: name };
    }
    if (v === null || typeof v === 'string' || typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v))) return { v };
    if (typeof v !== 'object') throw new TypeError(`${op}: cannot save a ${typeof v} at '${path}'`);
    if (active.has(v)) throw new ValueError(`${op}: the object at '${path}' contains itself`);
    active.add(v);
    try {
      if (Array.isArray(v)) return { a: v.map((x, k) => walk(x, join(path, String(k)))) };
      if (v instanceof Map) {
        return {
          m: [...v].map(([k, x]) => {
            if (typeof k !== 'string') throw new TypeError(`${op}: Map keys must be strings, got ${typeof k} at '${path}'`);
            return [k, walk(x, join(path, k))] as [string, Structure];
          }),
        };
      }
      const proto = Object.getPrototypeOf(v);
      if (proto !== Object.prototype && proto !== null) {
        throw new TypeError(`${op}: cannot save a ${proto?.constructor?.name ?? 'object'} at '${path}' (only tensors, Maps, plain objects, arrays and JSON scalars)`);
      }
      return { o: Object.entries(v).map(([k, x]) => [k, walk(x, join(path, k))] as [string, Structure]) };
    } finally {
      active.delete(v);
    }
  };
  const structure = walk(obj, '');
  return { tensors, structure };
}

function setOwn(obj: Record<string, unknown>, k: string, v: unknown) {
  Object.defineProperty(obj, k, { value: v, enumerable: true, writable: true, configurable: true });
}

/** Rebuilds the saved object from `structure` (untrusted: validated as it goes). */
export function unflatten(structure: unknown, tensors: Map<string, Tensor>, fmt: string): unknown {
  const bad = (what: string): never => {
    throw new ValueError(`${fmt}: the structure recorded in __metadata__ is invalid (${what})`);
  };
  const pairs = (x: unknown): [string, unknown][] => {
    if (!Array.isArray(x) || !x.every((p) => Array.isArray(p) && p.length === 2 && typeof p[0] === 'string')) bad('malformed key list');
    return x as [string, unknown][];
  };
  const build = (s: unknown, depth: number): unknown => {
    if (depth > 1000) bad('nested too deeply');
    if (s === null || typeof s !== 'object' || Array.isArray(s)) return bad('a node is not an object');
    const node = s as Record<string, unknown>;
    if ('t' in node) {
      const t = typeof node.t === 'string' ? tensors.get(node.t) : undefined;
      return t ?? bad(`it names a tensor '${String(node.t)}' the file does not hold`);
    }
    if ('v' in node) return node.v;
    if ('a' in node) return Array.isArray(node.a) ? node.a.map((x) => build(x, depth + 1)) : bad('a list is not an array');
    if ('m' in node) return new Map(pairs(node.m).map(([k, x]) => [k, build(x, depth + 1)]));
    if ('o' in node) {
      const out: Record<string, unknown> = {};
      for (const [k, x] of pairs(node.o)) setOwn(out, k, build(x, depth + 1));
      return out;
    }
    return bad('unknown node kind');
  };
  return build(structure, 0);
}
