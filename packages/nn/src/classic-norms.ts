/**
 * nn.utils weight reparametrisations, as PyTorch's legacy hook-based ones:
 * - weightNorm (torch.nn.utils.weight_norm): `weight` becomes `weight_g * weight_v / ||weight_v||`
 *   with parameters `weight_g` (magnitude) and `weight_v` (direction), recomputed before each forward.
 * - spectralNorm (torch.nn.utils.spectral_norm): `weight` becomes `weight_orig / sigma`, sigma the
 *   largest singular value estimated by power iteration (buffers `weight_u`, `weight_v`, updated in
 *   place on every forward in training mode).
 * In both cases `module[name]` is a plain tensor (not a Parameter) replaced at every forward; the
 * previous one is disposed, so read it again after each call instead of holding on to it.
 */
import * as core from '@torchts/core';
import { RuntimeError, Tensor, ValueError, keep } from '@torchts/core';
import { noGrad } from '@torchts/autograd';
import type { Module } from './module.js';
import { Parameter, isParameter } from './parameter.js';
import type { RemovableHandle } from './hooks.js';
import { withTemps } from './functional/temps.js';

type Fields = Record<string, unknown>;
const fields = (m: Module): Fields => m as unknown as Fields;

interface Registration {
  handle: RemovableHandle;
  compute: (m: Module, training: boolean) => Tensor;
}
const weightNorms = new WeakMap<Module, Map<string, Registration>>();
const spectralNorms = new WeakMap<Module, Map<string, Registration>>();

function registry(store: WeakMap<Module, Map<string, Registration>>, m: Module): Map<string, Registration> {
  let r = store.get(m);
  if (!r) store.set(m, (r = new Map()));
  return r;
}

/** Replaces the plain (computed) tensor `module[name]`, disposing the previous one. */
function setComputed(m: Module, name: string, value: Tensor): void {
  const old = fields(m)[name];
  fields(m)[name] = keep(value);
  if (old instanceof Tensor && old !== value && !isParameter(old)) old.dispose();
}

function parameterOf(m: Module, name: string): Tensor {
  const p = fields(m)[name];
  if (!isParameter(p)) throw new RuntimeError(`Module '${m.constructor.name}' has no parameter or buffer with name '${name}'`);
  return p;
}

// ---- weight norm ---------------------------------------------------------------------------

/** ATen's norm_except_dim(v, 2, dim): the 2-norm over every dim but `dim` (keepdim), or of the whole tensor when dim = -1. */
export function normExceptDim(v: Tensor, dim: number): Tensor {
  if (dim === -1) return v.norm();
  const d = dim < 0 ? dim + v.ndim : dim;
  if (d < 0 || d >= v.ndim) throw new core.IndexError(`Dimension out of range (expected to be in range of [${-v.ndim}, ${v.ndim - 1}], but got ${dim})`);
  const others = Array.from({ length: v.ndim }, (_, i) => i).filter((i) => i !== d);
  if (others.length === 0) return v.abs();
  return v.norm(2, others, true);
}

/** torch._weight_norm: v * (g / norm_except_dim(v, 2, dim)). */
export function weightNormCompute(v: Tensor, g: Tensor, dim: number): Tensor {
  return withTemps((t) => v.mul(t(g.div(t(normExceptDim(v, dim))))));
}

/**
 * `weightNorm(module, name = 'weight', dim = 0)`: splits parameter `name` into `name_g` and `name_v`
 * and recomputes `module[name]` before every forward. `dim = null` (or -1) normalises the whole tensor.
 */
export function weightNorm<M extends Module>(module: M, name = 'weight', dim: number | null = 0): M {
  const reg = registry(weightNorms, module);
  if (reg.has(name)) throw new RuntimeError(`Cannot register two weight_norm hooks on the same parameter ${name}`);
  const d = dim === null ? -1 : dim;
  const weight = parameterOf(module, name);
  const g = noGrad(() => normExceptDim(weight, d));
  const v = noGrad(() => weight.detach());
  delete fields(module)[name];
  module.registerParameter(`${name}_g`, Parameter(g));
  module.registerParameter(`${name}_v`, Parameter(v));
  const compute = (m: Module): Tensor => weightNormCompute(fields(m)[`${name}_v`] as Tensor, fields(m)[`${name}_g`] as Tensor, d);
  setComputed(module, name, compute(module));
  const handle = module.registerForwardPreHook((m) => {
    setComputed(m, name, compute(m));
  });
  reg.set(name, { handle, compute });
  return module;
}

/** Undoes weightNorm: `module[name]` becomes a Parameter again (with the current g * v / ||v||). */
export function removeWeightNorm<M extends Module>(module: M, name = 'weight'): M {
  const reg = weightNorms.get(module)?.get(name);
  if (!reg) throw new ValueError(`weight_norm of '${name}' not found in ${module.constructor.name}`);
  const w = noGrad(() => reg.compute(module, false));
  reg.handle.remove();
  weightNorms.get(module)!.delete(name);
  const old = fields(module)[name];
  delete fields(module)[name];
  if (old instanceof Tensor) old.dispose();
  const f = fields(module);
  for (const k of [`${name}_g`, `${name}_v`]) {
    (f[k] as Tensor).dispose();
    delete f[k];
  }
  module.registerParameter(name, Parameter(w));
  return module;
}

// ---- spectral norm -------------------------------------------------------------------------

/** `weight` with `dim` moved first, flattened to (size(dim), -1). */
export function weightToMatrix(weight: Tensor, dim: number): Tensor {
  return withTemps((t) => {
    let w = weight;
    if (dim !== 0) w = t(w.permute([dim, ...Array.from({ length: w.ndim }, (_, i) => i).filter((i) => i !== dim)]));
    return w.reshape([w.shape[0]!, -1]);
  });
}

