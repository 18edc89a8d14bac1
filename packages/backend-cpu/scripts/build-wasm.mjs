// Compiles assembly/ into the two WebAssembly builds the CPU device chooses from at run time:
//   wasm/simd.wasm          128-bit SIMD (every engine with SIMD)
//   wasm/simd-relaxed.wasm  + relaxed SIMD (fused multiply-add)
// Both import the CPU heap's shared memory (env.memory) and must not carry data segments: an
// active segment would be written over live tensors when the module is instantiated.
// Usage: node scripts/build-wasm.mjs [--if-stale]  (--if-stale: skip when outputs are newer than sources)
import asc from 'assemblyscript/asc';
import { mkdirSync, readdirSync, readFileSync, renameSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const srcDir = join(root, 'assembly');
const outDir = join(root, 'wasm');
const builds = [
  { file: 'simd.wasm', features: 'simd,threads' },
  { file: 'simd-relaxed.wasm', features: 'simd,threads,relaxed-simd' },
];

function newestSource() {
  let t = statSync(fileURLToPath(import.meta.url)).mtimeMs;
  for (const f of readdirSync(srcDir)) t = Math.max(t, statSync(join(srcDir, f)).mtimeMs);
  return t;
}

function isFresh() {
  const src = newestSource();
  return builds.every(({ file }) => {
    try {
      return statSync(join(outDir, file)).mtimeMs >= src;
    } catch {
      return false;
    }
  });
}

/** Section ids of a wasm binary (11 = data). */
function sectionIds(bytes) {
  const ids = [];
  let i = 8;
  while (i < bytes.length) {
    const id = bytes[i++];
    let size = 0, shift = 0, b;
    do {
      b = bytes[i++];
      size |= (b & 0x7f) << shift;
      shift += 7;
    } while (b & 0x80);
    ids.push(id);
    i += size;
  }
  return ids;
}

export async function buildWasm({ ifStale = false } = {}) {
  if (ifStale && isFresh()) return false;
  mkdirSync(outDir, { recursive: true });
  for (const { file, features } of builds) {
    // Written aside and renamed, so a test run reading wasm/ never sees half a file.
    const out = join(outDir, `${file}.${process.pid}.tmp`);
    const { error, stderr } = await asc.main([
      join(srcDir, 'index.ts'), '-o', out,
      '--enable', features, '--importMemory', '--sharedMemory', '--maximumMemory', '65536', '--noExportMemory',
      '--runtime', 'stub', '-O3', '--noAssert', '--use', 'abort=',
    ]);
    if (error) throw new Error(`asc failed for ${file}: ${error.message}\n${stderr.toString()}`);
    if (sectionIds(readFileSync(out)).includes(11)) {
      throw new Error(`${file} has a data segment: kernels must not use static data (it would overwrite the heap)`);
    }
    renameSync(out, join(outDir, file));
  }
  return true;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await buildWasm({ ifStale: process.argv.includes('--if-stale') });
}
