/**
 * L-BFGS (PyTorch 1.13's algorithm, from minFunc): one parameter group, a closure re-evaluating
 * the loss, an optional strong-Wolfe line search. Scalars PyTorch keeps as 0-d tensors (t, ys,
 * ro, al, H_diag) are JS numbers here: identical in float64, within float32 rounding otherwise.
 */
import { RuntimeError, Tensor, ValueError, cat, keep, tidy, zeros } from '@torchts/core';
import { enableGrad, noGrad } from '@torchts/autograd';
import { Optimizer, type Closure, type ParamState, type Params } from './optimizer.js';
import { strongWolfe } from './line-search.js';

export interface LBFGSOptions {
  lr?: number;
  maxIter?: number;
  maxEval?: number | null;
  toleranceGrad?: number;
  toleranceChange?: number;
  historySize?: number;
  lineSearchFn?: 'strong_wolfe' | null;
}

const num = (v: Tensor | number): number => (v instanceof Tensor ? v.item() : v);

export class LBFGS extends Optimizer<Required<LBFGSOptions>> {
  private readonly params: Tensor[];

  constructor(params: Params, options: LBFGSOptions = {}) {
    const maxIter = options.maxIter ?? 20;
    const o = {
      lr: 1,
      maxIter,
      maxEval: options.maxEval ?? Math.floor((maxIter * 5) / 4),
      toleranceGrad: 1e-7,
      toleranceChange: 1e-9,
      historySize: 100,
      lineSearchFn: null,
      ...options,
    };
    if (o.maxEval === null) o.maxEval = Math.floor((maxIter * 5) / 4);
    super(params, o as Required<LBFGSOptions>);
    if (this.paramGroups.length !== 1) throw new ValueError("LBFGS doesn't support per-parameter options (parameter groups)");
    this.params = this.paramGroups[0]!.params;
  }

  protected update(): void {
    throw new RuntimeError('LBFGS.step() requires a closure that reevaluates the model and returns the loss');
  }

  private gatherFlatGrad(): Tensor {
    return cat(this.params.map((p) => (p.grad ? p.grad.reshape(-1) : zeros(p.numel(), { dtype: p.dtype }))), 0);
  }

  private addGrad(stepSize: number, update: Tensor): void {
    let offset = 0;
    for (const p of this.params) {
      const n = p.numel();
      p.add_(update.narrow(0, offset, n).view([...p.shape]), { alpha: stepSize });
      offset += n;
    }
  }

  private directionalEvaluate(closure: Closure, x: Tensor[], t: number, d: Tensor): [number, Tensor] {
    this.addGrad(t, d);
    const loss = num(enableGrad(closure));
    const flatGrad = this.gatherFlatGrad();
    this.params.forEach((p, i) => p.copy_(x[i]!));
    return [loss, flatGrad];
  }

  /** One L-BFGS step (up to maxIter iterations); returns the closure's first loss. */
  override step(closure?: Closure): Tensor | number {
    if (!closure) throw new RuntimeError('LBFGS.step() requires a closure that reevaluates the model and returns the loss');
    const fn = closure;
    return noGrad(() => tidy(() => this.run(fn)));
  }

