/**
 * .npy: files written by NumPy (fixtures/npy, from tooling/fixtures/cases/npy.py) load with the
 * right dtype, shape and values; torchts writes the exact bytes np.save writes; round trips over
 * every dtype and layout; errors for broken or unsupported files; atomic file writes.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import * as torch from '../src/index.js';
import type { DType, Tensor } from '../src/index.js';

interface NpyFile {
  file: string;
  dtype?: DType;
  shape?: number[];
  data?: Array<number | boolean | string>;
  sameAsTorchts?: boolean;
  error?: string;
}
const dir = join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'npy');
const { files } = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as { files: NpyFile[] };
const bytesOf = (f: string) => new Uint8Array(readFileSync(join(dir, f)));

function decoded(v: number | boolean | string): number {
  if (v === 'nan') return NaN;
  if (v === 'inf') return Infinity;
  if (v === '-inf') return -Infinity;
  return typeof v === 'boolean' ? Number(v) : (v as number);
}

function values(t: Tensor): number[] {
  return Array.from(t.toTypedArray() as ArrayLike<number | bigint>, Number);
}

describe('files written by NumPy', () => {
  for (const f of files.filter((x) => !x.error)) {
    it(`loads ${f.file}`, () =>
      torch.tidy(() => {
        const t = torch.loadNpy(bytesOf(f.file));
        expect(t.dtype).toBe(f.dtype);
        expect([...t.shape]).toEqual(f.shape);
        expect(t.isContiguous()).toBe(true);
        const got = values(t);
        f.data!.map(decoded).forEach((want, i) => expect(Object.is(got[i], want) || got[i] === want, `${f.file}[${i}]: ${got[i]} vs ${want}`).toBe(true));
      }));
    if (f.sameAsTorchts) {
      it(`saveNpy writes NumPy's bytes for ${f.file}`, () =>
        torch.tidy(() => {
          const original = bytesOf(f.file);
          expect(Buffer.from(torch.saveNpy(torch.loadNpy(original))).equals(Buffer.from(original))).toBe(true);
        }));
    }
  }
  for (const f of files.filter((x) => x.error)) {
    it(`refuses ${f.file}`, () => {
      expect(() => torch.loadNpy(bytesOf(f.file))).toThrow(f.error);
      try {
        torch.loadNpy(bytesOf(f.file));
      } catch (e) {
        expect((e as Error).name).toBe('ValueError');
      }
    });
  }
});

describe('round trips', () => {
  const dtypes: DType[] = ['float32', 'float64', 'float16', 'int64', 'int32', 'int16', 'int8', 'uint8', 'bool'];
  for (const dtype of dtypes) {
    it(`${dtype}: contiguous, transposed, 0-d and empty`, () =>
      torch.tidy(() => {
        const base = torch.tensor([[0, 1, 2], [3, 4, 5]], { dtype: 'float64' }).sub(2).mul(3).to(dtype);
        for (const t of [base, base.t(), base.select(0, 1).select(0, 2), torch.zeros(0, 2, { dtype })]) {
          const back = torch.loadNpy(torch.saveNpy(t));
          expect(back.dtype).toBe(dtype);
          expect([...back.shape]).toEqual([...t.shape]);
          expect(values(back)).toEqual(values(t));
        }
      }));
  }

  it('int64 stays exact beyond 2^53', () =>
    torch.tidy(() => {
      const t = torch.zeros(2, { dtype: 'int64' });
      (t.asTypedArray() as BigInt64Array).set([2n ** 62n + 3n, -(2n ** 60n) - 1n]);
      expect(Array.from(torch.loadNpy(torch.saveNpy(t)).toTypedArray() as BigInt64Array)).toEqual([2n ** 62n + 3n, -(2n ** 60n) - 1n]);
    }));

  it('header: NumPy layout, 64-byte aligned, v1.0', () =>
    torch.tidy(() => {
      const bytes = torch.saveNpy(torch.zeros(2, 3));
      const header = new TextDecoder().decode(bytes.subarray(10, 10 + (bytes[8]! | (bytes[9]! << 8))));
      expect(header.startsWith("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }")).toBe(true);
      expect(header.endsWith('\n')).toBe(true);
      expect((10 + header.length) % 64).toBe(0);
      expect([...bytes.subarray(0, 8)]).toEqual([0x93, 78, 85, 77, 80, 89, 1, 0]);
    }));

  it('accepts ArrayBuffer, Buffer and DataView inputs', () =>
    torch.tidy(() => {
      const bytes = torch.saveNpy(torch.arange(4));
      const copy = bytes.slice();
      for (const input of [copy.buffer, Buffer.from(copy), new DataView(copy.buffer)]) {
        expect(values(torch.loadNpy(input))).toEqual([0, 1, 2, 3]);
      }
    }));

  it('refuses bfloat16 (no NumPy dtype) and non-tensors', () => {
    expect(() => torch.saveNpy(torch.zeros(2, { dtype: 'bfloat16' }))).toThrow('bfloat16 has no NumPy dtype');
    expect(() => torch.saveNpy([1, 2] as unknown as Tensor)).toThrow(TypeError);
  });
});

describe('files', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'torchts-npy-'));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it('saveNpyFile writes atomically and loadNpyFile reads it back', async () => {
    const path = join(tmp, 'a.npy');
    writeFileSync(path, 'old contents');
    const t = torch.arange(12, { dtype: 'float64' }).reshape([3, 4]);
    await torch.saveNpyFile(path, t);
    expect(readdirSync(tmp)).toEqual(['a.npy']); // no temporary file left behind
    expect(Buffer.from(readFileSync(path)).equals(Buffer.from(torch.saveNpy(t)))).toBe(true);
    const back = await torch.loadNpyFile(path);
    expect(back.tolist()).toEqual(t.tolist());
    back.dispose();
    t.dispose();
  });

  it('reads a file NumPy wrote, and a failed write leaves the old file', async () => {
    const t = await torch.loadNpyFile(join(dir, 'i8_fortran_2x3x4.npy'));
    expect(t.tolist()).toEqual(torch.arange(24).reshape([2, 3, 4]).tolist());
    await expect(torch.saveNpyFile(join(tmp, 'missing-dir', 'x.npy'), t)).rejects.toThrow();
    await expect(torch.saveNpyFile(join(tmp, 'b.npy'), torch.zeros(1, { dtype: 'bfloat16' }))).rejects.toThrow('bfloat16');
    expect(readdirSync(tmp).filter((f) => f !== 'a.npy')).toEqual([]);
    t.dispose();
  });
});
