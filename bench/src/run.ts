/**
 * `node bench/dist/run.js [--filter a,b] [--quick] [--no-pytorch]`: runs the workloads in torchts,
 * then in PyTorch with 1 and 2 threads when Debian's PyTorch is installed, prints a table and
 * writes bench/results/latest.json. Progress goes to stderr, the table to stdout.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import * as torch from 'torchts';
import { pytorchUnavailable, runPyTorch } from './pytorch.js';
import type { PyTorchRun } from './pytorch.js';
import { formatTable, jsonRecord } from './report.js';
import type { Row, TorchtsResult } from './report.js';
import { measure, timingPlan } from './timing.js';
import type { TimingPlan } from './timing.js';
import { allWorkloads, missingFunctions, prepareTorchts } from './workloads.js';
import type { WorkloadSpec } from './workloads.js';

const PYTORCH_THREADS = [1, 2];
const USAGE = `usage: node bench/dist/run.js [--filter id[,id...]] [--quick] [--no-pytorch] [--threads n]
  --filter      run the workloads whose id contains one of these substrings
  --quick       fewer, shorter repetitions; skips matmul sizes too slow for torchts
  --no-pytorch  torchts only
  --threads     torchts's CPU thread count (torch.setNumThreads; default 1)`;

interface Options {
  filters: string[];
  quick: boolean;
  pytorch: boolean;
  /** torchts's CPU thread count (torch.setNumThreads). */
  threads: number;
}

function parseArgs(argv: string[]): Options {
  const o: Options = { filters: [], quick: false, pytorch: true, threads: 1 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--quick') o.quick = true;
    else if (a === '--no-pytorch') o.pytorch = false;
    else if (a === '--threads' && argv[i + 1] !== undefined) o.threads = Number(argv[++i]);
    else if (a === '--filter' && argv[i + 1] !== undefined) o.filters.push(...argv[++i]!.split(','));
    else if (a.startsWith('--filter=')) o.filters.push(...a.slice('--filter='.length).split(','));
    else {
      console.log(USAGE);
      process.exit(a === '--help' || a === '-h' ? 0 : 2);
    }
  }
  return o;
}

/** Longest single matmul iteration torchts may need before a size is skipped. */
const maxIterSeconds = (quick: boolean): number => (quick ? 0.5 : 20);

function liveCpu(): { tensors: number; bytes: number } {
  const m = torch.memory();
  return { tensors: m.liveTensors, bytes: m.devices.cpu?.liveBytes ?? 0 };
}

function runTorchts(specs: WorkloadSpec[], plan: TimingPlan, quick: boolean): Map<string, TorchtsResult> {
  const out = new Map<string, TorchtsResult>();
  // Seconds per FLOP of the last matmul measured: predicts the cost of the next, larger size.
  let matmulSecondsPerFlop: number | undefined;
  for (const spec of specs) {
    const missing = missingFunctions(spec);
    if (missing.length) {
      out.set(spec.id, { skipped: `not available (no ${missing.map((m) => `torch.${m}`).join(', ')})` });
      continue;
    }
    if (spec.op === 'matmul' && matmulSecondsPerFlop !== undefined) {
      const predicted = matmulSecondsPerFlop * spec.work!;
      if (predicted > maxIterSeconds(quick)) {
        out.set(spec.id, { skipped: `skipped: one iteration would take ~${predicted.toFixed(1)} s${quick ? ' (--quick)' : ''}` });
        continue;
      }
    }
    process.stderr.write(`torchts  ${spec.id} ... `);
    const before = liveCpu();
    try {
      const prepared = prepareTorchts(spec);
      let timing;
      try {
        timing = measure(prepared.batch, plan, spec.fixedInner);
      } finally {
        prepared.teardown();
      }
      const after = liveCpu();
      out.set(spec.id, { ...timing, leakedTensors: after.tensors - before.tensors, leakedBytes: after.bytes - before.bytes });
      if (spec.op === 'matmul') matmulSecondsPerFlop = timing.secondsPerIter / spec.work!;
      process.stderr.write(`${(timing.secondsPerIter * 1e6).toPrecision(4)} µs/iter\n`);
    } catch (e) {
      out.set(spec.id, { skipped: `failed: ${(e as Error).message}` });
      process.stderr.write('failed\n');
    }
  }
  return out;
}

