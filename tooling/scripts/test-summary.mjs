#!/usr/bin/env node
// `pnpm test`: build and test every workspace package, then print one summary line.
//
//   1. delete stale `.vitest-report.json` files in every workspace package;
//   2. run `turbo run build test --continue=dependencies-successful [extra args]`
//      (each package's `test` script is `vitest run --reporter=default
//      --reporter=json --outputFile.json=.vitest-report.json`; turbo restores the
//      report from its cache on a cache hit);
//   3. sum the JSON reports and print, as the very last line of output,
//        `N passed, N failed` or `N passed, N failed, N skipped`.
//
// Exit code: 0 only if turbo succeeded, every report says success and nothing failed.
// Extra arguments are passed to turbo, e.g. `pnpm test --filter=@torchts/core` or
// `pnpm test --force`.

import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPORT = '.vitest-report.json';
const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Workspace package directories, from the `packages:` list of pnpm-workspace.yaml. */
function workspaceDirs() {
  const yaml = readFileSync(join(root, 'pnpm-workspace.yaml'), 'utf8');
  const patterns = [];
  let inPackages = false;
  for (const line of yaml.split(/\r?\n/)) {
    if (/^packages\s*:/.test(line)) {
      inPackages = true;
      continue;
    }
    if (inPackages) {
      const m = /^\s+-\s*['"]?([^'"#]+?)['"]?\s*(#.*)?$/.exec(line);
      if (m) patterns.push(m[1]);
      else if (/^\S/.test(line)) inPackages = false;
    }
  }
  const dirs = [];
  for (const pattern of patterns) {
    if (pattern.startsWith('!')) continue;
    if (pattern.endsWith('/*') || pattern.endsWith('/**')) {
      const base = join(root, pattern.replace(/\/\*\*?$/, ''));
      if (!existsSync(base)) continue;
      for (const entry of readdirSync(base)) {
        const dir = join(base, entry);
        if (statSync(dir).isDirectory() && existsSync(join(dir, 'package.json'))) dirs.push(dir);
      }
    } else {
      const dir = join(root, pattern);
      if (existsSync(join(dir, 'package.json'))) dirs.push(dir);
    }
  }
  return dirs;
}

function hasTestScript(dir) {
  try {
    return Boolean(JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).scripts?.test);
  } catch {
    return false;
  }
}

const dirs = workspaceDirs();
for (const dir of dirs) rmSync(join(dir, REPORT), { force: true });

const localTurbo = join(root, 'node_modules', '.bin', process.platform === 'win32' ? 'turbo.cmd' : 'turbo');
const turbo = existsSync(localTurbo) ? localTurbo : 'turbo';
const extra = process.argv.slice(2);
if (extra[0] === '--') extra.shift(); // `pnpm test -- --filter=x`
const args = ['run', 'build', 'test', '--continue=dependencies-successful', ...extra];
const run = spawnSync(turbo, args, { cwd: root, stdio: 'inherit', shell: process.platform === 'win32' });
const turboStatus = run.error ? 1 : (run.status ?? 1);

let passed = 0;
let failed = 0;
let skipped = 0;
let allSuccess = true;
const notes = [];
if (run.error) notes.push(`could not run turbo: ${run.error.message}`);
else if (run.signal) notes.push(`turbo was killed by ${run.signal}`);

for (const dir of dirs) {
  const file = join(dir, REPORT);
  const name = relative(root, dir);
  if (!existsSync(file)) {
    // (with extra turbo arguments such as --filter, missing reports are expected)
    if (extra.length === 0 && hasTestScript(dir)) notes.push(`${name}: no ${REPORT} (tests did not run or crashed)`);
    continue;
  }
  let report;
  try {
    report = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    notes.push(`${name}: unreadable ${REPORT}: ${err.message}`);
    allSuccess = false;
    continue;
  }
  passed += report.numPassedTests ?? 0;
  failed += report.numFailedTests ?? 0;
  skipped += (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
  // A test file that fails to load (syntax error, throwing import, failing
  // beforeAll) has no failed test inside it: count the file as one failure.
  for (const suite of report.testResults ?? []) {
    const failedInside = (suite.assertionResults ?? []).some((a) => a.status === 'failed');
    if (suite.status === 'failed' && !failedInside) {
      failed += 1;
      notes.push(`${name}: ${relative(dir, suite.name ?? '?')} failed outside any test${suite.message ? `: ${String(suite.message).split('\n')[0]}` : ''}`);
    }
  }
  if (report.success === false) allSuccess = false;
}

if (turboStatus !== 0) notes.push(`turbo run build test failed (exit ${turboStatus}); see the output above`);
for (const note of notes) console.log(`test-summary: ${note}`);
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(turboStatus !== 0 || failed > 0 || !allSuccess ? 1 : 0);
