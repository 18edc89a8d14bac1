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
import { normExceptDim, spectralNormArgs, weightNormCompute, weightToMatrix } from './classic-norms.js';
import type { SpectralNormOptions } from './classic-norms.js';

export type { SpectralNormOptions };
import { NoRightInverse, isParametrized, ownedParametrizations, registerParametrization } from './parametrize.js';

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
  registerParametrization(module, name, p, { unsafe: true });
  // State dicts of the classic weight_norm (`<name>_g`, `<name>_v`) load into the new keys, as in PyTorch 2.1.
  module.registerLoadStateDictPreHook((sd, prefix) => {
    const [g, v] = [`${prefix}${name}_g`, `${prefix}${name}_v`];
    if (!isParametrized(module, name) || !sd.has(g) || !sd.has(v)) return;
    sd.set(`${prefix}parametrizations.${name}.original0`, sd.get(g)!);
    sd.set(`${prefix}parametrizations.${name}.original1`, sd.get(v)!);
    sd.delete(g);
    sd.delete(v);
  });
  return module;
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
    return weightToMatrix(weight, this.dim);
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

/**
 * `spectralNorm(module, name = 'weight', nPowerIterations = 1, eps = 1e-12, dim = null)` (or an
 * options object as third argument): `module[name]` becomes weight / sigma. `dim` defaults to 1
 * for transposed convolutions and 0 otherwise.
 */
export function spectralNorm<M extends Module>(
  module: M, name = 'weight', nPowerIterations: number | SpectralNormOptions = 1, eps = 1e-12, dim: number | null = null,
): M {
  const o = spectralNormArgs(module, nPowerIterations, eps, dim);
  const p = new _SpectralNorm(tensorOf(module, name), o.nPowerIterations, o.dim, o.eps);
  ownedParametrizations.add(p);
  return registerParametrization(module, name, p);
}

// ---- orthogonal ----------------------------------------------------------------------------

export type OrthogonalMap = 'matrix_exp' | 'cayley' | 'householder';

/** Q^T Q == I within 10 * n * eps (PyTorch's _is_orthogonal). */
function isOrthogonal(q: Tensor): boolean {
  return withTemps((t) => {
    const n = q.shape[q.ndim - 2]!;
    const k = q.shape[q.ndim - 1]!;
    const eps = q.dtype === 'float64' ? 2.220446049250313e-16 : q.dtype === 'float32' ? 1.1920928955078125e-7 : q.dtype === 'bfloat16' ? 0.0078125 : 0.0009765625;
    const id = t(core.eye(k, { dtype: q.dtype, device: q.device }));
    return t(t(q.mT).matmul(q)).allclose(id, { atol: 10 * n * eps });
  });
}

/** The Q of a QR decomposition with a positive diagonal of R (PyTorch's _make_orthogonal). */
function makeOrthogonal(a: Tensor): Tensor {
  return withTemps((t) => {
    const [x, tau] = core.geqrf(a);
    t(x);
    t(tau);
    const q = t(core.householderProduct(x, tau));
    return q.mul(t(t(t(x.diagonal(0, -2, -1)).sgn()).unsqueeze(-2)));
  });
}

/** `x` (a matrix or batch) with at least as many rows as columns: its transpose when it is wider; n >= k its sizes. */
function asTall(x: Tensor, t: <U extends Tensor>(u: U) => U): { x: Tensor; n: number; k: number; transposed: boolean } {
  const [rows, cols] = x.shape.slice(-2) as [number, number];
  return rows < cols ? { x: t(x.mT), n: cols, k: rows, transposed: true } : { x, n: rows, k: cols, transposed: false };
}

/** Orthogonal (semi-orthogonal) matrices from unconstrained ones: PyTorch's _Orthogonal. */
export class _Orthogonal extends Module {
  declare shape: number[];
  declare orthogonalMap: OrthogonalMap;
  declare useTrivialization: boolean;

  constructor(weight: Tensor, orthogonalMap: OrthogonalMap, options: { useTrivialization?: boolean } = {}) {
    super();
    this.shape = [...weight.shape];
    this.orthogonalMap = orthogonalMap;
    this.useTrivialization = options.useTrivialization ?? true;
    if (this.useTrivialization) this.registerBuffer('base', null);
  }

  get base(): Tensor | null {
    return this._buffers.get('base') ?? null;
  }

