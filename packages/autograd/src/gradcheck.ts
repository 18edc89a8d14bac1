/**
 * `torch.autograd.gradcheck` / `gradgradcheck`: compares analytical gradients (backward) with
 * central finite differences, in float64, with PyTorch's defaults and error report.
 */
import { RuntimeError, Tensor, untracked } from '@torchts/core';
import { grad } from './engine.js';
import { enableGrad, noGrad } from './grad-mode.js';

export interface GradcheckOptions {
  eps?: number;
  atol?: number;
  rtol?: number;
  /** Throw on mismatch (default) instead of returning false. */
  raiseException?: boolean;
}

type Fn = (...inputs: Tensor[]) => Tensor | Tensor[];

function outputsOf(fn: Fn, inputs: Tensor[]): Tensor[] {
  const r = fn(...inputs);
  return Array.isArray(r) ? r : [r];
}

function differentiable(inputs: Tensor[]): number[] {
  return inputs.map((t, i) => (t.requiresGrad ? i : -1)).filter((i) => i >= 0);
}

/** numerical[j][o] = d out_o / d in_j as a [numel(in_j), numel(out_o)] array of rows. */
function numericalJacobian(fn: Fn, inputs: Tensor[], eps: number): number[][][][] {
  return noGrad(() =>
    differentiable(inputs).map((j) => {
      const x = inputs[j]!;
      const flat = x.contiguous();
      const n = x.numel();
      const rows: number[][][] = [];
      for (let k = 0; k < n; k++) {
        const probe = (delta: number): number[][] => {
          const pert = flat.clone();
          const v = pert.view(-1);
          v.select(0, k).add_(delta);
          const args = inputs.map((t, i) => (i === j ? pert.view([...x.shape]) : t));
          return outputsOf(fn, args).map((o) => (o.reshape(-1).tolist() as number[]).map(Number));
        };
        const plus = probe(eps);
        const minus = probe(-eps);
        rows.push(plus.map((p, o) => p.map((pv, m) => (pv - minus[o]![m]!) / (2 * eps))));
      }
      return rows;
    }),
  );
}

function analyticalJacobian(fn: Fn, inputs: Tensor[], createGraphFree = true): number[][][][] {
  void createGraphFree;
  const idx = differentiable(inputs);
  const outs = outputsOf(fn, inputs);
  // jac[j][k][o][m]: d out_o[m] / d in_j[k]
  const jac: number[][][][] = idx.map((j) => Array.from({ length: inputs[j]!.numel() }, () => outs.map((o) => new Array<number>(o.numel()).fill(0))));
  outs.forEach((o, oi) => {
    if (!o.requiresGrad) return;
    for (let m = 0; m < o.numel(); m++) {
      const seed = untracked(() => noGrad(() => o.detach().reshape(-1).mul(0)));
      noGrad(() => seed.select(0, m).fill_(1));
      const gs = grad([o], idx.map((j) => inputs[j]!), [seed.view([...o.shape])], { retainGraph: true, allowUnused: true });
      gs.forEach((g, jj) => {
        if (!g) return;
        const vals = (g.reshape(-1).tolist() as number[]).map(Number);
        vals.forEach((v, k) => (jac[jj]![k]![oi]![m] = v));
      });
    }
  });
  return jac;
}

function fmt(rows: number[][]): string {
  return `[${rows.map((r) => `[${r.map((v) => v.toFixed(4)).join(', ')}]`).join(',\n ')}]`;
}

export function gradcheck(fn: Fn, inputs: Tensor | Tensor[], opts: GradcheckOptions = {}): boolean {
  const ins = Array.isArray(inputs) ? inputs : [inputs];
  const { eps = 1e-6, atol = 1e-5, rtol = 1e-3, raiseException = true } = opts;
  for (const t of ins) {
    if (t.requiresGrad && t.dtype !== 'float64') {
      console.warn(`gradcheck: input of dtype ${t.dtype} is not float64; the check may fail for precision reasons`);
    }
  }
  const num = numericalJacobian(fn, ins, eps);
  const ana = analyticalJacobian(fn, ins);
  for (let j = 0; j < num.length; j++) {
    const nOut = num[j]![0]?.length ?? 0;
    for (let o = 0; o < nOut; o++) {
      const nRows = num[j]!.map((r) => r[o]!);
      const aRows = ana[j]!.map((r) => r[o]!);
      const bad = nRows.some((r, k) =>
        r.some((v, m) => {
          const a = aRows[k]![m]!;
          if (Number.isNaN(v) && Number.isNaN(a)) return false;
          return Number.isNaN(v) || Number.isNaN(a) || Math.abs(v - a) > atol + rtol * Math.abs(v);
        }),
      );
      if (bad) {
        const msg = `Jacobian mismatch for output ${o} with respect to input ${differentiable(ins)[j]},\nnumerical:${fmt(nRows)}\nanalytical:${fmt(aRows)}\n`;
        if (raiseException) throw new RuntimeError(msg);
        return false;
      }
    }
  }
  return true;
}

/** Checks second derivatives: gradcheck of (inputs, gradOutputs) -> grad(fn(inputs), inputs, gradOutputs). */
export function gradgradcheck(fn: Fn, inputs: Tensor | Tensor[], gradOutputs?: Tensor | Tensor[], opts: GradcheckOptions = {}): boolean {
  const ins = Array.isArray(inputs) ? inputs : [inputs];
  const idx = differentiable(ins);
  const outs = outputsOf(fn, ins);
  const gOuts = gradOutputs
    ? (Array.isArray(gradOutputs) ? gradOutputs : [gradOutputs])
    : outs.map((o) => noGrad(() => o.detach().mul(0).add(1).mul(o.detach().add(0.37).sin())).requiresGrad_(true));
  // The first derivative as a function; finite differences call it on perturbed copies, which
  // must be made differentiable again.
  const wrapped: Fn = (...all: Tensor[]) =>
    enableGrad(() => {
      const xs = all.slice(0, ins.length).map((x, i) => (idx.includes(i) && !x.requiresGrad ? x.detach().requiresGrad_(true) : x));
      const gs = all.slice(ins.length);
      const os = outputsOf(fn, xs);
      const r = grad(os, idx.map((i) => xs[i]!), gs, { createGraph: true, allowUnused: true });
      return r.filter((t): t is Tensor => t !== null);
    });
  return gradcheck(wrapped, [...ins, ...gOuts], { atol: 1e-5, rtol: 1e-3, ...opts });
}