function gitCommit(): string | null {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return null;
  }
}

function main(): void {
  const opts = parseArgs(process.argv.slice(2));
  torch.setNumThreads(opts.threads);
  const plan = timingPlan(opts.quick);
  const all = allWorkloads(opts.quick);
  const specs = opts.filters.length ? all.filter((w) => opts.filters.some((f) => w.id.includes(f))) : all;
  if (!specs.length) {
    console.error(`no workload matches --filter ${opts.filters.join(',')}; ids: ${all.map((w) => w.id).join(', ')}`);
    process.exit(2);
  }

  const loadBefore = os.loadavg()[0]!;
  if (loadBefore > 0.5) {
    process.stderr.write(`note: load average ${loadBefore.toFixed(2)} on ${os.cpus().length} cores; other processes will disturb the timings\n`);
  }
  const torchtsResults = runTorchts(specs, plan, opts.quick);

  const pytorchRuns: PyTorchRun[] = [];
  const unavailable = opts.pytorch ? pytorchUnavailable() : 'disabled by --no-pytorch';
  if (unavailable) console.log(`PyTorch comparison skipped: ${unavailable}\n`);
  else {
    for (const threads of PYTORCH_THREADS) {
      process.stderr.write(`PyTorch  ${threads} thread(s) ...\n`);
      pytorchRuns.push(runPyTorch(specs, plan, threads));
    }
  }

  const rows: Row[] = specs.map((spec) => ({
    spec,
    torchts: torchtsResults.get(spec.id)!,
    pytorch: Object.fromEntries(pytorchRuns.map((r) => [String(r.threads), r.results[spec.id]!])),
  }));
  const threads = pytorchRuns.map((r) => String(r.threads));
  const cpus = os.cpus();
  const pt = pytorchRuns[0];
  const meta = {
    date: new Date().toISOString(),
    machine: `${cpus[0]?.model ?? 'unknown CPU'}, ${cpus.length} logical cores`,
    node: process.version,
    /** 1-minute load averages when the run started and ended: above ~0.3 the figures are noisy. */
    loadAverage: { start: loadBefore, end: os.loadavg()[0]! },
    commit: gitCommit(),
    quick: opts.quick,
    plan,
    torchtsThreads: torch.getNumThreads(),
    /** 'relaxed' / 'simd' (WebAssembly builds) or 'ts'; TORCHTS_CPU_KERNELS=ts measures the TS kernels. */
    cpuKernels: torch.cpuKernels(),
    pytorch: pt ? { version: pt.torchVersion, threads, blas: pt.blas, ldLibraryPath: pt.ldLibraryPath } : { skipped: unavailable },
  };

  console.log(`torchts bench — ${meta.machine}, Node ${meta.node}${opts.quick ? ', --quick' : ''}, load ${loadBefore.toFixed(2)}`);
  console.log(pt
    ? `PyTorch ${pt.torchVersion}, BLAS ${pt.blas.join(', ') || 'unknown'}; torchts runs on ${meta.torchtsThreads} thread(s), CPU kernels: ${meta.cpuKernels}\n`
    : `torchts runs on ${meta.torchtsThreads} thread(s), CPU kernels: ${meta.cpuKernels}\n`);
  console.log(formatTable(rows, threads));

  const dir = fileURLToPath(new URL('../results/', import.meta.url));
  mkdirSync(dir, { recursive: true });
  writeFileSync(`${dir}latest.json`, `${JSON.stringify(jsonRecord(rows, meta), null, 2)}\n`);
  console.log(`\nwrote ${dir}latest.json`);
}

main();