  forward(input: Tensor): Tensor {
    return withTemps((t) => {
      const { n, k, transposed, x: tall } = asTall(input, t);
      let x = tall;
      let q: Tensor;
      if (this.orthogonalMap === 'matrix_exp' || this.orthogonalMap === 'cayley') {
        x = t(x.tril());
        if (n !== k) x = t(core.cat([x, t(t(core.zeros([n, n - k], { dtype: x.dtype, device: x.device })).expand([...x.shape.slice(0, -2), n, n - k]))], -1));
        const a = t(x.sub(t(x.mT)));
        if (this.orthogonalMap === 'matrix_exp') q = t(core.matrixExp(a));
        else {
          // The Cayley retraction (I - A/2)^{-1} (I + A/2).
          const id = t(core.eye(n, { dtype: a.dtype, device: a.device }));
          const half = t(a.mul(0.5));
          q = t(core.solve(t(id.sub(half)), t(id.add(half))));
        }
        if (n !== k) q = t(q.narrow(-1, 0, k));
      } else {
        const a = t(x.tril(-1));
        const tau = t(t(t(t(t(a.mul(a)).sum(-2)).add(1)).reciprocal()).mul(2));
        q = t(core.householderProduct(a, tau));
        q = t(q.mul(t(t(t(x.diagonal(0, -2, -1)).to('int32')).unsqueeze(-2))));
      }
      const base = this.base;
      if (base) q = t(base.matmul(q));
      if (transposed) q = t(q.mT);
      return q;
    });
  }

  rightInverse(input: Tensor): Tensor {
    return noGrad(() => withTemps((t) => {
      if (input.shape.join() !== this.shape.join()) {
        throw new ValueError(`Expected a matrix or batch of matrices of shape torch.Size([${this.shape.join(', ')}]). Got a tensor of shape torch.Size([${input.shape.join(', ')}]).`);
      }
      const { x: q, n, k, transposed: transpose } = asTall(input, t);
      if (!this.useTrivialization) {
        if (this.orthogonalMap === 'cayley' || this.orthogonalMap === 'matrix_exp') {
          throw new NoRightInverse('It is not possible to assign to the matrix exponential or the Cayley parametrizations when use_trivialization=False.');
        }
        // Householder: the reflectors of Q's QR decomposition, with the signs of R's diagonal on the diagonal.
        const [a, tau] = core.geqrf(q);
        t(tau);
        const diag = t(a.diagonal(0, -2, -1));
        const signs = t(diag.sign());
        const flip = t(tau.eq(0));
        diag.copy_(t(core.where(flip, t(signs.neg()), signs)));
        if (!transpose) return a;
        t(a);
        return t(a.mT).contiguous();
      }
      let base: Tensor;
      if (n === k) base = isOrthogonal(q) ? q.clone() : makeOrthogonal(q);
      else {
        const fill = t(core.randn([...q.shape.slice(0, -2), n, n - k], { dtype: q.dtype, device: q.device }));
        base = makeOrthogonal(t(core.cat([q, fill], -1)));
      }
      const old = this.base;
      this._buffers.set('base', core.keep(base));
      old?.dispose();
      const negId = core.zeros([...input.shape], { dtype: input.dtype, device: input.device });
      t(negId.diagonal(0, -2, -1)).fill_(-1);
      return negId;
    }));
  }
}

/**
 * `orthogonal(module, name = 'weight', { orthogonalMap, useTrivialization = true })`: `module[name]`
 * becomes an orthogonal (or semi-orthogonal) matrix. The map defaults to 'matrix_exp' for square
 * matrices and 'householder' otherwise.
 */
export function orthogonal<M extends Module>(
  module: M, name = 'weight', options: { orthogonalMap?: OrthogonalMap | null; useTrivialization?: boolean } = {},
): M {
  const weight = (module as unknown as Record<string, unknown>)[name];
  if (!(weight instanceof Tensor)) throw new ValueError(`Module '${module.toString()}' has no parameter or buffer with name '${name}'`);
  if (weight.ndim < 2) throw new ValueError(`Expected a matrix or batch of matrices. Got a tensor of ${weight.ndim} dimensions.`);
  const map = options.orthogonalMap ?? (weight.shape[weight.ndim - 2] === weight.shape[weight.ndim - 1] ? 'matrix_exp' : 'householder');
  if (map !== 'matrix_exp' && map !== 'cayley' && map !== 'householder') {
    throw new ValueError(`orthogonal_map has to be one of "matrix_exp", "cayley", "householder". Got: ${map as string}`);
  }
  const p = new _Orthogonal(weight, map, { useTrivialization: options.useTrivialization ?? true });
  ownedParametrizations.add(p);
  return registerParametrization(module, name, p, { unsafe: true });
}
