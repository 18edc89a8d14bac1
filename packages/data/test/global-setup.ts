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
  execFileSync(process.execPath, [tsc, '-b', ...projects], { stdio: 'inherit' });
}
