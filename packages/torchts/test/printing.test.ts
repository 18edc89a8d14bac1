/**
 * Printing: String(tensor) against PyTorch 1.13's repr (fixtures/printing/repr.json, written by
 * tooling/fixtures/cases/printing.py) over shapes, dtypes, values, layouts and print options.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { inspect } from 'node:util';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import * as torch from '../src/index.js';
import type { DType } from '../src/index.js';
import { buildTensor } from './harness.js';
import type { EncTensor } from './harness.js';

interface PrintCase {
  label: string;
  input: EncTensor;
  requiresGrad: boolean;
  options: Record<string, number | boolean | string | null>;
  defaultDtype: DType | null;
  repr: string;
}
const { cases } = JSON.parse(
  readFileSync(join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'printing', 'repr.json'), 'utf8'),
) as { cases: PrintCase[] };

afterEach(() => {
  torch.setPrintoptions({ profile: 'default' });
  torch.setDefaultDtype('float32');
});

describe('repr matches PyTorch', () => {
  for (const c of cases) {
    it(c.label, () =>
      torch.tidy(() => {
        const t = buildTensor(c.input);
        if (c.requiresGrad) t.requiresGrad = true;
        const opts = Object.fromEntries(Object.entries(c.options).map(([k, v]) => [k, v === 'inf' ? Infinity : v]));
        torch.setPrintoptions(opts);
        if (c.defaultDtype) torch.setDefaultDtype(c.defaultDtype);
        expect(String(t)).toBe(c.repr);
      }));
  }
});

describe('printing API', () => {
  it('console.log, util.inspect and template literals use the repr', () =>
    torch.tidy(() => {
      const t = torch.tensor([[1, 2], [3, 4]], { dtype: 'float64' });
      const want = 'tensor([[1., 2.],\n        [3., 4.]], dtype=torch.float64)';
      expect(inspect(t)).toBe(want);
      expect(`${t}`).toBe(want);
      expect(t.toString()).toBe(want);
    }));

  it('device suffix for non-cpu tensors', () =>
    torch.tidy(() => {
      const t = torch.tensor([1.5]);
      const fake = Object.create(t) as torch.Tensor;
      Object.defineProperty(fake, 'device', { get: () => 'cuda' });
      expect(torch.formatTensor(fake)).toBe("tensor([1.5000], device='cuda:0')");
    }));

  it('grad_fn suffix uses the node name', () =>
    torch.tidy(() => {
      const t = torch.tensor([1, 2]);
      t.gradFn = { name: 'AddBackward0' };
      expect(String(t)).toBe('tensor([1., 2.], grad_fn=<AddBackward0>)');
      t.gradFn = null;
    }));

  it('exact int64 beyond 2^53 and disposed tensors', () => {
    // Written through the zero-copy view: bigint values past 2^53 stay exact in int64 storage.
    const t = torch.zeros(2, { dtype: 'int64' });
    (t.asTypedArray() as BigInt64Array).set([2n ** 62n + 1n, -5n]);
    expect(String(t)).toBe(`tensor([4611686018427387905, ${' '.repeat(17)}-5])`);
    t.dispose();
    expect(String(t)).toBe('tensor(<disposed>)');
  });

  it('setPrintoptions resets sciMode unless given, and validates', () => {
    torch.setPrintoptions({ sciMode: true, precision: 2 });
    expect(torch.getPrintoptions()).toMatchObject({ sciMode: true, precision: 2 });
    torch.setPrintoptions({ precision: 3 });
    expect(torch.getPrintoptions()).toMatchObject({ sciMode: null, precision: 3 });
    torch.setPrintoptions({ profile: 'full' });
    expect(torch.getPrintoptions().threshold).toBe(Infinity);
    expect(() => torch.setPrintoptions({ precision: -1 })).toThrow(TypeError);
    expect(() => torch.setPrintoptions({ profile: 'huge' as 'full' })).toThrow(TypeError);
  });

  it('summarises a big tensor', () =>
    torch.tidy(() => {
      const s = String(torch.zeros(2000, 2000));
      expect(s.split('\n').length).toBe(7);
    }));
});
