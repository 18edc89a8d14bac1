/**
 * Runs bench/python/bench_torch.py with Debian's PyTorch (/usr/bin/python3), one process per
 * thread count, when it is installed; otherwise says why it was skipped.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Timing, TimingPlan } from './timing.js';
import type { WorkloadSpec } from './workloads.js';

export const PYTHON = '/usr/bin/python3';
/** The OpenMP build of OpenBLAS (apt libopenblas0-openmp); the pthread build fights PyTorch's threads. */
export const OPENBLAS_OPENMP = '/usr/lib/x86_64-linux-gnu/openblas-openmp';
const SCRIPT = fileURLToPath(new URL('../python/bench_torch.py', import.meta.url));

export type PyTorchResult = Timing | { error: string };

export interface PyTorchRun {
  threads: number;
  torchVersion: string;
  blas: string[];
  ldLibraryPath: string;
  results: Record<string, PyTorchResult>;
}

export function pytorchEnvironment(threads: number): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, OMP_NUM_THREADS: String(threads), OPENBLAS_NUM_THREADS: String(threads) };
  if (existsSync(OPENBLAS_OPENMP)) {
    env.LD_LIBRARY_PATH = [OPENBLAS_OPENMP, process.env.LD_LIBRARY_PATH].filter(Boolean).join(':');
  }
  return env;
}

/** null when PyTorch can be run, else the reason it cannot. */
export function pytorchUnavailable(): string | null {
  if (!existsSync(PYTHON)) return `${PYTHON} not found`;
  const probe = spawnSync(PYTHON, ['-c', 'import torch; print(torch.__version__)'], { encoding: 'utf8', env: pytorchEnvironment(1) });
  if (probe.status !== 0) return `${PYTHON} cannot import torch (apt-get install python3-torch)`;
  return null;
}

export function runPyTorch(workloads: WorkloadSpec[], plan: TimingPlan, threads: number): PyTorchRun {
  const proc = spawnSync(PYTHON, [SCRIPT], {
    input: JSON.stringify({ plan, workloads, threads }),
    encoding: 'utf8',
    env: pytorchEnvironment(threads),
    maxBuffer: 16 << 20,
  });
  if (proc.status !== 0) {
    throw new Error(`bench_torch.py failed (exit ${proc.status}): ${proc.stderr || proc.error?.message}`);
  }
  return JSON.parse(proc.stdout) as PyTorchRun;
}