  private run(closure: Closure): Tensor | number {
    const group = this.paramGroups[0]!;
    const { lr, maxIter, maxEval, toleranceGrad, toleranceChange, lineSearchFn, historySize } = group as unknown as Required<LBFGSOptions>;
    const p0 = this.params[0]!;
    const state: ParamState = this.state.get(p0) ?? {};
    this.state.set(p0, state);
    const before = collectTensors(state);
    state.func_evals = (state.func_evals as number | undefined) ?? 0;
    state.n_iter = (state.n_iter as number | undefined) ?? 0;

    const origLoss = enableGrad(closure);
    let loss = num(origLoss);
    let currentEvals = 1;
    (state.func_evals as number)++;
    let flatGrad = this.gatherFlatGrad();
    let optCond = flatGrad.abs().max().item() <= toleranceGrad;
    if (optCond) return origLoss;

    let d = (state.d as Tensor | undefined) ?? null;
    let t = (state.t as number | undefined) ?? 0;
    let oldDirs = (state.old_dirs as Tensor[] | undefined) ?? [];
    let oldStps = (state.old_stps as Tensor[] | undefined) ?? [];
    let ro = (state.ro as number[] | undefined) ?? [];
    let hDiag = (state.H_diag as number | undefined) ?? 1;
    let prevFlatGrad = (state.prev_flat_grad as Tensor | undefined) ?? null;
    let prevLoss = (state.prev_loss as number | undefined) ?? 0;

    let nIter = 0;
    while (nIter < maxIter) {
      nIter++;
      state.n_iter = (state.n_iter as number) + 1;
      if (state.n_iter === 1) {
        d = flatGrad.neg();
        oldDirs = [];
        oldStps = [];
        ro = [];
        hDiag = 1;
      } else {
        const y = flatGrad.sub(prevFlatGrad!);
        const s = d!.mul(t);
        const ys = y.dot(s).item();
        if (ys > 1e-10) {
          if (oldDirs.length === historySize) {
            oldDirs.shift();
            oldStps.shift();
            ro.shift();
          }
          oldDirs.push(y);
          oldStps.push(s);
          ro.push(1 / ys);
          hDiag = ys / y.dot(y).item();
        }
        const numOld = oldDirs.length;
        const al = (state.al as Array<number | null> | undefined) ?? new Array<number | null>(historySize).fill(null);
        state.al = al;
        const q = flatGrad.neg();
        for (let i = numOld - 1; i >= 0; i--) {
          al[i] = oldStps[i]!.dot(q).item() * ro[i]!;
          q.add_(oldDirs[i]!, { alpha: -al[i]! });
        }
        const r = q.mul(hDiag);
        d = r;
        for (let i = 0; i < numOld; i++) {
          const be = oldDirs[i]!.dot(r).item() * ro[i]!;
          r.add_(oldStps[i]!, { alpha: al[i]! - be });
        }
      }
      if (prevFlatGrad === null) prevFlatGrad = flatGrad.clone();
      else prevFlatGrad.copy_(flatGrad);
      prevLoss = loss;

      t = state.n_iter === 1 ? Math.min(1, 1 / flatGrad.abs().sum().item()) * lr : lr;
      const gtd = flatGrad.dot(d!).item();
      if (gtd > -toleranceChange) break;

      let lsFuncEvals = 0;
      if (lineSearchFn !== null && lineSearchFn !== undefined) {
        if (lineSearchFn !== 'strong_wolfe') throw new RuntimeError("only 'strong_wolfe' is supported");
        const xInit = this.params.map((p) => p.clone());
        const dir = d!;
        const res = strongWolfe((x, tt, dd) => this.directionalEvaluate(closure, x, tt, dd), xInit, t, dir, loss, flatGrad, gtd);
        [loss, flatGrad, t, lsFuncEvals] = res;
        this.addGrad(t, dir);
        optCond = flatGrad.abs().max().item() <= toleranceGrad;
      } else {
        this.addGrad(t, d!);
        if (nIter !== maxIter) {
          loss = num(enableGrad(closure));
          flatGrad = this.gatherFlatGrad();
          optCond = flatGrad.abs().max().item() <= toleranceGrad;
          lsFuncEvals = 1;
        }
      }
      currentEvals += lsFuncEvals;
      state.func_evals = (state.func_evals as number) + lsFuncEvals;

      if (nIter === maxIter) break;
      if (currentEvals >= maxEval!) break;
      if (optCond) break;
      if (d!.mul(t).abs().max().item() <= toleranceChange) break;
      if (Math.abs(loss - prevLoss) < toleranceChange) break;
    }

    Object.assign(state, { d, t, old_dirs: oldDirs, old_stps: oldStps, ro, H_diag: hDiag, prev_flat_grad: prevFlatGrad, prev_loss: prevLoss });
    // What the state now holds outlives this step's tidy; what it dropped is freed.
    const after = collectTensors(state);
    for (const x of after) keep(x);
    for (const x of before) if (!after.has(x)) x.dispose();
    return origLoss;
  }
}

function collectTensors(state: ParamState): Set<Tensor> {
  const out = new Set<Tensor>();
  for (const v of Object.values(state)) {
    if (v instanceof Tensor) out.add(v);
    else if (Array.isArray(v)) for (const x of v) if (x instanceof Tensor) out.add(x);
  }
  return out;
}
