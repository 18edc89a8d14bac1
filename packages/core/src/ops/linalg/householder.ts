/**
 * Householder QR in LAPACK's compact form: `geqrf` (forward only, like PyTorch's, which has no
 * derivative for it) and `householderProduct` (torch.linalg.householder_product / orgqr), a
 * composite of matmuls, so autograd and every backend follow.
 */
import { RuntimeError } from '../../errors.js';
import { isFloatingPoint } from '../../dtype.js';
import { scalarTypeName } from '../../promotion.js';
import { Tensor } from '../../tensor.js';
import { tensor } from '../creation.js';
import { eye } from '../range.js';
import { requireTensor, withTemps } from './checks.js';
import { matmul } from './matmul.js';

const fmt = (s: readonly number[]): string => `[${s.join(', ')}]`;

/**
 * LAPACK's dgeqr2 on one column-major-free m x n matrix (row-major `a`, modified in place):
 * R on and above the diagonal, the reflectors' tails below it (their leading 1 implied); returns tau.
 */
function qrInPlace(a: Float64Array, m: number, n: number): Float64Array {
  const k = Math.min(m, n);
  const tau = new Float64Array(k);
  for (let i = 0; i < k; i++) {
    // dlarfg: the reflector that maps a[i:, i] onto beta * e_1.
    const alpha = a[i * n + i]!;
    let xnorm = 0;
    for (let r = i + 1; r < m; r++) xnorm = Math.hypot(xnorm, a[r * n + i]!);
    if (xnorm === 0) continue; // H = I, tau = 0
    const beta = -(alpha >= 0 ? 1 : -1) * Math.hypot(alpha, xnorm);
    tau[i] = (beta - alpha) / beta;
    const scale = 1 / (alpha - beta);
    for (let r = i + 1; r < m; r++) a[r * n + i]! *= scale;
    a[i * n + i] = beta;
    // Apply H = I - tau v v^T (v = [1, a[i+1:, i]]) to the columns on the right.
    for (let c = i + 1; c < n; c++) {
      let w = a[i * n + c]!;
      for (let r = i + 1; r < m; r++) w += a[r * n + i]! * a[r * n + c]!;
      w *= tau[i]!;
      a[i * n + c]! -= w;
      for (let r = i + 1; r < m; r++) a[r * n + c]! -= w * a[r * n + i]!;
    }
  }
  return tau;
}

/**
 * torch.geqrf(input) -> [a, tau]: the QR decomposition of each matrix in LAPACK's compact form
 * (R in the upper triangle, Householder vectors below the diagonal, their scales in tau). Not
 * differentiable (neither is PyTorch's): the results never require grad.
 */
export function geqrf(input: Tensor): [Tensor, Tensor] {
  requireTensor('geqrf', 'input', 1, input);
  const nd = input.shape.length;
  if (nd < 2) throw new RuntimeError(`torch.geqrf: input must have at least 2 dimensions.`);
  if (!isFloatingPoint(input.dtype)) {
    throw new RuntimeError(`torch.geqrf: Expected a floating point or complex tensor as input. Got ${scalarTypeName(input.dtype)}`);
  }
  const [m, n] = input.shape.slice(-2) as [number, number];
  const batch = input.shape.slice(0, -2);
  const count = batch.reduce((x, y) => x * y, 1);
  const flat = withTemps((t) => t(t(input.detach()).reshape([-1])).contiguous());
  const values = (flat.tolist() as number[]).map(Number);
  flat.dispose();
  const outA: number[] = [];
  const outTau: number[] = [];
  for (let b = 0; b < count; b++) {
    const a = Float64Array.from(values.slice(b * m * n, (b + 1) * m * n));
    const tau = qrInPlace(a, m, n);
    outA.push(...a);
    outTau.push(...tau);
  }
  const opts = { dtype: input.dtype, device: input.device };
  const a = withTemps((t) => t(tensor(outA, opts)).reshape([...batch, m, n]).contiguous());
  const tau = withTemps((t) => t(tensor(outTau, opts)).reshape([...batch, Math.min(m, n)]).contiguous());
  return [a, tau];
}

/**
 * torch.linalg.householder_product(A, tau): the first n columns of H_1 H_2 ... H_k, with
 * H_i = I - tau_i v_i v_i^T and v_i the i-th column of A below the diagonal with a 1 on it.
 */
export function householderProduct(input: Tensor, tau: Tensor): Tensor {
  requireTensor('linalg_householder_product', 'input', 1, input);
  requireTensor('linalg_householder_product', 'tau', 2, tau);
  const nd = input.shape.length;
  if (nd < 2) throw new RuntimeError('torch.linalg.householder_product: input must have at least 2 dimensions.');
  const [m, n] = input.shape.slice(-2) as [number, number];
  if (m < n) throw new RuntimeError('torch.linalg.householder_product: input.shape[-2] must be greater than or equal to input.shape[-1]');
  const k = tau.shape[tau.shape.length - 1] ?? 0;
  if (k > n) throw new RuntimeError('torch.linalg.householder_product: input.shape[-1] must be greater than or equal to tau.shape[-1]');
  if (tau.shape.length !== nd - 1 || tau.shape.slice(0, -1).join() !== input.shape.slice(0, -2).join()) {
    throw new RuntimeError(`torch.linalg.householder_product: Expected batch dimensions of tau to be equal to input.shape[:-2], but got ${fmt(tau.shape.slice(0, -1))}`);
  }
  if (tau.dtype !== input.dtype) {
    throw new RuntimeError(`torch.linalg.householder_product: tau dtype ${scalarTypeName(tau.dtype)} does not match input dtype ${scalarTypeName(input.dtype)}`);
  }
  if (!isFloatingPoint(input.dtype)) {
    throw new RuntimeError(`linalg.householder_product: Expected a floating point or complex tensor as input. Got ${scalarTypeName(input.dtype)}`);
  }
  return withTemps((t) => {
    const id = t(eye(m, n, { dtype: input.dtype, device: input.device }));
    const v = t(t(input.tril(-1)).add(id));
    let q: Tensor = t(t(id.expand([...input.shape])).contiguous());
    // Q = H_1 (H_2 (... (H_k I))): apply the reflectors from the last.
    for (let i = k - 1; i >= 0; i--) {
      const vi = t(v.narrow(-1, i, 1));
      const ti = t(t(tau.narrow(-1, i, 1)).unsqueeze(-1));
      const w = t(matmul(t(vi.mT), q));
      q = t(q.sub(t(matmul(t(vi.mul(ti)), w))));
    }
    return q;
  });
}
