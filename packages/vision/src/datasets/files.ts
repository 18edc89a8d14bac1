/**
 * Finding and reading dataset files: torchvision's layouts first, then the plain root; each name
 * also as `<name>.gz`. Gzip is recognised by its magic bytes and inflated with a size cap, so a
 * corrupt or hostile file fails with a message instead of a huge allocation.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { RuntimeError } from '@torchts/core';

/** The largest inflated file accepted (EMNIST byclass, the biggest, is 547 MB). */
export const MAX_INFLATED_BYTES = 2 ** 30;

/** The first existing file among `dirs` x (`name`, `name.gz`), or an error listing every place tried. */
export function findFile(dataset: string, dirs: string[], name: string): string {
  const tried: string[] = [];
  for (const dir of dirs) {
    for (const candidate of [join(dir, name), join(dir, `${name}.gz`)]) {
      if (existsSync(candidate) && statSync(candidate).isFile()) return candidate;
      tried.push(candidate);
    }
  }
  throw new RuntimeError(`${dataset}: dataset file '${name}' not found; looked for ${tried.join(', ')}`);
}

/** A file's bytes, inflated when it is gzip (by magic bytes, whatever its name). */
export function readMaybeGzip(path: string): Uint8Array {
  const raw = readFileSync(path);
  if (raw.length < 2 || raw[0] !== 0x1f || raw[1] !== 0x8b) return raw;
  try {
    return gunzipSync(raw, { maxOutputLength: MAX_INFLATED_BYTES });
  } catch (e) {
    const reason = (e as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE'
      ? `inflates to more than ${MAX_INFLATED_BYTES} bytes`
      : `is not valid gzip (${(e as Error).message})`;
    throw new RuntimeError(`${path}: the file ${reason}`);
  }
}
