/**
 * File IO shared by every format torchts reads and writes (.npy, checkpoints): Node's fs loaded
 * on demand (so browser bundles still work without it), and atomic writes.
 */
type Fs = typeof import('node:fs/promises');

/** node:fs/promises, or an error naming the operation and the in-memory alternative. */
export async function nodeFs(op: string, alternative = 'the byte-level functions'): Promise<Fs> {
  const spec = 'node:fs/promises';
  try {
    return (await import(/* @vite-ignore */ spec)) as Fs;
  } catch {
    throw new Error(`${op}() needs node:fs (Node.js); elsewhere use ${alternative}`);
  }
}

/**
 * Writes bytes to `path` atomically: a temporary file in the same directory, flushed to disk
 * (fsync), then renamed over `path`. A crash mid-write never leaves a partial file at `path`,
 * and the previous file survives until the rename.
 */
export async function writeFileAtomic(path: string, bytes: Uint8Array, op = 'writeFileAtomic'): Promise<void> {
  const fs = await nodeFs(op);
  const pid = (globalThis as { process?: { pid?: number } }).process?.pid ?? 0;
  const tmp = `${path}.${pid}.${Math.random().toString(36).slice(2)}.tmp`;
  try {
    const fh = await fs.open(tmp, 'wx');
    try {
      await fh.writeFile(bytes);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await fs.rename(tmp, path);
  } catch (e) {
    await fs.rm(tmp, { force: true });
    throw e;
  }
}
