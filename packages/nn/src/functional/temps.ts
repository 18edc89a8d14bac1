/** Disposes the intermediates of a composite once its result is computed (results are kept). */
import type { Tensor } from '@torchts/core';

export function withTemps<T>(fn: (keep: <U extends Tensor>(t: U) => U) => T): T {
  const temps: Tensor[] = [];
  const out = fn((t) => {
    temps.push(t);
    return t;
  });
  const results = new Set<unknown>(Array.isArray(out) ? out : [out]);
  for (const t of temps) if (!results.has(t)) t.dispose();
  return out;
}
