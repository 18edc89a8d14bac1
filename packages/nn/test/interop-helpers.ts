/** Shared steps of the checkpoint interop tests (CNN and LSTM) against PyTorch. */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import type { Tensor } from '@torchts/core';
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