/** F.normalize(x, dim=0, eps): x / max(||x||, eps). */
function normalizeVec(x: Tensor, eps: number): Tensor {
  return withTemps((t) => x.div(t(t(x.norm()).clampMin(eps))));
}

export interface SpectralNormOptions {
  nPowerIterations?: number;
  eps?: number;
  dim?: number | null;
}

/** spectral_norm's arguments, positional or as options; `dim` defaults to 1 for transposed convolutions, else 0. */
export function spectralNormArgs(
  module: Module, nPowerIterations: number | SpectralNormOptions, eps: number, dim: number | null,
): { nPowerIterations: number; eps: number; dim: number } {
  const o: SpectralNormOptions = typeof nPowerIterations === 'object' ? nPowerIterations : { nPowerIterations, eps, dim };
  const d = o.dim ?? ((module as unknown as { transposed?: boolean }).transposed === true ? 1 : 0);
  return { nPowerIterations: o.nPowerIterations ?? 1, eps: o.eps ?? 1e-12, dim: d };
}

/**
 * `spectralNorm(module, name = 'weight', nPowerIterations = 1, eps = 1e-12, dim = null)`: parameter
 * `name` becomes `name_orig`; buffers `name_u`, `name_v` hold the power-iteration vectors. `dim`
 * defaults to 1 for transposed convolutions and 0 otherwise.
 */
export function spectralNorm<M extends Module>(
  module: M, name = 'weight', nPowerIterations: number | SpectralNormOptions = 1, eps = 1e-12, dim: number | null = null,
): M {
  if (typeof nPowerIterations === 'object') {
    const o = spectralNormArgs(module, nPowerIterations, eps, dim);
    return spectralNorm(module, name, o.nPowerIterations, o.eps, o.dim);
  }
  const reg = registry(spectralNorms, module);
  if (reg.has(name)) throw new RuntimeError(`Cannot register two spectral_norm hooks on the same parameter ${name}`);
  if (nPowerIterations <= 0) throw new ValueError(`Expected n_power_iterations to be positive, but got n_power_iterations=${nPowerIterations}`);
  const weight = parameterOf(module, name);
  let d = dim ?? ((module as unknown as { transposed?: boolean }).transposed === true ? 1 : 0);
  if (d < 0) d += weight.ndim;
  const [u, v] = noGrad(() => withTemps((t) => {
    const mat = t(weightToMatrix(weight, d));
    const [h, w] = mat.shape as [number, number];
    const u0 = t(core.empty([h], { dtype: weight.dtype, device: weight.device }).normal_(0, 1));
    const v0 = t(core.empty([w], { dtype: weight.dtype, device: weight.device }).normal_(0, 1));
    return [normalizeVec(u0, eps), normalizeVec(v0, eps)] as const;
  }));
  delete fields(module)[name];
  module.registerParameter(`${name}_orig`, weight);
  setComputed(module, name, noGrad(() => weight.detach()));
  module.registerBuffer(`${name}_u`, u);
  module.registerBuffer(`${name}_v`, v);

  const compute = (m: Module, doPowerIteration: boolean): Tensor => {
    const f = fields(m);
    const orig = f[`${name}_orig`] as Tensor;
    let uBuf = f[`${name}_u`] as Tensor;
    let vBuf = f[`${name}_v`] as Tensor;
    return withTemps((t) => {
      const mat = t(weightToMatrix(orig, d));
      if (doPowerIteration) {
        noGrad(() => withTemps((s) => {
          const matT = s(mat.t());
          for (let i = 0; i < nPowerIterations; i++) {
            vBuf.copy_(s(normalizeVec(s(core.mv(matT, uBuf)), eps)));
            uBuf.copy_(s(normalizeVec(s(core.mv(mat, vBuf)), eps)));
          }
        }));
        // PyTorch clones u and v here so autograd uses these values even though the buffers
        // change in place at the next iteration.
        uBuf = t(noGrad(() => uBuf.clone()));
        vBuf = t(noGrad(() => vBuf.clone()));
      }
      const sigma = t(core.dot(uBuf, t(core.mv(mat, vBuf))));
      return orig.div(sigma);
    });
  };
  const handle = module.registerForwardPreHook((m) => {
    setComputed(m, name, compute(m, m.training));
  });
  reg.set(name, { handle, compute });
  return module;
}

/** Undoes spectralNorm: `module[name]` becomes a Parameter holding weight_orig / sigma (no power iteration). */
export function removeSpectralNorm<M extends Module>(module: M, name = 'weight'): M {
  const reg = spectralNorms.get(module)?.get(name);
  if (!reg) throw new ValueError(`spectral_norm of '${name}' not found in ${module.constructor.name}`);
  const w = noGrad(() => reg.compute(module, false));
  reg.handle.remove();
  spectralNorms.get(module)!.delete(name);
  const f = fields(module);
  const old = f[name];
  delete f[name];
  if (old instanceof Tensor) old.dispose();
  (f[`${name}_orig`] as Tensor).dispose();
  delete f[`${name}_orig`];
  for (const b of [`${name}_u`, `${name}_v`]) {
    (f[b] as Tensor | null)?.dispose();
    deleteBuffer(module, b);
  }
  module.registerParameter(name, Parameter(w));
  return module;
}

/** Drops a buffer registered with registerBuffer (its accessor and its map entry). */
function deleteBuffer(module: Module, name: string): void {
  const internals = module as unknown as { _buffers: Map<string, Tensor | null>; _nonPersistent: Set<string> };
  internals._buffers.delete(name);
  internals._nonPersistent.delete(name);
  delete fields(module)[name];
}
