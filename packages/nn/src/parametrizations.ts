/**
 * `torch.nn.utils.parametrizations`: weight normalisation, spectral normalisation and orthogonal
 * matrices as parametrizations (`registerParametrization`), so state-dict keys are PyTorch's
 * (`parametrizations.weight.original`, `parametrizations.weight.original0/1`,
 * `parametrizations.weight.0._u`). weightNorm follows PyTorch 2.1's parametrization (1.13 has only
 * the hook-based `nn.utils.weight_norm`, which is `nn.weightNorm` here).
 */
import * as core from '@torchts/core';
import { IndexError, Tensor, ValueError } from '@torchts/core';
import { noGrad } from '@torchts/autograd';
import { Module } from './module.js';
import { normalize } from './functional/distance.js';
import { withTemps } from './functional/temps.js';
import { normExceptDim, weightNormCompute } from './classic-norms.js';
import { ownedParametrizations, registerParametrization } from './parametrize.js';

function tensorOf(module: Module, name: string): Tensor {
  const t = (module as unknown as Record<string, unknown>)[name];
  if (!(t instanceof Tensor)) throw new ValueError(`Module '${module.toString()}' has no parameter or buffer with name '${name}'`);
  return t;
}

// ---- weight norm ---------------------------------------------------------------------------

/** weight = g * v / ||v|| (norm over every dim but `dim`; the whole tensor for dim -1). */
export class _WeightNorm extends Module {
  declare dim: number;
  constructor(dim: number | null = 0) {
    super();
    this.dim = dim ?? -1;
  }
  forward(weightG: Tensor, weightV: Tensor): Tensor {
    return weightNormCompute(weightV, weightG, this.dim);
  }
  rightInverse(weight: Tensor): Tensor[] {
    return [normExceptDim(weight, this.dim), weight];
  }
}

/**
 * `weightNorm(module, name = 'weight', dim = 0)`: `module[name]` becomes g * v / ||v|| with
 * g = `parametrizations.<name>.original0` and v = `original1`. `dim = null` normalises the whole tensor.
 */
export function weightNorm<M extends Module>(module: M, name = 'weight', dim: number | null = 0): M {
  const p = new _WeightNorm(dim);
  ownedParametrizations.add(p);
  return registerParametrization(module, name, p, { unsafe: true });
}

// ---- spectral norm -------------------------------------------------------------------------

/** weight / sigma, sigma the largest singular value of the weight as a matrix, by power iteration on buffers `_u`, `_v`. */
export class _SpectralNorm extends Module {
  declare dim: number;
  declare eps: number;
  declare nPowerIterations: number;
  declare _u: Tensor;
  declare _v: Tensor;

  constructor(weight: Tensor, nPowerIterations = 1, dim = 0, eps = 1e-12) {
    super();
    const ndim = weight.ndim;
    if (dim >= ndim || dim < -ndim) {
      throw new IndexError(`Dimension out of range (expected to be in range of [-${ndim}, ${ndim - 1}] but got ${dim})`);
    }
    if (nPowerIterations <= 0) {
      throw new ValueError(`Expected n_power_iterations to be positive, but got n_power_iterations=${nPowerIterations}`);
    }
    this.dim = dim >= 0 ? dim : dim + ndim;
    this.eps = eps;
    if (ndim > 1) {
      this.nPowerIterations = nPowerIterations;
      noGrad(() => withTemps((t) => {
        const mat = t(this.reshapeWeightToMatrix(weight));
        const [h, w] = mat.shape as [number, number];
        const u = t(core.empty([h], { dtype: mat.dtype, device: mat.device }).normal_(0, 1));
        const v = t(core.empty([w], { dtype: mat.dtype, device: mat.device }).normal_(0, 1));
        this.registerBuffer('_u', core.keep(normalize(u, { dim: 0, eps })));
        this.registerBuffer('_v', core.keep(normalize(v, { dim: 0, eps })));
        this.powerMethod(mat, 15);
      }));
    }
  }

  /** `weight` with `dim` first, flattened to [size(dim), -1]. */
  reshapeWeightToMatrix(weight: Tensor): Tensor {
    if (this.dim === 0) return weight.flatten(1);
    return withTemps((t) => t(weight.permute([this.dim, ...Array.from({ length: weight.ndim }, (_, i) => i).filter((i) => i !== this.dim)])).flatten(1));
  }

  /** u = normalize(W v), v = normalize(W^T u), `n` times, in place in the buffers. */
  powerMethod(weightMat: Tensor, n: number): void {
    noGrad(() => withTemps((t) => {
      const matT = t(weightMat.t());
      for (let i = 0; i < n; i++) {
        this._u.copy_(t(normalize(t(core.mv(weightMat, this._v)), { dim: 0, eps: this.eps })));
        this._v.copy_(t(normalize(t(core.mv(matT, this._u)), { dim: 0, eps: this.eps })));
      }
    }));
  }

  forward(weight: Tensor): Tensor {
    if (weight.ndim === 1) return normalize(weight, { dim: 0, eps: this.eps });
    return withTemps((t) => {
      const mat = t(this.reshapeWeightToMatrix(weight));
      if (this.training) this.powerMethod(mat, this.nPowerIterations);
      // Clones: autograd must see these values although the buffers change at the next forward.
      const u = t(noGrad(() => this._u.clone()));
      const v = t(noGrad(() => this._v.clone()));
      const sigma = t(core.dot(u, t(core.mv(mat, v))));
      return weight.div(sigma);
    });
  }

  rightInverse(value: Tensor): Tensor {
    return value;
  }
}

export interface SpectralNormOptions {
  nPowerIterations?: number;
  eps?: number;
  dim?: number | null;
}

/**
 * `spectralNorm(module, name = 'weight', nPowerIterations = 1, eps = 1e-12, dim = null)` (or an
 * options object as third argument): `module[name]` becomes weight / sigma. `dim` defaults to 1
 * for transposed convolutions and 0 otherwise.
 */
export function spectralNorm<M extends Module>(
  module: M, name = 'weight', nPowerIterations: number | SpectralNormOptions = 1, eps = 1e-12, dim: number | null = null,
): M {
  if (typeof nPowerIterations === 'object') {
    const o = nPowerIterations;
    return spectralNorm(module, name, o.nPowerIterations ?? 1, o.eps ?? 1e-12, o.dim ?? null);
  }
  const weight = tensorOf(module, name);
  const d = dim ?? ((module as unknown as { transposed?: boolean }).transposed === true ? 1 : 0);
  const p = new _SpectralNorm(weight, nPowerIterations, d, eps);
  ownedParametrizations.add(p);
  return registerParametrization(module, name, p);
}
