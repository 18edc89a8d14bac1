// Worker threads load the package's dist build (plain Node cannot load the TS sources), so the
// worker tests need dist up to date: `tsc -b` (fast when nothing changed; also builds @torchts/core).
// @torchts/backend-cpu's dist, which the fixture datasets import in the workers, is built if missing.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

export default function setup(): void {
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  const pkg = fileURLToPath(new URL('..', import.meta.url));
  const cpu = fileURLToPath(new URL('../../backend-cpu', import.meta.url));
  const projects = existsSync(`${cpu}/dist/index.js`) ? [pkg] : [pkg, cpu];
  try {
    execFileSync(process.execPath, [tsc, '-b', ...projects], { stdio: 'inherit' });
  } catch (e) {
    // A type error elsewhere in the workspace (e.g. work in progress in core) need not stop the
    // tests when a build exists; the worker tests then run against it.
    if (!existsSync(`${pkg}/dist/worker.js`)) throw e;
    console.warn('global-setup: tsc -b failed; running the worker tests against the existing dist');
  }
}
