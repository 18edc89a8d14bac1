/** Every fixture family under test/fixtures, one vitest test per case. */
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'vitest';
import * as torch from '../src/index.js';
import { runCase } from './harness.js';
import type { Case } from './harness.js';

const dir = join(dirname(fileURLToPath(import.meta.url)), 'fixtures');
for (const file of readdirSync(dir).filter((f) => f.endsWith('.json')).sort()) {
  const { family, cases } = JSON.parse(readFileSync(join(dir, file), 'utf8')) as { family: string; cases: Case[] };
  describe(family, () => {
    for (const c of cases) it(c.label, () => torch.tidy(() => runCase(c)));
  });
}
