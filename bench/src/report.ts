/** The results table (stdout) and the JSON record (bench/results/latest.json). */
import type { PyTorchResult } from './pytorch.js';
import type { Timing } from './timing.js';
import { higherIsBetter, toUnit } from './workloads.js';
import type { WorkloadSpec } from './workloads.js';

export type TorchtsResult = (Timing & { leakedBytes: number; leakedTensors: number }) | { skipped: string };

export interface Row {
  spec: WorkloadSpec;
  torchts: TorchtsResult;
  /** Keyed by PyTorch thread count. */
  pytorch: Record<string, PyTorchResult>;
}

function timingOf(r: TorchtsResult | PyTorchResult | undefined): Timing | undefined {
  return r && 'secondsPerIter' in r ? r : undefined;
}

function fmt(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  return a >= 100 ? v.toFixed(0) : a >= 10 ? v.toFixed(1) : a >= 1 ? v.toFixed(2) : v.toPrecision(3);
}

function cell(spec: WorkloadSpec, r: TorchtsResult | PyTorchResult | undefined): string {
  const t = timingOf(r);
  if (t) return fmt(toUnit(spec, t.secondsPerIter));
  if (!r) return '-';
  return 'skipped' in r ? 'n/a' : 'error';
}

/** PyTorch time / torchts time: above 1, torchts is faster (for times and throughputs alike). */
export function speedRatio(row: Row, threads: string): number | undefined {
  const ours = timingOf(row.torchts);
  const theirs = timingOf(row.pytorch[threads]);
  return ours && theirs ? theirs.secondsPerIter / ours.secondsPerIter : undefined;
}

function table(header: string[], body: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((r) => r[i]!.length)));
  const line = (cells: string[]): string => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)].join('\n');
}

export function formatTable(rows: Row[], threads: string[]): string {
  const header = ['workload', 'unit', 'torchts', ...threads.map((t) => `PyTorch ${t} thr`), ...threads.map((t) => `speed vs ${t} thr`)];
  const body = rows.map((row) => [
    row.spec.label,
    `${row.spec.unit.replace('us/', 'µs/')} ${higherIsBetter(row.spec.unit) ? '(higher=better)' : '(lower=better)'}`,
    cell(row.spec, row.torchts),
    ...threads.map((t) => cell(row.spec, row.pytorch[t])),
    ...threads.map((t) => {
      const r = speedRatio(row, t);
      return r === undefined ? '-' : `${fmt(r)}x`;
    }),
  ]);
  const notes: string[] = [];
  for (const row of rows) {
    if ('skipped' in row.torchts) notes.push(`${row.spec.id}: torchts ${row.torchts.skipped}`);
    else if (row.torchts.leakedBytes !== 0 || row.torchts.leakedTensors !== 0) {
      notes.push(`${row.spec.id}: torchts memory not flat (${row.torchts.leakedTensors} tensors, ${row.torchts.leakedBytes} bytes left)`);
    }
    for (const [t, r] of Object.entries(row.pytorch)) if ('error' in r) notes.push(`${row.spec.id}: PyTorch ${t} thr ${r.error}`);
  }
  const legend = threads.length
    ? '\nspeed vs N thr = PyTorch time / torchts time: above 1x torchts is faster, below 1x PyTorch is faster.'
    : '';
  return table(header, body) + legend + (notes.length ? `\n\nnotes:\n  ${notes.join('\n  ')}` : '');
}

export function jsonRecord(rows: Row[], meta: Record<string, unknown>): unknown {
  return {
    ...meta,
    ratioDefinition: 'PyTorch seconds per iteration / torchts seconds per iteration (> 1: torchts faster)',
    results: rows.map((row) => ({
      id: row.spec.id,
      label: row.spec.label,
      unit: row.spec.unit,
      better: higherIsBetter(row.spec.unit) ? 'higher' : 'lower',
      torchts: { value: timingOf(row.torchts) ? toUnit(row.spec, timingOf(row.torchts)!.secondsPerIter) : null, ...row.torchts },
      pytorch: Object.fromEntries(Object.entries(row.pytorch).map(([t, r]) => [
        t,
        { value: timingOf(r) ? toUnit(row.spec, timingOf(r)!.secondsPerIter) : null, ratio: speedRatio(row, t) ?? null, ...r },
      ])),
      spec: row.spec,
    })),
  };
}
