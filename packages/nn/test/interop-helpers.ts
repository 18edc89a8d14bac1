/** Shared steps of the checkpoint interop tests (CNN and LSTM) against PyTorch. */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { readNumbers, tensor, tidy, type DType, type Tensor } from '@torchts/core';
import * as nn from '../src/index.js';

export const FIX = join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'interop');
export const SCRIPTS = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'tooling', 'fixtures', 'cases');

/** Debian's PyTorch is there (developers' machines); CI without it skips the PyTorch-side checks. */
export const torchAvailable =
  existsSync('/usr/bin/python3') && spawnSync('/usr/bin/python3', ['-c', 'import torch'], { timeout: 60000 }).status === 0;

export function disposeAll(sd: Map<string, Tensor>): void {
  for (const t of sd.values()) if (!t.isDisposed) t.dispose();
}

/** Saves `model` as .pt and .safetensors, loads each into `make()` strictly and runs `check` on it. */
export async function roundTripThroughFiles<M extends nn.Module>(model: M, keys: string[], make: () => M, check: (m: M) => void): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'torchts-interop-'));
  try {
    for (const name of ['x.pt', 'x.safetensors']) {
      const sd = model.stateDict();
      await nn.saveFile(join(dir, name), sd);
      disposeAll(sd);
      const again = (await nn.loadFile(join(dir, name))) as Map<string, Tensor>;
      expect([...again.keys()]).toEqual(keys);
      const copy = make();
      copy.loadStateDict(again, { strict: true });
      disposeAll(again);
      copy.eval();
      check(copy);
      copy.dispose();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Writes `model` with both .pt writers and has PyTorch load each (`<script> verify file spec`). */
export async function pytorchLoads(model: nn.Module, script: string, specFile: string): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'torchts-interop-'));
  try {
    const sd = model.stateDict();
    // Both writers: the in-memory one and saveFile's .pt path.
    writeFileSync(join(dir, 'mem.pt'), nn.savePytorchCheckpoint(sd));
    await nn.saveFile(join(dir, 'x.pt'), sd);
    disposeAll(sd);
    for (const name of ['mem.pt', 'x.pt']) {
      const r = spawnSync('/usr/bin/python3', [join(SCRIPTS, script), 'verify', join(dir, name), join(FIX, specFile)], { encoding: 'utf8', timeout: 120000 });
      expect(r.stderr + r.stdout, name).toMatch(/^OK/);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export interface InteropSpec {
  keys: string[];
  shapes: Record<string, number[]>;
  dtypes: Record<string, string>;
  input: { shape: number[]; data: number[] };
  output: { shape: number[]; data: number[] };
  [extra: string]: unknown;
}

/**
 * One fixture model (`<stem>.json`, `.pt`, `.safetensors` written by `script`) and the checks every
 * interop suite runs on it; `describeInterop` registers the tests they share.
 */
export function interopFixture<M extends nn.Module>(stem: string, makeModel: () => M, inputDtype: DType = 'float32') {
  const spec = JSON.parse(readFileSync(join(FIX, `${stem}.json`), 'utf8')) as InteropSpec;
  const input = (): Tensor => tensor(spec.input.data, { dtype: inputDtype }).reshape(spec.input.shape);

  /** Eval forward on the fixed input, compared with PyTorch's output within float32 tolerance. */
  function expectPytorchOutput(model: M): void {
    tidy(() => {
      const y = model.call(input()) as Tensor;
      expect([...y.shape]).toEqual(spec.output.shape);
      expect(y.dtype).toBe('float32');
      const got = Array.from(readNumbers(y));
      got.forEach((v, i) => expect(Math.abs(v - spec.output.data[i]!), `output[${i}]: ${v} vs ${spec.output.data[i]}`).toBeLessThanOrEqual(1e-5 + 1e-5 * Math.abs(spec.output.data[i]!)));
    });
  }

  function expectSpecStateDict(sd: Map<string, Tensor>): void {
    for (const k of spec.keys) {
      const t = sd.get(k)!;
      expect(t, k).toBeDefined();
      expect([...t.shape], k).toEqual(spec.shapes[k]);
      expect(t.dtype, k).toBe(spec.dtypes[k]);
    }
  }

  async function loadInto(file: string, orderedKeys: boolean): Promise<M> {
    const sd = (await nn.loadFile(join(FIX, file))) as Map<string, Tensor>;
    expect(sd).toBeInstanceOf(Map);
    if (orderedKeys) expect([...sd.keys()]).toEqual(spec.keys);
    else expect([...sd.keys()].sort()).toEqual([...spec.keys].sort());
    expectSpecStateDict(sd);
    const model = makeModel();
    const res = model.loadStateDict(sd, { strict: true });
    expect(res).toEqual({ missingKeys: [], unexpectedKeys: [] });
    disposeAll(sd);
    model.eval();
    return model;
  }

  return { spec, input, expectPytorchOutput, expectSpecStateDict, loadInto };
}

/** The tests both interop suites share; `afterPtLoad` adds a model-specific check on the .pt load. */
export function describeInterop<M extends nn.Module>(
  title: string, stem: string, script: string, makeModel: () => M, fx: ReturnType<typeof interopFixture<M>>,
  extra: { afterPtLoad?: (m: M) => void; more?: () => void } = {},
): void {
  const { spec, expectPytorchOutput, expectSpecStateDict, loadInto } = fx;
  describe(`${title} checkpoint interop with PyTorch`, () => {
    it('the torchts architecture has exactly PyTorch\'s state-dict keys, in order, shapes and dtypes', () => {
      const model = makeModel();
      const sd = model.stateDict();
      expect([...sd.keys()]).toEqual(spec.keys);
      expectSpecStateDict(sd);
      disposeAll(sd);
      model.dispose();
    });

    it('loads torch.save\'s .pt (zip) into the model and reproduces PyTorch\'s eval output', async () => {
      const model = await loadInto(`${stem}.pt`, true);
      extra.afterPtLoad?.(model);
      expectPytorchOutput(model);
      model.dispose();
    });

    it('loads .safetensors into the model and reproduces PyTorch\'s eval output', async () => {
      const model = await loadInto(`${stem}.safetensors`, false);
      expectPytorchOutput(model);
      model.dispose();
    });

    it('both formats give identical tensors', async () => {
      const a = (await nn.loadFile(join(FIX, `${stem}.pt`))) as Map<string, Tensor>;
      const b = (await nn.loadFile(join(FIX, `${stem}.safetensors`))) as Map<string, Tensor>;
      for (const k of spec.keys) expect(Array.from(readNumbers(b.get(k)!)), k).toEqual(Array.from(readNumbers(a.get(k)!)));
      disposeAll(a);
      disposeAll(b);
    });

    extra.more?.();

    it('a torchts model saved as .pt and .safetensors round-trips within torchts', async () => {
      const model = await loadInto(`${stem}.pt`, true);
      try {
        await roundTripThroughFiles(model, spec.keys, makeModel, expectPytorchOutput);
      } finally {
        model.dispose();
      }
    });
  });

  describe(`PyTorch loads a torchts-written ${title} checkpoint`, () => {
    it.skipIf(!torchAvailable)('torch.load(weights_only=True) + load_state_dict(strict) reproduces the output', async () => {
      const model = await loadInto(`${stem}.safetensors`, false);
      try {
        await pytorchLoads(model, script, `${stem}.json`);
      } finally {
        model.dispose();
      }
    }, 180000);
  });
}
