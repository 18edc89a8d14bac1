/**
 * Gradient fixtures (tooling/fixtures/cases/grad_*.py): PyTorch's gradients of each op w.r.t.
 * its floating-point tensor arguments, for a fixed output gradient.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import * as torch from '../src/index.js';
import type { Tensor } from '../src/index.js';
import { decode, expectMatches } from './harness.js';
import type { Case } from './harness.js';

interface GradCase extends Case {
  gradOutput: unknown;
  expected: { grads: Array<unknown | null> };
  /** The op runs on a clone of the first argument (in-place ops need a non-leaf). */
  cloneSelf?: boolean;
}

function leafify(v: unknown, leaves: Tensor[]): unknown {
  if (v instanceof torch.Tensor) {
    if (!v.isFloatingPoint()) return v;
    const leaf = v.detach().requiresGrad_(true);
    leaves.push(leaf);
    return leaf;
  }
  if (Array.isArray(v) && v.some((x) => x instanceof torch.Tensor)) return v.map((x) => leafify(x, leaves));
  return v;
}

export function runGradCase(c: GradCase): void {
  const leaves: Tensor[] = [];
  const args = c.args.map((a) => leafify(decode(a), leaves));
  if (c.cloneSelf) args[0] = (args[0] as Tensor).clone();
  // Per key, as runCase does: a kwarg named `value` (addcmul) must not read as an encoded `{ value }`.
  const kwargs = Object.fromEntries(Object.entries(c.kwargs).map(([k, v]) => [k, decode(v)])) as Record<string, unknown>;
  const rest = Object.keys(kwargs).length ? [kwargs] : [];
  const out = c.method
    ? ((args[0] as Record<string, (...a: unknown[]) => unknown>)[c.op]!).apply(args[0], [...args.slice(1), ...rest])
    : ((torch as unknown as Record<string, (...a: unknown[]) => unknown>)[c.op]!)(...args, ...rest);
  const outs = (Array.isArray(out) ? out : [out]) as Tensor[];
  const first = outs.find((o) => o instanceof torch.Tensor && o.isFloatingPoint())!;
  const seed = decode(c.gradOutput) as Tensor;
  const grads = torch.autograd.grad(first, leaves, seed, { allowUnused: true });
  expect(grads.length, c.label).toBe(c.expected.grads.length);
  grads.forEach((g, i) => {
    const want = c.expected.grads[i];
    if (want === null) {
      if (g !== null) expectMatches(g, { tensor: { dtype: g.dtype, shape: [...g.shape], data: new Array(g.numel()).fill(0) } }, `${c.label} grad ${i}`);
      return;
    }
    expectMatches(g, want, `${c.label} grad ${i}`, c.tol);
  });
}

const dir = join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'grad');
let files: string[] = [];
try {
  files = readdirSync(dir).filter((f) => f.endsWith('.json')).sort();
} catch {
  files = [];
}
describe('gradient fixtures', () => {
  it('are present', () => expect(files.length).toBeGreaterThan(0));
});
for (const file of files) {
  const { family, cases } = JSON.parse(readFileSync(join(dir, file), 'utf8')) as { family: string; cases: GradCase[] };
  describe(family, () => {
    for (const c of cases) it(c.label, () => torch.tidy(() => runGradCase(c)));
  });
}
