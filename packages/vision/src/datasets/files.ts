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

/**
 * A file's bytes, inflated when it is gzip (by magic bytes, whatever its name). Inflation stops at
 * the size the gzip trailer declares (and at MAX_INFLATED_BYTES), so a corrupt or hostile file
 * fails before a large allocation.
 */
export function readMaybeGzip(path: string): Uint8Array {
  const raw = readFileSync(path);
  if (raw.length < 2 || raw[0] !== 0x1f || raw[1] !== 0x8b) return raw;
  // ISIZE: the inflated size mod 2^32 (of the last member). 0 means unknown here.
  const declared = raw.length >= 18 ? raw.readUInt32LE(raw.length - 4) : 0;
  const limit = declared > 0 ? Math.min(declared, MAX_INFLATED_BYTES) : MAX_INFLATED_BYTES;
  try {
    return gunzipSync(raw, { maxOutputLength: limit });
  } catch (e) {
    if ((e as { code?: string }).code !== 'ERR_BUFFER_TOO_LARGE') {
      throw new RuntimeError(`${path}: the file is not valid gzip (${(e as Error).message})`);
    }
    const reason = limit < MAX_INFLATED_BYTES
      ? `inflates to more than the ${limit} bytes its gzip trailer declares (a corrupt file, or several gzip members: decompress it first)`
      : `inflates to more than ${MAX_INFLATED_BYTES} bytes`;
    throw new RuntimeError(`${path}: the file ${reason}`);
  }
}
