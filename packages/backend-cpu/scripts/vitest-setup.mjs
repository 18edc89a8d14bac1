// vitest globalSetup: tests run from TS sources without a package build, so compile the
// WebAssembly kernels here when wasm/ is missing or older than assembly/.
import { buildWasm } from './build-wasm.mjs';

export default async function setup() {
  await buildWasm({ ifStale: true });
}
